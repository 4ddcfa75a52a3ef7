import { parseArgs } from 'node:util';
import { asUsageError, CliIo, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './cli-io';
import { formatCheckReport } from '../check/format';
import { parseResolverAddress } from '../check/net/dns-client';
import { checkDomain, CheckOptions, DEFAULT_TIMEOUT_MS, SMTP_PORT } from '../check/run-checks';
import { normalizeDomainName } from '../policy/domain-name';

export const CHECK_USAGE = `Usage: cdk-mta-sts check DOMAIN [--json] [--timeout SECONDS] [--no-smtp] [--smtp-port PORT] [--resolver IP[:PORT]]

Checks a live domain from the outside, as a strict RFC 8461 sender does, and says whether mode enforce
would be safe today:
  sts-record      TXT at _mta-sts.DOMAIN (RFC 8461 §3.1)
  policy-fetch    GET https://mta-sts.DOMAIN/.well-known/mta-sts.txt: certificate, 200, text/plain, size
  policy-syntax   the policy by RFC 8461 §3.2
  mx-covered      every live MX host matches an mx pattern (RFC 8461 §4.1)
  mx-tls:HOST     per MX host: EHLO, STARTTLS, certificate chain and MX name, TLS version, expiry
  tlsrpt-record   TXT at _smtp._tls.DOMAIN (RFC 8460 §3)
  dane            TLSA at _25._tcp.MX (information only)

Options:
  --json               print one JSON object
  --timeout SECONDS    deadline of each network step (default ${DEFAULT_TIMEOUT_MS / 1000})
  --no-smtp            do not connect to the MX hosts (mx-tls is skipped)
  --smtp-port PORT     SMTP port of the MX hosts (default ${SMTP_PORT})
  --resolver IP[:PORT] DNS resolver to ask (default: the system's)
  -h, --help           show this help

Trusts the system's certificate store, Node.js's and NODE_EXTRA_CA_CERTS. When an MX host cannot be
reached on port 25 (many networks block it), its mx-tls check is skipped with the reason, not failed.

Exit status: 0 when no check failed, 1 when any failed, 2 on usage errors.
`;

const HELP_HINT = '(see "cdk-mta-sts check --help")';
const MAX_TIMEOUT_SECONDS = 300;

const OPTIONS = {
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  'no-smtp': { type: 'boolean' },
  'smtp-port': { type: 'string' },
  resolver: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `cdk-mta-sts check DOMAIN`: resolves to 0 (no check failed), 1 (some failed) or 2 (usage error). */
export async function runCheckCommand(args: string[], io: CliIo): Promise<number> {
  let parsed: { domain: string; json: boolean; options: CheckOptions } | 'help';
  try {
    parsed = parseOptions(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`cdk-mta-sts check: ${e.message}\n`);
    return EXIT_USAGE;
  }
  if (parsed === 'help') {
    io.stdout.write(CHECK_USAGE);
    return EXIT_OK;
  }
  const report = await checkDomain(parsed.domain, parsed.options);
  io.stdout.write(parsed.json ? JSON.stringify(report, null, 2) + '\n' : formatCheckReport(report));
  return report.checks.some((check) => check.status === 'fail') ? EXIT_FAILED : EXIT_OK;
}

function parseOptions(args: string[]): { domain: string; json: boolean; options: CheckOptions } | 'help' {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} ${HELP_HINT}`);
  }
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new UsageError(`expected one DOMAIN, got ${positionals.length} ${HELP_HINT}`);
  }
  const domain = asUsageError(() => normalizeDomainName(positionals[0], 'DOMAIN'));
  let resolvers: string[] | undefined;
  if (values.resolver !== undefined) {
    const resolver = parseResolverAddress(values.resolver);
    if (resolver === undefined) {
      throw new UsageError(
        `Invalid --resolver ${JSON.stringify(values.resolver)}: expected IP or IP:PORT ([IPv6]:PORT)`,
      );
    }
    resolvers = [resolver];
  }
  return {
    domain,
    json: values.json ?? false,
    options: {
      timeoutMs: seconds(values.timeout),
      smtp: !values['no-smtp'],
      smtpPort: port(values['smtp-port']),
      resolvers,
    },
  };
}

function seconds(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_MS;
  const n = /^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0.1 && n <= MAX_TIMEOUT_SECONDS)) {
    throw new UsageError(
      `Invalid --timeout ${JSON.stringify(text)}: must be seconds from 0.1 to ${MAX_TIMEOUT_SECONDS}`,
    );
  }
  return Math.round(n * 1000);
}

function port(text: string | undefined): number {
  if (text === undefined) return SMTP_PORT;
  const n = /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new UsageError(`Invalid --smtp-port ${JSON.stringify(text)}: must be 1 to 65535`);
  return n;
}
