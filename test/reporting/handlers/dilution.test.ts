import {
  captureOutput,
  domainMetrics,
  NOW,
  REJECTED_METRICS,
  reportMail,
  resultTypeMetrics,
  sesEvent,
} from './helpers';
import { ingestMail, MailIngestDeps } from '../../../src/reporting/handlers/mail-ingest';
import { ReportMetrics } from '../../../src/reporting/handlers/metrics';
import { ReportStore } from '../../../src/reporting/handlers/report-store';
import { BUCKET, S3Server, startS3Server } from '../../support/s3-server';
import { everyDomainResolver, signAsFrom } from '../dkim-signer';
import { reportObject } from '../mail-builder';

/**
 * Metrics dilution (the review's dilute repro): any domain owner can sign a report claiming 10^9 successful
 * sessions for a published domain and so push its daily failure rate under the alarm threshold. The fix chosen is
 * `trustedReporters` (see the README's trust model): with it, such a report is rejected before anything is counted.
 * Without it the dilution is a documented residual risk; the first test pins it down so that a change is noticed.
 */

const PUBLISHED = ['example.com'];
const RANGE = { 'start-datetime': '2024-09-03T00:00:00Z', 'end-datetime': '2024-09-03T23:59:59Z' };

let s3: S3Server;
let output: ReturnType<typeof captureOutput>;

function deps(trustedReporters?: string[]): MailIngestDeps {
  return {
    store: new ReportStore(s3.client, BUCKET),
    metrics: new ReportMetrics({ namespace: 'MtaSts', now: () => NOW, publishedDomains: PUBLISHED }),
    maxDecompressedBytes: 1024 * 1024,
    resolveTxt: everyDomainResolver(),
    publishedDomains: PUBLISHED,
    trustedReporters,
  };
}

function report(id: string, successes: number, failures: number) {
  const base = reportObject({ 'report-id': id, 'date-range': RANGE });
  const [policy] = base.policies as Record<string, unknown>[];
  const details =
    failures === 0 ? [] : [{ ...(policy['failure-details'] as object[])[0], 'failed-session-count': failures }];
  return {
    ...base,
    policies: [
      {
        ...policy,
        summary: { 'total-successful-session-count': successes, 'total-failure-session-count': failures },
        'failure-details': details,
      },
    ],
  };
}

async function deliver(id: string, from: string, body: unknown, trustedReporters?: string[]) {
  const mail = reportMail({ report: JSON.stringify(body) })
    .toString('latin1')
    .replace(/^From: .*$/m, `From: ${from}`);
  await s3.put(`raw/${id}`, await signAsFrom(Buffer.from(mail, 'latin1')));
  return ingestMail(sesEvent(id).Records[0].ses, deps(trustedReporters));
}

beforeAll(async () => {
  s3 = await startS3Server();
});

afterAll(async () => {
  await s3.close();
});

beforeEach(async () => {
  await s3.reset();
  output = captureOutput();
});

afterEach(() => {
  jest.restoreAllMocks();
});

test('without trustedReporters, a stranger-signed report is counted and dilutes the failure rate (residual risk)', async () => {
  await deliver('genuine', 'noreply-smtp-tls-reporting@google.com', report('g', 500, 500));
  await deliver('forged', 'r@any-domain-i-own.example', report('x', 1_000_000_000, 0));
  expect(output.emf()).toEqual([
    domainMetrics('example.com', 500, 500),
    resultTypeMetrics('certificate-expired', 500),
    domainMetrics('example.com', 1_000_000_000, 0),
  ]);
});

test('with trustedReporters, only the trusted signer is counted: the failure rate stays 50%', async () => {
  const trusted = ['google.com', 'microsoft.com'];
  await deliver('genuine', 'noreply-smtp-tls-reporting@google.com', report('g', 500, 500), trusted);
  const forged = await deliver('forged', 'r@any-domain-i-own.example', report('x', 1_000_000_000, 0), trusted);
  expect(forged).toMatchObject({
    outcome: 'rejected',
    reason: 'dkim: signer any-domain-i-own.example is not one of the trusted reporters',
  });
  expect(output.emf()).toEqual([
    domainMetrics('example.com', 500, 500),
    resultTypeMetrics('certificate-expired', 500),
    REJECTED_METRICS,
  ]);
  expect((await s3.keys()).filter((key) => key.startsWith('reports/'))).toHaveLength(1);
});
