/**
 * Metric names, dimensions and namespace, shared by the handlers that emit the metrics and the constructs that
 * graph and alarm on them. No imports: the construct side must not pull handler code in.
 */

/** The CloudWatch namespace of every metric, unless a construct's `metricNamespace` names another. */
export const DEFAULT_METRIC_NAMESPACE = 'MtaSts';
/** The environment variable that hands a handler its namespace. Optional (`MtaSts`). */
export const METRIC_NAMESPACE = 'METRIC_NAMESPACE';
/** The dimension of every per-policy-domain metric. */
export const POLICY_DOMAIN_DIMENSION = 'PolicyDomain';

// TLS reports: the report processor and HTTPS receiver emit, ReportMonitoring graphs and alarms.
export const ReportMetric = {
  REPORTS_RECEIVED: 'ReportsReceived',
  SUCCESSFUL_SESSIONS: 'SuccessfulSessions',
  FAILED_SESSIONS: 'FailedSessions',
  REPORTS_REJECTED: 'ReportsRejected',
} as const;

export const ReportDimension = {
  POLICY_DOMAIN: POLICY_DOMAIN_DIMENSION,
  RESULT_TYPE: 'ResultType',
} as const;

// The MX drift check.
/**
 * Per policy domain, live MX hosts that no published `mx` pattern covers; written only when above 0, so a domain
 * without drift costs no custom metric.
 */
export const UNCOVERED_MX_HOSTS = 'UncoveredMxHosts';
/** Dimension `Stack`, one datapoint per run: domains with an uncovered live MX host. The alarm watches this. */
export const DOMAINS_WITH_UNCOVERED_MX = 'DomainsWithUncoveredMx';
/** Dimension `Stack`, 1 per domain whose check failed (Route 53 or S3 error): that domain has no datapoint. */
export const DRIFT_CHECK_ERRORS = 'DriftCheckErrors';

// The canary.
/** Per stack (dimension `Stack`), one datapoint per invocation: the domains with a failing check. */
export const CANARY_FAILURES = 'CanaryFailures';
/**
 * The per-run metrics of the drift check and the canary carry the stack's name: without it, the checks of two stacks
 * in one account and region would share one metric, so one stack's datapoints would hide that the other's stopped.
 */
export const STACK_DIMENSION = 'Stack';
