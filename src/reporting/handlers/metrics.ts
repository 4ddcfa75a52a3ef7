import { normalizeHost } from '../../policy/host-name';
import { EmfWriter, EmfWriterOptions } from '../../runtime/emf';
import { ReportDimension, ReportMetric } from '../../runtime/metric-names';
import { NormalisedPolicy } from '../parser';
import { RESULT_TYPES } from '../result-types';

export const OTHER = 'other';

export interface ReportMetricsOptions extends EmfWriterOptions {
  /**
   * Any other domain (subdomains too) is counted as `PolicyDomain=other` and adds nothing to the result-type counts,
   * which caps the number of metrics whatever reports arrive, forged ones included. Empty: nothing is published.
   */
  readonly publishedDomains: readonly string[];
}

/**
 * Counts newly stored reports and rejections as CloudWatch metrics, one EMF line per call so that counts survive
 * a later failure in the same invocation (the retry does not count what is already stored):
 * - `ReportsReceived`, `SuccessfulSessions`, `FailedSessions` with dimension `PolicyDomain` (three per domain);
 *   the sessions are the `sts` and `no-policy-found` policies' totals, since a `tlsa` policy (DANE) describes the
 *   same sessions again; only a report with nothing but `tlsa` policies is counted from those;
 * - `FailedSessions` with dimension `ResultType`, summing `failed-session-count` over the published domains
 *   (failure types are not exclusive, so these may add up to more than the total);
 * - `ReportsRejected` without dimensions.
 */
export class ReportMetrics {
  private readonly emf: EmfWriter;

  constructor(private readonly options: ReportMetricsOptions) {
    this.emf = new EmfWriter(options);
  }

  /** One newly stored report object: `policies` are the policies of `policyDomain` (a key segment). */
  reportStored(policyDomain: string, policies: readonly NormalisedPolicy[]): void {
    const published = this.options.publishedDomains;
    const isPublished = published.includes(normalizeHost(policyDomain));
    const sts = policies.filter((p) => p.policyType !== 'tlsa');
    const counted = sts.length > 0 ? sts : policies;
    this.emf.counts({ [ReportDimension.POLICY_DOMAIN]: isPublished ? policyDomain : OTHER }, [
      [ReportMetric.REPORTS_RECEIVED, 1],
      [ReportMetric.SUCCESSFUL_SESSIONS, sum(counted.map((p) => p.totalSuccessfulSessionCount))],
      [ReportMetric.FAILED_SESSIONS, sum(counted.map((p) => p.totalFailureSessionCount))],
    ]);
    if (!isPublished) return;

    const byResultType = new Map<string, number>();
    for (const detail of counted.flatMap((p) => p.failureDetails)) {
      const resultType = RESULT_TYPES.has(detail.resultType) ? detail.resultType : OTHER;
      byResultType.set(resultType, (byResultType.get(resultType) ?? 0) + detail.failedSessionCount);
    }
    for (const [resultType, count] of byResultType) {
      this.emf.counts({ [ReportDimension.RESULT_TYPE]: resultType }, [[ReportMetric.FAILED_SESSIONS, count]]);
    }
  }

  reportRejected(): void {
    this.emf.counts({}, [[ReportMetric.REPORTS_REJECTED, 1]]);
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
