import { MailIngestDeps, ingestMail } from '../../../src/reporting/handlers/mail-ingest';
import { ReportMetrics } from '../../../src/reporting/handlers/metrics';
import { ReportStore } from '../../../src/reporting/handlers/report-store';
import { assessReadiness, formatReadiness, parseStoredReport, ReadinessReport } from '../../../src/reporting/readiness';
import { BUCKET, S3Server, startS3Server } from '../../support/s3-server';
import { everyDomainResolver, signAsFrom } from '../dkim-signer';
import { captureOutput, reportMail, sesEvent } from '../handlers/helpers';
import { reportObject } from '../mail-builder';

/**
 * Any domain owner can DKIM-sign a report. Before, `readiness` named reports by their self-declared
 * `organization-name` ("Google Inc."), counted every signer, and let any of them choose the mx patterns; these
 * tests failed then (no `signers`, no `trustedReporters`).
 */

const PUBLISHED = ['example.com'];
const NOW = new Date('2024-09-15T12:00:00Z');
const day = (d: number) => `2024-09-${String(d).padStart(2, '0')}`;

let s3: S3Server;
let serial = 0;

function policy(successes: number, failures: number, mx: string[]) {
  return {
    policy: {
      'policy-type': 'sts',
      'policy-string': ['version: STSv1', 'mode: testing', ...mx.map((m) => `mx: ${m}`), 'max_age: 86400'],
      'policy-domain': 'example.com',
      'mx-host': mx,
    },
    summary: { 'total-successful-session-count': successes, 'total-failure-session-count': failures },
    'failure-details': failures
      ? [
          {
            'result-type': 'certificate-host-mismatch',
            'receiving-mx-hostname': 'mx2.example.com',
            'failed-session-count': failures,
          },
        ]
      : [],
  };
}

/** Delivers a report mail From `from`, DKIM-signed by its From domain, through the real mail ingestion. */
async function deliver(from: string, report: unknown, receivedAt: string): Promise<void> {
  const id = `m${serial++}`;
  const mail = reportMail({ report: JSON.stringify(report) })
    .toString('latin1')
    .replace(/^From: .*$/m, `From: ${from}`);
  await s3.put(`raw/${id}`, await signAsFrom(Buffer.from(mail, 'latin1')));
  const deps: MailIngestDeps = {
    store: new ReportStore(s3.client, BUCKET),
    metrics: new ReportMetrics({ namespace: 'MtaSts', publishedDomains: PUBLISHED }),
    maxDecompressedBytes: 1024 * 1024,
    resolveTxt: everyDomainResolver(),
    publishedDomains: PUBLISHED,
  };
  const outcome = await ingestMail(sesEvent(id, 'PASS', receivedAt).Records[0].ses, deps);
  expect(outcome.outcome).toBe('stored');
}

/** Fourteen days: Google (10% failures on mx2, not in its policy) and an attacker posing as "Google Inc.". */
async function deliverBoth(genuine: boolean): Promise<void> {
  for (let d = 1; d <= 14; d++) {
    const range = { 'start-datetime': `${day(d)}T00:00:00Z`, 'end-datetime': `${day(d)}T23:59:59Z` };
    if (genuine) {
      await deliver(
        'noreply-smtp-tls-reporting@google.com',
        reportObject({
          'organization-name': 'Google Inc.',
          'report-id': `g${d}`,
          'date-range': range,
          policies: [policy(900, 100, ['mx1.example.com'])],
        }),
        `${day(d + 1)}T06:00:00Z`,
      );
    }
    await deliver(
      'tlsrpt@attacker.example',
      reportObject({
        'organization-name': 'Google Inc.',
        'contact-info': 'smtp-tls-reporting@google.com',
        'report-id': `a${d}`,
        'date-range': range,
        policies: [policy(1_000_000, 0, ['*.example.com'])],
      }),
      `${day(d + 1)}T07:00:00Z`,
    );
  }
  // The attacker's report is also the most recent one, to choose the mx patterns.
  await deliver(
    'tlsrpt@attacker.example',
    reportObject({
      'organization-name': 'Google Inc.',
      'report-id': 'late',
      'date-range': { 'start-datetime': '2024-09-14T20:00:00Z', 'end-datetime': '2024-09-14T23:59:59Z' },
      policies: [policy(1, 0, ['*.example.com'])],
    }),
    '2024-09-15T02:00:00Z',
  );
}

async function storedReports(): Promise<ReadinessReport[]> {
  const keys = (await s3.keys()).filter((key) => key.startsWith('reports/policy-domain=example.com/'));
  return Promise.all(keys.map(async (key) => parseStoredReport((await s3.get(key)).body)));
}

beforeAll(async () => {
  s3 = await startS3Server();
});

afterAll(async () => {
  await s3.close();
});

beforeEach(async () => {
  await s3.reset();
  captureOutput();
});

afterEach(() => {
  jest.restoreAllMocks();
});

test('stored reports carry the verified signer, not the organization name they claim', async () => {
  await deliverBoth(true);
  const reports = await storedReports();
  expect(reports).toHaveLength(29);
  expect(new Set(reports.map((r) => r.signer))).toEqual(new Set(['google.com', 'attacker.example']));

  const a = assessReadiness(reports, { domain: 'example.com', days: 14, now: NOW });
  expect(a.signers).toEqual(['attacker.example', 'google.com']);
  expect(a.reportedPolicy).toEqual({
    mode: 'testing',
    mx: ['*.example.com'],
    signer: 'attacker.example',
    date: day(14),
  });
  const text = formatReadiness(a);
  expect(text).not.toContain('Google Inc.');
  expect(text).toContain(
    'Reports      29, signed by attacker.example, google.com; any DKIM signer counts (--trusted-reporters limits them)',
  );
});

test('with trusted reporters, only their reports count and only they choose the mx patterns', async () => {
  await deliverBoth(true);
  const a = assessReadiness(await storedReports(), {
    domain: 'example.com',
    days: 14,
    now: NOW,
    trustedReporters: ['Google.com.'],
  });
  expect(a).toMatchObject({
    ready: false,
    reports: 14,
    signers: ['google.com'],
    trustedReporters: ['google.com'],
    untrustedReports: 15,
    sessions: 14_000,
    failures: 1_400,
    mxPatterns: ['mx1.example.com'],
    mxPatternsFrom: 'reports',
    reportedPolicy: { mode: 'testing', mx: ['mx1.example.com'], signer: 'google.com', date: day(14) },
    uncoveredMxHosts: ['mx2.example.com'],
  });
  expect(a.reasons[0]).toBe('failure rate 10.00% (1400 of 14000 sessions); must be below 1%');
  expect(formatReadiness(a)).toContain(
    'Reports      14, signed by google.com; only signers within google.com count (15 other left out)',
  );
});

test("an attacker's reports alone are READY without trusted reporters, and count for nothing with them", async () => {
  await deliverBoth(false);
  const reports = await storedReports();
  expect(assessReadiness(reports, { domain: 'example.com', days: 14, now: NOW })).toMatchObject({
    ready: true,
    signers: ['attacker.example'],
  });
  const a = assessReadiness(reports, { domain: 'example.com', days: 14, now: NOW, trustedReporters: ['google.com'] });
  expect(a).toMatchObject({ ready: false, reports: 0, sessions: 0, untrustedReports: 15, mxPatterns: null });
});

test('a subdomain of a trusted reporter counts; a look-alike does not', () => {
  const report = (signer: string | null, key: string): ReadinessReport => ({
    dedupKey: key,
    signer,
    dateRange: { startDatetime: `${day(3)}T00:00:00Z`, endDatetime: `${day(3)}T23:59:59Z` },
    policies: [
      {
        policyType: 'sts',
        policyDomain: 'example.com',
        policyStrings: [],
        mxHosts: [],
        totalSuccessfulSessionCount: 10,
        totalFailureSessionCount: 0,
        failureDetails: [],
      },
    ],
  });
  const a = assessReadiness(
    [
      report('mail.google.com', 'a'),
      report('notgoogle.com', 'b'),
      report('google.com.attacker.example', 'c'),
      report(null, 'd'),
    ],
    { domain: 'example.com', days: 14, now: NOW, trustedReporters: ['google.com'] },
  );
  expect(a).toMatchObject({ reports: 1, signers: ['mail.google.com'], untrustedReports: 3, sessions: 10 });
});
