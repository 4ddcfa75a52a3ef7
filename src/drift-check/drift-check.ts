import { DriftMetrics } from './drift-metrics';
import { DriftCheckDomain } from './env';
import { normalizeHost } from '../policy/host-name';
import { uncoveredHosts } from '../policy/mx-coverage';
import { PolicyFileCheck } from '../policy/policy-file';

/** A domain's live MX hosts as the hosted zone has them. */
export interface LiveMx {
  /** Normalized, sorted, without duplicates; a null MX is left out. */
  readonly hosts: string[];
  /** The zone has a null MX (`0 .`, RFC 7505): the domain accepts no mail. */
  readonly nullMx: boolean;
}

/** Where the check reads; the handler implements them with the AWS SDK. Errors thrown are check errors. */
export interface DriftSources {
  listLiveMx(hostedZoneId: string, domainName: string): Promise<LiveMx>;
  /** The served policy file, parsed; a missing one is a finding (`ok: false`), not an error. */
  readPolicy(domainName: string): Promise<PolicyFileCheck>;
}

export interface DriftCheckDeps {
  readonly sources: DriftSources;
  readonly metrics: DriftMetrics;
  /** Where the JSON line per domain goes; console.log by default. */
  readonly log?: (line: string) => void;
}

/**
 * - `covered`: every live MX host matches a published pattern;
 * - `uncovered`: some do not (in mode `enforce`, senders refuse mail to them);
 * - `policy-problem`: the policy file is missing, unreadable or invalid, so every live MX host counts as uncovered;
 * - `no-mx`: the zone has no MX host for the domain, so nothing is uncovered.
 */
export type DriftStatus = 'covered' | 'uncovered' | 'policy-problem' | 'no-mx';

/** What is logged, as one JSON line, for each domain checked. */
export interface DomainDrift {
  readonly policyDomain: string;
  readonly status: DriftStatus;
  /** Live MX hosts, normalized and sorted. */
  readonly liveMx: string[];
  /** The live MX hosts no published pattern covers; all of them when there is no valid policy file. */
  readonly uncovered: string[];
  /** The published mode and `mx` patterns, null without a valid policy file. */
  readonly mode: string | null;
  readonly mx: readonly string[] | null;
  /** Why, for `policy-problem` and `no-mx`. */
  readonly reason?: string;
}

/** What is logged for a domain that could not be checked: no `UncoveredMxHosts` datapoint, one `DriftCheckErrors`. */
export interface DomainCheckError {
  readonly policyDomain: string;
  readonly status: 'error';
  readonly error: string;
}

/**
 * Checks each domain in turn and reports it (log line, then metric) before the next, so one failing domain does
 * not stop the others. One at a time because Route 53 allows five API requests per second per account.
 */
export async function checkDomains(
  domains: readonly DriftCheckDomain[],
  deps: DriftCheckDeps,
): Promise<(DomainDrift | DomainCheckError)[]> {
  const log = deps.log ?? ((line: string) => console.log(line));
  const results: (DomainDrift | DomainCheckError)[] = [];
  for (const domain of domains) {
    const result = await checkDomain(domain, deps.sources);
    log(JSON.stringify(result));
    if (result.status === 'error') deps.metrics.checkFailed();
    else deps.metrics.uncoveredMxHosts(result.policyDomain, result.uncovered.length);
    results.push(result);
  }
  deps.metrics.domainsWithUncoveredMx(results.filter((r) => r.status !== 'error' && r.uncovered.length > 0).length);
  return results;
}

async function checkDomain(
  { domainName, hostedZoneId }: DriftCheckDomain,
  sources: DriftSources,
): Promise<DomainDrift | DomainCheckError> {
  const policyDomain = normalizeHost(domainName);
  let liveMx: LiveMx;
  let policy: PolicyFileCheck;
  try {
    liveMx = await sources.listLiveMx(hostedZoneId, policyDomain);
  } catch (error) {
    return { policyDomain, status: 'error', error: `reading MX from hosted zone ${hostedZoneId}: ${describe(error)}` };
  }
  try {
    policy = await sources.readPolicy(policyDomain);
  } catch (error) {
    return { policyDomain, status: 'error', error: `reading the policy file: ${describe(error)}` };
  }
  return compareToPolicy(policyDomain, liveMx, policy);
}

/** The finding for one domain, from what Route 53 and the policy bucket hold. */
export function compareToPolicy(policyDomain: string, liveMx: LiveMx, policy: PolicyFileCheck): DomainDrift {
  const liveHosts = liveMx.hosts;
  const uncovered = policy.ok ? uncoveredHosts(liveHosts, policy.policy.mx) : liveHosts;
  const finding = (status: DriftStatus, reason?: string): DomainDrift => ({
    policyDomain,
    status,
    liveMx: liveHosts,
    uncovered,
    mode: policy.ok ? policy.policy.mode : null,
    mx: policy.ok ? policy.policy.mx : null,
    ...(reason === undefined ? {} : { reason }),
  });
  if (liveHosts.length === 0) {
    const none = liveMx.nullMx
      ? 'only a null MX (RFC 7505): the domain accepts no mail'
      : 'no MX record set in the zone';
    return finding('no-mx', policy.ok ? none : `${none}; the policy file ${policy.problem}`);
  }
  if (!policy.ok) return finding('policy-problem', `the policy file ${policy.problem}`);
  return finding(uncovered.length > 0 ? 'uncovered' : 'covered');
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
