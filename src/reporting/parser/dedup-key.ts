import type * as Crypto from 'node:crypto';
import { NormalisedReport } from './model';

/** node:crypto, loaded on first use: `report --json` never needs it, and loading it took 2.5 ms of every start. */
function createHash(algorithm: string): Crypto.Hash {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:crypto') as typeof Crypto).createHash(algorithm);
}

/**
 * A stable key for "the same report", safe as a file name or S3 key segment: the first 32 hex digits of
 * SHA-256 over the organisation (or, lacking one, the contact address), the report-id and the date range.
 * report-id alone is not unique across senders (Google and Postfix derive it from date and domain).
 */
export function dedupKey(report: NormalisedReport): string {
  const sender = (report.organizationName ?? report.contactInfo ?? '').toLowerCase();
  const identity = JSON.stringify([
    sender,
    report.reportId,
    report.dateRange.startDatetime,
    report.dateRange.endDatetime,
  ]);
  return createHash('sha256').update(identity, 'utf8').digest('hex').slice(0, 32);
}
