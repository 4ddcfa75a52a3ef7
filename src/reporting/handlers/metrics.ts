import { NormalisedPolicy } from '../parser';
import { isPublishedDomain } from './published-domains';
import { EmfWriter, EmfWriterOptions } from '../../monitoring/emf';
import { ReportDimension, ReportMetric } from '../metric-names';
import { RESULT_TYPES } from '../result-types';

export const OTHER = 'other';

export interface ReportMetricsOptions extends EmfWriterOptions {
  /**
   * When given, domains outside it (and their subdomains) are counted as `PolicyDomain=other`, which caps the
   * number of metrics whatever reports arrive.
   */
  readonly publishedDomains?: readonly string[];
}

/**
 * Counts newly stored reports and rejections as CloudWatch metrics, one EMF line per call so that counts survive
 * a later failure in the same invocation (the retry does not count what is already stored):
 * - `ReportsReceived`, `SuccessfulSessions`, `FailedSessions` with dimension `PolicyDomain` (three per domain);
 *   `FailedSessions` is the reports' `total-failure-session-count`;
 * - `FailedSessions` with dimension `ResultType`, summing `failed-session-count` over all domains (failure types
 *   are not exclusive, so these may add up to more than the total);
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
    const dimension = published && !isPublishedDomain(policyDomain, published) ? OTHER : policyDomain;
    this.emf.counts({ [ReportDimension.POLICY_DOMAIN]: dimension }, [
      [ReportMetric.REPORTS_RECEIVED, 1],
      [ReportMetric.SUCCESSFUL_SESSIONS, sum(policies.map((p) => p.totalSuccessfulSessionCount))],
      [ReportMetric.FAILED_SESSIONS, sum(policies.map((p) => p.totalFailureSessionCount))],
    ]);

    const byResultType = new Map<string, number>();
    for (const detail of policies.flatMap((p) => p.failureDetails)) {
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
