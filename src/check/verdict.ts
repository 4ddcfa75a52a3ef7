import { CheckResult, Verdict } from './check-result';

export const DANE = 'dane';

/**
 * The overall verdict: `fail` when any check failed; `warn` when any warned or a check that decides whether
 * `enforce` is safe was skipped (the MX certificates were not looked at); `pass` otherwise. `dane` is information.
 */
export function verdictOf(checks: readonly CheckResult[]): Verdict {
  const counted = checks.filter((check) => check.id !== DANE);
  if (counted.some((check) => check.status === 'fail')) return 'fail';
  if (counted.some((check) => check.status === 'warn' || check.status === 'skip')) return 'warn';
  return 'pass';
}

/** The verdict in words: whether `enforce` would be safe today and, when not, why (one line per reason). */
export function explainVerdict(checks: readonly CheckResult[]): string[] {
  const counted = checks.filter((check) => check.id !== DANE);
  const failed = counted.filter((check) => check.status === 'fail');
  const skipped = counted.filter((check) => check.status === 'skip');
  const warned = counted.filter((check) => check.status === 'warn');
  const reasons = (list: CheckResult[]) => list.map((check) => `  - ${check.id}: ${check.detail}`);
  if (failed.length > 0) {
    return ['NOT safe to enforce today. Senders enforcing this policy would fail because:', ...reasons(failed)];
  }
  if (skipped.length > 0) {
    return [
      'Cannot say that enforce is safe: these checks did not run, so certificate or coverage problems may hide:',
      ...reasons(skipped),
      ...(warned.length > 0 ? ['Also review:', ...reasons(warned)] : []),
    ];
  }
  if (warned.length > 0) return ['Enforce would work today, but review:', ...reasons(warned)];
  return ['Safe to enforce today: the policy is valid and every MX host is covered and presents a valid certificate.'];
}
