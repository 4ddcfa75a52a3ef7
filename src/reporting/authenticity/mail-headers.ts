import { normalizeHost } from '../../policy/host-name';

/**
 * The header section of a raw mail as DKIM sees it (RFC 6376 §3.4, §5.4): each field exactly as sent, folding
 * included, so that signatures can be checked byte for byte. Strings are `latin1`, one character per byte.
 */

/** One header field: its name as sent and its raw text (`Name: value`, folded lines included, no final CRLF). */
export interface RawHeaderField {
  readonly name: string;
  /** Lower-cased name, for lookups. */
  readonly key: string;
  readonly raw: string;
}

export interface RawMail {
  /** Header fields, top to bottom. */
  readonly headers: RawHeaderField[];
  /**
   * Lines of the header section that are no header field: without a colon, or blank but for whitespace. Mail
   * parsers disagree on those (one may end the header section at a blank-looking line), so a signature checked
   * here could cover other bytes than the parser reads as the report.
   */
  readonly malformedLines: number;
  /** Everything after the empty line that ends the header section, line ends as sent (CRLF or LF). */
  readonly body: string;
}

/** A mail with more header fields than this is not a report: it is refused before any signature is checked. */
export const MAX_HEADER_FIELDS = 1000;
/** Nor is one whose header section is larger (real report mails have a few KB, long Received chains 20 KB). */
export const MAX_HEADER_BYTES = 256 * 1024;

/**
 * Splits a mail into header fields and body. In the header section, bare LF line ends become CRLF (mail stored by
 * an MTA may have either; signatures are computed over CRLF). Returns null when the header section is over
 * {@link MAX_HEADER_BYTES} or {@link MAX_HEADER_FIELDS}.
 */
export function splitMail(bytes: Uint8Array): RawMail | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The header section ends at the first empty line, whatever its line ends; only it is rewritten to CRLF (the body
  // can be 20 MiB, and its canonicalization reads either line end).
  const boundary = /\r?\n\r?\n/.exec(buffer.subarray(0, MAX_HEADER_BYTES + 4).toString('latin1'));
  const startsEmpty = buffer[0] === 0x0a || (buffer[0] === 0x0d && buffer[1] === 0x0a);
  if (!boundary && !startsEmpty && buffer.length > MAX_HEADER_BYTES) return null;
  const headEnd = startsEmpty ? 0 : boundary ? boundary.index : buffer.length;
  const bodyStart = startsEmpty
    ? buffer[0] === 0x0a
      ? 1
      : 2
    : boundary
      ? boundary.index + boundary[0].length
      : buffer.length;
  if (headEnd > MAX_HEADER_BYTES) return null;
  const head = buffer.subarray(0, headEnd).toString('latin1').replace(/\r?\n/g, '\r\n');
  const body = buffer.subarray(bodyStart).toString('latin1');
  const headers: RawHeaderField[] = [];
  let malformedLines = 0;
  if (head !== '') {
    for (const line of head.split('\r\n')) {
      const last = headers[headers.length - 1];
      if (line.trim() === '') malformedLines++;
      if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
        headers[headers.length - 1] = { ...last, raw: `${last.raw}\r\n${line}` };
        continue;
      }
      const colon = line.indexOf(':');
      // A line that is no header field (no colon, or a continuation with nothing above) is kept as a nameless field,
      // so that it can never be taken for part of the field before it.
      const name = colon > 0 ? line.slice(0, colon).trimEnd() : '';
      if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) malformedLines++;
      headers.push({ name, key: name.toLowerCase(), raw: line });
      if (headers.length > MAX_HEADER_FIELDS) return null;
    }
  }
  return { headers, body, malformedLines };
}

/** The value of a raw header field: after the colon, unfolded, trimmed. */
export function fieldValue(field: RawHeaderField): string {
  return field.raw
    .slice(field.raw.indexOf(':') + 1)
    .replace(/\r\n/g, '')
    .trim();
}

const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** `name` lower-cased without a trailing dot when it is a host name with at least two labels, else null. */
export function hostName(name: string): string | null {
  const host = normalizeHost(name.trim());
  return HOST_NAME.test(host) ? host : null;
}

/**
 * The domain of the one mailbox in a `From` field, or null when there is not exactly one usable address.
 * Comments and display names are skipped; a list (`a@x, b@y`) or a group is refused rather than guessed at.
 */
export function fromDomain(value: string): string | null {
  // Drop quoted strings and (non-nested) comments, which may contain anything, then find the address.
  const bare = value.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\([^()]*\)/g, ' ');
  if (/[,;]/.test(bare)) return null;
  const angle = bare.match(/<([^<>]*)>/g);
  if (angle && angle.length !== 1) return null;
  const address = (angle ? angle[0].slice(1, -1) : bare).trim();
  const at = address.lastIndexOf('@');
  if (at <= 0 || address.indexOf('@') !== at) return null;
  return hostName(address.slice(at + 1));
}
