/**
 * What the report ingestion Lambdas and the construct that deploys them agree on: environment variable names and
 * the report bucket's key layout. No AWS SDK imports here: the construct imports this file.
 */

/** Name of the bucket holding raw mails and bodies, stored reports and rejections. Required. */
export const REPORT_BUCKET = 'REPORT_BUCKET';
/** Largest accepted decompressed report, and largest accepted HTTPS body, in bytes. Optional (20 MiB). */
export const MAX_DECOMPRESSED_BYTES = 'MAX_DECOMPRESSED_BYTES';
/**
 * The policy domains this deployment publishes, as `{ "policyDomains": [ … ] }` in this object of the report
 * bucket, written by the stack's policy publisher (not an environment variable: those hold 4 KB in all). The HTTPS
 * receiver accepts only reports about these domains (and DANE policies about their subdomains); the mail processor
 * stores and counts every other domain as `other`. A missing object or an empty list means that nothing is
 * published: every domain is `other`.
 */
export const PUBLISHED_DOMAINS_KEY = '_cdk-mta-sts/published-domains.json';

/**
 * Comma-separated domains whose DKIM signatures the mail processor accepts (a signer must be one of them or a
 * subdomain of one). Optional: unset or empty accepts any signer aligned with From.
 */
export const TRUSTED_REPORTERS = 'TRUSTED_REPORTERS';
/** `true` when HTTPS reports count in the metrics (and so the alarms). Optional (`false`). */
export const HTTPS_COUNTS = 'HTTPS_COUNTS';

/** Where SES's S3 action stores each received mail, as `raw/<messageId>` (its object key prefix). */
export const RAW_MAIL_PREFIX = 'raw/';
/**
 * Where the HTTPS receiver stores the body of each accepted report (answered 201), as
 * `raw/https/<sha256 of the body>`. Refused bodies are never stored.
 */
export const RAW_HTTPS_PREFIX = 'raw/https/';
/**
 * Normalized reports from DKIM-verified mail: `reports/policy-domain=<domain>/date=<YYYY-MM-DD>/<key>.json`, the key
 * derived from the report and its verified signer.
 */
export const REPORTS_PREFIX = 'reports/';
/**
 * Normalized reports from the unauthenticated HTTPS endpoint, kept apart: `https-reports/policy-domain=<domain>/
 * date=<YYYY-MM-DD>/<sha256 of the body>.json`. Metrics and `readiness` leave them out unless told otherwise.
 */
export const HTTPS_REPORTS_PREFIX = 'https-reports/';
/** Rejected mails: `rejected/date=<YYYY-MM-DD>/<SES message id>.json`. (HTTPS refusals are only logged.) */
export const REJECTED_PREFIX = 'rejected/';
