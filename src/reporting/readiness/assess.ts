import type { ReadinessReport } from './stored-report';
import { normalizeHost } from '../../policy/host-name';
import { mxPatternMatches } from '../../policy/mx-pattern';
import type { NormalisedPolicy } from '../parser/model';
import { NEGOTIATION_FAILURE_TYPES, STS_RESULT_TYPES } from '../result-types';
import { MxHostFailures, ReadinessAssessment, ReadinessOptions, ReportedPolicy, ResultTypeCount } from './assessment';

/** The shortest window, and the fewest days with reports, that can justify `enforce`. */
export const MIN_DAYS = 7;
export const DEFAULT_DAYS = 14;
export const DEFAULT_MIN_SESSIONS = 100;
/** The failure rate must be below this, in percent. */
export const DEFAULT_MAX_FAILURE_RATE_PERCENT = 1;

// `tlsa` rows are DANE (the same sessions again, judged by another mechanism); other types are unregistered.
const COUNTED_POLICY_TYPES = new Set(['sts', 'no-policy-found']);
// Reasons name at most this many hosts or result types; the tables list them all.
const LIST_LIMIT = 5;
const DAY_MS = 24 * 60 * 60 * 1000;
const UNNAMED_HOST = '(unnamed host)';
// The ingestion rejects longer ranges; older stored reports may still have them.
const MAX_RANGE_MS = 7 * DAY_MS;

/** The window's days as `YYYY-MM-DD`, oldest first: the `days` UTC days before `now`'s day. */
export function windowDates(now: Date, days: number): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const dates: string[] = [];
  for (let i = days; i >= 1; i--) dates.push(new Date(today - i * DAY_MS).toISOString().slice(0, 10));
  return dates;
}

/** Reports on at least half the window's days, and never fewer than {@link MIN_DAYS}. */
export function minDaysWithReports(days: number): number {
  return Math.max(MIN_DAYS, Math.ceil(days / 2));
}

function hostKey(name: string): string {
  return normalizeHost(name);
}

/** The report's partition day: the start of its date range, as the ingestion stores it. */
function reportDate(report: ReadinessReport): string {
  return /^\d{4}-\d{2}-\d{2}/.exec(report.dateRange.startDatetime)?.[0] ?? 'unknown';
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function percent(part: number, whole: number): string {
  return `${((100 * part) / whole).toFixed(2)}%`;
}

function listSome(items: string[]): string {
  const shown = items.slice(0, LIST_LIMIT).join(', ');
  return items.length > LIST_LIMIT ? `${shown} and ${items.length - LIST_LIMIT} more` : shown;
}

function add<K>(map: Map<K, number>, key: K, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

function byCount(map: Map<string, number>): ResultTypeCount[] {
  return [...map.entries()]
    .sort(([a, x], [b, y]) => y - x || compare(a, b))
    .map(([resultType, failedSessions]) => ({ resultType, failedSessions }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `key: value` lines of a policy string (RFC 8461 §3.2), keys lower-cased. */
function policyLines(policy: NormalisedPolicy): [string, string][] {
  return policy.policyStrings.flatMap((line): [string, string][] => {
    const colon = line.indexOf(':');
    return colon < 0 ? [] : [[line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]];
  });
}

/** The policy's mx patterns: its `mx:` lines, else its `mx-host` list (Google sends both, Microsoft neither). */
function reportedPolicy(report: ReadinessReport, policy: NormalisedPolicy): ReportedPolicy {
  const lines = policyLines(policy);
  const mxLines = lines.filter(([key]) => key === 'mx').map(([, value]) => value);
  const mx = (mxLines.length > 0 ? mxLines : policy.mxHosts).map(hostKey).filter((p) => p !== '');
  return {
    mode: lines.find(([key]) => key === 'mode')?.[1] ?? null,
    mx: [...new Set(mx)],
    signer: report.signer,
    date: reportDate(report),
  };
}

/** Whether `signer` is one of `trusted` or a subdomain of one. */
function isTrusted(signer: string | null, trusted: readonly string[]): boolean {
  return signer !== null && trusted.some((domain) => signer === domain || signer.endsWith(`.${domain}`));
}

function timeOf(text: string | undefined): number {
  const time = text === undefined ? NaN : Date.parse(text);
  return Number.isNaN(time) ? -Infinity : time;
}

/**
 * Whether a report's date range can say which policy is the latest: at most a week long and ending by the end of
 * today. Without this a single report ending in the year 9999 would always be "the latest", whatever it showed.
 */
function canBeLatest(report: ReadinessReport, endOfToday: number): boolean {
  const start = timeOf(report.dateRange.startDatetime);
  const end = timeOf(report.dateRange.endDatetime);
  return start <= end && end - start <= MAX_RANGE_MS && end <= endOfToday;
}

/** Later date range first, then later receipt, then dedup key, so the choice never depends on listing order. */
function isMoreRecent(a: ReadinessReport, b: ReadinessReport): boolean {
  return (
    (timeOf(a.dateRange.endDatetime) - timeOf(b.dateRange.endDatetime) ||
      timeOf(a.receivedAt) - timeOf(b.receivedAt) ||
      compare(a.dedupKey ?? '', b.dedupKey ?? '')) > 0
  );
}

/**
 * Decides whether `domain` can move from `testing` to `enforce`, from the stored TLS-RPT reports of a window of days.
 * Only `sts` and `no-policy-found` rows for the domain count; `tlsa` rows (DANE) are listed as ignored.
 */
export function assessReadiness(reports: readonly ReadinessReport[], options: ReadinessOptions): ReadinessAssessment {
  if (!Number.isSafeInteger(options.days) || options.days < 1) {
    throw new RangeError(`days must be a positive whole number, got ${options.days}`);
  }
  const domain = hostKey(options.domain);
  const dates = windowDates(options.now, options.days);
  const inWindow = new Set(dates);
  const endOfToday =
    Date.UTC(options.now.getUTCFullYear(), options.now.getUTCMonth(), options.now.getUTCDate()) + DAY_MS;
  const minSessions = options.minSessions ?? DEFAULT_MIN_SESSIONS;
  const maxFailureRatePercent = options.maxFailureRatePercent ?? DEFAULT_MAX_FAILURE_RATE_PERCENT;
  const unreadableReports = options.unreadableReports ?? 0;

  const seen = new Set<string>();
  const days = new Set<string>();
  const signers = new Set<string>();
  const trusted = (options.trustedReporters ?? []).map(hostKey);
  let unsignedReports = 0;
  let untrustedReports = 0;
  const resultTypes = new Map<string, number>();
  const hosts = new Map<string | null, Map<string, number>>();
  const ignored = new Map<string, number>();
  let reportCount = 0;
  let sessions = 0;
  let failures = 0;
  let stsPolicies = 0;
  let latest: { report: ReadinessReport; policy: NormalisedPolicy } | undefined;

  for (const report of reports) {
    const date = reportDate(report);
    if (!inWindow.has(date)) continue;
    if (report.dedupKey !== undefined) {
      if (seen.has(report.dedupKey)) continue;
      seen.add(report.dedupKey);
    }
    // The latest policy's mx patterns, too, come only from counted reports: no stranger may choose them.
    if (trusted.length > 0 && !isTrusted(report.signer, trusted)) {
      if (report.policies.some((p) => p.policyDomain !== null && hostKey(p.policyDomain) === domain)) {
        untrustedReports++;
      }
      continue;
    }
    let counted = false;
    for (const policy of report.policies) {
      if (policy.policyDomain === null || hostKey(policy.policyDomain) !== domain) continue;
      if (!COUNTED_POLICY_TYPES.has(policy.policyType)) {
        add(ignored, policy.policyType, 1);
        continue;
      }
      counted = true;
      sessions += policy.totalSuccessfulSessionCount + policy.totalFailureSessionCount;
      failures += policy.totalFailureSessionCount;
      if (policy.policyType === 'sts') {
        stsPolicies++;
        const carriesPolicy = policy.policyStrings.length > 0 || policy.mxHosts.length > 0;
        const candidate = carriesPolicy && canBeLatest(report, endOfToday);
        if (candidate && (latest === undefined || isMoreRecent(report, latest.report))) latest = { report, policy };
      }
      for (const row of policy.failureDetails) {
        add(resultTypes, row.resultType, row.failedSessionCount);
        const host = row.receivingMxHostname === undefined ? null : hostKey(row.receivingMxHostname);
        let types = hosts.get(host);
        if (!types) hosts.set(host, (types = new Map()));
        add(types, row.resultType, row.failedSessionCount);
      }
    }
    if (!counted) continue;
    reportCount++;
    days.add(date);
    if (report.signer !== null) signers.add(report.signer);
    else unsignedReports++;
  }

  const policy = latest ? reportedPolicy(latest.report, latest.policy) : null;
  let mxPatterns: string[] | null = null;
  let mxPatternsFrom: 'option' | 'reports' | null = null;
  if (options.mxPatterns !== undefined && options.mxPatterns.length > 0) {
    mxPatterns = [...options.mxPatterns];
    mxPatternsFrom = 'option';
  } else if (policy !== null && policy.mx.length > 0) {
    mxPatterns = policy.mx;
    mxPatternsFrom = 'reports';
  }

  const byMxHost: MxHostFailures[] = [...hosts.entries()]
    .map(([host, types]) => ({
      host,
      inPolicy: host === null || mxPatterns === null ? null : mxPatterns.some((p) => mxPatternMatches(p, host)),
      failedSessions: [...types.values()].reduce((a, b) => a + b, 0),
      byResultType: byCount(types),
    }))
    .sort(
      (a, b) =>
        b.failedSessions - a.failedSessions ||
        Number(a.host === null) - Number(b.host === null) ||
        compare(a.host ?? '', b.host ?? ''),
    );
  const uncovered = byMxHost.filter((h) => h.inPolicy === false);

  const minDays = minDaysWithReports(options.days);
  const from = dates[0];
  const to = dates[dates.length - 1];
  const reasons: string[] = [];
  if (days.size < minDays) {
    reasons.push(
      `reports on ${days.size} of the ${options.days} days from ${from} to ${to}; at least ${minDays} needed`,
    );
  }
  if (sessions < minSessions) {
    reasons.push(`${plural(sessions, 'session')} reported; at least ${minSessions} needed`);
  }
  // In integers where possible, so that exactly the limit (1 in 100 at 1%) is not "below" it.
  if (sessions > 0 && !(failures * 100 < maxFailureRatePercent * sessions)) {
    reasons.push(
      `failure rate ${percent(failures, sessions)} (${failures} of ${plural(sessions, 'session')}); must be below ${maxFailureRatePercent}%`,
    );
  }
  const policyErrors = byCount(resultTypes).filter((t) => STS_RESULT_TYPES.includes(t.resultType));
  const policyErrorSessions = policyErrors.reduce((n, t) => n + t.failedSessions, 0);
  if (policyErrorSessions > 0) {
    const list = policyErrors.filter((t) => t.failedSessions > 0).map((t) => `${t.resultType}: ${t.failedSessions}`);
    reasons.push(
      `MTA-STS policy errors in ${plural(policyErrorSessions, 'failed session')} (${listSome(list)}): senders could not fetch or validate the policy`,
    );
  }
  if (mxPatterns !== null) {
    // A row that names no host may well be about one of ours, so it counts against readiness too.
    const negotiation = byMxHost
      .filter((h) => h.inPolicy !== false)
      .flatMap((h) =>
        h.byResultType
          .filter((t) => NEGOTIATION_FAILURE_TYPES.includes(t.resultType) && t.failedSessions > 0)
          .map((t) => ({
            label: `${h.host ?? UNNAMED_HOST} ${t.resultType}: ${t.failedSessions}`,
            n: t.failedSessions,
          })),
      )
      .sort((a, b) => b.n - a.n);
    const negotiationSessions = negotiation.reduce((n, t) => n + t.n, 0);
    if (negotiationSessions > 0) {
      reasons.push(
        `TLS failures on MX hosts in the policy in ${plural(negotiationSessions, 'failed session')} (${listSome(negotiation.map((t) => t.label))}): under enforce these deliveries would fail`,
      );
    }
    if (uncovered.length > 0) {
      const list = uncovered.map((h) => `${h.host} (${plural(h.failedSessions, 'failed session')})`);
      reasons.push(
        `MX hosts not covered by the policy (mx: ${mxPatterns.join(', ')}): ${listSome(list)}; under enforce senders would not deliver to them`,
      );
    }
  }
  if (stsPolicies === 0) {
    reasons.push(
      `no report shows the sts policy of ${domain}: senders did not find it (check the _mta-sts TXT record and the policy file)`,
    );
  } else if (mxPatterns === null) {
    reasons.push(
      "the reports do not show the policy's mx lines: give the mx patterns (--mx) to check MX host coverage",
    );
  }
  if (unreadableReports > 0) {
    reasons.push(`${plural(unreadableReports, 'stored report')} could not be read`);
  }

  return {
    domain,
    ready: reasons.length === 0,
    reasons,
    window: { from, to, days: options.days },
    criteria: { minDaysWithReports: minDays, minSessions, maxFailureRatePercent },
    daysWithReports: days.size,
    reports: reportCount,
    signers: [...signers].sort(compare),
    unsignedReports,
    trustedReporters: trusted.length > 0 ? trusted : null,
    untrustedReports,
    sessions,
    failures,
    failureRatePercent: sessions === 0 ? null : (100 * failures) / sessions,
    byResultType: byCount(resultTypes),
    byMxHost,
    uncoveredMxHosts: uncovered.map((h) => h.host as string),
    mxPatterns,
    mxPatternsFrom,
    reportedPolicy: policy,
    ignoredPolicies: [...ignored.entries()]
      .sort(([a], [b]) => compare(a, b))
      .map(([policyType, count]) => ({ policyType, count })),
    unreadableReports,
  };
}
