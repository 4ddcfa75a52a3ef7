import { EmfWriter, EmfWriterOptions } from '../runtime/emf';
import {
  DOMAINS_WITH_UNCOVERED_MX,
  DRIFT_CHECK_ERRORS,
  POLICY_DOMAIN_DIMENSION,
  STACK_DIMENSION,
  UNCOVERED_MX_HOSTS,
} from '../runtime/metric-names';

export interface DriftMetricsOptions extends EmfWriterOptions {
  /** The stack whose check this is: the `Stack` dimension of the per-run metrics. */
  readonly stackName: string;
}

/**
 * One EMF line per call, written as soon as a domain is checked so that earlier domains count even when the run
 * dies later:
 * - `UncoveredMxHosts` with dimension `PolicyDomain`, only for a domain with uncovered hosts (a custom metric costs
 *   about $0.30 a month, so domains without drift cost nothing);
 * - `DomainsWithUncoveredMx` with dimension `Stack`, once per run: the alarm's metric;
 * - `DriftCheckErrors` with dimension `Stack`, 1 per domain that could not be checked (so metrics per domain stay at
 *   one).
 */
export class DriftMetrics {
  private readonly emf: EmfWriter;
  private readonly stack: Record<string, string>;

  constructor(options: DriftMetricsOptions) {
    this.emf = new EmfWriter(options);
    this.stack = { [STACK_DIMENSION]: options.stackName };
  }

  uncoveredMxHosts(policyDomain: string, count: number): void {
    if (count === 0) return;
    this.emf.counts({ [POLICY_DOMAIN_DIMENSION]: policyDomain }, [[UNCOVERED_MX_HOSTS, count]]);
  }

  domainsWithUncoveredMx(count: number): void {
    this.emf.counts(this.stack, [[DOMAINS_WITH_UNCOVERED_MX, count]]);
  }

  checkFailed(): void {
    this.emf.counts(this.stack, [[DRIFT_CHECK_ERRORS, 1]]);
  }
}
