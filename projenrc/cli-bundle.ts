// The command line ships as one bundled file beside the compiled modules. Loaded one by one, the twenty modules
// `report` needs took about 10 ms of every run; bundled, they load in about 4. Dependencies stay outside the bundle
// (they are the package's bundled dependencies), and each subcommand's code still runs only when it is used.
import { execSync } from 'node:child_process';
import * as path from 'node:path';

/** Where the package's `bin` points. */
export const CLI_BUNDLE = 'lib/cli/cdk-mta-sts.js';

/** The esbuild command that writes the bundle, run from the repository root (by post-compile and the benchmarks). */
export function cliBundleCommand(outfile: string = CLI_BUNDLE): string {
  return [
    'esbuild src/cli/main.ts --bundle --platform=node --target=node20 --format=cjs --packages=external',
    `--log-level=warning --outfile=${outfile}`,
  ].join(' ');
}

/** Runs {@link cliBundleCommand} from the repository root with its local esbuild, writing the bundle to `outfile`. */
export function buildCliBundle(outfile: string): void {
  const root = path.join(__dirname, '..');
  const PATH = `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`;
  execSync(cliBundleCommand(outfile), {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PATH },
  });
}
