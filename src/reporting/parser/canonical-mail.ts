import { addressParser } from 'postal-mime';
import type { Address } from 'postal-mime';

/** The parts of a parsed mail that report reading uses, as postal-mime returns them. */
export interface MailSummary {
  readonly headers: readonly { readonly key: string; readonly value: string }[];
  readonly from?: Address;
  readonly subject?: string;
  readonly messageId?: string;
  readonly attachments: readonly MailAttachment[];
}

export interface MailAttachment {
  readonly filename: string | null;
  readonly description?: string;
  readonly mimeType: string;
  readonly content: Uint8Array;
}

const REPORT_TYPES = new Set(['application/tlsrpt+gzip', 'application/tlsrpt+json', 'application/tlsrpt']);
const INLINE_TEXT_TYPES = new Set(['text/plain', 'text/html']);
/** Headers whose values the result depends on: none may be repeated or carry encoded words. */
const TOP_HEADERS_READ = new Set([
  'content-type',
  'content-transfer-encoding',
  'from',
  'subject',
  'message-id',
  'tls-report-domain',
  'tls-report-submitter',
]);
const PART_HEADERS_READ = new Set([
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'content-description',
]);
/** All header blocks together, far below postal-mime's 2 MiB limit on the same. */
const MAX_HEADER_BYTES = 256 * 1024;
const HEADER_LINE = /^[!-9;-~]+[ \t]*:[\t\x20-\x7e]*$/;
const FOLDED_LINE = /^[ \t][\t\x20-\x7e]*$/;
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const SIMPLE_BOUNDARY = /^[0-9A-Za-z'+_,./:=?-]{1,70}$/;
const SIMPLE_FILENAME = /^[A-Za-z0-9._!+-]+$/;
const CLEAN_BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

/** Thrown inside the recognizer to give the mail to postal-mime; never escapes it. */
class Decline extends Error {}

function decline(): never {
  throw new Decline();
}

interface Header {
  readonly key: string;
  readonly value: string;
}

interface Structured {
  readonly value: string;
  readonly params: ReadonlyMap<string, string>;
}

/**
 * Reads a report mail of the canonical RFC 8460 §5.3 shape without a MIME parser: a top-level `multipart/report` with a
 * simple boundary, ASCII headers without encoded words, inline text parts and exactly one `application/tlsrpt*` part
 * in clean base64, properly closed. Returns what postal-mime would give for the same bytes, or `undefined` for
 * anything else, which then goes to postal-mime (a differential test holds the two to the same results).
 */
export function readCanonicalReportMail(raw: Uint8Array): MailSummary | undefined {
  try {
    return recognize(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1'));
  } catch (e) {
    if (e instanceof Decline) return undefined;
    throw e;
  }
}

function recognize(text: string): MailSummary {
  // postal-mime drops every CR at a line end; a CR anywhere else is not canonical.
  if (/\r(?!\n)/.test(text)) decline();
  const top = readHeaders(text, 0);
  const headers = top.headers;
  checkRead(headers, TOP_HEADERS_READ);
  const contentType = parseStructured(first(headers, 'content-type') ?? decline());
  if (contentType.value !== 'multipart/report') decline();
  const encoding = first(headers, 'content-transfer-encoding');
  if (encoding !== undefined && !/^(7bit|8bit)$/i.test(encoding)) decline();
  const boundary = contentType.params.get('boundary') ?? decline();
  if (!SIMPLE_BOUNDARY.test(boundary)) decline();
  const delimiter = `--${boundary}`;

  // The preamble: everything up to the first delimiter line.
  let next = nextDelimiter(text, top.end, delimiter);
  if (next.last) decline();
  const attachments: MailAttachment[] = [];
  let headerBytes = top.end;
  while (!next.last) {
    const part = readHeaders(text, next.end);
    headerBytes += part.end - next.end;
    if (headerBytes > MAX_HEADER_BYTES) decline();
    const bodyEnd = nextDelimiter(text, part.end, delimiter);
    const attachment = readPart(part.headers, text.slice(part.end, bodyEnd.start));
    if (attachment) attachments.push(attachment);
    next = bodyEnd;
  }
  if (attachments.length !== 1) decline();

  const summary: { -readonly [K in keyof MailSummary]: MailSummary[K] } = { headers, attachments };
  const from = first(headers, 'from');
  if (from) {
    const addresses = addressParser(from);
    if (addresses.length > 0) summary.from = addresses[0];
  }
  const subject = first(headers, 'subject');
  if (subject) summary.subject = subject;
  const messageId = first(headers, 'message-id');
  if (messageId) summary.messageId = messageId;
  return summary;
}

/** One MIME part: an inline text part (skipped), the report, or a decline. */
function readPart(headers: Header[], body: string): MailAttachment | undefined {
  checkRead(headers, PART_HEADERS_READ);
  const contentType = parseStructured(first(headers, 'content-type') ?? 'text/plain');
  const disposition = parseStructured(first(headers, 'content-disposition') ?? '');
  if (disposition.value !== '' && disposition.value !== 'inline' && disposition.value !== 'attachment') decline();
  if (INLINE_TEXT_TYPES.has(contentType.value) && disposition.value !== 'attachment') return undefined;
  if (!REPORT_TYPES.has(contentType.value)) decline();
  if (!/^base64$/i.test(first(headers, 'content-transfer-encoding') ?? '')) decline();

  const filename = disposition.params.get('filename') ?? contentType.params.get('name');
  if (filename !== undefined && !SIMPLE_FILENAME.test(filename)) decline();
  const description = first(headers, 'content-description');
  if (description?.includes('=?')) decline();

  if (!CLEAN_BASE64.test(body)) decline();
  const base64 = body.replace(/[\r\n]+/g, '');
  if (base64.length % 4 !== 0) decline();
  return {
    filename: filename ?? null,
    ...(description ? { description } : {}),
    mimeType: contentType.value,
    content: Buffer.from(base64, 'base64'),
  };
}

/** The first value of a header, as postal-mime resolves duplicates. */
function first(headers: readonly Header[], key: string): string | undefined {
  return headers.find((header) => header.key === key)?.value;
}

/** The headers we read: each at most once, without encoded words. */
function checkRead(headers: readonly Header[], keys: ReadonlySet<string>): void {
  const seen = new Set<string>();
  for (const { key, value } of headers) {
    if (!keys.has(key)) continue;
    if (seen.has(key) || value.includes('=?')) decline();
    seen.add(key);
  }
}

/**
 * A header block from `start` to its empty line: printable ASCII, folded lines unfolded as postal-mime does
 * (line breaks removed, the folding whitespace kept). `end` is where the body starts.
 */
function readHeaders(text: string, start: number): { headers: Header[]; end: number } {
  const lines: string[] = [];
  let pos = start;
  for (;;) {
    const lf = text.indexOf('\n', pos);
    if (lf < 0) decline(); // no empty line ends the block
    const line = stripCr(text.slice(pos, lf));
    pos = lf + 1;
    if (line === '') break;
    if (line.startsWith('--')) decline();
    if (FOLDED_LINE.test(line)) {
      if (lines.length === 0) decline();
      lines[lines.length - 1] += line;
    } else if (HEADER_LINE.test(line)) {
      lines.push(line);
    } else {
      decline();
    }
  }
  const headers = lines.map((line) => {
    const colon = line.indexOf(':');
    return { key: trimWsp(line.slice(0, colon)).toLowerCase(), value: trimWsp(line.slice(colon + 1)) };
  });
  return { headers, end: pos };
}

/**
 * The next line starting with `delimiter`, searched from `from` (a line start). Only exact delimiter lines are
 * canonical; postal-mime also takes one followed by blanks. `start` is the line break before it (the body's end).
 */
function nextDelimiter(text: string, from: number, delimiter: string): { start: number; end: number; last: boolean } {
  const found = text.startsWith(delimiter, from) ? from - 1 : text.indexOf(`\n${delimiter}`, from);
  if (found < 0) decline(); // not properly closed
  const lineStart = found + 1;
  const lf = text.indexOf('\n', lineStart);
  const line = stripCr(text.slice(lineStart, lf < 0 ? text.length : lf));
  const end = lf < 0 ? text.length : lf + 1;
  if (line === delimiter) return { start: Math.max(found, from), end, last: false };
  if (line === `${delimiter}--`) return { start: Math.max(found, from), end, last: true };
  return decline();
}

/**
 * A Content-Type or Content-Disposition value of the plain form `type/subtype; name=token; name="quoted"`: no
 * comments, escapes, RFC 2231 continuations or repeated parameters, so postal-mime reads it the same way.
 */
function parseStructured(header: string): Structured {
  const [value, ...rest] = header.split(';');
  const type = value.trim().toLowerCase();
  if (type !== '' && !/^[a-z0-9!#$&^_.+-]+(\/[a-z0-9!#$&^_.+-]+)?$/.test(type)) decline();
  const params = new Map<string, string>();
  for (const param of rest) {
    const match = /^[ \t]*([A-Za-z0-9-]+)=(?:"([^"\\;()]*)"|([^";()\\ \t]+))[ \t]*$/.exec(param);
    if (!match) decline();
    const name = match[1].toLowerCase();
    const paramValue = match[2] ?? match[3];
    if (params.has(name) || (match[3] !== undefined && !TOKEN.test(paramValue))) decline();
    params.set(name, paramValue);
  }
  return { value: type, params };
}

function stripCr(line: string): string {
  let end = line.length;
  while (end > 0 && line.charCodeAt(end - 1) === 0x0d) end--;
  return end === line.length ? line : line.slice(0, end);
}

function trimWsp(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}
