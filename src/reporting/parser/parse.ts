import { gunzipCapped, isGzip } from './decompress';
import { reject, ReportRejectedError } from './errors';
import { checkJsonShape } from './json-shape';
import { readCanonicalMailParts, readDeclinedMail, ReportMailParts } from './mime';
import {
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  DEFAULT_MAX_INPUT_BYTES,
  DEFAULT_MAX_REPORT_PARTS,
  NormalisedReport,
  ParseOptions,
  ReportMail,
} from './model';
import { normaliseReport } from './normalise';

function checkInputSize(bytes: Uint8Array, options: ParseOptions | undefined, what: string): void {
  const max = options?.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  if (bytes.length > max) reject(`${what} is ${bytes.length} bytes, over the ${max}-byte limit`);
  if (bytes.length === 0) reject(`${what} is empty`);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Parses the (decompressed) JSON text of one report, refusing shapes that would make `JSON.parse` costly. */
function parseJsonText(
  json: Buffer,
  mail: ReportMail | undefined,
  options: ParseOptions | undefined,
): NormalisedReport {
  const text = json.toString('utf8');
  // A UTF-8 byte order mark is not JSON, but is harmless.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!/\S/.test(body)) reject('report is empty');
  checkJsonShape(body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    // RangeError included: whatever JSON.parse throws is the input's fault.
    reject(`not JSON (${(e as Error).message.slice(0, 100)})`);
  }
  return normaliseReport(parsed, mail, options?.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
}

/**
 * Parses one report given as JSON, plain or gzipped (told apart by the gzip magic bytes, not by any
 * declared type: some senders label plain JSON `application/tlsrpt+gzip`).
 *
 * @param mail what the carrying mail said, when there was one (used for `policy-domain` fallback and warnings)
 * @throws ReportRejectedError when the input is not a usable report
 */
export function parseReportJson(bytes: Uint8Array, options?: ParseOptions, mail?: ReportMail): NormalisedReport {
  checkInputSize(bytes, options, 'report');
  const json = isGzip(bytes)
    ? gunzipCapped(bytes, options?.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES)
    : asBuffer(bytes);
  return parseJsonText(json, mail, options);
}

/**
 * Parses a raw report mail (RFC 8460 §5.3) and returns one report per report part, in mail order.
 * All or nothing: if any report part is rejected, so is the mail.
 *
 * One mail costs bounded memory whatever it holds: at most `maxReportParts` report parts (checked before any is
 * decompressed), and at most `maxDecompressedBytes` inflated from all its gzipped parts together (enforced while
 * inflating; plain JSON parts are already bounded by `maxInputBytes`, the size of the mail).
 *
 * @throws ReportRejectedError when the mail has no report part or too many, when its parts inflate to too much,
 * or when a report part is not a usable report
 */
export async function parseReportMail(raw: Uint8Array, options?: ParseOptions): Promise<NormalisedReport[]> {
  return parseMailNow(raw, options);
}

/**
 * {@link parseReportMail}, returning the reports (or throwing) at once for a mail of the canonical RFC 8460 shape,
 * which is read directly; any other mail is read by postal-mime, with the same result, through a promise.
 */
function parseMailNow(
  raw: Uint8Array,
  options: ParseOptions | undefined,
): NormalisedReport[] | Promise<NormalisedReport[]> {
  checkInputSize(raw, options, 'mail');
  const canonical = readCanonicalMailParts(raw);
  if (canonical !== undefined) return parseMailParts(canonical, options);
  return readDeclinedMail(raw).then((parts) => parseMailParts(parts, options));
}

/** The reports in a mail's report parts: all or nothing, with the limits of {@link parseReportMail}. */
function parseMailParts({ mail, parts }: ReportMailParts, options: ParseOptions | undefined): NormalisedReport[] {
  if (parts.length === 0) reject('mail has no TLS report part');
  const maxParts = options?.maxReportParts ?? DEFAULT_MAX_REPORT_PARTS;
  if (parts.length > maxParts) reject(`mail has ${parts.length} report parts, over the limit of ${maxParts}`);

  const maxTotal = options?.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const overTotal = `decompressed report parts exceed the ${maxTotal}-byte limit in total`;
  let inflated = 0;
  return parts.map((part, i) => {
    const label = part.name ?? `part ${i + 1} (${part.mimeType})`;
    if (part.content.length === 0) reject(`report attachment ${label} is empty`);
    try {
      checkInputSize(part.content, options, 'report');
      let json: Buffer;
      if (isGzip(part.content)) {
        // Each part may inflate to what the earlier parts left; while nothing is used, that is the per-part cap.
        const remaining = maxTotal - inflated;
        json = gunzipCapped(part.content, remaining, remaining < maxTotal ? overTotal : undefined);
        inflated += json.length;
      } else {
        json = asBuffer(part.content);
      }
      return parseJsonText(json, mail, options);
    } catch (e) {
      // The total is about the mail, not about the part that happened to cross it.
      if (e instanceof ReportRejectedError && parts.length > 1 && e.reason !== overTotal) {
        reject(`${label}: ${e.reason}`);
      }
      throw e;
    }
  });
}

/**
 * Parses a file by its name: `.eml` is a mail; `.json`, `.json.gz` and `.gz` are reports; anything else
 * is a report when it starts like one (gzip magic or `{`) and a mail otherwise.
 */
export async function parseReportFile(
  name: string,
  bytes: Uint8Array,
  options?: ParseOptions,
): Promise<NormalisedReport[]> {
  return parseReportFileNow(name, bytes, options);
}

/**
 * {@link parseReportFile}, returning the reports at once, or throwing at once, for every file but a mail that only
 * postal-mime reads, for which it returns a promise. A command reading many files then waits only when it must.
 */
export function parseReportFileNow(
  name: string,
  bytes: Uint8Array,
  options?: ParseOptions,
): NormalisedReport[] | Promise<NormalisedReport[]> {
  const lower = name.toLowerCase();
  const mail = lower.endsWith('.eml');
  if (!mail && (lower.endsWith('.json') || lower.endsWith('.gz') || isGzip(bytes) || startsWithBrace(bytes))) {
    return [parseReportJson(bytes, options)];
  }
  return parseMailNow(bytes, options);
}

function startsWithBrace(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    // Skip JSON whitespace; a mail starts with a header name.
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte === 0x7b;
  }
  return false;
}
