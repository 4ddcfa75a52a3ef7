import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, SESEvent } from 'aws-lambda';
import { captureOutput, domainMetrics, fixture, NOW, sesEvent } from './helpers';
import { createHandler as createReceiver } from '../../../src/reporting/handlers/https-receiver.lambda';
import { ReportMetrics } from '../../../src/reporting/handlers/metrics';
import { createHandler as createProcessor } from '../../../src/reporting/handlers/report-processor.lambda';
import { ReportStore } from '../../../src/reporting/handlers/report-store';
import { BUCKET, useS3Server } from '../../support/s3-server';
import { everyDomainResolver, signAsFrom } from '../dkim-signer';

/**
 * Mail and HTTPS reports share one bucket, but never a prefix: HTTPS reports are unauthenticated (RFC 8460 §5.4),
 * so one must never stand in for a DKIM-verified mail report, and by default they count nowhere.
 */

const MESSAGE_ID = 'o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g01';
const OTHER_MESSAGE_ID = 'q8k2mb4f1d0sj7g6v3lm9uakc5p0e1tr2nbo7h81';
const PARTITION = 'policy-domain=cardinalhealth.ca/date=2024-09-03/';
const MAIL_KEY = `reports/${PARTITION}e5a532bd6ce656e86bb847cb2308cce7.json`;

/** Same organisation, report-id and date range as the Google mail fixture (so the same dedup key), other counts. */
const FORGED = {
  'organization-name': 'Google Inc.',
  'date-range': { 'start-datetime': '2024-09-03T00:00:00Z', 'end-datetime': '2024-09-03T23:59:59Z' },
  'contact-info': 'smtp-tls-reporting@google.com',
  'report-id': '2024-09-03T00:00:00Z_cardinalhealth.ca',
  policies: [
    {
      policy: { 'policy-type': 'no-policy-found', 'policy-domain': 'cardinalhealth.ca' },
      summary: { 'total-successful-session-count': 0, 'total-failure-session-count': 1000 },
    },
  ],
};

const s3 = useS3Server();
let output: ReturnType<typeof captureOutput>;
let processMail: (event: SESEvent) => Promise<void>;
let receive: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** The key of a forged report POSTed as JSON: the SHA-256 of the body. */
function httpsKey(report: object): string {
  return `https-reports/${PARTITION}${createHash('sha256').update(JSON.stringify(report)).digest('hex')}.json`;
}

async function mail(messageId: string): Promise<void> {
  await s3.put(`raw/${messageId}`, await signAsFrom(fixture('parsedmarc-google.com.eml')));
  await processMail(sesEvent(messageId));
}

async function post(report: object): Promise<APIGatewayProxyStructuredResultV2> {
  return receive({
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
      http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'forger/1.0' },
      requestId: 'c1a2b3d4-0000-4000-8000-000000000001',
      routeKey: '$default',
      stage: '$default',
      time: '05/Sep/2024:08:00:00 +0000',
      timeEpoch: NOW.getTime(),
    },
    body: JSON.stringify(report),
    isBase64Encoded: false,
  });
}

async function stored(key: string): Promise<{ channel: string; dedupKey: string; source: string }> {
  return JSON.parse((await s3.get(key)).body);
}

beforeEach(async () => {
  output = captureOutput();
  const store = new ReportStore(s3.client, BUCKET);
  const publishedDomains = ['cardinalhealth.ca'];
  const metrics = new ReportMetrics({ namespace: 'MtaSts', now: () => NOW, publishedDomains });
  processMail = createProcessor({
    store,
    metrics,
    maxDecompressedBytes: 1024 * 1024,
    resolveTxt: everyDomainResolver(),
    publishedDomains,
  });
  receive = createReceiver({ store, metrics, maxBytes: 64 * 1024, publishedDomains });
});

function receiveCounting(): void {
  const store = new ReportStore(s3.client, BUCKET);
  const publishedDomains = ['cardinalhealth.ca'];
  const metrics = new ReportMetrics({ namespace: 'MtaSts', now: () => NOW, publishedDomains });
  receive = createReceiver({ store, metrics, maxBytes: 64 * 1024, publishedDomains, countHttps: true });
}

afterEach(() => {
  jest.restoreAllMocks();
});

test('a forged HTTPS report posted first does not pre-empt the genuine mail report, and counts nothing', async () => {
  expect((await post(FORGED)).body).toBe('stored\n');
  await mail(MESSAGE_ID);

  expect((await s3.keys()).filter((key) => /^(https-)?reports\//.test(key))).toEqual([httpsKey(FORGED), MAIL_KEY]);
  expect(await stored(MAIL_KEY)).toMatchObject({
    channel: 'mail',
    dedupKey: 'e5a532bd6ce656e86bb847cb2308cce7',
    source: `raw/${MESSAGE_ID}`,
    policies: [{ totalSuccessfulSessionCount: 48, totalFailureSessionCount: 0 }],
  });
  expect(await stored(httpsKey(FORGED))).toMatchObject({
    channel: 'https',
    dedupKey: httpsKey(FORGED).slice(-69, -5),
    policies: [{ totalSuccessfulSessionCount: 0, totalFailureSessionCount: 1000 }],
  });
  // Only the mail report is counted: before, the forged 1,000 failures fed the failure-rate and sts-* alarms.
  expect(output.emf()).toEqual([domainMetrics('cardinalhealth.ca', 48, 0)]);
  expect(output.logs()[1]).toEqual({
    outcome: 'stored',
    source: `raw/${MESSAGE_ID}`,
    objects: [{ key: MAIL_KEY, created: true }],
  });
});

test('with httpsCounts, HTTPS reports are counted too, each body once', async () => {
  receiveCounting();
  await mail(MESSAGE_ID);
  expect((await post(FORGED)).body).toBe('stored\n');
  await mail(OTHER_MESSAGE_ID);
  expect((await post(FORGED)).body).toBe('already stored\n');

  expect((await s3.keys()).filter((key) => /^(https-)?reports\//.test(key))).toEqual([httpsKey(FORGED), MAIL_KEY]);
  expect(await stored(MAIL_KEY)).toMatchObject({ channel: 'mail', source: `raw/${MESSAGE_ID}` });
  expect(output.emf()).toEqual([
    domainMetrics('cardinalhealth.ca', 48, 0),
    domainMetrics('cardinalhealth.ca', 0, 1000),
  ]);
});
