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

/** Result types that mean senders could not fetch, parse or trust the MTA-STS policy itself (RFC 8460 §4.3.2). */
export const STS_RESULT_TYPES: readonly string[] = [
  'sts-policy-fetch-error',
  'sts-policy-invalid',
  'sts-webpki-invalid',
];
