/**
 * TLS-RPT (RFC 8460) report parsing: pure functions, no AWS dependencies, shared by the ingestion
 * Lambda and the `cdk-mta-sts report` command.
 */
export { dedupKey } from './dedup-key';
export { ReportRejectedError } from './errors';
export * from './model';
export { parseReportFile, parseReportFileNow, parseReportJson, parseReportMail } from './parse';
