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
 * Ingests one mail that SES's S3 action stored at `raw/<messageId>`. A mail that is not an acceptable report is
 * recorded under `rejected/` and the call succeeds (retrying cannot help); S3 errors throw, so that Lambda's
 * asynchronous retries and then the dead-letter queue take over.
 *
 * DKIM: RFC 8460 §3 says reports without a valid DKIM signature MUST be ignored. A parsed report whose SES DKIM
 * verdict is anything but `PASS` (`FAIL`, `GRAY` = unsigned, `PROCESSING_FAILED`, `DISABLED` = scanning off) is
 * rejected with reason `dkim <verdict>`; the raw mail stays under `raw/`, so it can be reprocessed by hand. SES
 * does not say which domain signed, so `PASS` is necessary, not sufficient; the verdict is kept in `mail`.
 */
export async function ingestMail(message: SESMessage, deps: MailIngestDeps): Promise<IngestOutcome> {
  const { messageId } = message.mail;
  if (!MESSAGE_ID.test(messageId)) throw new Error(`unexpected SES message id ${JSON.stringify(messageId)}`);
  const source = `${RAW_MAIL_PREFIX}${messageId}`;
  const receivedAt = new Date(message.mail.timestamp).toISOString();
  const dkimVerdict = message.receipt.dkimVerdict?.status ?? 'MISSING';
  const options = { maxInputBytes: DEFAULT_MAX_INPUT_BYTES, maxDecompressedBytes: deps.maxDecompressedBytes };

  let reports: NormalisedReport[];
  try {
    const raw = await deps.store.read(source, options.maxInputBytes, 'mail');
    reports = await parseReportMail(raw, options);
    if (dkimVerdict !== 'PASS') throw new ReportRejectedError(`dkim ${dkimVerdict}`);
  } catch (e) {
    if (!(e instanceof ReportRejectedError)) throw e;
    const recorded = await rejectInput({ id: messageId, source, receivedAt, reason: e.reason }, deps);
    return { outcome: 'rejected', source, reason: e.reason, ...recorded };
  }

  const verified = reports.map((report) =>
    report.mail ? { ...report, mail: { ...report.mail, dkimVerdict } } : report,
  );
  const objects = await storeReports(verified, { source, receivedAt }, deps);
  return { outcome: 'stored', source, objects: objects.map(({ key, created }) => ({ key, created })) };
}
