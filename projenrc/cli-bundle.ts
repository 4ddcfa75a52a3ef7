// The command line ships as one bundled file beside the compiled modules. Loaded one by one, the twenty modules
// `report` needs took about 10 ms of every run; bundled, they load in about 4. Dependencies stay outside the bundle
// (they are the package's bundled dependencies), and each subcommand's code still runs only when it is used.

/** Where the package's `bin` points. */
export const CLI_BUNDLE = 'lib/cli/cdk-mta-sts.js';

/** The esbuild command that writes the bundle, run from the repository root (by post-compile and the benchmarks). */
export function cliBundleCommand(outfile: string = CLI_BUNDLE): string {
  return [
    'esbuild src/cli/main.ts --bundle --platform=node --target=node20 --format=cjs --packages=external',
    `--log-level=warning --outfile=${outfile}`,
  ].join(' ');
}
