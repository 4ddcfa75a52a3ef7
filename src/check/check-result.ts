// The shape the command prints with --json, the canary logs and readiness --live folds in. No imports: shared by all.

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';
export type Verdict = 'pass' | 'warn' | 'fail';

/** One row of the report. */
export interface CheckResult {
  /** `sts-record`, `policy-fetch`, `policy-syntax`, `mx-covered`, `mx-tls:<host>`, `tlsrpt-record` or `dane`. */
  readonly id: string;
  readonly status: CheckStatus;
  /** One line saying what was found. */
  readonly detail: string;
}

/** The policy as served, when the file could be read. */
export interface CheckedPolicy {
  /** The id of the `_mta-sts` record, null when the record is unusable. */
  readonly id: string | null;
  readonly mode: string;
  readonly mx: readonly string[];
  readonly maxAge: number;
}

/** What `cdk-mta-sts check --json` prints. */
export interface CheckReport {
  readonly domain: string;
  readonly verdict: Verdict;
  /** In the order of the checks' table: sts-record, policy-fetch, policy-syntax, mx-covered, mx-tls:*, tlsrpt-record, dane. */
  readonly checks: readonly CheckResult[];
  readonly policy: CheckedPolicy | null;
}

export function pass(id: string, detail: string): CheckResult {
  return { id, status: 'pass', detail };
}
export function warn(id: string, detail: string): CheckResult {
  return { id, status: 'warn', detail };
}
export function fail(id: string, detail: string): CheckResult {
  return { id, status: 'fail', detail };
}
export function skip(id: string, detail: string): CheckResult {
  return { id, status: 'skip', detail };
}
