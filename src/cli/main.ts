#!/usr/bin/env node
import { readFileSync } from 'fs';
import { join } from 'path';
import { CliIo, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './cli-io';

type Command = (args: string[], io: CliIo) => Promise<number>;

/**
 * Subcommands: adding one is one entry here. Each is loaded only when run, so `policy` never loads the S3 client
 * or the MIME parser (they took about 60 ms of every start).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- require() in a function is what makes loading lazy */
const COMMANDS: Record<string, { readonly load: () => Command; readonly summary: string }> = {
  policy: {
    load: () => (require('./policy-command') as typeof import('./policy-command')).runPolicyCommand,
    summary: 'print the DNS records and policy file for DNS outside Route 53',
  },
  report: {
    load: () => (require('./report-command') as typeof import('./report-command')).runReportCommand,
    summary: 'parse TLS-RPT report mails and JSON files (.eml, .json, .json.gz)',
  },
  check: {
    load: () => (require('./check-command') as typeof import('./check-command')).runCheckCommand,
    summary: 'check a live domain from the outside, as a strict MTA-STS sender does',
  },
  readiness: {
    load: () => (require('./readiness-command') as typeof import('./readiness-command')).runReadinessCommand,
    summary: 'say whether stored TLS-RPT reports allow switching a domain to enforce',
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const commands = Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return [
    'Usage: cdk-mta-sts <command> [options]',
    '',
    'Commands:',
    ...commands,
    '',
    'Run "cdk-mta-sts <command> --help" for the options of a command.',
    '',
  ].join('\n');
}

/** Runs one command line and returns the exit code; never throws and never prints a stack trace. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return EXIT_OK;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout.write(`${packageVersion()}\n`);
    return EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.stderr.write(`cdk-mta-sts: unknown command ${JSON.stringify(name)} (see "cdk-mta-sts --help")\n`);
    return EXIT_USAGE;
  }
  try {
    return await command.load()(args, io);
  } catch (error) {
    io.stderr.write(`cdk-mta-sts: ${oneLine(error)}\n`);
    return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILED;
  }
}

/** The installed package's version: package.json sits two levels up from both src/cli and lib/cli. */
function packageVersion(): string {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ');
}

if (require.main === module) {
  // exitCode instead of process.exit() so piped stdout drains first.
  void main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
    process.exitCode = code;
  });
}
