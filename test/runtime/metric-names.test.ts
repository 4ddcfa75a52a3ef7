import * as names from '../../src/runtime/metric-names';

test('metric names, dimensions and namespace the handlers, dashboards and alarms agree on', () => {
  expect({ ...names }).toEqual({
    DEFAULT_METRIC_NAMESPACE: 'MtaSts',
    METRIC_NAMESPACE: 'METRIC_NAMESPACE',
    POLICY_DOMAIN_DIMENSION: 'PolicyDomain',
    ReportMetric: {
      REPORTS_RECEIVED: 'ReportsReceived',
      SUCCESSFUL_SESSIONS: 'SuccessfulSessions',
      FAILED_SESSIONS: 'FailedSessions',
      REPORTS_REJECTED: 'ReportsRejected',
    },
    ReportDimension: { POLICY_DOMAIN: 'PolicyDomain', RESULT_TYPE: 'ResultType' },
    UNCOVERED_MX_HOSTS: 'UncoveredMxHosts',
    DOMAINS_WITH_UNCOVERED_MX: 'DomainsWithUncoveredMx',
    DRIFT_CHECK_ERRORS: 'DriftCheckErrors',
    CANARY_FAILURES: 'CanaryFailures',
    STACK_DIMENSION: 'Stack',
  });
});
