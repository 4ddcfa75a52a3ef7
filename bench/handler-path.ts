// What the report handlers do with one input, bundled like a Lambda and run in a child process by hostile-bench:
// read the body (as from S3 or the function URL), parse it with the handlers' limits, serialize each report as it
// is stored. Prints the outcome as JSON; S3, CloudWatch and DKIM are not part of it.
import * as fs from 'node:fs';
import { parseReportJson, parseReportMail, ReportRejectedError } from '../src/reporting/parser';

const MAX_BYTES = 20 * 1024 * 1024;

async function main(): Promise<void> {
  const [kind, file] = process.argv.slice(2);
  const body = fs.readFileSync(file);
  const options = { maxInputBytes: MAX_BYTES, maxDecompressedBytes: MAX_BYTES };
  let outcome: string;
  try {
    const reports = kind === 'mail' ? await parseReportMail(body, options) : [parseReportJson(body, options)];
    const stored = reports.reduce((bytes, report) => bytes + JSON.stringify(report).length, 0);
    outcome = `stored ${reports.length} report(s), ${stored} B`;
  } catch (e) {
    if (!(e instanceof ReportRejectedError)) throw e;
    outcome = `rejected: ${e.reason}`;
  }
  process.stdout.write(JSON.stringify({ outcome }));
}

void main();
