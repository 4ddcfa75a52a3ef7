import { CloudFrontClient, GetManagedCertificateDetailsCommand } from '@aws-sdk/client-cloudfront';
import { FetchPolicyOptions, PolicyFetch } from './fetch-policy';
import { mapWithLimit } from './map-with-limit';
import { sha256, VerifyItem } from './publisher-properties';
import { POLICY_CONTENT_TYPE } from '../../policy/policy-object';

// With 5-second fetch timeouts, 120 unreachable domains take about 40 seconds, well inside the 3-minute timeout.
const CONCURRENCY = 16;
/** Certificate states that will not turn into `issued` by waiting. */
const HOPELESS_CERTIFICATE_STATES = ['validation-timed-out', 'failed', 'revoked', 'expired', 'inactive'];
/**
 * How many domains a failure message names, and how much of what it saw for each: the rest are counted. The reason
 * travels in CloudFormation's 4 KB reply: five domains of at most 253 characters and 200 characters each fit.
 */
const MAX_NAMED = 5;
const MAX_SAW_LENGTH = 200;

export interface VerifyDeps {
  readonly cloudfront: CloudFrontClient;
  readonly fetchPolicy: (options: FetchPolicyOptions) => Promise<PolicyFetch>;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

export interface VerifyEvent {
  readonly RequestType: string;
  readonly Verify?: VerifyItem[];
  readonly Deadline?: number;
  /** Epoch milliseconds before which it is never complete (see `PublishResult.NotBefore`). */
  readonly NotBefore?: number;
  readonly RoutingEndpoint?: string;
}

/** What one domain's check found. */
export interface DomainObservation {
  readonly domain: string;
  readonly state: 'live' | 'waiting' | 'hopeless';
  readonly saw: string;
}

/**
 * The isComplete handler's work: true once every domain to verify serves its new bytes over HTTPS, fetched from the
 * connection group's routing endpoint with SNI and Host `mta-sts.<domain>` and full certificate validation, and
 * `NotBefore` (when policy bytes changed) has passed. Before that, a CloudFront-managed certificate must be `issued`. Throws, naming what it saw, when a certificate cannot be
 * issued any more, or when the deadline passes.
 */
export async function verifyPolicies(event: VerifyEvent, deps: VerifyDeps): Promise<{ IsComplete: boolean }> {
  const items = event.Verify ?? [];
  if (event.RequestType === 'Delete' || items.length === 0) return { IsComplete: true };
  if (!event.RoutingEndpoint) throw new Error('Nothing to verify against: RoutingEndpoint is missing');
  const endpoint = event.RoutingEndpoint;
  const log = deps.log ?? console.log;

  const observations = await mapWithLimit(items, CONCURRENCY, (item) => observe(item, endpoint, deps));
  const notLive = observations.filter((o) => o.state !== 'live');
  const now = (deps.now ?? Date.now)();
  // One edge serving the new bytes is not all of them: the others may serve their cached copy until NotBefore.
  const cachesExpired = event.NotBefore === undefined || now >= event.NotBefore;
  log(
    JSON.stringify({
      live: observations.length - notLive.length,
      notLive,
      ...(cachesExpired ? {} : { waitingForCachesUntil: new Date(event.NotBefore!).toISOString() }),
    }),
  );
  if (notLive.length === 0) return { IsComplete: cachesExpired };

  const hopeless = notLive.filter((o) => o.state === 'hopeless');
  if (hopeless.length > 0) {
    throw new Error(`The policy host cannot serve ${summarize(hopeless)}`);
  }
  if (event.Deadline !== undefined && now > event.Deadline) {
    throw new Error(
      `New MTA-STS policies were not live over HTTPS by the deadline, so the _mta-sts records keep their old ids: ${summarize(notLive)}`,
    );
  }
  return { IsComplete: false };
}

async function observe(item: VerifyItem, endpoint: string, deps: VerifyDeps): Promise<DomainObservation> {
  const domain = item.Domain;
  if (item.ManagedCertificate) {
    let status: string | undefined;
    try {
      const details = await deps.cloudfront.send(
        new GetManagedCertificateDetailsCommand({ Identifier: item.TenantId }),
      );
      status = details.ManagedCertificateDetails?.CertificateStatus;
    } catch (error) {
      return { domain, state: 'waiting', saw: `certificate status unknown (${(error as Error).name})` };
    }
    if (status !== undefined && HOPELESS_CERTIFICATE_STATES.includes(status)) {
      return {
        domain,
        state: 'hopeless',
        saw: `CloudFront-managed certificate is ${status}: check that mta-sts.${domain} is a CNAME to ${endpoint} and no CAA record forbids Amazon`,
      };
    }
    if (status !== 'issued') return { domain, state: 'waiting', saw: `certificate ${status ?? 'status missing'}` };
  }
  const fetched = await deps.fetchPolicy({ connectTo: endpoint, hostName: `mta-sts.${domain}` });
  return { domain, ...judge(fetched, item.Sha256) };
}

/** Whether a fetch shows the expected policy, as a sender would accept it. */
export function judge(fetched: PolicyFetch, expectedSha256: string): Pick<DomainObservation, 'state' | 'saw'> {
  if (fetched.error !== undefined) return { state: 'waiting', saw: `HTTPS failed: ${fetched.error}` };
  if (fetched.status !== 200) {
    const redirect = fetched.location ? ` to ${fetched.location}` : '';
    return { state: 'waiting', saw: `HTTP ${fetched.status}${redirect}` };
  }
  const mediaType = (fetched.contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== POLICY_CONTENT_TYPE) {
    return { state: 'waiting', saw: `Content-Type ${JSON.stringify(fetched.contentType ?? null)}, not text/plain` };
  }
  const body = fetched.body ?? Buffer.alloc(0);
  if (sha256(body) !== expectedSha256) {
    return { state: 'waiting', saw: `old or other bytes (${body.length} bytes, sha256 ${sha256(body).slice(0, 12)}…)` };
  }
  return { state: 'live', saw: 'new policy served' };
}

function summarize(observations: readonly DomainObservation[]): string {
  const named = observations.slice(0, MAX_NAMED).map((o) => `${o.domain}: ${truncate(o.saw)}`);
  const more = observations.length > MAX_NAMED ? `; and ${observations.length - MAX_NAMED} more (see the log)` : '';
  return named.join('; ') + more;
}

function truncate(text: string): string {
  return text.length <= MAX_SAW_LENGTH ? text : `${text.slice(0, MAX_SAW_LENGTH - 1)}…`;
}
