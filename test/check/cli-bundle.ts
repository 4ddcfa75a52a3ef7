import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { buildCliBundle } from '../../projenrc/cli-bundle';

const REPO = path.join(__dirname, '..', '..');

/**
 * Bundles the CLI under the repository's .tmp/ exactly as the package ships it (projenrc/cli-bundle.ts), so that
 * `node` can run it inside a lab namespace as an installed `cdk-mta-sts` runs; the dependencies it leaves out
 * resolve from the repository's node_modules.
 */
export function bundleCli(): { file: string; remove: () => void } {
  const file = outfile('cdk-mta-sts');
  buildCliBundle(file);
  return { file, remove: () => fs.rmSync(file, { force: true }) };
}

function outfile(name: string): string {
  const dir = path.join(REPO, '.tmp');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}-${process.pid}-${Date.now()}.js`);
}

/** Bundles `entry` (relative to the repository) as a Lambda handler is: all but the AWS SDK in one file. */
export function bundle(entry: string): { file: string; remove: () => void } {
  const file = outfile(path.basename(entry, '.ts'));
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
