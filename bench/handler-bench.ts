// Bundle size and module load time of the report ingestion Lambdas: rebuilds them with the project's own bundle
// tasks, then require()s each bundle in fresh node processes. Fails over 150 KiB or over 50 ms of load time.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const MAX_BUNDLE_BYTES = 150 * 1024;
const MAX_LOAD_MS = 50;
const RUNS = 9;

const root = path.resolve(__dirname, '..');
const handlersDir = path.join(root, 'src/reporting/handlers');

// Requires the modules listed in argv[1] untimed, then prints how long require() of argv[2] takes, in ms.
const TIME_REQUIRE =
  'for (const m of JSON.parse(process.argv[1])) require(m); ' +
  'const t = process.hrtime.bigint(); require(process.argv[2]); ' +
  'process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));';

function bundle(name: string): string {
  const task = `bundle:reporting/handlers/${name}.lambda`;
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/projen/bin/projen'), task], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${task} failed: ${result.stderr || result.stdout}`);
  return path.join(root, `assets/reporting/handlers/${name}.lambda/index.js`);
}

/** Milliseconds to require `target` in a fresh node process, after `preloaded` (untimed). */
function timeRequire(target: string, preloaded: string[] = []): number {
  const result = spawnSync(process.execPath, ['-e', TIME_REQUIRE, JSON.stringify(preloaded), target], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`require of ${target} failed: ${result.stderr}`);
  return Number(result.stdout);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main(): number {
  const names = fs
    .readdirSync(handlersDir)
    .filter((file) => file.endsWith('.lambda.ts'))
    .map((file) => file.slice(0, -'.lambda.ts'.length))
    .sort();
  let failed = false;
  console.log(`handler bundles (limits: ${MAX_BUNDLE_BYTES} bytes, ${MAX_LOAD_MS} ms own load; median of ${RUNS})`);
  for (const name of names) {
    const file = bundle(name);
    const code = fs.readFileSync(file, 'utf8');
    const bytes = Buffer.byteLength(code);
    if (code.includes('node_modules/@aws-sdk/')) throw new Error(`${name}: the AWS SDK was bundled`);
    // The SDK packages the bundle loads at start-up; in Lambda they come from the runtime.
    const sdk = [...new Set([...code.matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1]))];

    // Own load: the bundle's evaluation with the SDK already loaded; cold: everything, SDK included.
    const ownTimes: number[] = [];
    const coldTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      ownTimes.push(timeRequire(file, sdk));
      coldTimes.push(timeRequire(file));
    }
    const own = median(ownTimes);
    const cold = median(coldTimes);
    const tooBig = bytes > MAX_BUNDLE_BYTES;
    const tooSlow = own > MAX_LOAD_MS;
    failed ||= tooBig || tooSlow;
    console.log(
      `${name.padEnd(18)} ${String(bytes).padStart(7)} bytes${tooBig ? ' (OVER)' : ''}  ` +
        `own load ${own.toFixed(1)} ms${tooSlow ? ' (OVER)' : ''}  ` +
        `cold load with ${sdk.join(', ') || 'no SDK'} ${cold.toFixed(1)} ms`,
    );
  }
  if (failed) console.error('FAIL: a handler bundle is over its size or load-time limit');
  return failed ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (err) {
  console.error(`bench failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
