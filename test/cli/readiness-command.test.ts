import { Writable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CheckReport } from '../../src/check/check-result';
import { READINESS_USAGE, runReadinessCommand } from '../../src/cli/readiness-command';
import { createHandler as createReceiver } from '../../src/reporting/handlers/https-receiver.lambda';
import { ReportMetrics } from '../../src/reporting/handlers/metrics';
import { ReportStore } from '../../src/reporting/handlers/report-store';
import { parseReportJson, ReportMail } from '../../src/reporting/parser';
import { windowDates } from '../../src/reporting/readiness';
import { BUCKET, CREDENTIALS, useS3Server } from '../support/s3-server';

const NOW = new Date('2026-11-23T10:00:00Z');
/** 2026-11-09 … 2026-11-22. */
const DAYS = windowDates(NOW, 14);
const HINT = '(see "cdk-mta-sts readiness --help")';

const s3 = useS3Server();
const savedEnv = { ...process.env };

function memoryStream(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function run(...args: string[]) {
  const stdout = memoryStream();
  const stderr = memoryStream();
  const code = await runReadinessCommand(args, { stdout: stdout.stream, stderr: stderr.stream }, { now: () => NOW });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The next day at `time`: when the sender mails the report about `date`. */
function nextDay(date: string, time: string): string {
  return new Date(Date.parse(`${date}T${time}Z`) + 24 * 60 * 60 * 1000).toISOString();
}

/** Parses an RFC 8460 report and stores it exactly as the ingestion Lambda does. */
async function ingest(report: object, receivedAt: string, mail: ReportMail): Promise<void> {
  const parsed = parseReportJson(Buffer.from(JSON.stringify(report)), undefined, mail);
  // The mail path records the DKIM domain it verified (aligned with From): here, the From domain.
  const signer = mail.from!.replace(/^.*@/, '');
  const verified = { ...parsed, mail: { ...parsed.mail!, dkimDomain: signer, dkimSelector: 'tlsrpt2024' } };
  const store = new ReportStore(s3.client, BUCKET);
  const origin = { source: `raw/${receivedAt}`, channel: 'mail', receivedAt, identity: signer } as const;
  for await (const stored of store.storeReport(verified, origin)) {
    expect(stored.created).toBe(true);
  }
}

interface FailureRow {
  readonly type: string;
  readonly sessions: number;
  readonly host?: string;
}

function stsPolicyStrings(mx: string[]): string[] {
  return ['version: STSv1', 'mode: testing', ...mx.map((m) => `mx: ${m}`), 'max_age: 604800'];
}

/** Google: report-id `<date>T00:00:00Z_<domain>`, mx-host as a list, no failure-details without failures. */
async function google(domain: string, date: string, successes: number, mx: string[], failures: FailureRow[] = []) {
  const report = {
    'organization-name': 'Google Inc.',
    'date-range': { 'start-datetime': `${date}T00:00:00Z`, 'end-datetime': `${date}T23:59:59Z` },
    'contact-info': 'smtp-tls-reporting@google.com',
    'report-id': `${date}T00:00:00Z_${domain}`,
    policies: [
      {
        policy: { 'policy-type': 'sts', 'policy-string': stsPolicyStrings(mx), 'policy-domain': domain, 'mx-host': mx },
        summary: {
          'total-successful-session-count': successes,
          'total-failure-session-count': failures.reduce((n, f) => n + f.sessions, 0),
        },
        ...(failures.length === 0
          ? {}
          : {
              'failure-details': failures.map((f) => ({
                'result-type': f.type,
                'sending-mta-ip': '',
                'receiving-mx-hostname': f.host,
                'receiving-ip': '198.51.100.25',
                'failed-session-count': f.sessions,
              })),
            }),
      },
    ],
  };
  const compact = date.replace(/-/g, '.');
  await ingest(report, nextDay(date, '10:53:21.412'), {
    tlsReportDomain: domain,
    tlsReportSubmitter: 'google.com',
    messageId: `<${date}.tls@google.com>`,
    from: 'noreply-smtp-tls-reporting@google.com',
    subject: `Report Domain: ${domain} Submitter: google.com Report-ID: <${compact}T00.00.00Z+${domain}@google.com>`,
    dkimVerdict: 'PASS',
  });
}

/** Google's heartbeat for a domain without a policy it could find. */
async function googleNoPolicy(domain: string, date: string, successes: number) {
  const report = {
    'organization-name': 'Google Inc.',
    'date-range': { 'start-datetime': `${date}T00:00:00Z`, 'end-datetime': `${date}T23:59:59Z` },
    'contact-info': 'smtp-tls-reporting@google.com',
    'report-id': `${date}T00:00:00Z_${domain}`,
    policies: [
      {
        policy: { 'policy-type': 'no-policy-found', 'policy-domain': domain },
        summary: { 'total-successful-session-count': successes, 'total-failure-session-count': 0 },
      },
    ],
  };
  await ingest(report, nextDay(date, '10:40:00'), {
    tlsReportDomain: domain,
    tlsReportSubmitter: 'google.com',
    messageId: `<${date}.nopolicy@google.com>`,
    from: 'noreply-smtp-tls-reporting@google.com',
    subject: `Report Domain: ${domain} Submitter: google.com`,
    dkimVerdict: 'PASS',
  });
}

/**
 * Microsoft: report-id `<.NET ticks>+<domain>`, no mx-host, a tlsa row for the same sessions with its records packed
 * into one JSON string; `fetchErrors` makes it an sts-policy-fetch-error row without policy string or host.
 */
async function microsoft(domain: string, date: string, successes: number, mx: string[], fetchErrors = 0) {
  const summary = { 'total-successful-session-count': successes, 'total-failure-session-count': fetchErrors };
  const sts =
    fetchErrors === 0
      ? { policy: { 'policy-type': 'sts', 'policy-string': stsPolicyStrings(mx), 'policy-domain': domain }, summary }
      : {
          policy: { 'policy-type': 'sts', 'policy-domain': domain },
          summary,
          'failure-details': [{ 'result-type': 'sts-policy-fetch-error', 'failed-session-count': fetchErrors }],
        };
  const tlsa = {
    policy: {
      'policy-type': 'tlsa',
      'policy-string': ['["3 1 1 6007EEE553E85D8DF007A845D19EC343283D4E416E9A33F9EF3040C8B7C285BC"]'],
      'policy-domain': domain,
    },
    summary: { 'total-successful-session-count': successes, 'total-failure-session-count': 0 },
  };
  const report = {
    'organization-name': 'Microsoft Corporation',
    'date-range': { 'start-datetime': `${date}T00:00:00Z`, 'end-datetime': `${date}T23:59:59Z` },
    'contact-info': 'tlsrpt-noreply@microsoft.com',
    'report-id': `1339258853101${date.replace(/-/g, '').slice(3)}+${domain}`,
    policies: [sts, tlsa],
  };
  await ingest(report, nextDay(date, '19:20:00'), {
    tlsReportDomain: domain,
    tlsReportSubmitter: 'microsoft.com',
    messageId: `<1339258853101${date.replace(/-/g, '')}@${domain}>`,
    from: 'tlsrpt-noreply@microsoft.com',
    subject: `Report Domain: ${domain} Submitter: microsoft.com Report-ID: 1339258853101+${domain}`,
    dkimVerdict: 'PASS',
  });
}

const READY_MX = ['mx1.example.com', 'mx2.example.com'];

/** example.com: Google every day, Microsoft for the last week; failures only outside the window and domain. */
async function readyDomain(): Promise<void> {
  for (const date of DAYS) await google('example.com', date, 40, READY_MX);
  for (const date of DAYS.slice(7)) await microsoft('example.com', date, 25, READY_MX);
  // Not read: another domain, today (its report is not due yet), and the day before the window.
  await google('other.example', DAYS[13], 0, ['mx.other.example'], [{ type: 'certificate-expired', sessions: 50 }]);
  await microsoft('example.com', '2026-11-23', 0, READY_MX, 9);
  await microsoft('example.com', '2026-11-08', 0, READY_MX, 9);
}

/** example.net: five days, few sessions, and every kind of failure, plus an object that is not a report. */
async function notReadyDomain(): Promise<void> {
  const mx = ['mx1.example.net'];
  for (const date of DAYS.slice(8, 11)) await google('example.net', date, 10, mx);
  await google('example.net', DAYS[11], 10, mx, [
    { type: 'certificate-expired', sessions: 3, host: 'mx1.example.net' },
  ]);
  await google('example.net', DAYS[12], 10, mx, [{ type: 'validation-failure', sessions: 2, host: 'mx9.example.net' }]);
  await microsoft('example.net', DAYS[12], 0, mx, 4);
  await s3.put(`reports/policy-domain=example.net/date=${DAYS[11]}/corrupt.json`, '{"dedupKey":"trunc');
}

const S3_ENV = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_S3',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_MAX_ATTEMPTS',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
];

function pointAtServer(endpoint = s3.endpoint, variable = 'AWS_ENDPOINT_URL_S3'): void {
  for (const name of S3_ENV) delete process.env[name];
  Object.assign(process.env, {
    [variable]: endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_MAX_ATTEMPTS: '1',
    // Keep the developer's own AWS configuration out of the tests.
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  });
}

afterAll(async () => {
  process.env = savedEnv;
});

beforeEach(async () => {
  pointAtServer();
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('a domain that is ready', () => {
  const TEXT = [
    'READY: example.com can switch from testing to enforce',
    '',
    'Window       2026-11-09 to 2026-11-22 (14 days), reports on 14',
    'Reports      21, signed by google.com, microsoft.com; any DKIM signer counts (--trusted-reporters limits them)',
    'Policy       mode testing; mx mx1.example.com, mx2.example.com (reported by microsoft.com for 2026-11-22)',
    'MX patterns  mx1.example.com, mx2.example.com (from the reported policy)',
    'Sessions     735, of which 0 failed (0.00%)',
    'Not counted  tlsa: 7 (only sts and no-policy-found rows count)',
    '',
    'No failure details reported.',
    '',
  ].join('\n');

  test('prints the verdict and the summary, exit 0', async () => {
    await readyDomain();
    expect(await run('--bucket', BUCKET, '--domain', 'Example.COM.')).toStrictEqual({
      code: 0,
      stdout: TEXT,
      stderr: '',
    });
  });

  test('lists one prefix per day of the window and reads each object there once', async () => {
    await readyDomain();
    const send = jest.spyOn(S3Client.prototype, 'send');
    expect((await run('--bucket', BUCKET, '--domain', 'example.com', '--days', '7')).code).toBe(0);
    const calls = send.mock.calls.map(([command]) => [command.constructor.name, command.input]);
    const lists = calls.filter(([name]) => name === 'ListObjectsV2Command').map(([, input]) => input);
    expect(lists).toEqual(
      windowDates(NOW, 7).map((d) => ({ Bucket: BUCKET, Prefix: `reports/policy-domain=example.com/date=${d}/` })),
    );
    const gets = calls.filter(([name]) => name === 'GetObjectCommand');
    expect(gets).toHaveLength(14);
    expect(new Set(gets.map(([, input]) => (input as { Key: string }).Key)).size).toBe(14);
    expect(calls).toHaveLength(lists.length + gets.length);
  });

  test('--json prints the assessment', async () => {
    await readyDomain();
    const result = await run('--bucket', BUCKET, '--domain', 'example.com', '--json');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.endsWith('}\n')).toBe(true);
    expect(JSON.parse(result.stdout)).toStrictEqual({
      domain: 'example.com',
      ready: true,
      reasons: [],
      window: { from: '2026-11-09', to: '2026-11-22', days: 14 },
      criteria: { minDaysWithReports: 7, minSessions: 100, maxFailureRatePercent: 1 },
      daysWithReports: 14,
      reports: 21,
      signers: ['google.com', 'microsoft.com'],
      unsignedReports: 0,
      trustedReporters: null,
      untrustedReports: 0,
      sessions: 735,
      failures: 0,
      failureRatePercent: 0,
      byResultType: [],
      byMxHost: [],
      uncoveredMxHosts: [],
      mxPatterns: READY_MX,
      mxPatternsFrom: 'reports',
      reportedPolicy: { mode: 'testing', mx: READY_MX, signer: 'microsoft.com', date: '2026-11-22' },
      ignoredPolicies: [{ policyType: 'tlsa', count: 7 }],
      unreadableReports: 0,
    });
  });

  test('--trusted-reporters counts only the signers named, subdomains included', async () => {
    await readyDomain();
    const result = await run(
      '--bucket',
      BUCKET,
      '--domain',
      'example.com',
      '--trusted-reporters',
      'GOOGLE.com',
      '--json',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      reports: 14,
      signers: ['google.com'],
      trustedReporters: ['google.com'],
      untrustedReports: 7,
      sessions: 560,
      reportedPolicy: { signer: 'google.com', date: '2026-11-22' },
    });
    const usage = await run('--bucket', BUCKET, '--domain', 'example.com', '--trusted-reporters', ',');
    expect(usage).toStrictEqual({
      code: 2,
      stdout: '',
      stderr: `cdk-mta-sts readiness: Invalid --trusted-reporters: no domain given ${HINT}\n`,
    });
  });

  test('stricter --min-sessions and --max-failure-rate make it not ready, exit 1', async () => {
    await readyDomain();
    const result = await run('--bucket', BUCKET, '--domain', 'example.com', '--min-sessions', '736');
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([
      'NOT READY: keep example.com in testing',
      '  - 735 sessions reported; at least 736 needed',
      '',
    ]);
    expect((await run('--bucket', BUCKET, '--domain', 'example.com', '--min-sessions', '735')).code).toBe(0);
  });

  test('works without a configured region, and with AWS_ENDPOINT_URL on a host name', async () => {
    await readyDomain();
    // "localhost" only works with path-style requests: <bucket>.localhost does not resolve.
    pointAtServer(s3.endpoint.replace('127.0.0.1', 'localhost'), 'AWS_ENDPOINT_URL');
    delete process.env.AWS_REGION;
    expect(await run('--bucket', BUCKET, '--domain', 'example.com')).toStrictEqual({
      code: 0,
      stdout: TEXT,
      stderr: '',
    });
  });
});

describe('a domain that is not ready', () => {
  test('gives every reason, the tables and a warning for the unreadable object, exit 1', async () => {
    await notReadyDomain();
    await readyDomain();
    expect(await run('--bucket', BUCKET, '--domain', 'example.net')).toStrictEqual({
      code: 1,
      stdout: [
        'NOT READY: keep example.net in testing',
        '  - reports on 5 of the 14 days from 2026-11-09 to 2026-11-22; at least 7 needed',
        '  - 59 sessions reported; at least 100 needed',
        '  - failure rate 15.25% (9 of 59 sessions); must be below 1%',
        '  - MTA-STS policy errors in 4 failed sessions (sts-policy-fetch-error: 4): senders could not fetch or validate the policy',
        '  - TLS failures on MX hosts in the policy in 3 failed sessions (mx1.example.net certificate-expired: 3): under enforce these deliveries would fail',
        '  - MX hosts not covered by the policy (mx: mx1.example.net): mx9.example.net (2 failed sessions); under enforce senders would not deliver to them',
        '  - 1 stored report could not be read',
        '',
        'Window       2026-11-09 to 2026-11-22 (14 days), reports on 5',
        'Reports      6, signed by google.com, microsoft.com; any DKIM signer counts (--trusted-reporters limits them)',
        'Policy       mode testing; mx mx1.example.net (reported by google.com for 2026-11-21)',
        'MX patterns  mx1.example.net (from the reported policy)',
        'Sessions     59, of which 9 failed (15.25%)',
        'Not counted  tlsa: 1 (only sts and no-policy-found rows count)',
        'Unreadable   1',
        '',
        'RESULT TYPE             FAILED SESSIONS',
        'sts-policy-fetch-error                4',
        'certificate-expired                   3',
        'validation-failure                    2',
        '',
        'MX HOST          IN POLICY  FAILED SESSIONS  RESULT TYPES',
        '(unnamed host)   -                        4  sts-policy-fetch-error (4)',
        'mx1.example.net  yes                      3  certificate-expired (3)',
        'mx9.example.net  no                       2  validation-failure (2)',
        '',
      ].join('\n'),
      stderr: `cdk-mta-sts readiness: skipped s3://${BUCKET}/reports/policy-domain=example.net/date=2026-11-20/corrupt.json: not JSON\n`,
    });
  });

  test('--mx replaces the reported patterns', async () => {
    await notReadyDomain();
    const result = await run(
      '--bucket',
      BUCKET,
      '--domain',
      'example.net',
      '--mx',
      'mx1.example.net',
      '--mx',
      '*.EXAMPLE.net',
    );
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines.filter((line) => line.startsWith('  - TLS') || line.startsWith('  - MX'))).toEqual([
      '  - TLS failures on MX hosts in the policy in 5 failed sessions (mx1.example.net certificate-expired: 3, mx9.example.net validation-failure: 2): under enforce these deliveries would fail',
    ]);
    expect(lines).toContain('MX patterns  mx1.example.net, *.example.net (from --mx)');
    expect(lines).toContain('mx9.example.net  yes                      2  validation-failure (2)');
  });

  test('senders that never found the policy (Google no-policy-found only)', async () => {
    for (const date of DAYS) await googleNoPolicy('example.org', date, 48);
    expect(await run('--bucket', BUCKET, '--domain', 'example.org')).toStrictEqual({
      code: 1,
      stdout: [
        'NOT READY: keep example.org in testing',
        '  - no report shows the sts policy of example.org: senders did not find it (check the _mta-sts TXT record and the policy file)',
        '',
        'Window       2026-11-09 to 2026-11-22 (14 days), reports on 14',
        'Reports      14, signed by google.com; any DKIM signer counts (--trusted-reporters limits them)',
        'Policy       no sts policy in the reports',
        'MX patterns  unknown',
        'Sessions     672, of which 0 failed (0.00%)',
        '',
        'No failure details reported.',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  test('an empty bucket', async () => {
    expect(await run('--bucket', BUCKET, '--domain', 'example.com', '--days', '7')).toStrictEqual({
      code: 1,
      stdout: [
        'NOT READY: keep example.com in testing',
        '  - reports on 0 of the 7 days from 2026-11-16 to 2026-11-22; at least 7 needed',
        '  - 0 sessions reported; at least 100 needed',
        '  - no report shows the sts policy of example.com: senders did not find it (check the _mta-sts TXT record and the policy file)',
        '',
        'Window       2026-11-16 to 2026-11-22 (7 days), reports on 0',
        'Reports      0; any DKIM signer counts (--trusted-reporters limits them)',
        'Policy       no sts policy in the reports',
        'MX patterns  unknown',
        'Sessions     0',
        '',
        'No failure details reported.',
        '',
      ].join('\n'),
      stderr: '',
    });
  });
});

describe('HTTPS reports (anyone can POST them)', () => {
  /** Fourteen anonymous POSTs through the real receiver, one clean report per day of the window. */
  async function forgeFourteenDays(): Promise<void> {
    const publishedDomains = ['example.com'];
    const receive = createReceiver({
      store: new ReportStore(s3.client, BUCKET),
      metrics: new ReportMetrics({ namespace: 'MtaSts', publishedDomains, write: () => undefined }),
      maxBytes: 1024 * 1024,
      publishedDomains,
    });
    for (const date of DAYS) {
      const report = {
        'organization-name': 'Forger',
        'date-range': { 'start-datetime': `${date}T00:00:00Z`, 'end-datetime': `${date}T23:59:59Z` },
        'contact-info': 'forger@attacker.example',
        'report-id': `forged-${date}`,
        policies: [
          {
            policy: {
              'policy-type': 'sts',
              'policy-string': stsPolicyStrings(READY_MX),
              'policy-domain': 'example.com',
            },
            summary: { 'total-successful-session-count': 1000, 'total-failure-session-count': 0 },
          },
        ],
      };
      const response = await receive({
        version: '2.0',
        routeKey: '$default',
        rawPath: '/',
        rawQueryString: '',
        headers: { 'content-type': 'application/tlsrpt+json' },
        requestContext: {
          accountId: 'anonymous',
          apiId: 'abcdefghij',
          domainName: 'abcdefghij.lambda-url.eu-west-1.on.aws',
          domainPrefix: 'abcdefghij',
          http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'forger' },
          requestId: `req-${date}`,
          routeKey: '$default',
          stage: '$default',
          time: '23/Nov/2026:10:00:00 +0000',
          timeEpoch: NOW.getTime(),
        },
        body: JSON.stringify(report),
        isBase64Encoded: false,
      });
      expect(response.statusCode).toBe(201);
    }
  }

  test('fourteen forged POSTs do not make an empty bucket READY', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await forgeFourteenDays();

    const result = await run('--bucket', BUCKET, '--domain', 'example.com');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Reports      0; any DKIM signer counts');
  });

  test("--include-https counts them, by the user's choice", async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await forgeFourteenDays();

    const result = await run('--bucket', BUCKET, '--domain', 'example.com', '--include-https');
    expect(result.code).toBe(0);
    // The organization name the forger wrote is not shown: nothing verified it.
    expect(result.stdout).toContain(
      'Reports      14, 14 without a verified signer; any DKIM signer counts (--trusted-reporters limits them)\n',
    );
    expect(result.stdout).not.toContain('Forger');
  });

  test('--trusted-reporters leaves them out again, with --include-https', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await forgeFourteenDays();
    const result = await run(
      '--bucket',
      BUCKET,
      '--domain',
      'example.com',
      '--include-https',
      '--trusted-reporters',
      'google.com,microsoft.com',
      '--json',
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      reports: 0,
      trustedReporters: ['google.com', 'microsoft.com'],
      untrustedReports: 14,
    });
  });
});

describe('memory', () => {
  test('an object listed over 32 MiB is skipped without being read', async () => {
    await readyDomain();
    const key = `reports/policy-domain=example.com/date=${DAYS[3]}/huge.json`;
    // Valid JSON of a report's shape, so that reading it would count it.
    const head = `{"dateRange":{"startDatetime":"${DAYS[3]}T00:00:00Z","endDatetime":"x"},"policies":[]}`;
    await s3.put(key, head + ' '.repeat(33 * 1024 * 1024));
    const result = await run('--bucket', BUCKET, '--domain', 'example.com', '--json');
    const size = head.length + 33 * 1024 * 1024;
    expect(result.stderr).toBe(
      `cdk-mta-sts readiness: skipped s3://${BUCKET}/${key}: object is ${size} bytes, over the 33554432-byte limit\n`,
    );
    expect(JSON.parse(result.stdout).unreadableReports).toBe(1);
  }, 60_000);
});

describe('when the reports cannot be read: one line, exit 2', () => {
  test('a bucket that does not exist', async () => {
    expect(await run('--bucket', 'no-such-bucket', '--domain', 'example.com')).toStrictEqual({
      code: 2,
      stdout: '',
      stderr:
        'cdk-mta-sts readiness: cannot list s3://no-such-bucket/reports/policy-domain=example.com/date=2026-11-09/: NoSuchBucket: The specified bucket does not exist (HTTP 404)\n',
    });
  });

  test('an S3 endpoint that does not answer', async () => {
    pointAtServer('http://127.0.0.1:1');
    const result = await run('--bucket', BUCKET, '--domain', 'example.com', '--days', '7');
    expect(result).toStrictEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(
        /^cdk-mta-sts readiness: cannot list s3:\/\/reports\/reports\/policy-domain=example\.com\/date=2026-11-16\/: .*ECONNREFUSED.*\n$/,
      ),
    });
    expect(result.stderr.split('\n')).toHaveLength(2);
  });

  test('an object it may not read (e.g. a KMS key it may not use)', async () => {
    await readyDomain();
    const send = S3Client.prototype.send;
    jest.spyOn(S3Client.prototype, 'send').mockImplementation(function (this: S3Client, command: any, ...rest: any[]) {
      if (command instanceof GetObjectCommand && command.input.Key?.includes(`date=${DAYS[12]}/`)) {
        const denied = Object.assign(new Error('Access Denied'), {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
        });
        return Promise.reject(denied);
      }
      return (send as any).call(this, command, ...rest);
    });
    const result = await run('--bucket', BUCKET, '--domain', 'example.com');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^cdk-mta-sts readiness: cannot read s3:\/\/reports\/reports\/policy-domain=example\.com\/date=2026-11-21\/[0-9a-f]{32}\.json: AccessDenied: Access Denied \(HTTP 403\)\n$/,
    );
  });

  test('an unknown access key', async () => {
    await readyDomain();
    process.env.AWS_ACCESS_KEY_ID = 'AKIAUNKNOWN';
    const result = await run('--bucket', BUCKET, '--domain', 'example.com', '--days', '7');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'cdk-mta-sts readiness: cannot list s3://reports/reports/policy-domain=example.com/date=2026-11-16/: InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records. (HTTP 403)\n',
    );
  });
});

describe('usage', () => {
  test('--help prints the options, exit 0', async () => {
    expect(await run('--help')).toStrictEqual({ code: 0, stdout: READINESS_USAGE, stderr: '' });
    expect(await run('--bucket', BUCKET, '-h')).toStrictEqual({ code: 0, stdout: READINESS_USAGE, stderr: '' });
    expect(READINESS_USAGE).toContain(
      'Exit status: 0 ready, 1 not ready, 2 on usage errors or when the reports could not be read.',
    );
  });

  test.each<[string[], string]>([
    [['--domain', 'example.com'], `missing --bucket ${HINT}`],
    [['--bucket', BUCKET], `missing --domain ${HINT}`],
    [['--bucket', '', '--domain', 'example.com'], `missing --bucket ${HINT}`],
    [
      ['--bucket', 's3://reports', '--domain', 'example.com'],
      `Invalid --bucket "s3://reports": not an S3 bucket name ${HINT}`,
    ],
    [
      ['--bucket', BUCKET, '--domain', 'https://example.com'],
      'Invalid domain "https://example.com": is a URL; give only the host name',
    ],
    [
      ['--bucket', BUCKET, '--domain', 'example.com', '--days', '6'],
      'Invalid --days "6": must be a whole number from 7 to 366',
    ],
    [
      ['--bucket', BUCKET, '--domain', 'example.com', '--days', '367'],
      'Invalid --days "367": must be a whole number from 7 to 366',
    ],
    [
      ['--bucket', BUCKET, '--domain', 'example.com', '--days', '14.0'],
      'Invalid --days "14.0": must be a whole number from 7 to 366',
    ],
    [
      ['--bucket', BUCKET, '--domain', 'example.com', '--min-sessions=-1'],
      'Invalid --min-sessions "-1": must be a whole number 0 or more',
    ],
    [
      ['--bucket', BUCKET, '--domain', 'example.com', '--max-failure-rate', '0'],
      'Invalid --max-failure-rate "0": must be a percentage above 0 and at most 100',
    ],
    [
      ['--bucket', BUCKET, '--domain', 'example.com', '--max-failure-rate', '101%'],
      'Invalid --max-failure-rate "101%": must be a percentage above 0 and at most 100',
    ],
    [
      ['--bucket', BUCKET, '--domain', 'example.com', '--mx', '*.*.example.com'],
      'Invalid mx "*.*.example.com": a wildcard is allowed only as the whole left-most label ("*.example.com")',
    ],
    [['--bucket', BUCKET, '--domain', 'example.com', '--yaml'], `Unknown option '--yaml' ${HINT}`],
    [
      ['--bucket', BUCKET, '--domain', 'example.com', 'extra'],
      `Unexpected argument 'extra'. This command does not take positional arguments ${HINT}`,
    ],
    [['--bucket'], `Option '--bucket <value>' argument missing ${HINT}`],
  ])('%j', async (args, message) => {
    expect(await run(...args)).toStrictEqual({ code: 2, stdout: '', stderr: `cdk-mta-sts readiness: ${message}\n` });
  });

  test('accepted number forms', async () => {
    for (const [flag, value] of [
      ['--max-failure-rate', '0.5%'],
      ['--max-failure-rate', '100'],
      ['--days', '366'],
      ['--min-sessions', '0'],
    ]) {
      expect((await run('--bucket', BUCKET, '--domain', 'example.com', flag, value)).code).toBe(1);
    }
  });
});

describe('--live folds a live check into the verdict', () => {
  const liveReport = (mxStatus: 'pass' | 'fail'): CheckReport => ({
    domain: 'example.com',
    verdict: mxStatus === 'pass' ? 'pass' : 'fail',
    checks: [
      { id: 'sts-record', status: 'pass', detail: 'id=abc' },
      {
        id: 'mx-tls:mx2.example.com',
        status: mxStatus,
        detail:
          mxStatus === 'pass'
            ? 'STARTTLS, TLSv1.3, certificate expires in 80 days'
            : 'certificate expired (CERT_HAS_EXPIRED)',
      },
    ],
    policy: null,
  });

  async function runLive(report: CheckReport, ...args: string[]) {
    const stdout = memoryStream();
    const stderr = memoryStream();
    const checked: string[] = [];
    const code = await runReadinessCommand(
      ['--bucket', BUCKET, '--domain', 'Example.com', '--live', ...args],
      { stdout: stdout.stream, stderr: stderr.stream },
      {
        now: () => NOW,
        checkLive: async (domain) => {
          checked.push(domain);
          return report;
        },
      },
    );
    return { code, stdout: stdout.text(), stderr: stderr.text(), checked };
  }

  test('clean reports but an expired MX certificate: NOT READY, exit 1', async () => {
    await readyDomain();
    const result = await runLive(liveReport('fail'));
    expect(result.checked).toEqual(['example.com']);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([
      'NOT READY: keep example.com in testing',
      '  - live check mx-tls:mx2.example.com failed: certificate expired (CERT_HAS_EXPIRED)',
      '',
    ]);
    expect(result.stdout).toContain(
      '\nMTA-STS check of example.com\n\nPASS  sts-record              id=abc\nFAIL  mx-tls:mx2.example.com  certificate expired (CERT_HAS_EXPIRED)\n',
    );
  });

  test('clean reports and a clean live check: READY, and --json carries the live report', async () => {
    await readyDomain();
    const result = await runLive(liveReport('pass'), '--json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ domain: 'example.com', ready: true, reasons: [], live: liveReport('pass') });
  });

  test('without --live nothing is checked live', async () => {
    await readyDomain();
    const stdout = memoryStream();
    const checkLive = jest.fn();
    await runReadinessCommand(
      ['--bucket', BUCKET, '--domain', 'example.com'],
      { stdout: stdout.stream, stderr: stdout.stream },
      { now: () => NOW, checkLive },
    );
    expect(checkLive).not.toHaveBeenCalled();
  });
});
