/**
 * Whether a domain's TLS-RPT reports justify moving its MTA-STS policy from `testing` to `enforce`: pure functions,
 * no AWS dependencies; `cdk-mta-sts readiness` reads the stored reports from S3 and hands them over.
 */
export * from './assess';
export * from './assessment';
export { formatReadiness } from './format';
export { parseStoredReport, StoredReportError } from './stored-report';
export type { ReadinessReport } from './stored-report';
