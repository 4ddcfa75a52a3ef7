import { captureOutput, domainMetrics, NOW, reportMail, resultTypeMetrics, sesEvent } from './helpers';
import { IngestOutcome } from '../../../src/reporting/handlers/ingest';
import { ingestMail, MailIngestDeps } from '../../../src/reporting/handlers/mail-ingest';
import { ReportMetrics } from '../../../src/reporting/handlers/metrics';
import { ReportStore } from '../../../src/reporting/handlers/report-store';
import { BUCKET, S3Server, startS3Server } from '../../support/s3-server';
import { everyDomainResolver, signAsFrom } from '../dkim-signer';
import { reportObject } from '../mail-builder';

/**
 * The mail dedup key was the report (organisation, report-id, date range) and the verified signer only. Another
 * mailbox at the reporter's own DKIM domain could store its numbers under the reporter's key first, and the genuine
 * report was then dropped as a duplicate. Both tests below failed then: the genuine report was `created: false`.
 */

const PUBLISHED = ['example.com'];
const PREFIX = 'reports/policy-domain=example.com/date=2024-09-03/';
const RANGE = { 'start-datetime': '2024-09-03T00:00:00Z', 'end-datetime': '2024-09-03T23:59:59Z' };
/** Google-style: the report-id is predictable from the date and the domain. */
const REPORT_ID = '2024-09-03T00:00:00Z_example.com';

let s3: S3Server;
let output: ReturnType<typeof captureOutput>;

const genuine = reportObject({ 'organization-name': 'Sender Inc', 'report-id': REPORT_ID, 'date-range': RANGE });
const forged = reportObject({
  'organization-name': 'Sender Inc',
  'report-id': REPORT_ID,
  'date-range': RANGE,
  policies: [
    {
      ...(genuine.policies as Record<string, unknown>[])[0],
      summary: { 'total-successful-session-count': 1_000_000, 'total-failure-session-count': 0 },
      'failure-details': [],
    },
  ],
});

function deps(): MailIngestDeps {
  return {
    store: new ReportStore(s3.client, BUCKET),
    metrics: new ReportMetrics({ namespace: 'MtaSts', now: () => NOW, publishedDomains: PUBLISHED }),
    maxDecompressedBytes: 1024 * 1024,
    resolveTxt: everyDomainResolver(),
    publishedDomains: PUBLISHED,
  };
}

/** The report mailed From `local@mail.sender.example` (whose provider signs with d=mail.sender.example). */
async function deliver(messageId: string, report: unknown, local: string) {
  const mail = reportMail({ report: JSON.stringify(report) })
    .toString('latin1')
    .replace(/^From: .*$/m, `From: ${local}@mail.sender.example`);
  await s3.put(`raw/${messageId}`, await signAsFrom(Buffer.from(mail, 'latin1')));
  return ingestMail(sesEvent(messageId).Records[0].ses, deps());
}

function firstObjectKey(outcome: IngestOutcome): string {
  if (outcome.outcome !== 'stored') throw new Error(`not stored: ${outcome.reason}`);
  return outcome.objects[0].key;
}

async function stored(): Promise<Record<string, { ok: number; from: string; warnings: string[] }>> {
  const result: Record<string, { ok: number; from: string; warnings: string[] }> = {};
  for (const key of await s3.keys()) {
    if (!key.startsWith(PREFIX)) continue;
    const report = JSON.parse((await s3.get(key)).body);
    result[key.slice(PREFIX.length)] = {
      ok: report.policies[0].totalSuccessfulSessionCount,
      from: report.mail.from,
      warnings: report.warnings,
    };
  }
  return result;
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

test("another mailbox at the reporter's domain cannot pre-empt the genuine report's key", async () => {
  const first = await deliver('m1forged', forged, 'mallory');
  const second = await deliver('m2genuine', genuine, 'tlsrpt-noreply');
  expect(first).toMatchObject({ outcome: 'stored', objects: [{ created: true }] });
  expect(second).toMatchObject({ outcome: 'stored', objects: [{ created: true }] });
  const objects = Object.values(await stored());
  expect(objects.map(({ ok, from }) => [from, ok]).sort()).toEqual([
    ['mallory@mail.sender.example', 1_000_000],
    ['tlsrpt-noreply@mail.sender.example', 10],
  ]);
  // Both were counted: the genuine report's two failures are not lost.
  expect(output.emf()).toEqual([
    domainMetrics('example.com', 1_000_000, 0),
    domainMetrics('example.com', 10, 2),
    resultTypeMetrics('certificate-expired', 2),
  ]);
});

test('the same key with other content is kept beside the first, with a warning; a true duplicate stays one', async () => {
  // From the same address (e.g. one the attacker can also send from): the key is the same, the numbers are not.
  const first = await deliver('m1', forged, 'tlsrpt-noreply');
  const second = await deliver('m2', genuine, 'tlsrpt-noreply');
  const again = await deliver('m3', genuine, 'TLSRPT-noreply');
  const firstAgain = await deliver('m4', forged, 'tlsrpt-noreply');

  const firstKey = firstObjectKey(first);
  const secondKey = firstObjectKey(second);
  expect(secondKey).toMatch(new RegExp(`^${firstKey.replace(/\.json$/, '')}-[0-9a-f]{16}\\.json$`));
  expect(second).toMatchObject({ objects: [{ key: secondKey, created: true }] });
  expect(again).toMatchObject({ objects: [{ key: secondKey, created: false }] });
  expect(firstAgain).toMatchObject({ objects: [{ key: firstKey, created: false }] });

  const objects = await stored();
  expect(Object.keys(objects).sort()).toEqual([firstKey, secondKey].map((k) => k.slice(PREFIX.length)).sort());
  expect(objects[secondKey.slice(PREFIX.length)].ok).toBe(10);
  expect(objects[secondKey.slice(PREFIX.length)].warnings).toContain(
    `another report with the same sender, report-id and date range but other content is stored as ${firstKey}`,
  );
  expect(objects[firstKey.slice(PREFIX.length)].warnings.join()).not.toContain('other content');
  expect(JSON.parse((await s3.get(secondKey)).body).dedupKey).toBe(
    secondKey.slice(PREFIX.length).replace(/\.json$/, ''),
  );
  // Counted once each; the duplicates add nothing.
  expect(output.emf()).toEqual([
    domainMetrics('example.com', 1_000_000, 0),
    domainMetrics('example.com', 10, 2),
    resultTypeMetrics('certificate-expired', 2),
  ]);
});

test('an object stored without the content hash (older versions) is compared by its content', async () => {
  const first = await deliver('m1', genuine, 'tlsrpt-noreply');
  const key = firstObjectKey(first);
  // Rewritten without metadata, as earlier versions stored it.
  await s3.put(key, (await s3.get(key)).bytes);
  expect(await deliver('m2', genuine, 'tlsrpt-noreply')).toMatchObject({ objects: [{ key, created: false }] });
  const other = await deliver('m3', forged, 'tlsrpt-noreply');
  expect(other).toMatchObject({ objects: [{ created: true }] });
  expect(Object.keys(await stored())).toHaveLength(2);
});
