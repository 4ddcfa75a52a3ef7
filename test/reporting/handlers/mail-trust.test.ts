import type { SESEvent } from 'aws-lambda';
import {
  captureOutput,
  domainMetrics,
  fixture,
  MULTI_DOMAIN_REPORT,
  NOW,
  REJECTED_METRICS,
  reportMail,
  sesEvent,
} from './helpers';
import { MailIngestDeps } from '../../../src/reporting/handlers/mail-ingest';
import { ReportMetrics } from '../../../src/reporting/handlers/metrics';
import { createHandler } from '../../../src/reporting/handlers/report-processor.lambda';
import { ReportStore } from '../../../src/reporting/handlers/report-store';
import { BUCKET, useS3Server } from '../../support/s3-server';
import { everyDomainResolver, signAsFrom, signMail, testSigner } from '../dkim-signer';

/**
 * The mail path counts a report only when a valid DKIM signature is aligned with From (RFC 8460 §3), and only when
 * the report is plausible. Every test here failed before: SES's `dkimVerdict == PASS` was the only check.
 */

const GENUINE = 'o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g01';
const FORGED = 'q8k2mb4f1d0sj7g6v3lm9uakc5p0e1tr2nbo7h81';
const GOOGLE_PREFIX = 'reports/policy-domain=cardinalhealth.ca/date=2024-09-03/';
const PUBLISHED = ['cardinalhealth.ca', 'example.com'];

const s3 = useS3Server();
let output: ReturnType<typeof captureOutput>;
let handler: (event: SESEvent) => Promise<void>;

function deps(overrides: Partial<MailIngestDeps> = {}): MailIngestDeps {
  return {
    store: new ReportStore(s3.client, BUCKET),
    metrics: new ReportMetrics({ namespace: 'MtaSts', now: () => NOW, publishedDomains: PUBLISHED }),
    maxDecompressedBytes: 1024 * 1024,
    resolveTxt: everyDomainResolver(),
    publishedDomains: PUBLISHED,
    ...overrides,
  };
}

async function deliver(mail: Buffer, messageId: string): Promise<void> {
  await s3.put(`raw/${messageId}`, mail);
  await handler(sesEvent(messageId));
}

async function rejection(messageId: string): Promise<string> {
  return JSON.parse((await s3.get(`rejected/date=2024-09-04/${messageId}.json`)).body).reason;
}

/** The Google fixture with its From (and the report inside) untouched, re-addressed from another domain. */
function fromAttacker(mail: Buffer): Buffer {
  return Buffer.from(
    mail.toString('latin1').replace(/^From: .*$/m, 'From: noreply-smtp-tls-reporting@attacker.example'),
    'latin1',
  );
}

beforeEach(async () => {
  output = captureOutput();
  handler = createHandler(deps());
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('authenticity', () => {
  test('a mail From google.com signed by d=attacker.example is rejected, and the genuine report still counts', async () => {
    await deliver(await signAsFrom(fixture('parsedmarc-google.com.eml'), 'attacker.example'), FORGED);
    await deliver(await signAsFrom(fixture('parsedmarc-google.com.eml')), GENUINE);

    expect(await rejection(FORGED)).toBe(
      'dkim: no valid signature aligned with From domain google.com: d=attacker.example pass; ' +
        'd=google.com fail (body hash mismatch)',
    );
    const stored = (await s3.keys()).filter((key) => key.startsWith('reports/'));
    expect(stored).toHaveLength(1);
    expect(JSON.parse((await s3.get(stored[0])).body)).toMatchObject({
      source: `raw/${GENUINE}`,
      mail: { dkimVerdict: 'PASS', dkimDomain: 'google.com', dkimSelector: 'tlsrpt2024' },
    });
    expect(output.emf()).toEqual([REJECTED_METRICS, domainMetrics('cardinalhealth.ca', 48, 0)]);
  });

  test("an aligned attacker reusing Google's report id cannot pre-empt Google's report: the signer is in the key", async () => {
    await deliver(await signAsFrom(fromAttacker(fixture('parsedmarc-google.com.eml'))), FORGED);
    await deliver(await signAsFrom(fixture('parsedmarc-google.com.eml')), GENUINE);

    const stored = (await s3.keys()).filter((key) => key.startsWith(GOOGLE_PREFIX));
    expect(stored).toHaveLength(2);
    const bySigner = Object.fromEntries(
      await Promise.all(
        stored.map(async (key) => {
          const report = JSON.parse((await s3.get(key)).body);
          return [report.mail.dkimDomain, report.source];
        }),
      ),
    );
    expect(bySigner).toEqual({ 'attacker.example': `raw/${FORGED}`, 'google.com': `raw/${GENUINE}` });
    expect(output.logs()).toEqual([
      expect.objectContaining({ outcome: 'stored', objects: [expect.objectContaining({ created: true })] }),
      expect.objectContaining({ outcome: 'stored', objects: [expect.objectContaining({ created: true })] }),
    ]);
  });

  test('an unsigned mail is rejected even when SES says PASS, and its report is neither stored nor counted', async () => {
    await deliver(fixture('parsedmarc-google.com.eml'), FORGED);

    expect(await rejection(FORGED)).toBe(
      'dkim: no valid signature aligned with From domain google.com: d=google.com fail (body hash mismatch)',
    );
    expect((await s3.keys()).filter((key) => key.startsWith('reports/'))).toEqual([]);
    expect(output.emf()).toEqual([REJECTED_METRICS]);
  });

  test('trustedReporters: a signer outside the list is rejected with the reason', async () => {
    handler = createHandler(deps({ trustedReporters: ['microsoft.com'] }));
    await deliver(await signAsFrom(fixture('parsedmarc-google.com.eml')), GENUINE);
    expect(await rejection(GENUINE)).toBe('dkim: signer google.com is not one of the trusted reporters');
  });

  test('a TLS-Report-Submitter that names someone else than the signer is stored with a warning', async () => {
    const mail = fixture('parsedmarc-google.com.eml')
      .toString('latin1')
      .replace(/^TLS-Report-Submitter: .*$/im, 'TLS-Report-Submitter: microsoft.com');
    await deliver(await signAsFrom(Buffer.from(mail, 'latin1')), GENUINE);

    const [key] = (await s3.keys()).filter((k) => k.startsWith('reports/'));
    expect(JSON.parse((await s3.get(key)).body).warnings).toEqual([
      // The parser's check of the report against the header, then ours of the header against the signature.
      'contact-info domain google.com does not match the TLS-Report-Submitter header microsoft.com',
      'TLS-Report-Submitter "microsoft.com" does not match the DKIM signer google.com',
    ]);
  });

  test('a DNS failure for the aligned signer fails the invocation (retried), recording nothing', async () => {
    const failing = async () => {
      throw Object.assign(new Error('queryTxt ETIMEOUT'), { code: 'ETIMEOUT' });
    };
    handler = createHandler(deps({ resolveTxt: failing }));
    await s3.put(`raw/${GENUINE}`, await signMail(fixture('parsedmarc-google.com.eml'), testSigner('google.com')));

    await expect(handler(sesEvent(GENUINE))).rejects.toThrow(/temperror/);
    expect(await s3.keys()).toEqual([`raw/${GENUINE}`]);
    expect(output.emf()).toEqual([]);
  });
});

describe('plausibility: rejected with the reason, never clamped', () => {
  const base = MULTI_DOMAIN_REPORT;
  const policy = (domain: string, type = 'sts', successful = 1) => ({
    policy: { 'policy-type': type, 'policy-domain': domain },
    summary: { 'total-successful-session-count': successful, 'total-failure-session-count': 0 },
  });

  test.each([
    [
      'a date range over 7 days',
      { ...base, 'date-range': { 'start-datetime': '2024-08-01T00:00:00Z', 'end-datetime': '2024-09-01T00:00:00Z' } },
      'implausible report: date range is 31 days long, over 7',
    ],
    [
      // Accepted before: a negative length passed the 7-day check.
      'a reversed date range (end before start)',
      { ...base, 'date-range': { 'start-datetime': '2024-09-03T00:00:00Z', 'end-datetime': '2024-08-01T00:00:00Z' } },
      'implausible report: date range ends 2024-08-01T00:00:00Z, before it starts 2024-09-03T00:00:00Z',
    ],
    [
      'a range ending more than a day after receipt (the year 9999)',
      { ...base, 'date-range': { 'start-datetime': '9999-12-31T00:00:00Z', 'end-datetime': '9999-12-31T23:59:59Z' } },
      'implausible report: date range ends 9999-12-31T23:59:59Z, over 1 day after receipt',
    ],
    [
      'a count over 10^9',
      { ...base, policies: [policy('example.com', 'sts', 1_000_000_001)] },
      'implausible report: policy 1: a session count is over 1000000000',
    ],
    [
      'more than 10 policy domains',
      { ...base, policies: Array.from({ length: 11 }, (_, i) => policy(`d${i}.example.org`)) },
      'implausible report: report names 11 policy domains, over 10',
    ],
    [
      'an sts policy for a subdomain of a published domain',
      { ...base, policies: [policy('example.com'), policy('sub.example.com')] },
      'implausible report: policy 2: sts policy for sub.example.com, a subdomain of a published domain',
    ],
  ])('%s', async (_, report, reason) => {
    await deliver(await signAsFrom(reportMail({ report: JSON.stringify(report) })), GENUINE);

    expect(await rejection(GENUINE)).toBe(reason);
    expect((await s3.keys()).filter((key) => key.startsWith('reports/'))).toEqual([]);
    expect(output.emf()).toEqual([REJECTED_METRICS]);
  });

  test('1,000 subdomains of a published domain in one mail write no report object', async () => {
    const report = { ...base, policies: Array.from({ length: 1000 }, (_, i) => policy(`h${i}.example.com`, 'tlsa')) };
    await deliver(await signAsFrom(reportMail({ report: JSON.stringify(report) })), GENUINE);

    expect(await rejection(GENUINE)).toBe('implausible report: report names 1000 policy domains, over 10');
    expect(await s3.keys()).toEqual([`raw/${GENUINE}`, `rejected/date=2024-09-04/${GENUINE}.json`]);
  });
});
