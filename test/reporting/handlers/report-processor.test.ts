import { Resolver } from 'node:dns/promises';
import { gzipSync } from 'node:zlib';
import type { SESEvent } from 'aws-lambda';
import {
  captureOutput,
  domainMetrics,
  fixture,
  MULTI_DOMAIN_REPORT,
  NOT_A_REPORT,
  NOW,
  RECEIVED_AT,
  REJECTED_METRICS,
  reportMail,
  resultTypeMetrics,
  RFC8460_APPENDIX_B_METRICS,
  sesEvent,
} from './helpers';
import { MailIngestDeps } from '../../../src/reporting/handlers/mail-ingest';
import { ReportMetrics } from '../../../src/reporting/handlers/metrics';
import { createHandler } from '../../../src/reporting/handlers/report-processor.lambda';
import { ReportStore } from '../../../src/reporting/handlers/report-store';
import { BUCKET, useS3Server } from '../../support/s3-server';
import { everyDomainResolver, signAsFrom } from '../dkim-signer';
import { reportMail as multipartMail } from '../mail-builder';

const MESSAGE_ID = 'o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g01';
const OTHER_MESSAGE_ID = 'q8k2mb4f1d0sj7g6v3lm9uakc5p0e1tr2nbo7h81';
const GOOGLE_KEY = 'reports/policy-domain=cardinalhealth.ca/date=2024-09-03/e5a532bd6ce656e86bb847cb2308cce7.json';
const MULTI_KEY = '1e1f6ad2fcefc0d147fc0e2724db92c9';

type ProcessorModule = typeof import('../../../src/reporting/handlers/report-processor.lambda');

const s3 = useS3Server();
let output: ReturnType<typeof captureOutput>;
let handler: (event: SESEvent) => Promise<void>;

const PUBLISHED = ['cardinalhealth.ca', 'company-y.example', 'example.com', 'test.xmox.nl'];

function deps(overrides: Partial<MailIngestDeps> = {}): MailIngestDeps {
  const publishedDomains = overrides.publishedDomains ?? PUBLISHED;
  return {
    store: new ReportStore(s3.client, BUCKET),
    metrics: new ReportMetrics({ namespace: 'MtaSts', now: () => NOW, publishedDomains }),
    maxDecompressedBytes: 1024 * 1024,
    resolveTxt: everyDomainResolver(),
    publishedDomains,
    ...overrides,
  };
}

/** Delivers the mail signed by its From domain (unless `signed` is false), as SES does after the S3 action. */
async function deliver(
  mail: Buffer,
  messageId = MESSAGE_ID,
  dkim: 'PASS' | 'FAIL' | 'GRAY' = 'PASS',
  signed = true,
): Promise<void> {
  await s3.put(`raw/${messageId}`, signed ? await signAsFrom(mail) : mail);
  await handler(sesEvent(messageId, dkim));
}

async function storedJson(key: string): Promise<unknown> {
  const { body, contentType } = await s3.get(key);
  expect(contentType).toBe('application/json');
  // One JSON document per object, newline-terminated, for Athena.
  expect(body.endsWith('}\n')).toBe(true);
  expect(body.slice(0, -1)).not.toContain('\n');
  return JSON.parse(body);
}

beforeEach(async () => {
  output = captureOutput();
  handler = createHandler(deps());
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('report mails', () => {
  test('stores a real Google report mail as one normalised object and counts it', async () => {
    await deliver(fixture('parsedmarc-google.com.eml'));

    expect(await s3.keys()).toEqual([`raw/${MESSAGE_ID}`, GOOGLE_KEY]);
    expect(await storedJson(GOOGLE_KEY)).toEqual({
      dedupKey: 'e5a532bd6ce656e86bb847cb2308cce7',
      source: `raw/${MESSAGE_ID}`,
      channel: 'mail',
      receivedAt: RECEIVED_AT,
      organizationName: 'Google Inc.',
      reportId: '2024-09-03T00:00:00Z_cardinalhealth.ca',
      contactInfo: 'smtp-tls-reporting@google.com',
      dateRange: { startDatetime: '2024-09-03T00:00:00Z', endDatetime: '2024-09-03T23:59:59Z' },
      policies: [
        {
          policyType: 'no-policy-found',
          policyDomain: 'cardinalhealth.ca',
          policyStrings: [],
          mxHosts: [],
          totalSuccessfulSessionCount: 48,
          totalFailureSessionCount: 0,
          failureDetails: [],
        },
      ],
      warnings: [],
      mail: {
        tlsReportDomain: 'cardinalhealth.ca',
        tlsReportSubmitter: 'google.com',
        messageId: '<66d83c20.050a0220.a0566.1e8dtls@google.com>',
        from: 'noreply-smtp-tls-reporting@google.com',
        subject:
          'Report Domain: cardinalhealth.ca Submitter: google.com Report-ID: <2024.09.03T00.00.00Z+cardinalhealth.ca@google.com>',
        dkimVerdict: 'PASS',
        dkimDomain: 'google.com',
        dkimSelector: 'tlsrpt2024',
      },
    });
    expect(output.rawEmf()).toBe(
      '{"_aws":{"Timestamp":1725523200000,"CloudWatchMetrics":[{"Namespace":"MtaSts","Dimensions":[["PolicyDomain"]],' +
        '"Metrics":[{"Name":"ReportsReceived","Unit":"Count"},{"Name":"SuccessfulSessions","Unit":"Count"},' +
        '{"Name":"FailedSessions","Unit":"Count"}]}]},"PolicyDomain":"cardinalhealth.ca","ReportsReceived":1,' +
        '"SuccessfulSessions":48,"FailedSessions":0}\n',
    );
    expect(output.logs()).toEqual([
      { outcome: 'stored', source: `raw/${MESSAGE_ID}`, objects: [{ key: GOOGLE_KEY, created: true }] },
    ]);
  });

  test.each([
    [
      'mox-google.eml',
      'reports/policy-domain=test.xmox.nl/date=2022-09-15/1fa6480a01a5bcf75bed997e5c5725a0.json',
      [domainMetrics('test.xmox.nl', 3, 0)],
    ],
    [
      // Zone-less date-times, stored under the UTC day.
      'mox-microsoft.eml',
      'reports/policy-domain=test.xmox.nl/date=2023-01-10/214b68348dc404aa34ffa720bd76efe3.json',
      [domainMetrics('test.xmox.nl', 2, 0)],
    ],
    [
      // application/tlsrpt with raw JSON and a 7-day range: stored under its first day.
      'mail-auth-rpt02-plain-json.eml',
      'reports/policy-domain=example.com/date=2020-01-01/29d78d72e3964123332e47c9d8052974.json',
      [domainMetrics('example.com', 23, 1), resultTypeMetrics('certificate-host-mismatch', 1)],
    ],
  ])('stores %s at its policy domain and start date', async (name, key, metrics) => {
    await deliver(fixture(name));

    expect(await s3.keys()).toEqual([`raw/${MESSAGE_ID}`, key]);
    expect(await storedJson(key)).toMatchObject({
      source: `raw/${MESSAGE_ID}`,
      channel: 'mail',
      receivedAt: RECEIVED_AT,
      mail: { dkimVerdict: 'PASS', dkimDomain: expect.any(String) },
    });
    expect(output.emf()).toEqual(metrics);
  });

  test('counts sessions per policy domain and failed sessions per result type (RFC 8460 Appendix B)', async () => {
    await deliver(reportMail({ report: fixture('parsedmarc-rfc8460.json').toString('utf8'), reportDomain: 'x' }));

    const [key] = (await s3.keys()).filter((k) => k.startsWith('reports/'));
    expect(key).toBe('reports/policy-domain=company-y.example/date=2016-04-01/898271da980eec5ef9a3d0507c7f7272.json');
    expect(output.emf()).toEqual(RFC8460_APPENDIX_B_METRICS);
  });

  test('stores a report about several policy domains as one object per published domain, the rest as other', async () => {
    await deliver(reportMail({ report: JSON.stringify(MULTI_DOMAIN_REPORT) }));

    const prefix = 'reports/policy-domain=';
    expect(await s3.keys()).toEqual([
      `raw/${MESSAGE_ID}`,
      `${prefix}example.com/date=2024-09-04/${MULTI_KEY}.json`,
      `${prefix}other/date=2024-09-04/${MULTI_KEY}.json`,
    ]);
    const policiesOf = async (segment: string) => {
      const stored = (await storedJson(`${prefix}${segment}/date=2024-09-04/${MULTI_KEY}.json`)) as {
        reportId: string;
        policies: { policyType: string; policyDomain: string | null; totalSuccessfulSessionCount: number }[];
      };
      expect(stored.reportId).toBe('multi-2024-09-04');
      return stored.policies.map((p) => [p.policyType, p.policyDomain, p.totalSuccessfulSessionCount]);
    };
    expect(await policiesOf('example.com')).toEqual([
      ['sts', 'example.com', 10],
      ['sts', 'example.com', 3],
    ]);
    expect(await policiesOf('other')).toEqual([
      ['tlsa', 'mx1.example.net', 5],
      ['no-policy-found', null, 1],
      ['sts', '../evil', 0],
    ]);

    expect(output.emf()).toEqual([
      domainMetrics('example.com', 13, 2),
      resultTypeMetrics('certificate-expired', 2),
      domainMetrics('other', 1, 0),
    ]);
  });

  test('a DANE policy about an MX host under a published domain gets its own partition', async () => {
    const report = {
      ...MULTI_DOMAIN_REPORT,
      policies: [
        { ...MULTI_DOMAIN_REPORT.policies[1], policy: { 'policy-type': 'tlsa', 'policy-domain': 'mx1.example.com' } },
      ],
    };
    await deliver(reportMail({ report: JSON.stringify(report) }));

    expect((await s3.keys()).filter((key) => key.startsWith('reports/'))).toEqual([
      `reports/policy-domain=mx1.example.com/date=2024-09-04/${MULTI_KEY}.json`,
    ]);
  });

  test('an empty published-domain list means nothing is published: one object under other, counted as other', async () => {
    // Before, an unset list meant "everything is published": one mail could store and count any number of domains.
    handler = createHandler(deps({ publishedDomains: [] }));
    const many = {
      ...MULTI_DOMAIN_REPORT,
      policies: Array.from({ length: 10 }, (_, i) => ({
        policy: { 'policy-type': 'sts', 'policy-domain': `d${i}.example.org` },
        summary: { 'total-successful-session-count': 1, 'total-failure-session-count': 1 },
        'failure-details': [{ 'result-type': 'certificate-expired', 'failed-session-count': 1 }],
      })),
    };
    await deliver(reportMail({ report: JSON.stringify(many) }));

    const stored = (await s3.keys()).filter((key) => key.startsWith('reports/'));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatch(/^reports\/policy-domain=other\//);
    expect(output.emf()).toEqual([domainMetrics('other', 10, 10)]);
  });
});

describe('duplicates and retries', () => {
  test('a report delivered twice (two mails) is stored once and counted once', async () => {
    await deliver(fixture('parsedmarc-google.com.eml'), MESSAGE_ID);
    await deliver(fixture('parsedmarc-google.com.eml'), OTHER_MESSAGE_ID);

    expect(await s3.keys()).toEqual([`raw/${MESSAGE_ID}`, `raw/${OTHER_MESSAGE_ID}`, GOOGLE_KEY]);
    expect(await storedJson(GOOGLE_KEY)).toMatchObject({ source: `raw/${MESSAGE_ID}` });
    expect(output.emf()).toEqual([domainMetrics('cardinalhealth.ca', 48, 0)]);
    expect(output.logs()).toEqual([
      { outcome: 'stored', source: `raw/${MESSAGE_ID}`, objects: [{ key: GOOGLE_KEY, created: true }] },
      { outcome: 'stored', source: `raw/${OTHER_MESSAGE_ID}`, objects: [{ key: GOOGLE_KEY, created: false }] },
    ]);
  });

  test('a retried invocation changes nothing and counts nothing', async () => {
    await deliver(fixture('mox-google.eml'));
    const before = await s3.get(
      'reports/policy-domain=test.xmox.nl/date=2022-09-15/1fa6480a01a5bcf75bed997e5c5725a0.json',
    );
    await handler(sesEvent(MESSAGE_ID));

    expect(
      await s3.get('reports/policy-domain=test.xmox.nl/date=2022-09-15/1fa6480a01a5bcf75bed997e5c5725a0.json'),
    ).toEqual(before);
    expect(output.emf()).toEqual([domainMetrics('test.xmox.nl', 3, 0)]);
  });

  test('a retry after a partial failure stores and counts the rest, each object once', async () => {
    await s3.put(`raw/${MESSAGE_ID}`, await signAsFrom(reportMail({ report: JSON.stringify(MULTI_DOMAIN_REPORT) })));
    s3.failNextPut(/policy-domain=other\//);

    await expect(handler(sesEvent(MESSAGE_ID))).rejects.toMatchObject({
      name: 'InternalError',
      $metadata: { httpStatusCode: 500 },
    });
    expect((await s3.keys()).filter((key) => key.startsWith('reports/'))).toEqual([
      `reports/policy-domain=example.com/date=2024-09-04/${MULTI_KEY}.json`,
    ]);
    expect(output.emf()).toEqual([domainMetrics('example.com', 13, 2), resultTypeMetrics('certificate-expired', 2)]);

    await handler(sesEvent(MESSAGE_ID));
    expect((await s3.keys()).filter((key) => key.startsWith('reports/'))).toHaveLength(2);
    expect(output.emf()).toEqual([
      domainMetrics('example.com', 13, 2),
      resultTypeMetrics('certificate-expired', 2),
      domainMetrics('other', 1, 0),
    ]);
  });

  test('two concurrent deliveries of one report: the conditional put lets exactly one count', async () => {
    const mail = await signAsFrom(fixture('parsedmarc-google.com.eml'));
    await s3.put(`raw/${MESSAGE_ID}`, mail);
    await s3.put(`raw/${OTHER_MESSAGE_ID}`, mail);
    // Both HEADs see no object; S3's If-None-Match then refuses the second PUT with 412.
    s3.holdHeads(2);

    await Promise.all([handler(sesEvent(MESSAGE_ID)), handler(sesEvent(OTHER_MESSAGE_ID))]);

    const created = (output.logs() as { objects: { created: boolean }[] }[]).map((log) => log.objects[0].created);
    expect(created.sort()).toEqual([false, true]);
    expect(output.emf()).toEqual([domainMetrics('cardinalhealth.ca', 48, 0)]);
  });
});

describe('rejections', () => {
  const rejectedKey = `rejected/date=2024-09-04/${MESSAGE_ID}.json`;

  test.each([
    ['a mail that is not a report', NOT_A_REPORT, 'mail has no TLS report part'],
    [
      'a gzip bomb',
      reportMail({ report: gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20)) }),
      'decompressed report exceeds the 1048576-byte limit',
    ],
    [
      'a report without policies',
      reportMail({ report: JSON.stringify({ 'report-id': 'x', 'date-range': {} }) }),
      'not a TLS-RPT report: "policies" is missing',
    ],
  ])('records %s under rejected/ and returns normally', async (_, mail, reason) => {
    await deliver(mail);

    expect(await s3.keys()).toEqual([`raw/${MESSAGE_ID}`, rejectedKey]);
    expect(await storedJson(rejectedKey)).toEqual({ source: `raw/${MESSAGE_ID}`, reason, receivedAt: RECEIVED_AT });
    expect(output.emf()).toEqual([REJECTED_METRICS]);
    expect(output.logs()).toEqual([
      { outcome: 'rejected', source: `raw/${MESSAGE_ID}`, reason, key: rejectedKey, created: true },
    ]);
  });

  test.each(['FAIL', 'GRAY'] as const)('rejects a report whose SES DKIM verdict is %s (RFC 8460 §3)', async (dkim) => {
    await deliver(fixture('parsedmarc-google.com.eml'), MESSAGE_ID, dkim);

    expect(await s3.keys()).toEqual([`raw/${MESSAGE_ID}`, rejectedKey]);
    expect(await storedJson(rejectedKey)).toEqual({
      source: `raw/${MESSAGE_ID}`,
      reason: `dkim ${dkim}`,
      receivedAt: RECEIVED_AT,
    });
    expect(output.emf()).toEqual([REJECTED_METRICS]);
  });

  test('rejects a mail SES found a virus in as "virus FAIL", even with DKIM PASS', async () => {
    await s3.put(`raw/${MESSAGE_ID}`, await signAsFrom(fixture('parsedmarc-google.com.eml')));
    await handler(sesEvent(MESSAGE_ID, 'PASS', RECEIVED_AT, 'FAIL'));

    expect(await s3.keys()).toEqual([`raw/${MESSAGE_ID}`, rejectedKey]);
    expect(await storedJson(rejectedKey)).toEqual({
      source: `raw/${MESSAGE_ID}`,
      reason: 'virus FAIL',
      receivedAt: RECEIVED_AT,
    });
    expect(output.emf()).toEqual([REJECTED_METRICS]);
  });

  test.each(['GRAY', 'PROCESSING_FAILED', 'DISABLED'] as const)(
    'stores a DKIM-verified report whose virus verdict is %s (only FAIL rejects)',
    async (virus) => {
      await s3.put(`raw/${MESSAGE_ID}`, await signAsFrom(fixture('parsedmarc-google.com.eml')));
      await handler(sesEvent(MESSAGE_ID, 'PASS', RECEIVED_AT, virus));

      expect(await s3.keys()).toEqual([`raw/${MESSAGE_ID}`, GOOGLE_KEY]);
    },
  );

  test.each([
    ['DKIM FAIL', sesEvent(MESSAGE_ID, 'FAIL'), 'dkim FAIL'],
    ['DKIM PROCESSING_FAILED', sesEvent(MESSAGE_ID, 'PROCESSING_FAILED'), 'dkim PROCESSING_FAILED'],
    ['a virus', sesEvent(MESSAGE_ID, 'PASS', RECEIVED_AT, 'FAIL'), 'virus FAIL'],
  ])('a mail ruled out by %s is rejected from the SES verdict alone, unread', async (_, event, reason) => {
    // No raw mail in the bucket: reading it would throw NoSuchKey.
    const read = jest.spyOn(ReportStore.prototype, 'read');
    await handler(event);

    expect(read).not.toHaveBeenCalled();
    expect(await s3.keys()).toEqual([rejectedKey]);
    expect(output.logs()).toEqual([
      { outcome: 'rejected', source: `raw/${MESSAGE_ID}`, reason, key: rejectedKey, created: true },
    ]);
    expect(output.emf()).toEqual([REJECTED_METRICS]);
  });

  test('a virus and a DKIM failure together: the virus is the reason', async () => {
    await handler(sesEvent(MESSAGE_ID, 'FAIL', RECEIVED_AT, 'FAIL'));
    expect(await storedJson(rejectedKey)).toMatchObject({ reason: 'virus FAIL' });
  });

  test('the configured decompression cap also bounds all report parts of one mail together', async () => {
    // Three parts of 400 KiB each: every one under the 1 MiB cap, together over it.
    const padded = gzipSync(JSON.stringify(MULTI_DOMAIN_REPORT) + ' '.repeat(400 * 1024));
    const part = (i: number) => ({ contentType: 'application/tlsrpt+gzip', filename: `r${i}.json.gz`, body: padded });
    await deliver(multipartMail([part(1), part(2), part(3)]));

    expect(await s3.keys()).toEqual([`raw/${MESSAGE_ID}`, rejectedKey]);
    expect(await storedJson(rejectedKey)).toMatchObject({
      reason: 'decompressed report parts exceed the 1048576-byte limit in total',
    });
    expect(output.emf()).toEqual([REJECTED_METRICS]);
  });

  test('a rejected mail processed again is recorded and counted once', async () => {
    await deliver(NOT_A_REPORT);
    await handler(sesEvent(MESSAGE_ID));

    expect(await s3.keys()).toEqual([`raw/${MESSAGE_ID}`, rejectedKey]);
    expect(output.emf()).toEqual([REJECTED_METRICS]);
    expect((output.logs()[1] as { created: boolean }).created).toBe(false);
  });

  test('files rejections under the day SES received the mail', async () => {
    await s3.put(`raw/${MESSAGE_ID}`, await signAsFrom(NOT_A_REPORT));
    await handler(sesEvent(MESSAGE_ID, 'PASS', '2024-12-31T23:59:59.999Z'));

    expect(await s3.keys()).toEqual([`raw/${MESSAGE_ID}`, `rejected/date=2024-12-31/${MESSAGE_ID}.json`]);
  });
});

describe('infrastructure errors throw, so that Lambda retries and then dead-letters', () => {
  test('a missing raw mail', async () => {
    await expect(handler(sesEvent(MESSAGE_ID))).rejects.toMatchObject({ name: 'NoSuchKey' });
    expect(await s3.keys()).toEqual([]);
    expect(output.emf()).toEqual([]);
  });

  test('a bucket that does not exist', async () => {
    await s3.put(`raw/${MESSAGE_ID}`, await signAsFrom(fixture('mox-google.eml')));
    const broken = createHandler(deps({ store: new ReportStore(s3.client, 'no-such-bucket') }));
    await expect(broken(sesEvent(MESSAGE_ID))).rejects.toMatchObject({ name: 'NoSuchBucket' });
    expect(output.emf()).toEqual([]);
  });

  test('a message id that cannot be an SES one', async () => {
    await expect(handler(sesEvent('../reports/x'))).rejects.toThrow('unexpected SES message id "../reports/x"');
  });
});

describe('handler (configured from the environment)', () => {
  const PUBLISHED_KEY = '_cdk-mta-sts/published-domains.json';
  const saved = { ...process.env };
  /** The module's own `handler`, loaded afresh so that it reads the environment again. */
  const freshHandler = () => {
    let fresh: ProcessorModule['handler'] | undefined;
    jest.isolateModules(() => {
      fresh = jest.requireActual<ProcessorModule>('../../../src/reporting/handlers/report-processor.lambda').handler;
    });
    return fresh!;
  };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('reads REPORT_BUCKET, METRIC_NAMESPACE and the published domains, with the default S3 client and DNS', async () => {
    // No network here: the Lambda's DNS resolver answers from the test DNS.
    const dns = everyDomainResolver();
    const lookups: string[] = [];
    jest.spyOn(Resolver.prototype, 'resolveTxt').mockImplementation(async (name: string) => {
      lookups.push(name);
      return dns(name);
    });
    // The policy publisher writes this at deployment.
    await s3.put(PUBLISHED_KEY, JSON.stringify({ policyDomains: ['cardinalhealth.ca'] }));
    Object.assign(process.env, {
      REPORT_BUCKET: BUCKET,
      METRIC_NAMESPACE: 'Custom/TlsRpt',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
    await s3.put(`raw/${MESSAGE_ID}`, await signAsFrom(fixture('parsedmarc-google.com.eml')));

    await freshHandler()(sesEvent(MESSAGE_ID));

    expect(await s3.keys()).toEqual([PUBLISHED_KEY, `raw/${MESSAGE_ID}`, GOOGLE_KEY]);
    expect(lookups).toEqual(['tlsrpt2024._domainkey.google.com']);
    const [line] = output.emf() as { _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string }[] } }[];
    expect(line._aws.CloudWatchMetrics[0].Namespace).toBe('Custom/TlsRpt');
  });

  test('reads TRUSTED_REPORTERS: a signer outside the list is rejected', async () => {
    const dns = everyDomainResolver();
    jest.spyOn(Resolver.prototype, 'resolveTxt').mockImplementation(async (name: string) => dns(name));
    // The policy publisher writes this at deployment.
    await s3.put(PUBLISHED_KEY, JSON.stringify({ policyDomains: ['cardinalhealth.ca'] }));
    Object.assign(process.env, {
      TRUSTED_REPORTERS: 'microsoft.com, outlook.com',
      REPORT_BUCKET: BUCKET,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
    await s3.put(`raw/${MESSAGE_ID}`, await signAsFrom(fixture('parsedmarc-google.com.eml')));

    await freshHandler()(sesEvent(MESSAGE_ID));

    const key = `rejected/date=2024-09-04/${MESSAGE_ID}.json`;
    expect(await s3.keys()).toEqual([PUBLISHED_KEY, `raw/${MESSAGE_ID}`, key]);
    expect(JSON.parse((await s3.get(key)).body).reason).toBe(
      'dkim: signer google.com is not one of the trusted reporters',
    );
  });

  test('a configuration object written after the first invocation is used by the same container', async () => {
    // Before, the container kept its first read (here: no object) for its whole life, filing every report as other.
    const dns = everyDomainResolver();
    jest.spyOn(Resolver.prototype, 'resolveTxt').mockImplementation(async (name: string) => dns(name));
    Object.assign(process.env, {
      REPORT_BUCKET: BUCKET,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
    const handle = freshHandler();
    await s3.put('raw/m1', await signAsFrom(fixture('parsedmarc-google.com.eml')));
    await handle(sesEvent('m1'));
    // The first deployment's publisher writes the object a moment later.
    await s3.put(PUBLISHED_KEY, JSON.stringify({ policyDomains: ['cardinalhealth.ca'] }));
    await s3.put('raw/m2', await signAsFrom(fixture('parsedmarc-google.com.eml')));
    await handle(sesEvent('m2'));

    const reports = (await s3.keys()).filter((key) => key.startsWith('reports/'));
    expect(reports).toEqual([GOOGLE_KEY, GOOGLE_KEY.replace('policy-domain=cardinalhealth.ca', 'policy-domain=other')]);
  });

  test('fails loudly without REPORT_BUCKET', async () => {
    delete process.env.REPORT_BUCKET;
    await expect(freshHandler()(sesEvent(MESSAGE_ID))).rejects.toThrow('environment variable REPORT_BUCKET is not set');
  });
});
