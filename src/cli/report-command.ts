import { ChunkedWriter } from './chunked-writer';
import { CliIo, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './cli-io';
import { forEachResult } from './report-files';
import { dedupKey } from '../reporting/parser';

const USAGE = 'Usage: cdk-mta-sts report [--json] FILE...';
const HELP = `${USAGE}

Reads TLS-RPT (RFC 8460) reports from .eml mails and .json, .json.gz or .gz files.
Without --json, prints one row per policy domain and type: sessions, failures, failure rate,
top result types.

  --json  print one JSON array with, per FILE in order,
          {"source": FILE, "reports": [...]} or {"source": FILE, "error": REASON}

Exit status: 0 when every FILE held a report, 1 when one did not, 2 on usage errors.
`;

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
