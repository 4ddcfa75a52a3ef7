import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { FIXTURES, gzipJson, reportWithPolicy } from './mail-builder';
import { runReportCommand } from '../../src/cli/report-command';
import { parseReportFile } from '../../src/reporting/parser';

const REPO = path.resolve(__dirname, '../..');

// Counts the files being parsed at once; each parse yields first, so that files overlap when the command lets them.
// It also records, as each parse starts, whether the bytes of the file parsed before it have been garbage collected.
// With `sync` set, files are parsed at once instead, as canonical mails and JSON files are.
const mockParsing = {
  now: 0,
  max: 0,
  sync: false,
  previous: undefined as WeakRef<object> | undefined,
  previousReleased: [] as boolean[],
};
jest.mock('../../src/reporting/parser', () => {
  const actual = jest.requireActual('../../src/reporting/parser');
  const started = (bytes: object) => {
    if (mockParsing.previous) mockParsing.previousReleased.push(mockParsing.previous.deref() === undefined);
    mockParsing.previous = new WeakRef(bytes);
    mockParsing.max = Math.max(mockParsing.max, ++mockParsing.now);
  };
  return {
    ...actual,
    parseReportFileNow: (...args: unknown[]) => {
      started(args[1] as object);
      if (mockParsing.sync) {
        try {
          return actual.parseReportFileNow(...args);
        } finally {
          mockParsing.now--;
        }
      }
      // Every file takes a while here, as mails postal-mime reads do, so the command has files in flight.
      return (async () => {
        try {
          await new Promise((resolve) => setImmediate(resolve));
          return await actual.parseReportFileNow(...args);
        } finally {
          mockParsing.now--;
        }
      })();
    },
  };
});

/** An in-memory stream; `slow` makes every write complete asynchronously with a tiny buffer (backpressure). */
function memoryStream(slow = false): { stream: Writable; text: () => string; writes: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    highWaterMark: slow ? 16 : 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      if (slow) setImmediate(callback);
      else callback();
    },
  });
  return { stream, text: () => chunks.join(''), writes: () => [...chunks] };
}

async function run(args: string[], options: { cwd?: string; slow?: boolean } = {}) {
  const stdout = memoryStream(options.slow);
  const stderr = memoryStream();
  const cwd = process.cwd();
  process.chdir(options.cwd ?? FIXTURES);
  try {
    const code = await runReportCommand(args, { stdout: stdout.stream, stderr: stderr.stream });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    process.chdir(cwd);
  }
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'report-command-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('usage', () => {
  test('no FILE is a usage error', async () => {
    expect(await run([])).toStrictEqual({
      code: 2,
      stdout: '',
      stderr: 'cdk-mta-sts report: no FILE given\nUsage: cdk-mta-sts report [--json] FILE...\n',
    });
    expect((await run(['--json'])).code).toBe(2);
  });

  test('an unknown flag is a usage error', async () => {
    expect(await run(['--yaml', 'cryinc-google.json'])).toStrictEqual({
      code: 2,
      stdout: '',
      stderr: 'cdk-mta-sts report: unknown option --yaml\nUsage: cdk-mta-sts report [--json] FILE...\n',
    });
  });

  test('--help', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: cdk-mta-sts report \[--json\] FILE\.\.\.\n/);
    expect(result.stderr).toBe('');
  });

  test('after --, a name starting with - is a file', async () => {
    const result = await run(['--json', '--', '-odd.json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toStrictEqual([{ source: '-odd.json', error: 'cannot read file (ENOENT)' }]);
  });
});

describe('--json', () => {
  test('one element per file, in order; exit 0 when every file gave a report', async () => {
    const result = await run(['--json', 'parsedmarc-rfc8460.json', 'mox-google.eml', 'cryinc-microsoft.json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const output = JSON.parse(result.stdout);
    expect(output.map((entry: { source: string }) => entry.source)).toStrictEqual([
      'parsedmarc-rfc8460.json',
      'mox-google.eml',
      'cryinc-microsoft.json',
    ]);
    expect(
      output.map((entry: { reports: { reportId: string }[] }) => entry.reports.map((r) => r.reportId)),
    ).toStrictEqual([
      ['5065427c-23d3-47ca-b6e0-946ea0e8c4be'],
      ['2022-09-15T00:00:00Z_test.xmox.nl'],
      ['133925885310113267+random.net'],
    ]);
    expect(output[1].reports[0].mail.tlsReportSubmitter).toBe('google.com');
    expect(output[0].reports[0].policies[0].failureDetails[1]).toStrictEqual({
      resultType: 'starttls-not-supported',
      sendingMtaIp: '2001:db8:abcd:0013::1',
      receivingMxHostname: 'mx2.mail.company-y.example',
      receivingIp: '203.0.113.56',
      failedSessionCount: 200,
      additionalInformation: 'https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported',
    });
  });

  test('a file without a report gives an error element and exit 1', async () => {
    const result = await run(['--json', 'README.md', 'cryinc-google.json', 'missing.json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const output = JSON.parse(result.stdout);
    expect(output[0]).toStrictEqual({ source: 'README.md', error: 'mail has no TLS report part' });
    expect(output[1].source).toBe('cryinc-google.json');
    expect(output[1].reports).toHaveLength(1);
    expect(output[2]).toStrictEqual({ source: 'missing.json', error: 'cannot read file (ENOENT)' });
  });

  test('a directory or a hostile file is an error element, never a crash', async () => {
    const bomb = path.join(tmp, 'deep.json');
    fs.writeFileSync(bomb, '['.repeat(100_000) + ']'.repeat(100_000));
    const result = await run(['--json', tmp, bomb, 'cryinc-google.json'], { cwd: FIXTURES });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toStrictEqual([
      { source: tmp, error: 'cannot read file (EISDIR)' },
      { source: bomb, error: 'JSON nests deeper than 64 levels' },
      expect.objectContaining({ source: 'cryinc-google.json' }),
    ]);
  });

  test('waits for a slow stdout: all output arrives before the command resolves', async () => {
    const files = fs.readdirSync(FIXTURES).filter((file) => file !== 'README.md');
    const many = Array.from({ length: 40 }, () => files).flat();
    const result = await run(['--json', ...many], { slow: true });
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(256 * 1024);
    expect(JSON.parse(result.stdout)).toHaveLength(many.length);
  });
});

describe('table', () => {
  test('one row per policy domain and type; duplicates counted once', async () => {
    const result = await run([
      'parsedmarc-rfc8460.json',
      'parsedmarc-mail.ru.json',
      'parsedmarc-example-inc.json',
      'mox-google.eml',
      'mox-google.decoded.json',
      'cryinc-microsoft.json',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        'POLICY DOMAIN      POLICY  REPORTS  SESSIONS  FAILURES  FAILURE RATE  TOP RESULT TYPES',
        'company-y.example  sts           1      5629       303         5.38%  starttls-not-supported (200), certificate-expired (100), validation-failure (3)',
        'example.com        sts           2         4         4       100.00%  validation-failure (3), sts-policy-fetch-error (2)',
        'random.net         sts           1         2         0         0.00%  -',
        'random.net         tlsa          1         2         0         0.00%  -',
        'test.xmox.nl       sts           1         3         0         0.00%  -',
        '5 report(s) from 6 file(s), 1 duplicate(s) skipped',
        '',
      ].join('\n'),
    );
  });

  test('files without a report are listed on stderr; exit 1', async () => {
    const result = await run(['cryinc-no_ip_and_mx.json', 'missing.json', 'README.md']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        'POLICY DOMAIN  POLICY  REPORTS  SESSIONS  FAILURES  FAILURE RATE  TOP RESULT TYPES',
        'xxxxxxxx.xx    sts           1         3         3       100.00%  sts-policy-fetch-error (3)',
        '1 report(s) from 3 file(s); 2 file(s) without a report',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe(
      'cdk-mta-sts report: missing.json: cannot read file (ENOENT)\n' +
        'cdk-mta-sts report: README.md: mail has no TLS report part\n',
    );
  });

  test('a report without policy domain and control characters from the sender', async () => {
    const file = path.join(tmp, 'odd.json');
    fs.writeFileSync(
      file,
      JSON.stringify(
        reportWithPolicy({
          policy: { 'policy-type': 'no-policy-found' },
          summary: { 'total-successful-session-count': 0, 'total-failure-session-count': 0 },
          'failure-details': [{ 'result-type': 'evil\u001b[2J', 'failed-session-count': 0 }],
        }),
      ),
    );
    const result = await run([file]);
    expect(result.stdout).toBe(
      [
        'POLICY DOMAIN  POLICY           REPORTS  SESSIONS  FAILURES  FAILURE RATE  TOP RESULT TYPES',
        '(none)         no-policy-found        1         0         0             -  evil?[2J (0)',
        '1 report(s) from 1 file(s)',
        '',
      ].join('\n'),
    );
  });
});

describe('as a child process writing to a real pipe', () => {
  // The command must resolve only once its output is written: the child exits right after.
  const script = [
    `require(${JSON.stringify(path.join(REPO, 'src/cli/report-command.ts'))})`,
    '.runReportCommand(process.argv.slice(1), { stdout: process.stdout, stderr: process.stderr })',
    '.then((code) => process.exit(code));',
  ].join('');

  function spawnCommand(args: string[], onStdout?: (chunk: Buffer, kill: () => void) => void) {
    return new Promise<{ code: number | null; stdout: Buffer; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script, '--', ...args], {
        cwd: REPO,
        env: { ...process.env, TS_NODE_PROJECT: path.join(REPO, 'test', 'tsconfig.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => {
        stdout.push(chunk);
        onStdout?.(chunk, () => child.stdout.destroy());
      });
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', reject);
      child.on('close', (code) =>
        resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') }),
      );
    });
  }

  function writeLargeReports(count: number): string[] {
    return Array.from({ length: count }, (_, n) => {
      const rows = Array.from({ length: 300 }, (_row, i) => ({
        'result-type': 'certificate-expired',
        'sending-mta-ip': `192.0.2.${i % 256}`,
        'receiving-mx-hostname': `mx${i}.example.com`,
        'receiving-ip': `198.51.100.${i % 256}`,
        'failed-session-count': 1,
      }));
      const file = path.join(tmp, `large-${n}.json.gz`);
      fs.writeFileSync(
        file,
        gzipJson(
          reportWithPolicy({
            summary: { 'total-successful-session-count': 1, 'total-failure-session-count': 300 },
            'failure-details': rows,
          }),
        ),
      );
      return file;
    });
  }

  test('gives results in argument order when mails only postal-mime reads come between ones read at once', async () => {
    const names = [
      'mail-auth-rpt02-plain-json.eml',
      'mox-google.eml',
      'cryinc-google.json',
      'mail-auth-rpt02-plain-json.eml',
      'parsedmarc-google.com.eml',
    ];
    const files = [...names.map((name) => path.join(FIXTURES, name)), path.join(tmp, 'absent.eml')];
    const result = await spawnCommand(['--json', ...files]);
    expect(result.code).toBe(1);
    const output = JSON.parse(result.stdout.toString('utf8'));
    expect(output.map((r: { source: string }) => r.source)).toStrictEqual(files);
    for (const [i, file] of files.slice(0, names.length).entries()) {
      const expected = await parseReportFile(file, fs.readFileSync(file));
      expect(output[i]).toStrictEqual({ source: file, reports: JSON.parse(JSON.stringify(expected)) });
    }
    expect(output[names.length]).toStrictEqual({ source: files[names.length], error: 'cannot read file (ENOENT)' });
  }, 60_000);

  test('flushes more than 64 KiB of JSON before exiting', async () => {
    const files = writeLargeReports(24);
    const result = await spawnCommand(['--json', ...files, path.join(tmp, 'absent.eml')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout.length).toBeGreaterThan(1024 * 1024);
    const output = JSON.parse(result.stdout.toString('utf8'));
    expect(output).toHaveLength(25);
    expect(output[23].reports[0].policies[0].failureDetails).toHaveLength(300);
    expect(output[24]).toStrictEqual({ source: path.join(tmp, 'absent.eml'), error: 'cannot read file (ENOENT)' });
  }, 60_000);

  test('writes its output in chunks of at least 64 KiB, the last excepted', async () => {
    // Fewer writes than results, and no string held longer than a chunk (they are copied by every collection).
    const files = writeLargeReports(6);
    const stdout = memoryStream();
    const code = await runReportCommand(['--json', ...files], { stdout: stdout.stream, stderr: memoryStream().stream });
    expect(code).toBe(0);
    const result = { stdout: stdout.text() };
    expect(JSON.parse(result.stdout)).toHaveLength(6);
    const sizes = stdout.writes().map((write) => write.length);
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    expect(sizes.length).toBeLessThan(6);
    for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThanOrEqual(64 * 1024);
    // A chunk is flushed as soon as it reaches 64 KiB, so none holds more than that plus one file's result.
    for (const size of sizes) expect(size).toBeLessThan(64 * 1024 + result.stdout.length / 6 + 1024);
  }, 60_000);

  test('a reader that goes away (EPIPE) ends the command with exit 1 and no stack trace', async () => {
    const files = writeLargeReports(20);
    const result = await spawnCommand(['--json', ...files], (_chunk, kill) => kill());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cdk-mta-sts report: cannot write output \(.*\)\n$/);
  }, 60_000);
});

describe('memory', () => {
  test('at most two files are read and parsed at a time', async () => {
    // 16 in flight let 8 hostile mails take 4.4 GB.
    const files = Array.from({ length: 12 }, () => 'cryinc-google.json');
    mockParsing.max = 0;
    const result = await run(['--json', ...files]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveLength(12);
    expect(mockParsing.max).toBe(2);
    mockParsing.max = 0;
    expect((await run(files)).code).toBe(0);
    expect(mockParsing.max).toBe(2);
  });

  test('large files are read one at a time', async () => {
    // Two 11 MiB files are over the 20 MiB budget together.
    const big = path.join(tmp, 'big.json');
    fs.writeFileSync(big, Buffer.alloc(11 * 1024 * 1024, 0x20));
    mockParsing.max = 0;
    const result = await run(['--json', big, big, 'cryinc-google.json', 'cryinc-google.json']);
    expect(JSON.parse(result.stdout).map((r: { error?: string }) => r.error ?? 'ok')).toEqual([
      'report is empty',
      'report is empty',
      'ok',
      'ok',
    ]);
    // A big file may overlap a small one, never the other big one (below).
    expect(mockParsing.max).toBe(2);
    mockParsing.max = 0;
    await run(['--json', big, big]);
    expect(mockParsing.max).toBe(1);
  }, 60_000);

  test.each([false, true])(
    "a large file's memory is collected before the next file is read (parsed at once: %s)",
    async (sync) => {
      // Left to the garbage collector, two 20 MiB mails' worth stayed in memory (374 MB for 8 mails; 256 MB allowed).
      const big = path.join(tmp, 'big.json');
      fs.writeFileSync(big, Buffer.alloc(11 * 1024 * 1024, 0x20));
      mockParsing.previous = undefined;
      mockParsing.previousReleased = [];
      mockParsing.sync = sync;
      try {
        const result = await run(['--json', big, big, big]);
        expect(JSON.parse(result.stdout)).toHaveLength(3);
      } finally {
        mockParsing.sync = false;
      }
      expect(mockParsing.previousReleased).toEqual([true, true]);
    },
    60_000,
  );

  test('files parsed at once are parsed one at a time and printed in order', async () => {
    mockParsing.max = 0;
    mockParsing.sync = true;
    try {
      const files = ['mox-google.eml', 'cryinc-google.json', 'parsedmarc-google.com.eml', 'cryinc-microsoft.json'];
      const result = await run(['--json', ...files]);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).map((r: { source: string }) => r.source)).toStrictEqual(files);
      expect(mockParsing.max).toBe(1);
    } finally {
      mockParsing.sync = false;
    }
  });
});
