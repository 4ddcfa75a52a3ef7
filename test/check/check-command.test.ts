import { Writable } from 'node:stream';
import { main } from '../../src/cli/main';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  return { stream, text: () => text };
}

async function cli(...argv: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('cdk-mta-sts check: usage', () => {
  test('--help prints the usage and exits 0', async () => {
    const result = await cli('check', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: cdk-mta-sts check DOMAIN \[--json\]/);
  });

  test('is listed in the command overview', async () => {
    expect((await cli('--help')).stdout).toContain('  check      check a live domain from the outside');
  });

  test.each<[string[], string]>([
    [[], 'cdk-mta-sts check: expected one DOMAIN, got 0 (see "cdk-mta-sts check --help")\n'],
    [['a.example', 'b.example'], 'cdk-mta-sts check: expected one DOMAIN, got 2 (see "cdk-mta-sts check --help")\n'],
    [['192.0.2.1'], 'cdk-mta-sts check: Invalid DOMAIN "192.0.2.1": is an IP address; give a host name\n'],
    [
      ['*.example.com'],
      'cdk-mta-sts check: Invalid DOMAIN "*.example.com": a wildcard is not allowed here; give the exact domain name\n',
    ],
    [['example.com', '--timeout', '0'], 'cdk-mta-sts check: Invalid --timeout "0": must be seconds from 0.1 to 300\n'],
    [
      ['example.com', '--timeout', 'ten'],
      'cdk-mta-sts check: Invalid --timeout "ten": must be seconds from 0.1 to 300\n',
    ],
    [['example.com', '--smtp-port', '70000'], 'cdk-mta-sts check: Invalid --smtp-port "70000": must be 1 to 65535\n'],
    [
      ['example.com', '--resolver', 'dns.google'],
      'cdk-mta-sts check: Invalid --resolver "dns.google": expected IP or IP:PORT ([IPv6]:PORT)\n',
    ],
  ])('%j exits 2 with one line', async (args, stderr) => {
    const result = await cli('check', ...args);
    expect(result).toEqual({ code: 2, stdout: '', stderr });
  });

  test('an unknown option exits 2 with one line', async () => {
    const result = await cli('check', 'example.com', '--bogus');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^cdk-mta-sts check: Unknown option '--bogus'\..*\(see "cdk-mta-sts check --help"\)\n$/,
    );
  });
});
