import { DRIFT_CHECK_ERRORS, POLICY_DOMAIN_DIMENSION, UNCOVERED_MX_HOSTS } from './env';

// Hand-written CloudWatch embedded metric format, as in the report handlers (see reporting/handlers/metrics.ts).

export interface DriftMetricsOptions {
  readonly namespace: string;
  readonly now?: () => Date;
  /** Where EMF lines go; stdout by default (not console.log, whose Lambda prefix would hide the JSON). */
  readonly write?: (line: string) => void;
}

/**
 * One EMF line per call, written as soon as a domain is checked so that earlier domains count even when the run
 * dies later:
 * - `UncoveredMxHosts` with dimension `PolicyDomain`, one datapoint per domain and run;
 * - `DriftCheckErrors` without dimensions, 1 per domain that could not be checked (so metrics per domain stay at one).
 */
export class DriftMetrics {
  private readonly now: () => Date;
  private readonly write: (line: string) => void;

  constructor(private readonly options: DriftMetricsOptions) {
    this.now = options.now ?? (() => new Date());
    this.write = options.write ?? ((line) => process.stdout.write(line));
  }

  uncoveredMxHosts(policyDomain: string, count: number): void {
    this.emit({ [POLICY_DOMAIN_DIMENSION]: policyDomain }, UNCOVERED_MX_HOSTS, count);
  }

  checkFailed(): void {
    this.emit({}, DRIFT_CHECK_ERRORS, 1);
  }

  private emit(dimensions: Record<string, string>, name: string, value: number): void {
    const document = {
      _aws: {
        Timestamp: this.now().getTime(),
        CloudWatchMetrics: [
          {
            Namespace: this.options.namespace,
            Dimensions: [Object.keys(dimensions)],
            Metrics: [{ Name: name, Unit: 'Count' }],
          },
        ],
      },
      ...dimensions,
      [name]: value,
    };
    this.write(`${JSON.stringify(document)}\n`);
  }
}
