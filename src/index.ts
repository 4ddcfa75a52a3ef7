// The public API, named: what API.md documents and nothing more.
export { MtaSts } from './mta-sts';
export type { MtaStsProps } from './mta-sts';
export type { MtaStsPolicySiteOptions } from './policy-site/policy-site-options';
export { MtaStsPolicySite } from './policy-site/mta-sts-policy-site';
export type { MtaStsPolicySiteProps } from './policy-site/mta-sts-policy-site';
export { MtaStsRecords } from './dns/mta-sts-records';
export type { MtaStsRecordsProps } from './dns/mta-sts-records';
export { MtaStsPolicy } from './policy/mta-sts-policy';
export type { MtaStsPolicyProps } from './policy/mta-sts-policy';
export type { PolicyAdvice } from './policy/max-age-advice';
export { MtaStsMode } from './policy/mode';
export { MtaStsCanary } from './canary/mta-sts-canary';
export type { MtaStsCanaryProps } from './canary/mta-sts-canary';
export { TlsReportIngestion } from './reporting/tls-report-ingestion';
export type { TlsReportIngestionProps } from './reporting/tls-report-ingestion-props';
