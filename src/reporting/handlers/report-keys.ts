// Where a report is stored and how it is told apart from others: object keys, partitions and content hashes.
import { createHash } from 'node:crypto';
import { HTTPS_REPORTS_PREFIX, REJECTED_PREFIX, REPORTS_PREFIX } from './env';
import { isPublishedDomain } from './published-domains';
import { normalizeHost } from '../../policy/host-name';
import { dedupKey, FailureDetail, NormalisedPolicy, NormalisedReport } from '../parser';

/**
 * How a report arrived: `mail` (SES, then DKIM verified and aligned with From here, RFC 8460 §3) or `https` (the
 * Function URL, which anyone can POST to: RFC 8460 §5.4 has no authentication).
 */
export type Channel = 'mail' | 'https';

/** Where a report came from: the raw object it was read from, how, when and from whom it was received. */
export interface ReportOrigin {
  /** Key of the raw mail or HTTPS body in the report bucket. */
  readonly source: string;
  readonly channel: Channel;
  /** ISO 8601 UTC receipt time (SES's or the HTTPS request's, so that a retry writes the same bytes). */
  readonly receivedAt: string;
  /**
   * What the stored report is keyed by, besides the report itself: for mail the verified DKIM signing domain and
   * the lower-cased From address ({@link mailIdentity}), so that neither another signer nor another mailbox at the
   * reporter's own domain can take a reporter's key first; for HTTPS the SHA-256 (hex) of the body.
   */
  readonly identity: string;
  /**
   * Published policy domains: policies about any other domain are stored together under `policy-domain=other`
   * (one object per report, whatever it names). Absent: every domain gets its own partition (the HTTPS receiver,
   * which keeps only published domains anyway).
   */
  readonly publishedDomains?: readonly string[];
}

const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ISO_DATE = /^(\d{4}-\d{2}-\d{2})T/;

/**
 * The `policy-domain=` key segment for a policy domain. Domains come from untrusted reports, so anything that is
 * not a plain host name (with a dot) becomes `invalid-<hash>`: never a `/`, never a key that collides with
 * another domain's. A missing domain is `unknown` (a dot-less name, so no real domain can take it).
 */
export function policyDomainSegment(domain: string | null): string {
  if (domain === null) return 'unknown';
  const name = normalizeHost(domain);
  if (HOST_NAME.test(name)) return name;
  return `invalid-${createHash('sha256').update(domain, 'utf8').digest('hex').slice(0, 16)}`;
}

/** `YYYY-MM-DD` of an ISO 8601 UTC date-time, or `unknown` for years outside 0000-9999. */
function dateSegment(isoDateTime: string): string {
  return ISO_DATE.exec(isoDateTime)?.[1] ?? 'unknown';
}

/**
 * The key a report is stored under.
 *
 * Mail: the parser's {@link dedupKey} (organisation, report-id, date range) is predictable, so it is hashed together
 * with the verified DKIM signer and the From address ({@link mailIdentity}): a report signed by `attacker.example`,
 * or sent from another mailbox at the reporter's own domain, that copies Google's report-id gets another key than
 * Google's, and can never make Google's report a "duplicate". A report delivered twice is stored and counted once;
 * one with the same key but other content is kept beside the first (see {@link ReportStore.storeReport}).
 *
 * HTTPS: the SHA-256 of the body, under their own prefix (`https-reports/`): anyone can POST, so nothing in the
 * report is trusted to identify it. The same report in another encoding is stored again (and, with `httpsCounts`,
 * counted again).
 */
export function storedDedupKey(report: NormalisedReport, origin: Pick<ReportOrigin, 'channel' | 'identity'>): string {
  if (origin.channel === 'https') return origin.identity;
  const identity = JSON.stringify([origin.identity.toLowerCase(), dedupKey(report)]);
  return createHash('sha256').update(identity, 'utf8').digest('hex').slice(0, 32);
}

/** The mail identity of {@link ReportOrigin.identity}: the verified signer and the From address, lower-cased. */
export function mailIdentity(signingDomain: string, fromAddress: string | null): string {
  return JSON.stringify([signingDomain.toLowerCase(), (fromAddress ?? '').toLowerCase()]);
}

/**
 * SHA-256 (hex) of what a stored object says about the sessions: who, which report, when, and its policies. Not
 * where or when it arrived, nor the carrying mail or warnings, so a report delivered again has the same hash.
 */
export function contentHash(report: NormalisedReport): string {
  const { organizationName, reportId, contactInfo, dateRange, policies } = report;
  const hashed = policies.map((policy) => ({ ...policy, failureDetails: policy.failureDetails.map(rowAsHashed) }));
  const content = JSON.stringify([organizationName, reportId, contactInfo, dateRange, hashed]);
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/**
 * A failure row as stored before rows left absent strings out (every field, in this order, `null` when absent), so a
 * report hashes the same as the object an earlier version stored for it, and a redelivery stays a duplicate.
 */
function rowAsHashed(row: FailureDetail): Record<keyof FailureDetail, string | number | null> {
  return {
    resultType: row.resultType,
    sendingMtaIp: row.sendingMtaIp ?? null,
    receivingMxHostname: row.receivingMxHostname ?? null,
    receivingMxHelo: row.receivingMxHelo ?? null,
    receivingIp: row.receivingIp ?? null,
    failedSessionCount: row.failedSessionCount,
    additionalInformation: row.additionalInformation ?? null,
    failureReasonCode: row.failureReasonCode ?? null,
  };
}

/** `<prefix>policy-domain=<segment>/date=<YYYY-MM-DD>/<key>.json`, the prefix by channel. */
export function reportKey(policyDomain: string, startDatetime: string, key: string, channel: Channel = 'mail'): string {
  const prefix = channel === 'mail' ? REPORTS_PREFIX : HTTPS_REPORTS_PREFIX;
  return `${prefix}policy-domain=${policyDomain}/date=${dateSegment(startDatetime)}/${key}.json`;
}

export function rejectionKey(receivedAt: string, id: string): string {
  return `${REJECTED_PREFIX}date=${dateSegment(receivedAt)}/${id}.json`;
}

/** Where unpublished domains' policies go on the mail path: dot-less, so no real domain can take it. */
export const OTHER_SEGMENT = 'other';

/**
 * Splits a report by policy domain, keeping the policies' order. A report about several domains (Microsoft may
 * mix an MX host's `tlsa` policy with the recipient domain's `sts` policy) becomes one object per domain, so each
 * `policy-domain=` partition holds exactly its own policies. With `published`, every domain that is not published
 * (see {@link isPublishedDomain}) goes into one `other` object, so a report naming many strangers' domains costs one
 * object, not one each. A report without policies is kept, as `unknown` (or `other`).
 * Warnings still refer to the policies' positions in the report as sent.
 */
export function groupByPolicyDomain(
  report: NormalisedReport,
  published?: readonly string[],
): Map<string, NormalisedPolicy[]> {
  const segmentOf = (domain: string | null) =>
    published && !isPublishedDomain(domain, published) ? OTHER_SEGMENT : policyDomainSegment(domain);
  const groups = new Map<string, NormalisedPolicy[]>();
  if (report.policies.length === 0) groups.set(segmentOf(null), []);
  for (const policy of report.policies) {
    const segment = segmentOf(policy.policyDomain);
    const group = groups.get(segment);
    if (group) group.push(policy);
    else groups.set(segment, [policy]);
  }
  return groups;
}
