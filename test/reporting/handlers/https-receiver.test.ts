import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  captureOutput,
  domainMetrics,
  fixture,
  MULTI_DOMAIN_REPORT,
  NOW,
  resultTypeMetrics,
  RFC8460_APPENDIX_B_METRICS,
} from './helpers';
import { HttpsIngestDeps } from '../../../src/reporting/handlers/https-ingest';
import { createHandler } from '../../../src/reporting/handlers/https-receiver.lambda';
import { ReportMetrics } from '../../../src/reporting/handlers/metrics';
import { ReportStore } from '../../../src/reporting/handlers/report-store';
import { BUCKET, useS3Server } from '../../support/s3-server';

type ReceiverModule = typeof import('../../../src/reporting/handlers/https-receiver.lambda');

const MAX_BYTES = 64 * 1024;
const RECEIVED_AT = NOW.toISOString();
// HTTPS reports are stored under their own prefix, keyed by the SHA-256 of the body: nothing in an unauthenticated
// report is trusted to identify it, and it never takes the key of a (DKIM-verified) mail report.
const rfcReportKey = (body: Buffer) =>
  `https-reports/policy-domain=company-y.example/date=2016-04-01/${createHash('sha256').update(body).digest('hex')}.json`;
const TEXT = { 'content-type': 'text/plain; charset=utf-8' };

const s3 = useS3Server();
let output: ReturnType<typeof captureOutput>;
let handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

function deps(overrides: Partial<HttpsIngestDeps> = {}): HttpsIngestDeps {
  return {
    store: new ReportStore(s3.client, BUCKET),
    metrics: new ReportMetrics({
      namespace: 'MtaSts',
      now: () => NOW,
      publishedDomains: ['company-y.example', 'foo-bar.io', 'example.com'],
    }),
    maxBytes: MAX_BYTES,
    publishedDomains: ['company-y.example', 'foo-bar.io', 'example.com'],
    // Most tests here check what would be counted; the default (not counted) has its own test.
    countHttps: true,
    ...overrides,
  };
}

interface Upload {
  readonly method?: string;
  readonly contentType?: string;
  readonly body?: Buffer;
  /** Function URLs base64-encode bodies they do not consider text. */
  readonly base64?: boolean;
}

/** A Lambda Function URL event (payload format 2.0), as a sender's POST produces it. */
function urlEvent({ method = 'POST', contentType, body, base64 = true }: Upload): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: {
      host: 'abcdefghij.lambda-url.eu-west-1.on.aws',
      'user-agent': 'tlsrpt-reporter/0.5',
      'x-forwarded-proto': 'https',
      ...(contentType !== undefined ? { 'content-type': contentType } : {}),
      ...(body !== undefined ? { 'content-length': String(body.length) } : {}),
    },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghij',
      domainName: 'abcdefghij.lambda-url.eu-west-1.on.aws',
      domainPrefix: 'abcdefghij',
      http: {
        method,
        path: '/',
        protocol: 'HTTP/1.1',
        sourceIp: '198.51.100.7',
        userAgent: 'tlsrpt-reporter/0.5',
      },
      requestId: 'c1a2b3d4-0000-4000-8000-000000000001',
      routeKey: '$default',
      stage: '$default',
      time: '05/Sep/2024:08:00:00 +0000',
      timeEpoch: NOW.getTime(),
    },
    ...(body !== undefined ? { body: body.toString(base64 ? 'base64' : 'utf8') } : {}),
    isBase64Encoded: body !== undefined && base64,
  };
}

function sha256(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

function rawKey(body: Buffer): string {
  return `raw/https/${sha256(body)}`;
}

const rfcJson = () => fixture('parsedmarc-rfc8460.json');
const rfcMetrics = RFC8460_APPENDIX_B_METRICS;

beforeEach(async () => {
  output = captureOutput();
  handler = createHandler(deps());
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('201: stored', () => {
  test('a gzipped report (application/tlsrpt+gzip, base64 body) is stored raw and normalised, and counted', async () => {
    const body = gzipSync(rfcJson());

    expect(await handler(urlEvent({ contentType: 'application/tlsrpt+gzip', body }))).toEqual({
      statusCode: 201,
      headers: TEXT,
      body: 'stored\n',
    });
    expect(await s3.keys()).toEqual([rfcReportKey(body), rawKey(body)]);
    const raw = await s3.get(rawKey(body));
    expect(raw.contentType).toBe('application/tlsrpt+gzip');
    expect(raw.bytes).toEqual(body);
    const stored = await s3.get(rfcReportKey(body));
    expect(stored.contentType).toBe('application/json');
    expect(JSON.parse(stored.body)).toEqual({
      dedupKey: sha256(body),
      source: rawKey(body),
      channel: 'https',
      receivedAt: RECEIVED_AT,
      organizationName: 'Company-X',
      reportId: '5065427c-23d3-47ca-b6e0-946ea0e8c4be',
      contactInfo: 'sts-reporting@company-x.example',
      dateRange: { startDatetime: '2016-04-01T00:00:00Z', endDatetime: '2016-04-01T23:59:59Z' },
      policies: [
        {
          policyType: 'sts',
          policyDomain: 'company-y.example',
          policyStrings: ['version: STSv1', 'mode: testing', 'mx: *.mail.company-y.example', 'max_age: 86400'],
          mxHosts: ['*.mail.company-y.example'],
          totalSuccessfulSessionCount: 5326,
          totalFailureSessionCount: 303,
          failureDetails: [
            {
              resultType: 'certificate-expired',
              sendingMtaIp: '2001:db8:abcd:0012::1',
              receivingMxHostname: 'mx1.mail.company-y.example',
              failedSessionCount: 100,
            },
            {
              resultType: 'starttls-not-supported',
              sendingMtaIp: '2001:db8:abcd:0013::1',
              receivingMxHostname: 'mx2.mail.company-y.example',
              receivingIp: '203.0.113.56',
              failedSessionCount: 200,
              additionalInformation:
                'https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported',
            },
            {
              resultType: 'validation-failure',
              sendingMtaIp: '198.51.100.62',
              receivingMxHostname: 'mx-backup.mail.company-y.example',
              receivingIp: '203.0.113.58',
              failedSessionCount: 3,
              failureReasonCode: 'X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED',
            },
          ],
        },
      ],
      warnings: [],
    });
    expect(output.emf()).toEqual(rfcMetrics);
    expect(output.logs()).toEqual([
      { status: 201, outcome: 'stored', source: rawKey(body), objects: [{ key: rfcReportKey(body), created: true }] },
    ]);
  });

  test.each([
    ['plain JSON as application/tlsrpt+json, not base64-encoded', 'application/tlsrpt+json', () => rfcJson(), false],
    [
      'gzip sent as application/tlsrpt+json without Content-Encoding',
      'application/tlsrpt+json',
      () => gzipSync(rfcJson()),
      true,
    ],
    ['plain JSON labelled application/tlsrpt+gzip', 'application/tlsrpt+gzip', () => rfcJson(), true],
    ['a media type in capitals, with parameters', 'Application/TLSRPT+JSON; charset=utf-8', () => rfcJson(), true],
  ])('%s', async (_, contentType, makeBody, base64) => {
    const body = makeBody();

    expect(await handler(urlEvent({ contentType, body, base64 }))).toEqual({
      statusCode: 201,
      headers: TEXT,
      body: 'stored\n',
    });
    expect(await s3.keys()).toEqual([rfcReportKey(body), rawKey(body)]);
    expect(output.emf()).toEqual(rfcMetrics);
  });

  test('a report posted twice is stored once, counted once, and answered 201 both times', async () => {
    const body = gzipSync(rfcJson());
    await handler(urlEvent({ contentType: 'application/tlsrpt+gzip', body }));
    const second = await handler(urlEvent({ contentType: 'application/tlsrpt+gzip', body }));

    expect(second).toEqual({ statusCode: 201, headers: TEXT, body: 'already stored\n' });
    expect(await s3.keys()).toEqual([rfcReportKey(body), rawKey(body)]);
    expect(output.emf()).toEqual(rfcMetrics);
  });

  test('the same report in another encoding is stored again: HTTPS reports are keyed by their body', async () => {
    await handler(urlEvent({ contentType: 'application/tlsrpt+json', body: rfcJson() }));
    const gzipped = gzipSync(rfcJson());
    const second = await handler(urlEvent({ contentType: 'application/tlsrpt+gzip', body: gzipped }));

    expect(second.body).toBe('stored\n');
    expect((await s3.keys()).filter((key) => key.startsWith('https-reports/'))).toEqual(
      [rfcReportKey(rfcJson()), rfcReportKey(gzipped)].sort(),
    );
  });

  test('by default an HTTPS report is stored but not counted: anyone can POST (RFC 8460 §5.4)', async () => {
    handler = createHandler(deps({ countHttps: undefined }));
    const body = gzipSync(rfcJson());
    expect((await handler(urlEvent({ contentType: 'application/tlsrpt+gzip', body }))).body).toBe('stored\n');

    expect(await s3.keys()).toEqual([rfcReportKey(body), rawKey(body)]);
    expect(output.emf()).toEqual([]);
  });

  test('hundreds of subdomains of a published domain in one small POST are refused, writing nothing', async () => {
    // Before, each became an object of its own: 3 KB of gzip wrote 1,001 objects.
    const report = {
      ...MULTI_DOMAIN_REPORT,
      policies: Array.from({ length: 300 }, (_, i) => ({
        policy: { 'policy-type': 'sts', 'policy-domain': `h${i}.example.com` },
        summary: { 'total-successful-session-count': 1, 'total-failure-session-count': 0 },
      })),
    };
    const body = gzipSync(JSON.stringify(report));
    const response = await handler(urlEvent({ contentType: 'application/tlsrpt+gzip', body }));

    expect(response).toMatchObject({
      statusCode: 400,
      body: 'implausible report: report names 300 policy domains, over 10\n',
    });
    expect(await s3.keys()).toEqual([]);
  });

  test('of a report about several domains, only the published domains are stored and counted', async () => {
    const body = Buffer.from(JSON.stringify(MULTI_DOMAIN_REPORT));
    await handler(urlEvent({ contentType: 'application/tlsrpt+json', body }));

    const key = `https-reports/policy-domain=example.com/date=2024-09-04/${sha256(body)}.json`;
    expect(await s3.keys()).toEqual([key, rawKey(body)]);
    const stored = JSON.parse((await s3.get(key)).body) as { policies: { policyDomain: string }[] };
    expect(stored.policies.map((p) => p.policyDomain)).toEqual(['example.com', 'example.com']);
    expect(output.emf()).toEqual([domainMetrics('example.com', 13, 2), resultTypeMetrics('certificate-expired', 2)]);
  });

  test('a DANE policy about an MX host under a published domain is accepted', async () => {
    handler = createHandler(deps({ publishedDomains: ['example.net'] }));
    const body = Buffer.from(JSON.stringify(MULTI_DOMAIN_REPORT));
    await handler(urlEvent({ contentType: 'application/tlsrpt+json', body }));

    expect((await s3.keys()).filter((key) => key.startsWith('https-reports/'))).toEqual([
      `https-reports/policy-domain=mx1.example.net/date=2024-09-04/${sha256(body)}.json`,
    ]);
  });
});

describe('4xx: refused', () => {
  test('405 for anything but POST, with Allow, storing nothing', async () => {
    expect(await handler(urlEvent({ method: 'GET' }))).toEqual({
      statusCode: 405,
      headers: { ...TEXT, allow: 'POST' },
      body: 'method not allowed: POST a TLS report\n',
    });
    expect(await s3.keys()).toEqual([]);
    expect(output.emf()).toEqual([]);
    expect(output.logs()).toEqual([{ status: 405, reason: 'method not allowed: POST a TLS report' }]);
  });

  test.each([
    ['text/plain', 'text/plain'],
    ['application/json', 'application/json'],
    ['no Content-Type', undefined],
  ])('415 for %s, storing nothing', async (_, contentType) => {
    expect(await handler(urlEvent({ contentType, body: rfcJson() }))).toEqual({
      statusCode: 415,
      headers: TEXT,
      body: 'unsupported media type: use application/tlsrpt+gzip or application/tlsrpt+json\n',
    });
    expect(await s3.keys()).toEqual([]);
    expect(output.emf()).toEqual([]);
  });

  test('413 for a body over the cap, storing nothing', async () => {
    const body = Buffer.alloc(MAX_BYTES + 1, 0x20);

    expect(await handler(urlEvent({ contentType: 'application/tlsrpt+json', body }))).toEqual({
      statusCode: 413,
      headers: TEXT,
      body: `report too large: over ${MAX_BYTES} bytes\n`,
    });
    expect(await s3.keys()).toEqual([]);
  });

  test('400 for an empty body, storing nothing', async () => {
    expect(await handler(urlEvent({ contentType: 'application/tlsrpt+json', body: Buffer.alloc(0) }))).toEqual({
      statusCode: 400,
      headers: TEXT,
      body: 'not a TLS report: the body is empty\n',
    });
    expect(await s3.keys()).toEqual([]);
  });

  test.each([
    ['JSON that is not a report', Buffer.from('{"hello":"world"}'), 'not a TLS-RPT report: "policies" is missing'],
    [
      'a gzip bomb',
      gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20)),
      `decompressed report exceeds the ${MAX_BYTES}-byte limit`,
    ],
    ['truncated gzip', gzipSync(rfcJson()).subarray(0, 100), 'gzip data is truncated'],
  ])('400 for %s: logged, storing and counting nothing', async (_, body, reason) => {
    expect(await handler(urlEvent({ contentType: 'application/tlsrpt+gzip', body }))).toEqual({
      statusCode: 400,
      headers: TEXT,
      body: `not a TLS report: ${reason}\n`,
    });
    expect(await s3.keys()).toEqual([]);
    expect(output.emf()).toEqual([]);
    expect(output.logs()).toEqual([{ status: 400, outcome: 'rejected', reason, bodySha256: sha256(body) }]);
  });

  test('403 for a report about a domain not published here: logged, storing and counting nothing', async () => {
    handler = createHandler(deps({ publishedDomains: ['example.com'] }));
    const body = fixture('cryinc-google.json');

    expect(await handler(urlEvent({ contentType: 'application/tlsrpt+json', body }))).toEqual({
      statusCode: 403,
      headers: TEXT,
      body: 'report is not about a policy domain published here\n',
    });
    expect(await s3.keys()).toEqual([]);
    expect(output.emf()).toEqual([]);
    expect(output.logs()).toEqual([
      {
        status: 403,
        outcome: 'rejected',
        reason: 'policy domain not published here: foo-bar.io',
        bodySha256: sha256(body),
      },
    ]);
  });

  test('403 for a report whose only policy names no domain', async () => {
    handler = createHandler(deps({ publishedDomains: ['example.com'] }));
    const body = fixture('mail-auth-rpt03-invalid-policy-type.json');

    expect((await handler(urlEvent({ contentType: 'application/tlsrpt+json', body }))).statusCode).toBe(403);
    expect(await s3.keys()).toEqual([]);
    expect(output.logs()).toEqual([
      { status: 403, outcome: 'rejected', reason: 'policy domain not published here: none', bodySha256: sha256(body) },
    ]);
  });

  test('refusals never touch S3: a flood of distinct bad bodies costs no request to the bucket', async () => {
    // A bucket that does not exist: any S3 request would throw NoSuchBucket.
    handler = createHandler(deps({ store: new ReportStore(s3.client, 'no-such-bucket') }));
    const send = jest.spyOn(s3.client, 'send');
    const post = async (body: object) =>
      (await handler(urlEvent({ contentType: 'application/tlsrpt+json', body: Buffer.from(JSON.stringify(body)) })))
        .statusCode;

    for (let i = 0; i < 20; i++) {
      expect(await post({ hello: i })).toBe(400);
      const forged = { ...MULTI_DOMAIN_REPORT, 'report-id': `forged-${i}` };
      expect(await post({ ...forged, policies: [{ ...forged.policies[4] }] })).toBe(403);
    }
    expect(send).not.toHaveBeenCalled();
    expect(output.emf()).toEqual([]);
    expect(output.logs()).toHaveLength(40);
  });
});

describe('errors', () => {
  test('an S3 failure throws (the Function URL answers 5xx and the sender retries)', async () => {
    handler = createHandler(deps({ store: new ReportStore(s3.client, 'no-such-bucket') }));
    await expect(handler(urlEvent({ contentType: 'application/tlsrpt+json', body: rfcJson() }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });
});

describe('handler (configured from the environment)', () => {
  const saved = { ...process.env };
  const freshHandler = () => {
    let fresh: ReceiverModule['handler'] | undefined;
    jest.isolateModules(() => {
      fresh = jest.requireActual<ReceiverModule>('../../../src/reporting/handlers/https-receiver.lambda').handler;
    });
    return fresh!;
  };

  beforeEach(async () => {
    // The policy publisher writes this at deployment; normalized when read.
    await s3.put(
      '_cdk-mta-sts/published-domains.json',
      JSON.stringify({ policyDomains: [' Example.com ', 'company-y.example.'] }),
    );
    Object.assign(process.env, {
      REPORT_BUCKET: BUCKET,
      MAX_DECOMPRESSED_BYTES: '100',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
  });

  afterEach(() => {
    process.env = { ...saved };
  });

  test('reads the published domains from the configuration object, and MAX_DECOMPRESSED_BYTES', async () => {
    const fromEnv = freshHandler();
    expect((await fromEnv(urlEvent({ contentType: 'application/tlsrpt+json', body: rfcJson() }))).statusCode).toBe(413);

    process.env.MAX_DECOMPRESSED_BYTES = String(MAX_BYTES);
    const response = await freshHandler()(urlEvent({ contentType: 'application/tlsrpt+json', body: rfcJson() }));
    expect(response.statusCode).toBe(201);
    expect((await s3.keys()).filter((key) => key.startsWith('https-reports/'))).toEqual([rfcReportKey(rfcJson())]);
  });

  test('fails loudly without the configuration object', async () => {
    await s3.reset();
    await expect(freshHandler()(urlEvent({ method: 'GET' }))).rejects.toThrow(
      `configuration object s3://${BUCKET}/_cdk-mta-sts/published-domains.json is missing: deploy the stack again`,
    );
  });

  test('fails loudly on a MAX_DECOMPRESSED_BYTES that is not a positive integer', async () => {
    process.env.MAX_DECOMPRESSED_BYTES = '10MB';
    await expect(freshHandler()(urlEvent({ method: 'GET' }))).rejects.toThrow(
      'environment variable MAX_DECOMPRESSED_BYTES must be a positive integer, got "10MB"',
    );
  });
});
