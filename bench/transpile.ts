import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { buildCliBundle } from '../projenrc/cli-bundle';

/** Where the benchmarks put what they build and generate (git-ignored). */
export const OUT_DIR = path.join(__dirname, 'out');

/**
 * Builds the command line as the package ships it (post-compile: one bundled file, see projenrc/cli-bundle.ts) into
 * bench/out/lib/cli, and returns its path.
 */
export function bundleCli(): string {
  const outfile = path.join(OUT_DIR, 'lib/cli/cdk-mta-sts.js');
  buildCliBundle(outfile);
  return outfile;
}

/** Bundles one entry point into a single file in bench/out, as the Lambda bundles are built. */
export function bundle(entry: string, outfile: string): string {
  const out = path.join(OUT_DIR, outfile);
  esbuild.buildSync({
    entryPoints: [path.join(__dirname, entry)],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  return out;
}
