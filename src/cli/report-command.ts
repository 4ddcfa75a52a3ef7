import * as fs from 'node:fs';
import { ChunkedWriter } from './chunked-writer';
import { CliIo, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './cli-io';
import {
  dedupKey,
  DEFAULT_MAX_INPUT_BYTES,
  NormalisedReport,
  parseReportFileNow,
  ReportRejectedError,
} from '../reporting/parser';

const USAGE = 'Usage: cdk-mta-sts report [--json] FILE...';
const HELP = `${USAGE}

Reads TLS-RPT (RFC 8460) reports from .eml mails and .json, .json.gz or .gz files.
Without --json, prints one row per policy domain and type: sessions, failures, failure rate,
top result types.

  --json  print one JSON array with, per FILE in order,
          {"source": FILE, "reports": [...]} or {"source": FILE, "error": REASON}

Exit status: 0 when every FILE held a report, 1 when one did not, 2 on usage errors.
`;

// Two files in flight keep the CPU busy while one waits on postal-mime, but only while they are small together: a
// 20 MiB mail may take 200 MB to parse (16 in flight let eight hostile mails take 4.4 GB).
const FILES_IN_FLIGHT = 2;
const BYTES_IN_FLIGHT = DEFAULT_MAX_INPUT_BYTES;
// After a file this large, its garbage (the mail, its decoded text, postal-mime's parts: up to 175 MB for 20 MiB) is
// collected before the next file is read. Left to V8, it is freed lazily, and two files' worth peaked at 374 MB.
const COLLECT_AFTER_BYTES = 1024 * 1024;

type FileResult = { source: string; reports: NormalisedReport[] } | { source: string; error: string };

interface Options {
  readonly json: boolean;
  readonly files: string[];
}

function parseArgs(args: string[]): Options | 'help' {
  let json = false;
  const files: string[] = [];
  let onlyFiles = false;
  for (const arg of args) {
    if (onlyFiles || !arg.startsWith('-')) files.push(arg);
    else if (arg === '--') onlyFiles = true;
    else if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') return 'help';
    else throw new UsageError(`unknown option ${arg}`);
  }
  if (files.length === 0) throw new UsageError('no FILE given');
  return { json, files };
}

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
async function forEachResult(files: string[], use: (result: FileResult) => Promise<void> | undefined): Promise<void> {
  const inFlight: { readonly result: FileResult | Promise<FileResult>; readonly size: number }[] = [];
  let bytesInFlight = 0;
  let next = 0;
  // The next file, opened and measured but not read until there is room for it.
  let waiting: { readonly file: string; readonly opened: OpenedFile } | undefined;
  // Set once a large file is done: its garbage is collected before the next file is read.
  let collectFirst = false;
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
}

async function printJson(files: string[], out: ChunkedWriter): Promise<boolean> {
  let allParsed = true;
  let i = 0;
  await out.write('[');
  await forEachResult(files, (result) => {
    if ('error' in result) allParsed = false;
    return out.write(`${i++ === 0 ? '\n' : ',\n'}${JSON.stringify(result)}`);
  });
  await out.write('\n]\n');
  return allParsed;
}

/** Totals for one policy domain and policy type (sts and tlsa rows for a domain count the same sessions). */
interface PolicyTotals {
  readonly domain: string;
  readonly policyType: string;
  reports: number;
  sessions: number;
  failures: number;
  readonly resultTypes: Map<string, number>;
}

/** Report strings are sender-controlled: keep terminal control sequences out of the table. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function formatTable(totals: PolicyTotals[]): string {
  const header = ['POLICY DOMAIN', 'POLICY', 'REPORTS', 'SESSIONS', 'FAILURES', 'FAILURE RATE', 'TOP RESULT TYPES'];
  const rows = [...totals]
    .sort((a, b) => compare(a.domain, b.domain) || compare(a.policyType, b.policyType))
    .map((t) => {
      const top = [...t.resultTypes.entries()]
        .sort(([a, x], [b, y]) => y - x || compare(a, b))
        .slice(0, 3)
        .map(([type, n]) => `${type} (${n})`);
      return [
        t.domain,
        t.policyType,
        String(t.reports),
        String(t.sessions),
        String(t.failures),
        t.sessions === 0 ? '-' : `${((100 * t.failures) / t.sessions).toFixed(2)}%`,
        top.length === 0 ? '-' : top.join(', '),
      ].map(printable);
    });
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((row) => row[col].length)));
  // Names left-aligned, numbers right-aligned; the last column is not padded.
  const line = (cells: string[]) =>
    cells
      .map((cell, col) =>
        col === cells.length - 1 ? cell : col < 2 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]),
      )
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

async function printTable(files: string[], out: ChunkedWriter, io: CliIo): Promise<boolean> {
  let failedFiles = 0;
  let reportCount = 0;
  let duplicates = 0;
  const seen = new Set<string>();
  const totals = new Map<string, PolicyTotals>();
  await forEachResult(files, (result) => {
    if ('error' in result) {
      failedFiles++;
      io.stderr.write(`cdk-mta-sts report: ${printable(result.source)}: ${printable(result.error)}\n`);
      return undefined;
    }
    for (const report of result.reports) {
      // The same report often arrives twice (several rua addresses, re-sent mail): count it once.
      const key = dedupKey(report);
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
      reportCount++;
      const rowsInReport = new Set<PolicyTotals>();
      for (const policy of report.policies) {
        const domain = policy.policyDomain ?? '(none)';
        const rowKey = JSON.stringify([domain, policy.policyType]);
        let t = totals.get(rowKey);
        if (!t) {
          t = { domain, policyType: policy.policyType, reports: 0, sessions: 0, failures: 0, resultTypes: new Map() };
          totals.set(rowKey, t);
        }
        if (!rowsInReport.has(t)) t.reports++;
        rowsInReport.add(t);
        t.sessions += policy.totalSuccessfulSessionCount + policy.totalFailureSessionCount;
        t.failures += policy.totalFailureSessionCount;
        for (const row of policy.failureDetails) {
          t.resultTypes.set(row.resultType, (t.resultTypes.get(row.resultType) ?? 0) + row.failedSessionCount);
        }
      }
    }
    return undefined;
  });
  if (totals.size > 0) await out.write(formatTable([...totals.values()]));
  const skipped = duplicates > 0 ? `, ${duplicates} duplicate(s) skipped` : '';
  const failed = failedFiles > 0 ? `; ${failedFiles} file(s) without a report` : '';
  await out.write(`${reportCount} report(s) from ${files.length} file(s)${skipped}${failed}\n`);
  return failedFiles === 0;
}

/**
 * `cdk-mta-sts report [--json] FILE...`: parses TLS-RPT report mails and files and prints a summary
 * table or, with `--json`, the normalised reports. Resolves to the exit code once output is flushed.
 */
export async function runReportCommand(args: string[], io: CliIo): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`cdk-mta-sts report: ${e.message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const out = new ChunkedWriter(io.stdout);
  try {
    if (options === 'help') {
      await out.write(HELP);
      await out.end();
      return EXIT_OK;
    }
    const allParsed = options.json ? await printJson(options.files, out) : await printTable(options.files, out, io);
    await out.end();
    return allParsed ? EXIT_OK : EXIT_FAILED;
  } catch (e) {
    // Typically EPIPE: the reader went away. Nothing more can be shown on stdout.
    io.stderr.write(`cdk-mta-sts report: cannot write output (${(e as Error).message})\n`);
    return EXIT_FAILED;
  }
}
