// `npm run bench`: times `cdk-mta-sts report --json` on 1,000 generated report mails against a plain
// Node floor that does only base64 + gunzip + JSON.parse, and fails when the ratio exceeds the target.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeCorpus } from './corpus';
import { bundle, bundleCli, OUT_DIR } from './transpile';

const MAIL_COUNT = 1000;
const RUNS = 5;
const TARGET_RATIO = 1.5;

const outDir = OUT_DIR;
const corpusDir = path.join(outDir, 'corpus');

interface Run {
  readonly ms: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a bundled script with the corpus as arguments, reading its stdout through a real pipe. */
function run(script: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [script, ...args], { cwd: corpusDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
  });
}

interface ReportLike {
  policies: { totalFailureSessionCount: number }[];
}

/** Both programs must have read the same reports, or the comparison means nothing. */
function checkOutputs(cli: Run, floor: Run): void {
  if (cli.code !== 0) throw new Error(`report command exited ${cli.code}: ${cli.stderr.slice(0, 500)}`);
  if (floor.code !== 0) throw new Error(`floor exited ${floor.code}: ${floor.stderr.slice(0, 500)}`);
  const results = JSON.parse(cli.stdout) as { source: string; reports?: ReportLike[]; error?: string }[];
  const raw = JSON.parse(floor.stdout) as { policies: { summary: Record<string, number> }[] }[];
  const failed = results.filter((r) => r.error !== undefined);
  if (results.length !== MAIL_COUNT || failed.length > 0) {
    throw new Error(`report command gave ${results.length} results, ${failed.length} errors: ${failed[0]?.error}`);
  }
  const cliFailures = results
    .flatMap((r) => r.reports!)
    .flatMap((r) => r.policies)
    .reduce((sum, p) => sum + p.totalFailureSessionCount, 0);
  const floorFailures = raw
    .flatMap((r) => r.policies)
    .reduce((sum, p) => sum + p.summary['total-failure-session-count'], 0);
  if (raw.length !== MAIL_COUNT || cliFailures !== floorFailures) {
    throw new Error(`outputs disagree: ${cliFailures} vs ${floorFailures} failed sessions`);
  }
}

async function main(): Promise<number> {
  fs.rmSync(corpusDir, { recursive: true, force: true });
  const files = writeCorpus(corpusDir, MAIL_COUNT);
  const bytes = files.reduce((sum, file) => sum + fs.statSync(path.join(corpusDir, file)).size, 0);
  const sizes = files.map((file) => fs.statSync(path.join(corpusDir, file)).size).sort((a, b) => a - b);
  console.log(
    `corpus: ${files.length} mails, ${(bytes / 1024 / 1024).toFixed(1)} MiB ` +
      `(median ${sizes[Math.floor(sizes.length / 2)]} B, max ${sizes[sizes.length - 1]} B) in ${path.relative(process.cwd(), corpusDir)}`,
  );

  // The real command line, built as the package ships it (one bundled file whose subcommands load lazily) and ahead
  // of time, so that neither ts-node nor the build is what gets timed.
  const cliScript = bundleCli();
  bundle('report-floor.ts', 'report-floor.js');
  bundle('report-mime-only.ts', 'report-mime-only.js');
  const floorScript = path.join(outDir, 'report-floor.js');
  const mimeOnlyScript = path.join(outDir, 'report-mime-only.js');

  // Warm the page cache and check both outputs once before timing.
  const cliCheck = await run(cliScript, ['report', '--json', ...files]);
  const floorCheck = await run(floorScript, files);
  checkOutputs(cliCheck, floorCheck);
  console.log(`output: report --json ${cliCheck.stdout.length} chars, floor ${floorCheck.stdout.length} chars`);

  const cliTimes: number[] = [];
  const floorTimes: number[] = [];
  const mimeOnlyTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    floorTimes.push((await run(floorScript, files)).ms);
    cliTimes.push((await run(cliScript, ['report', '--json', ...files])).ms);
    mimeOnlyTimes.push((await run(mimeOnlyScript, files)).ms);
  }
  const cli = Math.min(...cliTimes);
  const floor = Math.min(...floorTimes);
  const mimeOnly = Math.min(...mimeOnlyTimes);
  const ratio = cli / floor;
  const list = (times: number[]) => times.map((t) => t.toFixed(0)).join(', ');
  console.log(`report --json: ${cli.toFixed(0)} ms (best of ${RUNS}: ${list(cliTimes)})`);
  console.log(`floor:         ${floor.toFixed(0)} ms (best of ${RUNS}: ${list(floorTimes)})`);
  console.log(`ratio:         ${ratio.toFixed(2)} (target <= ${TARGET_RATIO})`);
  console.log(`postal-mime alone (diagnostic): ${mimeOnly.toFixed(0)} ms (best of ${RUNS}: ${list(mimeOnlyTimes)})`);
  if (ratio > TARGET_RATIO) {
    console.error(`FAIL: report --json is ${ratio.toFixed(2)}x the floor, over the ${TARGET_RATIO}x target`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      console.error(`bench failed: ${err.message}`);
      process.exitCode = 1;
    },
  );
}
