import { isAscii } from 'node:buffer';
import type PostalMime from 'postal-mime';
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
/** First letters of the headers read (content-*, from, subject, message-id, tls-report-*), in either case. */
const READ_INITIALS = new Set([...'cfsmtCFSMT'].map((c) => c.charCodeAt(0)));
const PART_HEADERS_READ = new Set([
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'content-description',
]);
/** All header blocks together, far below postal-mime's 2 MiB limit on the same. */
const MAX_HEADER_BYTES = 256 * 1024;
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const SIMPLE_BOUNDARY = /^[0-9A-Za-z'+_,./:=?-]{1,70}$/;
const SIMPLE_FILENAME = /^[A-Za-z0-9._!+-]+$/;
const CLEAN_BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

/** postal-mime's address parser, loaded only for From headers of an unusual form. */
function postalMimeAddressParser(): typeof PostalMime.addressParser {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./postal-mime-library') as typeof import('./postal-mime-library')).addressParser;
}

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
    return recognize(raw);
  } catch (e) {
    if (e instanceof Decline) return undefined;
    throw e;
  }
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/**
 * The top header block is read from this much of the mail first, so that a large mail of another shape is declined
 * without decoding all of it (20 MB of text at the size cap).
 */
const HEAD_BYTES = 64 * 1024;

function recognize(raw: Uint8Array): MailSummary {
  // Header blocks must be ASCII; when the whole mail is (as reports are), one check covers them all.
  const ascii = isAscii(raw) ? undefined : raw;
  // The first empty line in the head is the first in the whole mail, so the top block reads the same from either.
  const head = raw.length > HEAD_BYTES ? latin1(raw.subarray(0, HEAD_BYTES)) : undefined;
  const headEndsBlock = head !== undefined && (head.includes('\n\n') || head.includes('\n\r\n'));
  let text = headEndsBlock ? head : latin1(raw);
  const top = readHeaders(ascii, text, 0, TOP_HEADERS_READ);
  const headers = top.headers;
  checkRead(headers, TOP_HEADERS_READ);
  const contentType = parseStructured(first(headers, 'content-type') ?? decline());
  if (contentType.value !== 'multipart/report') decline();
  const encoding = first(headers, 'content-transfer-encoding');
  if (encoding !== undefined && !/^(7bit|8bit)$/i.test(encoding)) decline();
  const boundary = contentType.params.get('boundary') ?? decline();
  if (!SIMPLE_BOUNDARY.test(boundary)) decline();
  const delimiter = `--${boundary}`;
  if (text.length < raw.length) text = latin1(raw);

  // The preamble: everything up to the first delimiter line.
  let next = nextDelimiter(text, top.end, delimiter);
  if (next.last) decline();
  const attachments: MailAttachment[] = [];
  let headerBytes = top.end;
  while (!next.last) {
    const part = readHeaders(ascii, text, next.end, PART_HEADERS_READ);
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
    // A bare address or `Name <address>` as real senders write it; anything else goes through postal-mime's parser.
    const simple = /^(?:[A-Za-z0-9 .-]*<)?([A-Za-z0-9._+-]+@[A-Za-z0-9.-]+)>?$/.exec(from);
    const addresses =
      simple && from.endsWith('>') === from.includes('<')
        ? [{ name: '', address: simple[1] }]
        : postalMimeAddressParser()(from);
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
  let lineBreaks = 0;
  for (let lf = body.indexOf('\n'); lf >= 0; lf = body.indexOf('\n', lf + 1)) lineBreaks++;
  for (let cr = body.indexOf('\r'); cr >= 0; cr = body.indexOf('\r', cr + 1)) lineBreaks++;
  if ((body.length - lineBreaks) % 4 !== 0) decline();
  return {
    filename: filename ?? null,
    ...(description ? { description } : {}),
    mimeType: contentType.value,
    // Node's base64 decoder skips the line breaks.
    content: Buffer.from(body, 'base64'),
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
 * A header block from `start` to its empty line, in ASCII. Only the headers in `read` are returned, in order,
 * unfolded as postal-mime does (line breaks removed, the folding whitespace kept); `end` is where the body starts.
 */
function readHeaders(
  /** The mail's bytes when it is not all ASCII, so that each block must be checked; else undefined. */
  raw: Uint8Array | undefined,
  text: string,
  start: number,
  read: ReadonlySet<string>,
): { headers: Header[]; end: number } {
  if (text.charCodeAt(start) === 0x0a || text.startsWith('\r\n', start)) decline(); // no headers at all
  // The empty line that ends the block. A line of CRs only would too; it has no colon, so it is declined below.
  const crlf = text.indexOf('\n\r\n', start);
  // An LF-only empty line before it, searched only that far.
  const lfOnly = crlf < 0 ? text.indexOf('\n\n', start) : text.slice(start, crlf + 1).indexOf('\n\n');
  const lf = lfOnly < 0 || crlf < 0 ? lfOnly : start + lfOnly;
  const blockEnd = lf >= 0 ? lf : crlf;
  if (blockEnd < 0) decline(); // no empty line ends the block
  const end = blockEnd + (blockEnd === lf ? 2 : 3);
  if (raw !== undefined && !isAscii(raw.subarray(start, blockEnd))) decline();
  const block = text.slice(start, blockEnd);
  if (block.startsWith('--') || block.includes('\n--')) decline(); // a line that starts like a delimiter

  const headers: Header[] = [];
  let current: { key: string; value: string } | undefined;
  const keep = () => {
    if (current === undefined) return;
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(current.value)) decline();
    headers.push({ key: current.key, value: trimWsp(current.value) });
    current = undefined;
  };
  for (let pos = 0; pos < block.length;) {
    const lineBreak = block.indexOf('\n', pos);
    const lineEnd = lineBreak < 0 ? block.length : lineBreak;
    const initial = block.charCodeAt(pos);
    if (initial === 0x20 || initial === 0x09) {
      if (pos === 0) decline();
      if (current) current.value += stripCr(block.slice(pos, lineEnd));
    } else {
      keep();
      const colon = block.indexOf(':', pos);
      if (colon <= pos || colon >= lineEnd) decline();
      // Only headers whose name starts like one we read are looked at further.
      if (READ_INITIALS.has(initial)) {
        const key = trimWsp(block.slice(pos, colon)).toLowerCase();
        if (read.has(key)) current = { key, value: stripCr(block.slice(colon + 1, lineEnd)) };
      }
    }
    pos = lineEnd + 1;
  }
  keep();
  return { headers, end };
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
  let start = 0;
  let end = text.length;
  while (start < end && (text.charCodeAt(start) === 0x20 || text.charCodeAt(start) === 0x09)) start++;
  while (end > start && (text.charCodeAt(end - 1) === 0x20 || text.charCodeAt(end - 1) === 0x09)) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
