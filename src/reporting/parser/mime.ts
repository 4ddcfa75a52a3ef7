import type PostalMime from 'postal-mime';
import { MailSummary, readCanonicalReportMail } from './canonical-mail';
import { isGzip } from './decompress';
import { reject } from './errors';
import { ReportMail } from './model';

/**
 * More lines than this are refused before MIME parsing: postal-mime keeps a Blob part per line of a text part (about
 * 2 KB each), and 400,000 short lines (1.2 MB) took 800 MB. With this cap a 20 MiB mail peaks at about 200 MB
 * (`npm run bench`). 25,000 lines of base64 at 76 columns still carry 1.4 MB of gzip, far more than any real report.
 */
export const MAX_MAIL_LINES = 25_000;
/** MIME parts nest at most this deep (a report is one level down; a forwarded one two or three). */
export const MAX_MIME_NESTING_DEPTH = 8;

/** One MIME part that carries (or claims to carry) a TLS report. */
export interface ReportPart {
  /** File name or Content-Description, for error messages; null when the part has neither. */
  readonly name: string | null;
  readonly mimeType: string;
  readonly content: Uint8Array;
}

export interface ReportMailParts {
  readonly mail: ReportMail;
  readonly parts: ReportPart[];
}

const REPORT_MEDIA_TYPES = new Set(['application/tlsrpt+gzip', 'application/tlsrpt+json', 'application/tlsrpt']);
const REPORT_FILE_NAME = /\.(json\.gz|gz|json)$/i;

/**
 * The report parts, chosen by media type, else by file name, else by gzip magic bytes; never by Subject.
 * Each rule applies only when the previous one found nothing, so a text part named `notes.json` is
 * ignored next to a proper `application/tlsrpt+gzip` part.
 */
function selectReportParts(parts: ReportPart[]): ReportPart[] {
  const byType = parts.filter((part) => REPORT_MEDIA_TYPES.has(part.mimeType));
  if (byType.length > 0) return byType;
  const byName = parts.filter((part) => part.name !== null && REPORT_FILE_NAME.test(part.name));
  if (byName.length > 0) return byName;
  return parts.filter((part) => isGzip(part.content));
}

function headerValue(email: MailSummary, key: string): string | null {
  const value = email.headers.find((header) => header.key === key)?.value.trim();
  return value ? value.toLowerCase() : null;
}

function firstAddress(address: MailSummary['from']): string | null {
  const mailbox = address?.group ? address.group[0] : address;
  return mailbox?.address || null;
}

function toBytes(content: PostalMime.Attachment['content']): Uint8Array {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  if (ArrayBuffer.isView(content)) return new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
  return new Uint8Array(content);
}

/** Refuses, before any MIME parsing, a mail whose line count would make parsing it costly. */
function checkLineCount(raw: Uint8Array): void {
  // A mail has at most one line more than it has bytes: most are too small to need counting.
  if (raw.length < MAX_MAIL_LINES) return;
  let lines = 1;
  for (let lf = raw.indexOf(0x0a); lf >= 0; lf = raw.indexOf(0x0a, lf + 1)) {
    if (++lines > MAX_MAIL_LINES) reject(`mail has more than ${MAX_MAIL_LINES} lines`);
  }
}

/** postal-mime, loaded on first use: canonical mails never need it. */
function postalMime(): typeof PostalMime {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./postal-mime-library') as typeof import('./postal-mime-library')).PostalMime;
}

/** postal-mime, with nested messages kept as attachments (never parsed) and MIME nesting capped. */
export async function parseWithPostalMime(raw: Uint8Array): Promise<MailSummary> {
  try {
    // A view is copied by postal-mime; an ArrayBuffer of exactly the mail is not (20 MB less at the size cap).
    const whole = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength;
    const email = await postalMime().parse(whole ? (raw.buffer as ArrayBuffer) : raw, {
      attachmentEncoding: 'arraybuffer',
      forceRfc822Attachments: true,
      maxNestingDepth: MAX_MIME_NESTING_DEPTH,
    });
    return { ...email, attachments: email.attachments.map((a) => ({ ...a, content: toBytes(a.content) })) };
  } catch (e) {
    reject(`not a readable mail (${(e as Error).message})`);
  }
}

/**
 * A raw RFC 5322 mail's report parts (possibly none) and what its headers say, for a mail of the canonical RFC 8460
 * shape, read directly; undefined for any other mail, which {@link readDeclinedMail} reads. The line count is
 * checked first either way.
 */
export function readCanonicalMailParts(raw: Uint8Array): ReportMailParts | undefined {
  checkLineCount(raw);
  const email = readCanonicalReportMail(raw);
  return email === undefined ? undefined : toReportMailParts(email);
}

/** A mail {@link readCanonicalMailParts} declined, read by postal-mime: the same result for a canonical one. */
export async function readDeclinedMail(raw: Uint8Array): Promise<ReportMailParts> {
  return toReportMailParts(await parseWithPostalMime(raw));
}

/** What report reading needs from a parsed mail; exported for the differential test. */
export function toReportMailParts(email: MailSummary): ReportMailParts {
  const parts = email.attachments.map((attachment): ReportPart => ({
    name: attachment.filename ?? attachment.description ?? null,
    mimeType: attachment.mimeType,
    content: attachment.content,
  }));
  const mail: ReportMail = {
    tlsReportDomain: headerValue(email, 'tls-report-domain'),
    tlsReportSubmitter: headerValue(email, 'tls-report-submitter'),
    messageId: email.messageId?.trim() || null,
    from: firstAddress(email.from),
    ...(email.subject !== undefined ? { subject: email.subject } : {}),
  };
  return { mail, parts: selectReportParts(parts) };
}
