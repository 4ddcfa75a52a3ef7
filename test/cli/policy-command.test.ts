import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { CliIo } from '../../src/cli/cli-io';
import { main } from '../../src/cli/main';
import { POLICY_USAGE } from '../../src/cli/policy-command';

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function memoryStream(sink: string[]): Writable {
  return new Writable({
    write(chunk, _encoding, callback) {
      sink.push(String(chunk));
      callback();
    },
  });
}

async function run(...argv: string[]): Promise<RunResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIo = { stdout: memoryStream(stdout), stderr: memoryStream(stderr) };
  const code = await main(argv, io);
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

const BASIC = ['policy', '--domain', 'example.com', '--mode', 'enforce', '--mx', 'mail.example.com'];
const NO_RUA_WARNING =
  'warning: no --rua given, so no TLS-RPT record: nobody will report failed TLS deliveries to you\n';
const HINT = '(see "cdk-mta-sts policy --help")';

describe('cdk-mta-sts policy', () => {
  test('prints the policy file and both TXT records', async () => {
    const result = await run(
      'policy',
      '--domain',
      'Example.COM.',
      '--mode',
      'testing',
      '--mx',
      'mx1.example.com',
      '--mx',
      'MX2.example.com.',
      '--mx',
      'mx1.example.com',
      '--max-age',
      '1209600',
      '--rua',
      'mailto:tlsrpt@example.com',
      '--rua',
      'https://reports.example.com/tlsrpt',
    );
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'MTA-STS for example.com',
        '',
        '1. Serve this policy file with HTTP 200, "Content-Type: text/plain" and no redirects at',
        '   https://mta-sts.example.com/.well-known/mta-sts.txt',
        '   (the host needs a trusted certificate for mta-sts.example.com).',
        '   Every line ends in CRLF ("\\r\\n"), the last one too:',
        '',
        '     version: STSv1',
        '     mode: testing',
        '     mx: mx1.example.com',
        '     mx: mx2.example.com',
        '     max_age: 1209600',
        '',
        '   For the exact bytes, run this command with --json and save the "policy" value.',
        '',
        '2. Once the file is served, add these DNS records (file first, then id: RFC 8461 §8.1):',
        '',
        '  Name                    Type  Value',
        '  _mta-sts.example.com    TXT   v=STSv1; id=a9449f470edd340d00c4a5ba7edff05e',
        '  _smtp._tls.example.com  TXT   v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.com/tlsrpt',
        '',
      ].join('\n'),
    });
  });

  test('prints JSON with --json, the policy with its CRLF line ends', async () => {
    const result = await run(...BASIC, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      domain: 'example.com',
      records: [{ name: '_mta-sts.example.com', type: 'TXT', value: 'v=STSv1; id=a5963b31a082635c6ec668171482b14f' }],
      policyUrl: 'https://mta-sts.example.com/.well-known/mta-sts.txt',
      policy: 'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n',
    });
    expect(result.stderr).toBe(NO_RUA_WARNING);
  });

  test('converts U-labels to A-labels', async () => {
    const result = await run(
      'policy',
      '--domain',
      'bücher.example',
      '--mode',
      'none',
      '--mx',
      'mail.bücher.example',
      '--json',
    );
    const output = JSON.parse(result.stdout);
    expect(output.domain).toBe('xn--bcher-kva.example');
    expect(output.policy).toBe('version: STSv1\r\nmode: none\r\nmx: mail.xn--bcher-kva.example\r\nmax_age: 604800\r\n');
  });

  test('reads a max age with leading zeros as a plain number', async () => {
    const result = await run(...BASIC, '--max-age', '0086400', '--json');
    expect(JSON.parse(result.stdout).policy).toBe(
      'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 86400\r\n',
    );
  });

  test('warns on stderr but exits 0 for a risky policy', async () => {
    const result = await run(
      'policy',
      '--domain',
      'example.com',
      '--mode',
      'enforce',
      '--mx',
      '*.example.com',
      '--max-age',
      '3600',
      '--json',
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'warning: mx "*.example.com" lets any host with a certificate for a name under example.com receive mail for ' +
        'example.com (RFC 8461 §10.4); list the MX hosts instead\n' +
        'warning: max_age 3600 is under one day (86400 seconds) in mode "enforce"; senders re-fetch the policy often ' +
        'and a short cache weakens protection (RFC 8461 §10.2 suggests weeks)\n' +
        NO_RUA_WARNING,
    );
  });

  const MAX_AGE_RANGE = 'must be a whole number of seconds from 1 to 31557600';
  test.each<[string, string[], string]>([
    [
      'an invalid mx',
      ['--mx', '*.*.example.com'],
      'Invalid mx "*.*.example.com": a wildcard is allowed only as the whole left-most label ("*.example.com")',
    ],
    [
      'a comma-separated mx list',
      ['--mx', 'a.example.com,b.example.com'],
      'Invalid mx "a.example.com,b.example.com": contains a comma; give one host name per entry',
    ],
    [
      'a DMARC-style rua',
      ['--rua', 'mailto:a@example.com!10m'],
      'Invalid rua "mailto:a@example.com!10m": ends in a DMARC-style size limit "!10m", which TLS-RPT does not support',
    ],
    ['max-age 0', ['--max-age', '0'], `Invalid max-age "0": ${MAX_AGE_RANGE}`],
    ['max-age 31557601', ['--max-age', '31557601'], `Invalid max-age "31557601": ${MAX_AGE_RANGE}`],
    ['max-age +86400', ['--max-age', '+86400'], `Invalid max-age "+86400": ${MAX_AGE_RANGE}`],
    ['max-age 86400.0', ['--max-age', '86400.0'], `Invalid max-age "86400.0": ${MAX_AGE_RANGE}`],
    ['max-age 1e6', ['--max-age', '1e6'], `Invalid max-age "1e6": ${MAX_AGE_RANGE}`],
    ['max-age 0x15180', ['--max-age', '0x15180'], `Invalid max-age "0x15180": ${MAX_AGE_RANGE}`],
    ['max-age 86_400', ['--max-age', '86_400'], `Invalid max-age "86_400": ${MAX_AGE_RANGE}`],
    ['max-age empty', ['--max-age', ''], `Invalid max-age "": ${MAX_AGE_RANGE}`],
    ['max-age -1', ['--max-age=-1'], `Invalid max-age "-1": ${MAX_AGE_RANGE}`],
    ['an unknown option', ['--ttl', '300'], `Unknown option '--ttl' ${HINT}`],
    [
      'a positional argument',
      ['extra'],
      `Unexpected argument 'extra'. This command does not take positional arguments ${HINT}`,
    ],
    ['a flag without its value', ['--max-age'], `Option '--max-age <value>' argument missing ${HINT}`],
  ])('fails with exit 2 for %s', async (_what, extra, message) => {
    expect(await run(...BASIC, ...extra)).toEqual({ code: 2, stdout: '', stderr: `cdk-mta-sts: ${message}\n` });
  });

  test.each<[string, string[], string]>([
    ['--domain', ['policy', '--mode', 'enforce', '--mx', 'mail.example.com'], `missing --domain ${HINT}`],
    ['--mode', ['policy', '--domain', 'example.com', '--mx', 'mail.example.com'], `missing --mode ${HINT}`],
    ['--mx', ['policy', '--domain', 'example.com', '--mode', 'enforce'], `missing --mx ${HINT}`],
  ])('fails with exit 2 without %s', async (_flag, argv, message) => {
    expect(await run(...argv)).toEqual({ code: 2, stdout: '', stderr: `cdk-mta-sts: ${message}\n` });
  });

  test.each<[string, string[], string]>([
    [
      'domain',
      ['--domain', '*.example.com'],
      'Invalid domain "*.example.com": a wildcard is not allowed here; give the exact domain name',
    ],
    ['mode', ['--mode', 'Enforce'], 'Invalid mode "Enforce": must be one of "none", "testing", "enforce" (lower-case)'],
  ])('fails with exit 2 for an invalid %s', async (_what, override, message) => {
    expect(await run(...BASIC, ...override)).toEqual({ code: 2, stdout: '', stderr: `cdk-mta-sts: ${message}\n` });
  });

  test('prints its usage with --help', async () => {
    expect(await run('policy', '--help')).toEqual({ code: 0, stdout: POLICY_USAGE, stderr: '' });
  });
});

describe('cdk-mta-sts', () => {
  const USAGE = [
    'Usage: cdk-mta-sts <command> [options]',
    '',
    'Commands:',
    '  policy     print the DNS records and policy file for DNS outside Route 53',
    '  report     parse TLS-RPT report mails and JSON files (.eml, .json, .json.gz)',
    '  check      check a live domain from the outside, as a strict MTA-STS sender does',
    '  readiness  say whether stored TLS-RPT reports allow switching a domain to enforce',
    '',
    'Run "cdk-mta-sts <command> --help" for the options of a command.',
    '',
  ].join('\n');

  test.each([[[]], [['--help']], [['-h']]])('prints usage for %j', async (argv) => {
    expect(await run(...argv)).toEqual({ code: 0, stdout: USAGE, stderr: '' });
  });

  test('fails with exit 2 for an unknown command', async () => {
    expect(await run('deploy')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'cdk-mta-sts: unknown command "deploy" (see "cdk-mta-sts --help")\n',
    });
  });

  test('fails with exit 1 and one line, no stack trace, on an unexpected error', async () => {
    const stderr: string[] = [];
    const brokenStdout = new Writable({
      write() {
        throw new Error('stdout closed\n    at somewhere');
      },
    });
    const code = await main(BASIC, { stdout: brokenStdout, stderr: memoryStream(stderr) });
    expect({ code, stderr: stderr.join('') }).toEqual({ code: 1, stderr: 'cdk-mta-sts: stdout closed at somewhere\n' });
  });

  test('exits 2 from the real process on bad input', () => {
    const repoRoot = path.join(__dirname, '..', '..');
    const child = spawnSync(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        path.join('src', 'cli', 'main.ts'),
        ...BASIC,
        '--mx',
        'mail.example.com:25',
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 30000 },
    );
    expect({ status: child.status, stdout: child.stdout, stderr: child.stderr }).toEqual({
      status: 2,
      stdout: '',
      stderr: 'cdk-mta-sts: Invalid mx "mail.example.com:25": includes a port; give only the host name\n',
    });
  });
});
