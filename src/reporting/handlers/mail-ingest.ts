import type { SESMessage } from 'aws-lambda';
import { authenticateMail, TxtResolver } from '../authenticity';
import { DEFAULT_MAX_INPUT_BYTES, NormalisedReport, parseReportMail, ReportRejectedError } from '../parser';
import { RAW_MAIL_PREFIX } from './env';
import { IngestDeps, IngestOutcome, rejectInput, storeReports } from './ingest';
import { implausibility } from './plausibility';
import { mailIdentity } from './report-keys';
import { VerifiedMail } from './report-store';

export interface MailIngestDeps extends IngestDeps {
  readonly maxDecompressedBytes: number;
  /** DNS TXT lookups for DKIM keys. */
  readonly resolveTxt: TxtResolver;
  /** Policy domains published here; reports about others are stored under `other`. Empty: none. */
  readonly publishedDomains: readonly string[];
  /** When not empty, only signers within these domains are accepted. */
  readonly trustedReporters?: readonly string[];
}

// SES message ids are lower-case letters and digits; anything else must not become part of a key.
const MESSAGE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The SES receipt verdicts that rule a mail out before it is read, or null. Checked first because they are free,
 * whereas reading, MIME-parsing, decompressing and normalizing a mail is the expensive part.
 *
 * - Virus: a `FAIL` verdict is rejected as `virus FAIL`, unopened. Other verdicts (`GRAY`, `PROCESSING_FAILED`,
 *   `DISABLED` = scanning off) go on to the DKIM check: a report is JSON, never executed.
 * - DKIM: RFC 8460 §3 says reports without a valid DKIM signature MUST be ignored. Anything but `PASS` (`FAIL`,
 *   `GRAY` = unsigned, `PROCESSING_FAILED`, `DISABLED` = scanning off) is rejected as `dkim <verdict>`. SES does not
 *   say which domain signed, so `PASS` is necessary, not sufficient: the mail is then verified here (see
 *   {@link authenticateMail}), and only a signature aligned with From counts.
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
  let mail: Pick<VerifiedMail, 'dkimVerdict' | 'dkimDomain' | 'dkimSelector'> & { warnings: string[] };
  try {
    const ruledOut = verdictRejection(message.receipt);
    if (ruledOut !== null) throw new ReportRejectedError(ruledOut);
    const raw = await deps.store.read(source, options.maxInputBytes, 'mail');
    // Who signed first: unauthenticated mail is never parsed, stored as a report or counted.
    const auth = await authenticateMail(raw, {
      resolveTxt: deps.resolveTxt,
      trustedReporters: deps.trustedReporters,
      now: new Date(message.mail.timestamp),
    });
    // A key that could not be looked up is no verdict: fail the invocation, so that Lambda retries it.
    if (!auth.authenticated && auth.temporary) throw new Error(auth.reason);
    if (!auth.authenticated) throw new ReportRejectedError(auth.reason);
    mail = {
      dkimVerdict: message.receipt.dkimVerdict.status,
      dkimDomain: auth.signingDomain,
      dkimSelector: auth.selector,
      warnings: auth.warnings,
    };
    reports = await parseReportMail(raw, options);
    for (const [i, report] of reports.entries()) {
      const implausible = implausibility(report, deps.publishedDomains, receivedAt);
      if (implausible !== null) {
        throw new ReportRejectedError(`implausible report${reports.length > 1 ? ` ${i + 1}` : ''}: ${implausible}`);
      }
    }
  } catch (e) {
    if (!(e instanceof ReportRejectedError)) throw e;
    const recorded = await rejectInput({ id: messageId, source, receivedAt, reason: e.reason }, deps);
    return { outcome: 'rejected', source, reason: e.reason, ...recorded };
  }

  const { warnings, ...checked } = mail;
  const verified = reports.map((report) => ({
    ...report,
    warnings: [...report.warnings, ...warnings],
    ...(report.mail ? { mail: { ...report.mail, ...checked } } : {}),
  }));
  const origin = {
    source,
    channel: 'mail',
    receivedAt,
    // Not only the signer: another mailbox at the reporter's own domain must not take the reporter's key first.
    identity: mailIdentity(checked.dkimDomain, reports[0]?.mail?.from ?? null),
    publishedDomains: deps.publishedDomains,
  } as const;
  const objects = await storeReports(verified, origin, deps);
  return { outcome: 'stored', source, objects: objects.map(({ key, created }) => ({ key, created })) };
}
