/**
 * What the report ingestion Lambdas and the construct that deploys them agree on: environment variable names and
 * the report bucket's key layout. No AWS SDK imports here: the construct imports this file.
 */

/** Name of the bucket holding raw mails and bodies, stored reports and rejections. Required. */
export const REPORT_BUCKET = 'REPORT_BUCKET';
/** Largest accepted decompressed report, and largest accepted HTTPS body, in bytes. Optional (20 MiB). */
export const MAX_DECOMPRESSED_BYTES = 'MAX_DECOMPRESSED_BYTES';
/** CloudWatch namespace of the embedded-format metrics. Optional (`MtaSts`). */
export const METRIC_NAMESPACE = 'METRIC_NAMESPACE';
/**
 * The policy domains this deployment publishes, as `{ "policyDomains": [ … ] }` in this object of the report
 * bucket, written by the stack's policy publisher (not an environment variable: those hold 4 KB in all). Required
 * by the HTTPS receiver, which accepts only reports about these domains or their subdomains. Optional for the mail
 * processor, where it only keeps other domains out of the metric dimensions (they count as `PolicyDomain=other`).
 */
export const PUBLISHED_DOMAINS_KEY = '_cdk-mta-sts/published-domains.json';

/** Where SES's S3 action stores each received mail, as `raw/<messageId>` (its object key prefix). */
export const RAW_MAIL_PREFIX = 'raw/';
/**
 * Where the HTTPS receiver stores the body of each accepted report (answered 201), as
 * `raw/https/<sha256 of the body>`. Refused bodies are never stored.
 */
export const RAW_HTTPS_PREFIX = 'raw/https/';
/**
 * Normalised reports: `reports/policy-domain=<domain>/date=<YYYY-MM-DD>/<dedup key>.json` from mail,
 * `…/<dedup key>.https.json` from HTTPS (so that an unauthenticated HTTPS report never takes a mail report's key).
 */
export const REPORTS_PREFIX = 'reports/';
/** Rejected mails: `rejected/date=<YYYY-MM-DD>/<SES message id>.json`. (HTTPS refusals are only logged.) */
export const REJECTED_PREFIX = 'rejected/';

export const DEFAULT_METRIC_NAMESPACE = 'MtaSts';

/** The value of environment variable `name`; throws when it is unset or empty (a deployment error). */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') throw new Error(`environment variable ${name} is not set`);
  return value.trim();
}

/** A positive integer from environment variable `name`, or `fallback` when unset; throws on anything else. */
export function positiveIntegerEnv(name: string, fallback: number): number {
  const value = process.env[name]?.trim();
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new Error(`environment variable ${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return parsed;
}
