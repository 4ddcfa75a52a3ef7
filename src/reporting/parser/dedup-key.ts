import { createHash } from 'node:crypto';
import { NormalisedReport } from './model';

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
