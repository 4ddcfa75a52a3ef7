import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

/** Where the benchmarks put what they build and generate (git-ignored). */
export const OUT_DIR = path.join(__dirname, 'out');

/**
 * Transpiles src/ to bench/out/lib, one CommonJS file per module as tsc emits them for the package, so the command
 * line loads its subcommands lazily as it does when installed. Returns the path of the CLI's main module.
 */
export function transpileSources(): string {
  const srcDir = path.join(__dirname, '../src');
  const entryPoints = (fs.readdirSync(srcDir, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => path.join(srcDir, file));
  esbuild.buildSync({
    entryPoints,
    outdir: path.join(OUT_DIR, 'lib'),
    outbase: srcDir,
    bundle: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  return path.join(OUT_DIR, 'lib/cli/main.js');
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
