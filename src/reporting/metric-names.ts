/**
 * Names shared by the Lambda that emits the report metrics and the constructs that graph and alarm on them.
 * No imports: the construct side must not pull handler code in.
 */
export const ReportMetric = {
  REPORTS_RECEIVED: 'ReportsReceived',
  SUCCESSFUL_SESSIONS: 'SuccessfulSessions',
  FAILED_SESSIONS: 'FailedSessions',
  REPORTS_REJECTED: 'ReportsRejected',
} as const;

export const ReportDimension = {
  POLICY_DOMAIN: 'PolicyDomain',
  RESULT_TYPE: 'ResultType',
} as const;
