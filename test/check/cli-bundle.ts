import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const REPO = path.join(__dirname, '..', '..');

/**
 * Bundles the CLI (src/cli/main.ts) into one file under the repository's .tmp/, so that `node` can run it inside
 * a lab namespace exactly as an installed `cdk-mta-sts` runs. The AWS SDK stays external (resolved from
 * node_modules): the check does not load it.
 */
export function bundleCli(): { file: string; remove: () => void } {
  return bundle(path.join('src', 'cli', 'main.ts'));
}

/** Bundles `entry` (relative to the repository) the same way. */
export function bundle(entry: string): { file: string; remove: () => void } {
  const dir = path.join(REPO, '.tmp');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${path.basename(entry, '.ts')}-${process.pid}-${Date.now()}.js`);
  buildSync({
    entryPoints: [path.join(REPO, entry)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    outfile: file,
    logLevel: 'silent',
  });
  return { file, remove: () => fs.rmSync(file, { force: true }) };
}
