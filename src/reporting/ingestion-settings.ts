import { Duration, Size, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RAW_MAIL_PREFIX, REJECTED_PREFIX, REPORTS_PREFIX } from './handlers/env';
import { isWithinZone, normalizeDomainName } from '../policy/domain-name';

/** What `TlsReportIngestion` checks and derives from its props, and the mail processor's grants. */

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/**
 * Exactly what the mail processor does: reads raw mail, writes and reads back `reports/` (reading back tells a
 * duplicate from a new report), records rejections; `s3:ListBucket` makes a missing key a 404 rather than a 403.
 */
export function grantMailAccess(bucket: s3.IBucket, grantee: iam.IGrantable): void {
  const objects = (prefix: string) => bucket.arnForObjects(`${prefix}*`);
  const statements = [
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects(RAW_MAIL_PREFIX)] }),
    new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [objects(REPORTS_PREFIX)] }),
    new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects(REJECTED_PREFIX)] }),
    new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  ];
  for (const statement of statements) grantee.grantPrincipal.addToPrincipalPolicy(statement);
}

/** One expiry rule per prefix. `raw/` also holds `raw/https/`, so both raw kinds share `rawRetention`. */
export function lifecycleRules(expiries: Record<string, Duration>): s3.LifecycleRule[] {
  return Object.entries(expiries).map(([prefix, expiration]) => {
    const days = expiration.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 1) {
      throw new Error(`Invalid retention of ${prefix}: ${expiration.toHumanString()}; must be whole days, at least 1`);
    }
    return { prefix, expiration };
  });
}

export function resolveReportingDomain(hostedZone: route53.IHostedZone, domainName: string | undefined): string {
  if (Token.isUnresolved(hostedZone.zoneName)) {
    if (domainName === undefined) {
      throw new Error('Invalid domainName: required when the hosted zone name is not known at synth time');
    }
    return normalizeDomainName(domainName, 'domainName');
  }
  const zoneName = normalizeDomainName(hostedZone.zoneName, 'hostedZone.zoneName');
  const reportingDomain = normalizeDomainName(domainName ?? `tlsrpt.${zoneName}`, 'domainName');
  if (!isWithinZone(reportingDomain, zoneName)) {
    throw new Error(
      `Invalid domainName "${domainName}": must be the hosted zone apex (${zoneName}) or a name inside it`,
    );
  }
  return reportingDomain;
}

export function validateRecipient(recipient: string): string {
  if (Token.isUnresolved(recipient)) {
    throw new Error('Invalid recipient: must be known at synth time (got a token)');
  }
  if (!LOCAL_PART.test(recipient) || recipient.length > 64) {
    throw new Error(
      `Invalid recipient "${recipient}": must be the local part of an address (before the @), at most 64 characters`,
    );
  }
  return recipient;
}

export function validateFailureRate(percent: number): number {
  if (Token.isUnresolved(percent) || !(percent > 0 && percent < 100)) {
    throw new Error(`Invalid failureRateThreshold ${percent}: must be a percentage above 0 and below 100`);
  }
  return percent;
}

export function validateWholeNumber(prop: string, value: number, min: number, max: number): number {
  if (Token.isUnresolved(value) || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Invalid ${prop} ${value}: must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export function validateMaxReportSize(size: Size): number {
  const bytes = size.toBytes();
  if (Token.isUnresolved(bytes) || !Number.isInteger(bytes) || bytes < 1024 || bytes > Size.mebibytes(100).toBytes()) {
    throw new Error(`Invalid maxReportSize ${bytes} bytes: must be a whole number of bytes from 1 KiB to 100 MiB`);
  }
  return bytes;
}
