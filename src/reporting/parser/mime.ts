import PostalMime from 'postal-mime';
import { isGzip } from './decompress';
import { reject } from './errors';
import { ReportMail } from './model';

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

function headerValue(email: PostalMime.Email, key: string): string | null {
  const value = email.headers.find((header) => header.key === key)?.value.trim();
  return value ? value.toLowerCase() : null;
}

function firstAddress(address: PostalMime.Address | undefined): string | null {
  const mailbox = address?.group ? address.group[0] : address;
  return mailbox?.address || null;
}

function toBytes(content: PostalMime.Attachment['content']): Uint8Array {
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  if (ArrayBuffer.isView(content)) return new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
  return new Uint8Array(content);
}

/** Parses a raw RFC 5322 mail and returns its report parts (possibly none) and what its headers say. */
export async function readReportMail(raw: Uint8Array): Promise<ReportMailParts> {
  let email: PostalMime.Email;
  try {
    email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
  } catch (e) {
    reject(`not a readable mail (${(e as Error).message})`);
  }
  const parts = email.attachments.map((attachment): ReportPart => ({
    name: attachment.filename ?? attachment.description ?? null,
    mimeType: attachment.mimeType,
    content: toBytes(attachment.content),
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
