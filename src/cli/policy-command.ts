import { parseArgs } from 'node:util';
import { asUsageError, CliIo, EXIT_OK, UsageError } from './cli-io';
import { normalizeDomainName } from '../policy/domain-name';
import { toMtaStsMode } from '../policy/mode';
import {
  MAX_MAX_AGE_SECONDS,
  MIN_MAX_AGE_SECONDS,
  policyAdvice,
  PolicyDocument,
  renderPolicyDocument,
} from '../policy/policy-document';
import { policyUrl } from '../policy/policy-object';
import { stsRecordValue, tlsRptRecordValue } from '../policy/records';

export const POLICY_USAGE = `Usage: cdk-mta-sts policy --domain DOMAIN --mode MODE --mx HOST [--mx HOST...] [options]

Print the DNS records and the policy file that publish MTA-STS (RFC 8461) for a domain
whose DNS is not in Route 53.

Options:
  --domain DOMAIN     the mail domain, e.g. example.com
  --mode MODE         enforce, testing or none
  --mx HOST           MX host pattern, repeatable; "*." stands for one left-most label
  --max-age SECONDS   how long senders cache the policy (default 604800, one week)
  --rua URI           TLS-RPT report destination (mailto: or https:), repeatable
  --json              print { domain, records, policyUrl, policy } as JSON
  -h, --help          show this help
`;

const DEFAULT_MAX_AGE_SECONDS = 604800;
const HELP_HINT = '(see "cdk-mta-sts policy --help")';

const OPTIONS = {
  domain: { type: 'string' },
  mode: { type: 'string' },
  mx: { type: 'string', multiple: true },
  'max-age': { type: 'string' },
  rua: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A DNS record to create by hand. */
interface DnsRecord {
  readonly name: string;
  readonly type: 'TXT';
  readonly value: string;
}

/** Everything a person needs to publish the policy without Route 53. */
interface PolicyPublication {
  readonly domain: string;
  readonly records: DnsRecord[];
  readonly policyUrl: string;
  readonly policy: string;
}

/** `cdk-mta-sts policy`: validates like the constructs do and prints what to publish. */
export async function runPolicyCommand(args: string[], io: CliIo): Promise<number> {
  const values = parsePolicyArgs(args);
  if (values.help) {
    io.stdout.write(POLICY_USAGE);
    return EXIT_OK;
  }
  const domain = asUsageError(() => normalizeDomainName(required(values.domain, '--domain'), 'domain'));
  const mode = asUsageError(() => toMtaStsMode(required(values.mode, '--mode'), 'mode'));
  const mx = values.mx ?? [];
  if (mx.length === 0) throw new UsageError(`missing --mx ${HELP_HINT}`);
  const maxAgeSeconds = parseMaxAge(values['max-age']);
  const rua = values.rua ?? [];

  const document = asUsageError(() => renderPolicyDocument({ mode, mx, maxAgeSeconds }));
  const records: DnsRecord[] = [{ name: `_mta-sts.${domain}`, type: 'TXT', value: stsRecordValue(document.id) }];
  if (rua.length > 0) {
    records.push({ name: `_smtp._tls.${domain}`, type: 'TXT', value: asUsageError(() => tlsRptRecordValue(rua)) });
  }
  const publication: PolicyPublication = {
    domain,
    records,
    policyUrl: policyUrl(`mta-sts.${domain}`),
    policy: document.text,
  };

  io.stdout.write(values.json ? JSON.stringify(publication, null, 2) + '\n' : formatPublication(publication, document));
  for (const advice of policyAdvice(document, domain)) io.stderr.write(`warning: ${advice.message}\n`);
  if (rua.length === 0) {
    io.stderr.write('warning: no --rua given, so no TLS-RPT record: nobody will report failed TLS deliveries to you\n');
  }
  return EXIT_OK;
}

function parsePolicyArgs(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const firstLine = (error as Error).message.split('\n')[0];
    throw new UsageError(`${firstLine} ${HELP_HINT}`);
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined) throw new UsageError(`missing ${flag} ${HELP_HINT}`);
  return value;
}

/** Digits only: `1e6`, `86400.0` and `+86400` are mistakes here, as they are in a policy file (RFC 8461 §3.2). */
function parseMaxAge(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_AGE_SECONDS;
  const seconds = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!(seconds >= MIN_MAX_AGE_SECONDS && seconds <= MAX_MAX_AGE_SECONDS)) {
    throw new UsageError(
      `Invalid max-age ${JSON.stringify(text)}: must be a whole number of seconds from ${MIN_MAX_AGE_SECONDS} to ${MAX_MAX_AGE_SECONDS}`,
    );
  }
  return seconds;
}

function formatPublication(publication: PolicyPublication, document: PolicyDocument): string {
  const nameWidth = Math.max('Name'.length, ...publication.records.map((record) => record.name.length));
  const row = (name: string, type: string, value: string) => `  ${name.padEnd(nameWidth)}  ${type.padEnd(4)}  ${value}`;
  const policyLines = document.text.split('\r\n').filter((line) => line !== '');
  return [
    `MTA-STS for ${publication.domain}`,
    '',
    '1. Serve this policy file with HTTP 200, "Content-Type: text/plain" and no redirects at',
    `   ${publication.policyUrl}`,
    `   (the host needs a trusted certificate for mta-sts.${publication.domain}).`,
    '   Every line ends in CRLF ("\\r\\n"), the last one too:',
    '',
    ...policyLines.map((line) => `     ${line}`),
    '',
    '   For the exact bytes, run this command with --json and save the "policy" value.',
    '',
    '2. Once the file is served, add these DNS records (file first, then id: RFC 8461 §8.1):',
    '',
    row('Name', 'Type', 'Value'),
    ...publication.records.map((record) => row(record.name, record.type, record.value)),
    '',
  ].join('\n');
}
