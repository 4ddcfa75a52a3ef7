import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFrontClient, CreateInvalidationCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import {
  APEX_MX_PAGE,
  CUT_AFTER_MX_PAGE,
  DISTRIBUTION_ID,
  INVALIDATION_COMPLETED,
  INVALIDATION_CREATED,
  INVALIDATION_ID,
  INVALIDATION_IN_PROGRESS,
  Recorded,
  REQUEST_ID,
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

describe('CloudFront invalidations', () => {
  test('CreateInvalidation: 201 with Location, parsed into the recorded object', async () => {
    reply = {
      status: 201,
      body: INVALIDATION_CREATED.xml,
      headers: { location: INVALIDATION_CREATED.location },
    };
    const client = new CloudFrontClient(clientConfig());
    const output = await client.send(
      new CreateInvalidationCommand({
        DistributionId: DISTRIBUTION_ID,
        InvalidationBatch: {
          Paths: { Quantity: 1, Items: ['/.well-known/mta-sts.txt'] },
          CallerReference: `cdk-mta-sts-${REQUEST_ID}`,
        },
      }),
    );
    client.destroy();
    expect(withoutMetadata(output)).toEqual(INVALIDATION_CREATED.parsed);
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('POST');
    expect(seen[0].url).toBe(`/2020-05-31/distribution/${DISTRIBUTION_ID}/invalidation`);
    expect(seen[0].body).toContain('<Path>/.well-known/mta-sts.txt</Path>');
  });

  test.each<[string, Recorded<unknown>]>([
    ['in progress', INVALIDATION_IN_PROGRESS],
    ['completed', INVALIDATION_COMPLETED],
  ])('GetInvalidation %s parses into the recorded object', async (_name, recorded) => {
    reply = { status: 200, body: recorded.xml };
    const client = new CloudFrontClient(clientConfig());
    const output = await client.send(
      new GetInvalidationCommand({ DistributionId: DISTRIBUTION_ID, Id: INVALIDATION_ID }),
    );
    client.destroy();
    expect(withoutMetadata(output)).toEqual(recorded.parsed);
    expect(seen).toEqual([
      { method: 'GET', url: `/2020-05-31/distribution/${DISTRIBUTION_ID}/invalidation/${INVALIDATION_ID}`, body: '' },
    ]);
  });
});
