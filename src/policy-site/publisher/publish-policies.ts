import { createHash } from 'node:crypto';
import { ListResourceRecordSetsCommand, Route53Client, RRType } from '@aws-sdk/client-route-53';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mapWithLimit } from './map-with-limit';
import { ConfigEntry, parsePublisherProperties, PolicyRequest, sha256, VerifyItem } from './publisher-properties';
import { renderPolicyDocument } from '../../policy/policy-document';
import {
  POLICY_CACHE_CONTROL,
  POLICY_CACHE_SECONDS,
  POLICY_CONTENT_TYPE,
  policyObjectKey,
} from '../../policy/policy-object';
import { listMxRecordSets, RecordSet, RECORD_SETS_PER_PAGE } from '../../runtime/mx-record-pages';
import { mxHostsFromRecordSets } from '../mx-discovery/mx-records';

/** Domains handled at once: Route 53 allows five requests a second per account, and the SDK retries throttling. */
const CONCURRENCY = 4;
/** How long the verification may wait for certificates and propagation before it fails with what it saw. */
export const VERIFY_DEADLINE_MS = 45 * 60 * 1000;
const CONFIG_CONTENT_TYPE = 'application/json';
/** What HeadObject throws for a key that is not there: the upload then says whether we may write it. */
const MISSING_OBJECT_ERRORS = ['NotFound', 'NoSuchKey', 'Forbidden', 'AccessDenied'];
const PHYSICAL_ID = 'mta-sts-policies';

export interface PublishDeps {
  readonly s3: S3Client;
  readonly route53: Route53Client;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

/** The onEvent answer. Only `PhysicalResourceId` and `Data` reach CloudFormation; the rest is for isComplete. */
export interface PublishResult {
  readonly PhysicalResourceId: string;
  /** One attribute whatever the domain count, so the reply stays far under CloudFormation's 4 KB. */
  readonly Data?: { readonly ZonePolicyId: string };
  readonly Verify?: VerifyItem[];
  /** Epoch milliseconds after which isComplete fails. */
  readonly Deadline?: number;
  /**
   * Epoch milliseconds before which isComplete does not succeed, set when policy bytes changed: the write time plus
   * the policy cache time. Until then another CloudFront edge may still serve the old object from its cache, even
   * after the one we reach serves the new one.
   */
  readonly NotBefore?: number;
  readonly RoutingEndpoint?: string;
}

interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

/**
 * Writes every domain's policy file (static bytes, or rendered from the zone's MX records) and the configuration
 * objects, each only when its bytes or headers differ from what S3 holds, and lists the domains isComplete must
 * verify: those whose bytes changed or whose entry (tenant, certificate) changed. On Delete it leaves everything:
 * the bucket is retained and senders may still cache the policies (RFC 8461 §8.3).
 */
export async function publishPolicies(event: CustomResourceEvent, deps: PublishDeps): Promise<PublishResult> {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_ID };
  const log = deps.log ?? console.log;
  const request = parsePublisherProperties(event.ResourceProperties);
  const previous = previousEntries(event);
  const endpointChanged = event.OldResourceProperties?.RoutingEndpoint !== event.ResourceProperties.RoutingEndpoint;

  const published = await mapWithLimit(request.policies, CONCURRENCY, async (policy) => {
    const text = await policyText(policy, deps.route53);
    const change = await putIfChanged(deps.s3, {
      Bucket: request.policyBucket!,
      Key: policyObjectKey(policy.domain),
      Body: text,
      ContentType: POLICY_CONTENT_TYPE,
      CacheControl: POLICY_CACHE_CONTROL,
    });
    const entryChanged = previous.get(policy.domain) !== entryFingerprint(event.ResourceProperties, policy.domain);
    const uploaded = change !== 'unchanged';
    return {
      policy,
      text,
      uploaded,
      bytesChanged: change === 'bytes',
      verify: uploaded || entryChanged || endpointChanged,
    };
  });
  const written = (deps.now ?? Date.now)();
  const configsWritten = await mapWithLimit(
    request.configs,
    CONCURRENCY,
    async (config) => (await putIfChanged(deps.s3, configObject(config))) !== 'unchanged',
  );

  const verify: VerifyItem[] = published
    .filter((p) => p.verify)
    .map(({ policy, text }) => ({
      Domain: policy.domain,
      TenantId: policy.tenantId,
      ManagedCertificate: policy.managedCertificate,
      Sha256: sha256(text),
    }));
  log(
    JSON.stringify({
      requestType: event.RequestType,
      uploaded: published.filter((p) => p.uploaded).map((p) => p.policy.domain),
      unchanged: published.filter((p) => !p.uploaded).length,
      configsWritten: request.configs.filter((_, i) => configsWritten[i]).map((c) => `s3://${c.Bucket}/${c.Key}`),
      verify: verify.map((v) => v.Domain),
    }),
  );
  const zonePolicies = published.filter((p) => p.policy.kind === 'zone');
  return {
    PhysicalResourceId: PHYSICAL_ID,
    Data: { ZonePolicyId: zonePolicyId(zonePolicies.map((p) => [p.policy.domain, p.text])) },
    Verify: verify,
    Deadline: written + VERIFY_DEADLINE_MS,
    ...(published.some((p) => p.bytesChanged) ? { NotBefore: written + POLICY_CACHE_SECONDS * 1000 } : {}),
    RoutingEndpoint: request.routingEndpoint,
  };
}

/**
 * The `_mta-sts` id of every zone-read policy: the first 32 hex digits of a SHA-256 over all of them, so it changes
 * whenever any does (a sender then fetches again, which is harmless) and the reply holds one value for any count.
 */
export function zonePolicyId(policies: ReadonlyArray<readonly [string, string]>): string {
  const hash = createHash('sha256');
  for (const [domain, text] of [...policies].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    hash.update(`${domain}\n${text}\n`);
  }
  return hash.digest('hex').slice(0, 32);
}

async function policyText(policy: PolicyRequest, route53: Route53Client): Promise<string> {
  if (policy.kind === 'static') return policy.text;
  const recordSets = await readMxRecordSets(route53, policy.hostedZoneId, policy.domain);
  const mx = mxHostsFromRecordSets(recordSets, policy.domain, policy.hostedZoneId);
  return renderPolicyDocument({ mode: policy.mode, mx, maxAgeSeconds: policy.maxAgeSeconds }).text;
}

interface PutRequest {
  readonly Bucket: string;
  readonly Key: string;
  readonly Body: string;
  readonly ContentType: string;
  readonly CacheControl?: string;
}

/**
 * Uploads unless S3 already holds these bytes (single-part SSE-S3 ETag = MD5) with these headers. Says what
 * changed: `bytes` (including a new object), only the `headers`, or nothing.
 */
async function putIfChanged(s3: S3Client, put: PutRequest): Promise<'unchanged' | 'headers' | 'bytes'> {
  const where = `s3://${put.Bucket}/${put.Key}`;
  const current = await callAws(`Could not read ${where}`, async () => {
    try {
      return await s3.send(new HeadObjectCommand({ Bucket: put.Bucket, Key: put.Key }));
    } catch (error) {
      // Without s3:ListBucket (the report bucket's configuration object), S3 answers a missing key with 403.
      if (MISSING_OBJECT_ERRORS.includes((error as Error).name)) return undefined;
      throw error;
    }
  });
  const md5 = createHash('md5').update(put.Body, 'latin1').digest('hex');
  const sameBytes = current?.ETag === `"${md5}"`;
  if (
    sameBytes &&
    current.ContentType === put.ContentType &&
    (current.CacheControl ?? undefined) === put.CacheControl
  ) {
    return 'unchanged';
  }
  await callAws(`Could not upload ${where}`, () =>
    s3.send(new PutObjectCommand({ ...put, Body: Buffer.from(put.Body, 'latin1') })),
  );
  return sameBytes ? 'headers' : 'bytes';
}

function configObject(config: ConfigEntry): PutRequest {
  return { Bucket: config.Bucket, Key: config.Key, Body: config.Body, ContentType: CONFIG_CONTENT_TYPE };
}

function entryFingerprint(properties: Record<string, unknown>, domain: string): string | undefined {
  const entries = Array.isArray(properties.Policies) ? (properties.Policies as Array<Record<string, unknown>>) : [];
  const entry = entries.find((e) => e?.Domain === domain);
  return entry === undefined ? undefined : JSON.stringify(entry, Object.keys(entry).sort());
}

function previousEntries(event: CustomResourceEvent): Map<string, string | undefined> {
  const old = event.OldResourceProperties;
  const domains = Array.isArray(old?.Policies) ? (old.Policies as Array<Record<string, unknown>>) : [];
  return new Map(domains.map((e) => [String(e?.Domain), entryFingerprint(old!, String(e?.Domain))]));
}

/** Every record set from the domain's MX sets up to the first record set past them, following pagination. */
async function readMxRecordSets(route53: Route53Client, hostedZoneId: string, domain: string): Promise<RecordSet[]> {
  return listMxRecordSets(domain, (start) =>
    callAws(`Could not read the MX records of ${domain} from hosted zone ${hostedZoneId}`, () =>
      route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: hostedZoneId,
          ...start,
          // Route 53 hands back its own NextRecordType, so this is always one of its types.
          StartRecordType: start.StartRecordType as RRType,
          MaxItems: RECORD_SETS_PER_PAGE,
        }),
      ),
    ),
  );
}

/** Runs one AWS call and names what failed, keeping the service's error name and message. */
export async function callAws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const { name, message } = error as Error;
    throw new Error(`${what}: ${name}: ${message}`, { cause: error });
  }
}
