import type { SESMessage } from 'aws-lambda';
import { DEFAULT_MAX_INPUT_BYTES, NormalisedReport, parseReportMail, ReportRejectedError } from '../parser';
import { RAW_MAIL_PREFIX } from './env';
import { IngestDeps, IngestOutcome, rejectInput, storeReports } from './ingest';

export interface MailIngestDeps extends IngestDeps {
  readonly maxDecompressedBytes: number;
}

// SES message ids are lower-case letters and digits; anything else must not become part of a key.
const MESSAGE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The SES receipt verdicts that rule a mail out before it is read, or null. Checked first because they are free,
 * whereas reading, MIME-parsing, decompressing and normalising a mail is the expensive part.
 *
 * - Virus: a `FAIL` verdict is rejected as `virus FAIL`, unopened. Other verdicts (`GRAY`, `PROCESSING_FAILED`,
 *   `DISABLED` = scanning off) go on to the DKIM check: a report is JSON, never executed.
 * - DKIM: RFC 8460 §3 says reports without a valid DKIM signature MUST be ignored. Anything but `PASS` (`FAIL`,
 *   `GRAY` = unsigned, `PROCESSING_FAILED`, `DISABLED` = scanning off) is rejected as `dkim <verdict>`. SES does not
 *   say which domain signed, so `PASS` is necessary, not sufficient; the verdict is kept in the stored `mail`.
 */
function verdictRejection(receipt: SESMessage['receipt']): string | null {
  if (receipt.virusVerdict?.status === 'FAIL') return 'virus FAIL';
  const dkim = receipt.dkimVerdict?.status ?? 'MISSING';
  return dkim === 'PASS' ? null : `dkim ${dkim}`;
}

/**
 * Ingests one mail that SES's S3 action stored at `raw/<messageId>`. A mail that is not an acceptable report is
 * recorded under `rejected/` and the call succeeds (retrying cannot help); S3 errors throw, so that Lambda's
 * asynchronous retries and then the dead-letter queue take over. A mail that SES's verdicts rule out (see
 * {@link verdictRejection}) is rejected without being read; the raw mail stays under `raw/`, so it can be
 * reprocessed by hand.
 */
export async function ingestMail(message: SESMessage, deps: MailIngestDeps): Promise<IngestOutcome> {
  const { messageId } = message.mail;
  if (!MESSAGE_ID.test(messageId)) throw new Error(`unexpected SES message id ${JSON.stringify(messageId)}`);
  const source = `${RAW_MAIL_PREFIX}${messageId}`;
  const receivedAt = new Date(message.mail.timestamp).toISOString();
  const options = { maxInputBytes: DEFAULT_MAX_INPUT_BYTES, maxDecompressedBytes: deps.maxDecompressedBytes };

  let reports: NormalisedReport[];
  try {
    const ruledOut = verdictRejection(message.receipt);
    if (ruledOut !== null) throw new ReportRejectedError(ruledOut);
    const raw = await deps.store.read(source, options.maxInputBytes, 'mail');
    reports = await parseReportMail(raw, options);
  } catch (e) {
    if (!(e instanceof ReportRejectedError)) throw e;
    const recorded = await rejectInput({ id: messageId, source, receivedAt, reason: e.reason }, deps);
    return { outcome: 'rejected', source, reason: e.reason, ...recorded };
  }

  // Only a DKIM PASS gets this far.
  const verified = reports.map((report) =>
    report.mail ? { ...report, mail: { ...report.mail, dkimVerdict: 'PASS' } } : report,
  );
  const objects = await storeReports(verified, { source, channel: 'mail', receivedAt }, deps);
  return { outcome: 'stored', source, objects: objects.map(({ key, created }) => ({ key, created })) };
}
