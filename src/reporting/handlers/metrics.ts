import { NormalisedPolicy } from '../parser';
import { isPublishedDomain } from './published-domains';
import { ReportDimension, ReportMetric } from '../metric-names';

// Hand-written CloudWatch embedded metric format rather than aws-embedded-metrics: the library adds ~90 KB to a
// bundle that postal-mime already brings to ~125 KB, applies one dimension set to every metric of a flush (we need
// PolicyDomain and ResultType kept apart), and adds LogGroup/ServiceName/ServiceType dimensions in Lambda by
// default, each multiplying the number of billed metrics.

/** RFC 8460 §4.3 and the IANA registry; anything else is counted as `other` so senders cannot mint metrics. */
const RESULT_TYPES = new Set([
  'starttls-not-supported',
  'certificate-host-mismatch',
  'certificate-expired',
  'certificate-not-trusted',
  'validation-failure',
  'tlsa-invalid',
  'dnssec-invalid',
  'dane-required',
  'sts-policy-fetch-error',
  'sts-policy-invalid',
  'sts-webpki-invalid',
]);

export const OTHER = 'other';

export interface ReportMetricsOptions {
  readonly namespace: string;
  /**
   * When given, domains outside it (and their subdomains) are counted as `PolicyDomain=other`, which caps the
   * number of metrics whatever reports arrive.
   */
  readonly publishedDomains?: readonly string[];
  readonly now?: () => Date;
  /** Where EMF lines go; stdout by default (not console.log, whose Lambda prefix would hide the JSON). */
  readonly write?: (line: string) => void;
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
  private readonly now: () => Date;
  private readonly write: (line: string) => void;

  constructor(private readonly options: ReportMetricsOptions) {
    this.now = options.now ?? (() => new Date());
    this.write = options.write ?? ((line) => process.stdout.write(line));
  }

  /** One newly stored report object: `policies` are the policies of `policyDomain` (a key segment). */
  reportStored(policyDomain: string, policies: readonly NormalisedPolicy[]): void {
    const published = this.options.publishedDomains;
    const dimension = published && !isPublishedDomain(policyDomain, published) ? OTHER : policyDomain;
    this.emit({ [ReportDimension.POLICY_DOMAIN]: dimension }, [
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
      this.emit({ [ReportDimension.RESULT_TYPE]: resultType }, [[ReportMetric.FAILED_SESSIONS, count]]);
    }
  }

  reportRejected(): void {
    this.emit({}, [[ReportMetric.REPORTS_REJECTED, 1]]);
  }

  private emit(dimensions: Record<string, string>, metrics: [name: string, value: number][]): void {
    const document = {
      _aws: {
        Timestamp: this.now().getTime(),
        CloudWatchMetrics: [
          {
            Namespace: this.options.namespace,
            Dimensions: [Object.keys(dimensions)],
            Metrics: metrics.map(([name]) => ({ Name: name, Unit: 'Count' })),
          },
        ],
      },
      ...dimensions,
      ...Object.fromEntries(metrics),
    };
    this.write(`${JSON.stringify(document)}\n`);
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
