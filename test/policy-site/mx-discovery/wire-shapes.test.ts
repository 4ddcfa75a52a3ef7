import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFrontClient, GetManagedCertificateDetailsCommand } from '@aws-sdk/client-cloudfront';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  APEX_MX_PAGE,
  CERTIFICATE_ISSUED,
  CERTIFICATE_PENDING,
  CUT_AFTER_MX_PAGE,
  Recorded,
  TENANT_ID,
  WEIGHTED_MX_FIRST_PAGE,
  ZONE_ID,
} from './recorded';

// The recorded XML goes through the real SDK clients, so the objects the handler tests mock with are the ones the
// SDK produces, and the requests the handler builds are the ones the APIs expect.

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly body: string;
}

let server: Server;
let endpoint: string;
let reply: Reply;
let seen: Seen[];

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({ method: request.method!, url: request.url!, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(reply.status, { 'content-type': 'text/xml', ...reply.headers });
      response.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen = [];
});

const clientConfig = () => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  maxAttempts: 1,
});

function withoutMetadata<T extends { $metadata: unknown }>(output: T): Omit<T, '$metadata'> {
  const { $metadata, ...rest } = output;
  return rest;
}

describe('Route 53 ListResourceRecordSets', () => {
  test.each<[string, Recorded<unknown>]>([
    ['a complete page', APEX_MX_PAGE],
    ['a page truncated inside weighted MX sets', WEIGHTED_MX_FIRST_PAGE],
    ['a page truncated after the MX set', CUT_AFTER_MX_PAGE],
  ])('%s parses into the recorded object', async (_name, recorded) => {
    reply = { status: 200, body: recorded.xml };
    const client = new Route53Client(clientConfig());
    const output = await client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: ZONE_ID,
        StartRecordName: 'example.com',
        StartRecordType: 'MX',
        MaxItems: 10,
      }),
    );
    client.destroy();
    expect(withoutMetadata(output)).toEqual(recorded.parsed);
  });

  test('the start of the next page travels as name, type and identifier query parameters', async () => {
    reply = { status: 200, body: APEX_MX_PAGE.xml };
    const client = new Route53Client(clientConfig());
    await client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: ZONE_ID,
        StartRecordName: 'example.com.',
        StartRecordType: 'MX',
        StartRecordIdentifier: 'us',
        MaxItems: 10,
      }),
    );
    client.destroy();
    expect(seen).toEqual([
      {
        method: 'GET',
        url: `/2013-04-01/hostedzone/${ZONE_ID}/rrset?identifier=us&maxitems=10&name=example.com.&type=MX`,
        body: '',
      },
    ]);
  });
});

describe('CloudFront managed certificates', () => {
  test.each<[string, Recorded<unknown>]>([
    ['pending', CERTIFICATE_PENDING],
    ['issued', CERTIFICATE_ISSUED],
  ])(
    'GetManagedCertificateDetails (%s) asks by tenant id and parses into the object the verifier reads',
    async (_name, recorded) => {
      reply = { status: 200, body: recorded.xml };
      const client = new CloudFrontClient(clientConfig());
      const output = await client.send(new GetManagedCertificateDetailsCommand({ Identifier: TENANT_ID }));
      client.destroy();
      expect(withoutMetadata(output)).toEqual(recorded.parsed);
      expect(seen).toEqual([{ method: 'GET', url: `/2020-05-31/managed-certificate/${TENANT_ID}`, body: '' }]);
    },
  );
});
