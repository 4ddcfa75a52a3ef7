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
/**
 * Headers whose values the result depends on: none may be repeated or carry encoded words. Each block's values are
 * kept in an array in this order.
 */
const TOP_HEADERS_READ = [
  'content-type',
  'content-transfer-encoding',
  'from',
  'subject',
  'message-id',
  'tls-report-domain',
  'tls-report-submitter',
] as const;
const PART_HEADERS_READ = [
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'content-description',
] as const;
/** First letters of the headers read (content-*, from, subject, message-id, tls-report-*), in either case. */
const READ_INITIALS = new Set([...'cfsmtCFSMT'].map((c) => c.charCodeAt(0)));
/** All header blocks together, far below postal-mime's 2 MiB limit on the same. */
const MAX_HEADER_BYTES = 256 * 1024;
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const SIMPLE_BOUNDARY = /^[0-9A-Za-z'+_,./:=?-]{1,70}$/;
const SIMPLE_FILENAME = /^[A-Za-z0-9._!+-]+$/;
const CLEAN_BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;
const SEVEN_OR_EIGHT_BIT = /^(7bit|8bit)$/i;
const BASE64_ENCODING = /^base64$/i;
/** A bare address or `Name <address>`, as real senders write From. */
const SIMPLE_FROM = /^(?:[A-Za-z0-9 .-]*<)?([A-Za-z0-9._+-]+@[A-Za-z0-9.-]+)>?$/;

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

/** What is known of the mail while it is read. */
interface Reading {
  /** The mail's bytes when they are not all ASCII, so that each header block must be checked; else undefined. */
  readonly raw: Uint8Array | undefined;
  text: string;
}

function recognize(raw: Uint8Array): MailSummary {
  // Header blocks must be ASCII; when the whole mail is (as reports are), one check covers them all.
  const ascii = isAscii(raw);
  // The first empty line in the head is the first in the whole mail, so the top block reads the same from either.
  const head = raw.length > HEAD_BYTES ? latin1(raw.subarray(0, HEAD_BYTES)) : undefined;
  const headEndsBlock = head !== undefined && (head.includes('\n\n') || head.includes('\n\r\n'));
  const text = headEndsBlock ? head : latin1(raw);
  const reading: Reading = { raw: ascii ? undefined : raw, text };
  const top: (string | undefined)[] = [];
  const topEnd = readHeaders(reading, 0, TOP_HEADERS_READ, top);
  const [topType, topEncoding, from, subject, messageId] = top;
  const contentType = parseStructured(topType ?? decline());
  if (contentType.value !== 'multipart/report') decline();
  if (topEncoding !== undefined && !SEVEN_OR_EIGHT_BIT.test(topEncoding)) decline();
  const boundary = contentType.params.get('boundary') ?? decline();
  if (!SIMPLE_BOUNDARY.test(boundary)) decline();
  const delimiter = `\n--${boundary}`;
  if (reading.text.length < raw.length) reading.text = latin1(raw);

  // The preamble: everything up to the first delimiter line.
  let next = nextDelimiter(reading.text, topEnd, delimiter);
  if (next.last) decline();
  const attachments: MailAttachment[] = [];
  let headerBytes = topEnd;
  while (!next.last) {
    const partHeaders: (string | undefined)[] = [];
    const partEnd = readHeaders(reading, next.end, PART_HEADERS_READ, partHeaders);
    headerBytes += partEnd - next.end;
    if (headerBytes > MAX_HEADER_BYTES) decline();
    const bodyEnd = nextDelimiter(reading.text, partEnd, delimiter);
    const attachment = readPart(partHeaders, reading.text.slice(partEnd, bodyEnd.start));
    if (attachment) attachments.push(attachment);
    next = bodyEnd;
  }
  if (attachments.length !== 1) decline();

  const headers: Header[] = [];
  TOP_HEADERS_READ.forEach((key, i) => top[i] !== undefined && headers.push({ key, value: top[i] }));
  const summary: { -readonly [K in keyof MailSummary]: MailSummary[K] } = { headers, attachments };
  if (from) {
    // Anything but the simple forms goes through postal-mime's parser.
    const simple = SIMPLE_FROM.exec(from);
    const addresses =
      simple && from.endsWith('>') === from.includes('<')
        ? [{ name: '', address: simple[1] }]
        : postalMimeAddressParser()(from);
    if (addresses.length > 0) summary.from = addresses[0];
  }
  if (subject) summary.subject = subject;
  if (messageId) summary.messageId = messageId;
  return summary;
}

/** One MIME part, from the values of {@link PART_HEADERS_READ}: an inline text part (skipped), the report, or a decline. */
function readPart(headers: readonly (string | undefined)[], body: string): MailAttachment | undefined {
  const [type, encoding, dispositionHeader, description] = headers;
  const contentType = parseStructured(type ?? 'text/plain');
  const disposition = parseStructured(dispositionHeader ?? '');
  if (disposition.value !== '' && disposition.value !== 'inline' && disposition.value !== 'attachment') decline();
  if (INLINE_TEXT_TYPES.has(contentType.value) && disposition.value !== 'attachment') return undefined;
  if (!REPORT_TYPES.has(contentType.value)) decline();
  if (!BASE64_ENCODING.test(encoding ?? '')) decline();

  const filename = disposition.params.get('filename') ?? contentType.params.get('name');
  if (filename !== undefined && !SIMPLE_FILENAME.test(filename)) decline();

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

/**
 * Reads the header block from `start` to its empty line, in ASCII, and returns where the body starts. The values of
 * the headers named in `read` are put in `values`, in that order, unfolded as postal-mime does (line breaks removed,
 * the folding whitespace kept); one that is repeated or carries an encoded word is declined.
 */
function readHeaders(reading: Reading, start: number, read: readonly string[], values: (string | undefined)[]): number {
  const text = reading.text;
  // The header being read (its index in `read`) and its value so far.
  let current = -1;
  let value = '';
  for (let pos = start; ;) {
    const lineEnd = text.indexOf('\n', pos);
    if (lineEnd < 0) decline(); // no empty line ends the block
    const initial = text.charCodeAt(pos);
    // An empty line, or one of a CR only, ends the block; as the first line, it means there are no headers.
    if (lineEnd === pos || (lineEnd === pos + 1 && initial === 0x0d)) {
      if (pos === start) decline();
      if (current >= 0) store(values, current, value);
      if (reading.raw !== undefined && !isAscii(reading.raw.subarray(start, pos - 1))) decline();
      return lineEnd + 1;
    }
    if (initial === 0x20 || initial === 0x09) {
      if (pos === start) decline(); // a continuation with nothing to continue
      if (current >= 0) value += stripCr(text.slice(pos, lineEnd));
    } else {
      if (current >= 0) store(values, current, value);
      current = -1;
      if (initial === 0x2d && text.charCodeAt(pos + 1) === 0x2d) decline(); // it starts like a delimiter line
      const colon = text.indexOf(':', pos);
      if (colon <= pos || colon >= lineEnd) decline();
      // Only headers whose name starts like one we read are looked at further.
      if (READ_INITIALS.has(initial)) {
        current = read.indexOf(trimWsp(text.slice(pos, colon)).toLowerCase());
        if (current >= 0) value = stripCr(text.slice(colon + 1, lineEnd));
      }
    }
    pos = lineEnd + 1;
  }
}

/** Keeps a header's unfolded value: only once, and without control characters or encoded words. */
function store(values: (string | undefined)[], index: number, value: string): void {
  if (values[index] !== undefined || CONTROL_CHARACTER.test(value) || value.includes('=?')) decline();
  values[index] = trimWsp(value);
}

const CONTROL_CHARACTER = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * The next delimiter line (`delimiter` is `\n--boundary`), searched from `from` (a line start). Only exact delimiter
 * lines are canonical; postal-mime also takes one followed by blanks. `start` is the line break before it (the body's
 * end), `end` where the next line starts.
 */
function nextDelimiter(text: string, from: number, delimiter: string): { start: number; end: number; last: boolean } {
  const found = text.startsWith(delimiter.slice(1), from) ? from - 1 : text.indexOf(delimiter, from);
  if (found < 0) decline(); // not properly closed
  let pos = found + delimiter.length;
  const last = text.charCodeAt(pos) === 0x2d && text.charCodeAt(pos + 1) === 0x2d;
  if (last) pos += 2;
  while (text.charCodeAt(pos) === 0x0d) pos++;
  if (pos < text.length && text.charCodeAt(pos) !== 0x0a) decline();
  return { start: Math.max(found, from), end: Math.min(pos + 1, text.length), last };
}

/**
 * A Content-Type or Content-Disposition value of the plain form `type/subtype; name=token; name="quoted"`: no
 * comments, escapes, RFC 2231 continuations or repeated parameters, so postal-mime reads it the same way.
 */
function parseStructured(header: string): Structured {
  let semicolon = header.indexOf(';');
  const type = (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  if (type !== '' && !MEDIA_TYPE.test(type)) decline();
  const params = new Map<string, string>();
  while (semicolon >= 0) {
    PARAMETER.lastIndex = semicolon + 1;
    const match = PARAMETER.exec(header) ?? decline();
    const name = match[1].toLowerCase();
    const value = match[2] ?? match[3];
    if (params.has(name) || (match[3] !== undefined && !TOKEN.test(value))) decline();
    params.set(name, value);
    semicolon = match[4] === ';' ? PARAMETER.lastIndex - 1 : -1;
  }
  return { value: type, params };
}

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+(\/[a-z0-9!#$&^_.+-]+)?$/;
/** One parameter after a `;`, up to the next `;` or the end. Neither quoted nor bare values may hold a `;`. */
const PARAMETER = /[ \t]*([A-Za-z0-9-]+)=(?:"([^"\\;()]*)"|([^";()\\ \t]+))[ \t]*(;|$)/y;

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
