import { CheckReport } from '../check/check-result';
import { EmfWriter } from '../runtime/emf';
import { CANARY_FAILURES, STACK_DIMENSION } from '../runtime/metric-names';

/** What is logged, as one JSON line, per domain. */
export interface CanaryLogLine {
  readonly policyDomain: string;
  /** `fail` when any check failed; the canary does not probe SMTP, so a healthy domain is `warn` at best. */
  readonly result: 'pass' | 'fail';
  /** The failed checks with their details: the reason. */
  readonly failures: readonly { readonly id: string; readonly detail: string }[];
  readonly verdict: CheckReport['verdict'];
  readonly checks: CheckReport['checks'];
}

export interface CanaryDeps {
  readonly check: (domain: string) => Promise<CheckReport>;
  readonly metrics: EmfWriter;
  readonly stack: string;
  readonly log?: (line: string) => void;
  /** Domains checked at once. */
  readonly concurrency?: number;
}

const DEFAULT_CONCURRENCY = 8;

/**
 * Checks each domain (a few at a time), logs one JSON line per domain as soon as it is done, then publishes
 * `CanaryFailures`: how many domains had a failing check. Returns that number.
 */
export async function runCanary(domains: readonly string[], deps: CanaryDeps): Promise<number> {
  const log = deps.log ?? ((line: string) => console.log(line));
  let failures = 0;
  let next = 0;
  const worker = async () => {
    while (next < domains.length) {
      const domain = domains[next++];
      const line = toLogLine(domain, await checkSafely(deps.check, domain));
      if (line.result === 'fail') failures++;
      log(JSON.stringify(line));
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? DEFAULT_CONCURRENCY, domains.length) }, worker));
  deps.metrics.counts({ [STACK_DIMENSION]: deps.stack }, [[CANARY_FAILURES, failures]]);
  return failures;
}

async function checkSafely(check: CanaryDeps['check'], domain: string): Promise<CheckReport> {
  try {
    return await check(domain);
  } catch (error) {
    // The check does not throw on network trouble; anything else still counts as a failure of this domain.
    const detail = `the check itself failed: ${(error as Error).message}`;
    return { domain, verdict: 'fail', checks: [{ id: 'canary', status: 'fail', detail }], policy: null };
  }
}

function toLogLine(domain: string, report: CheckReport): CanaryLogLine {
  const failed = report.checks.filter((check) => check.status === 'fail');
  return {
    policyDomain: domain,
    result: failed.length > 0 ? 'fail' : 'pass',
    failures: failed.map(({ id, detail }) => ({ id, detail })),
    verdict: report.verdict,
    checks: report.checks,
  };
}
