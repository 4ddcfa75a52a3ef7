// `npm run bench`, part 3: peak memory on hostile input. Generates inputs of at most 20 MiB (bench/hostile-corpus.ts),
// then runs each through the handlers' parse path and through `cdk-mta-sts report --json`, every run in a fresh node
// process whose peak RSS (VmHWM) it reports. Fails when a run crashes or peaks over 256 MiB.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostileCase, writeHostileCorpus } from './hostile-corpus';
import { bundle, bundleCli, OUT_DIR } from './transpile';

const MAX_RSS_MIB = 256;
// The peak RSS of the child's own address space: /proc VmHWM starts afresh at exec, while getrusage()'s maxRSS keeps
// the high-water mark of the forking parent (this bench, which holds the generated inputs).
const PROBE = `process.on('exit', () => {
  const fs = require('node:fs');
  let kb = process.resourceUsage().maxRSS;
  try { kb = Number(/VmHWM:\\s*(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]); } catch {}
  fs.writeSync(2, '\\nMAXRSS_KB ' + kb + '\\n');
});`;

interface Measured {
  readonly rssMiB: number;
  readonly ms: number;
  readonly outcome: string;
  readonly crashed: string | undefined;
}

/** Runs node with the RSS probe; stdout is drained, only its start kept (the CLI may print tens of MB). */
function measure(args: string[], okCodes: number[], outcomeOf: (stdoutStart: string) => string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--require', path.join(OUT_DIR, 'rss-probe.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < 4096) stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const rss = /MAXRSS_KB (\d+)/.exec(stderr);
      const crashed =
        signal !== null
          ? `killed by ${signal}`
          : !okCodes.includes(code ?? -1) || !rss
            ? `exit ${code}: ${stderr
                .replace(/MAXRSS_KB \d+/, '')
                .trim()
                .slice(0, 300)}`
            : undefined;
      resolve({
        rssMiB: rss ? Number(rss[1]) / 1024 : NaN,
        ms,
        outcome: crashed ? 'CRASH' : outcomeOf(stdout),
        crashed,
      });
    });
  });
}

function cliOutcome(stdoutStart: string): string {
  const errors = [...stdoutStart.matchAll(/"error":"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
  if (errors.length === 0) return 'read';
  return `rejected: ${[...new Set(errors)].join('; ')}`;
}

function handlerOutcome(stdoutStart: string): string {
  return (JSON.parse(stdoutStart) as { outcome: string }).outcome;
}

async function main(): Promise<number> {
  const cli = bundleCli();
  const handler = bundle('handler-path.ts', 'handler-path.js');
  fs.writeFileSync(path.join(OUT_DIR, 'rss-probe.js'), PROBE);
  const dir = path.join(OUT_DIR, 'hostile');
  fs.rmSync(dir, { recursive: true, force: true });
  const cases = writeHostileCorpus(dir);

  const rows: string[][] = [];
  let failed = false;
  const record = (name: string, runner: string, size: number, m: Measured) => {
    const over = m.rssMiB > MAX_RSS_MIB;
    failed ||= over || m.crashed !== undefined;
    rows.push([
      name,
      runner,
      `${(size / 1024 / 1024).toFixed(2)} MiB`,
      `${m.rssMiB.toFixed(0)} MiB${over ? ' (OVER)' : ''}`,
      `${m.ms.toFixed(0)} ms`,
      m.crashed ?? m.outcome,
    ]);
  };
  const handlerRunner = (c: HostileCase) => (c.kind === 'mail' ? 'mail handler' : 'https handler');

  for (const c of cases) {
    const size = fs.statSync(c.file).size;
    record(c.name, handlerRunner(c), size, await measure([handler, c.kind, c.file], [0], handlerOutcome));
    record(c.name, 'report --json', size, await measure([cli, 'report', '--json', c.file], [0, 1], cliOutcome));
  }
  // Eight and sixteen of the costliest mails in one command (16 files in flight let 8 take 4.4 GB).
  const worst = cases.find((c) => c.name === 'long-lines')!;
  for (const count of [8, 16]) {
    const files = Array<string>(count).fill(worst.file);
    const m = await measure([cli, 'report', '--json', ...files], [0, 1], cliOutcome);
    record(`${count} x long-lines`, 'report --json', count * fs.statSync(worst.file).size, m);
  }

  const header = ['CASE', 'RUN', 'INPUT', 'PEAK RSS', 'TIME', 'OUTCOME'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  console.log(
    `hostile inputs (limits: ${MAX_RSS_MIB} MiB peak RSS per process, however many files it reads; no crash)`,
  );
  for (const c of cases) console.log(`  ${c.name}: ${c.description}`);
  console.log([line(header), ...rows.map(line)].join('\n'));
  if (failed) console.error(`FAIL: a hostile input crashed a run or took more than ${MAX_RSS_MIB} MiB`);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    console.error(`bench failed: ${err.message}`);
    process.exitCode = 1;
  },
);
