import { NormalisedReport } from '../parser';
import { isPublishedDomain } from './published-domains';
import { normalizeHost } from '../../policy/host-name';

// Limits no honest report comes near. A report over any of them is rejected whole, with the reason: never clamped,
// so that nothing stored or counted differs from what the sender said.

/** Real reports cover one day (Stalwart: an hour to a week). */
export const MAX_RANGE_DAYS = 7;
/** How far a range may end after the report was received (clock skew, zone mistakes). */
export const MAX_FUTURE_DAYS = 1;
/** Per count: far above any sender's daily sessions for one domain. */
export const MAX_COUNT = 1_000_000_000;
/** Distinct policy domains in one report: real ones have one, Microsoft a few (the domain and its MX hosts). */
export const MAX_POLICY_DOMAINS = 10;

const DAY_MS = 24 * 60 * 60 * 1000;

function normalize(domain: string): string {
  return normalizeHost(domain);
}

/**
 * Why a report is implausible, or null when it is not.
 *
 * @param published the policy domains this deployment publishes (empty: none)
 * @param receivedAt ISO 8601 time of receipt, the reference for "in the future"
 */
export function implausibility(
  report: NormalisedReport,
  published: readonly string[],
  receivedAt: string,
): string | null {
  const start = Date.parse(report.dateRange.startDatetime);
  const end = Date.parse(report.dateRange.endDatetime);
  if (Number.isNaN(start) || Number.isNaN(end)) return 'date range is not a date';
  // Reversed, it would pass the length check below with a negative length.
  if (end < start) {
    return `date range ends ${report.dateRange.endDatetime.slice(0, 40)}, before it starts ${report.dateRange.startDatetime.slice(0, 40)}`;
  }
  if (end - start > MAX_RANGE_DAYS * DAY_MS) {
    return `date range is ${Math.round((end - start) / DAY_MS)} days long, over ${MAX_RANGE_DAYS}`;
  }
  if (end - Date.parse(receivedAt) > MAX_FUTURE_DAYS * DAY_MS) {
    return `date range ends ${report.dateRange.endDatetime.slice(0, 40)}, over ${MAX_FUTURE_DAYS} day after receipt`;
  }

  const domains = new Set(report.policies.map((p) => (p.policyDomain === null ? null : normalize(p.policyDomain))));
  if (domains.size > MAX_POLICY_DOMAINS) {
    return `report names ${domains.size} policy domains, over ${MAX_POLICY_DOMAINS}`;
  }
  for (const [i, policy] of report.policies.entries()) {
    const counts = [
      policy.totalSuccessfulSessionCount,
      policy.totalFailureSessionCount,
      ...policy.failureDetails.map((d) => d.failedSessionCount),
    ];
    if (counts.some((count) => count > MAX_COUNT)) return `policy ${i + 1}: a session count is over ${MAX_COUNT}`;
    const domain = policy.policyDomain === null ? null : normalize(policy.policyDomain);
    // A DANE (`tlsa`) policy names the MX host, which may be under the domain; any other kind names the domain itself.
    if (domain !== null && policy.policyType !== 'tlsa' && !published.includes(domain)) {
      if (isPublishedDomain(domain, published)) {
        return `policy ${i + 1}: ${policy.policyType} policy for ${domain.slice(0, 100)}, a subdomain of a published domain`;
      }
    }
  }
  return null;
}
