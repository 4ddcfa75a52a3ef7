// The files of `cdk-mta-sts report`: opened within the size limit, read, parsed two at a time at most, in order.
import * as fs from 'node:fs';
import {
  DEFAULT_MAX_INPUT_BYTES,
  NormalisedReport,
  parseReportFileNow,
  ReportRejectedError,
} from '../reporting/parser';

// Two files in flight keep the CPU busy while one waits on postal-mime, but only while they are small together: a
// 20 MiB mail may take 200 MB to parse (16 in flight let eight hostile mails take 4.4 GB).
const FILES_IN_FLIGHT = 2;
const BYTES_IN_FLIGHT = DEFAULT_MAX_INPUT_BYTES;
// After a file this large, its garbage (the mail, its decoded text, postal-mime's parts: up to 175 MB for 20 MiB) is
// collected before the next file is read. Left to V8, it is freed lazily, and two files' worth peaked at 374 MB.
const COLLECT_AFTER_BYTES = 1024 * 1024;

/** One file's reports, or why it gave none. */
export type FileResult = { source: string; reports: NormalisedReport[] } | { source: string; error: string };

/** A file opened and measured, not yet read; or why it cannot be read. */
type OpenedFile = { readonly fd: number; readonly size: number } | string;

/** Opens a file and takes its size, refusing one over the input limit so a huge file is never loaded. */
function openCapped(file: string): OpenedFile {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const { size } = fs.fstatSync(fd);
    if (size <= DEFAULT_MAX_INPUT_BYTES) return { fd, size };
    fs.closeSync(fd);
    return `file is ${size} bytes, over the ${DEFAULT_MAX_INPUT_BYTES}-byte limit`;
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    return `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
}

/** Reads an opened file and closes it. Synchronous reads: for a CLI they cost far less than fs.promises' round trips. */
function readOpened(opened: OpenedFile): Buffer | string {
  if (typeof opened === 'string') return opened;
  const { fd, size } = opened;
  try {
    const bytes = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = fs.readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return bytes.subarray(0, read);
  } catch (e) {
    return `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Parses one file's bytes (or says why it could not be read); every failure becomes a one-line reason. The result is
 * there at once unless the file is a mail that only postal-mime reads.
 */
function readReports(file: string, bytes: Buffer | string): FileResult | Promise<FileResult> {
  if (typeof bytes === 'string') return { source: file, error: bytes };
  let reports: NormalisedReport[] | Promise<NormalisedReport[]>;
  try {
    reports = parseReportFileNow(file, bytes);
  } catch (e) {
    return failure(file, e);
  }
  if (!(reports instanceof Promise)) return { source: file, reports };
  return reports.then(
    (parsed): FileResult => ({ source: file, reports: parsed }),
    (e: unknown) => failure(file, e),
  );
}

function failure(file: string, e: unknown): FileResult {
  if (e instanceof ReportRejectedError) return { source: file, error: e.reason };
  return { source: file, error: `internal error: ${(e as Error).message}` };
}

let collector: (() => void) | undefined;

/**
 * A full garbage collection. `gc` is exposed only to contexts created after `--expose-gc` is set, so a new context
 * gets it; this runs only after large files, so the common small-file path never pays for it.
 */
async function collectGarbage(): Promise<void> {
  if (collector === undefined) {
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when a large file needs them */
    (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--expose-gc');
    collector = (require('node:vm') as typeof import('node:vm')).runInNewContext('gc') as () => void;
    /* eslint-enable @typescript-eslint/no-require-imports */
  }
  collector();
  // Blobs (postal-mime keeps its parts in them) release their native memory in callbacks that run in a later turn
  // of the event loop, and a second collection then frees what they held: measured, one alone left 78 MB behind.
  await new Promise((resolve) => setImmediate(resolve));
  collector();
}

/**
 * Hands each file's result to `use` in argument order while keeping up to two files in flight: parsing a mail with
 * postal-mime waits on its Blob reads, and overlapping those keeps the CPU busy. A second file starts only if both fit
 * in {@link BYTES_IN_FLIGHT}. Nothing waits that need not: a file parsed at once is used at once.
 */
export async function forEachResult(
  files: string[],
  use: (result: FileResult) => Promise<void> | undefined,
): Promise<void> {
  const inFlight: { readonly result: FileResult | Promise<FileResult>; readonly size: number }[] = [];
  let bytesInFlight = 0;
  let next = 0;
  // The next file, opened and measured but not read until there is room for it.
  let waiting: { readonly file: string; readonly opened: OpenedFile } | undefined;
  // Set once a large file is done: its garbage is collected before the next file is read.
  let collectFirst = false;
  try {
    while (next < files.length || waiting !== undefined || inFlight.length > 0) {
      while (inFlight.length < FILES_IN_FLIGHT) {
        if (waiting === undefined && next < files.length) {
          waiting = { file: files[next], opened: openCapped(files[next++]) };
        }
        if (waiting === undefined) break;
        const size = typeof waiting.opened === 'string' ? 0 : waiting.opened.size;
        if (inFlight.length > 0 && bytesInFlight + size > BYTES_IN_FLIGHT) break;
        bytesInFlight += size;
        if (collectFirst) {
          await collectGarbage();
          collectFirst = false;
        }
        inFlight.push({ result: readReports(waiting.file, readOpened(waiting.opened)), size });
        waiting = undefined;
      }
      const { result, size } = inFlight.shift()!;
      const done = result instanceof Promise ? await result : result;
      bytesInFlight -= size;
      if (size >= COLLECT_AFTER_BYTES) collectFirst = true;
      const used = use(done);
      if (used !== undefined) await used;
    }
  } finally {
    // When using a result fails (the output went away), a file opened ahead is closed rather than left open.
    if (waiting !== undefined && typeof waiting.opened !== 'string') fs.closeSync(waiting.opened.fd);
  }
}
