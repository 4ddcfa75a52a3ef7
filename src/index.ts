export * from './policy/mode';
export * from './policy/mta-sts-policy';
export * from './dns/mta-sts-records';
export * from './policy-site/mta-sts-policy-site';
export * from './mta-sts';
export * from './canary/mta-sts-canary';
export * from './reporting/tls-report-ingestion';
export * from './reporting/tls-report-ingestion-props';
