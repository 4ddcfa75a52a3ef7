import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { mxSet, route53Zones, zoneApex } from './route53-zone';
import { parseDriftCheckDomains } from '../../../src/monitoring/mx-drift/env';
import { MtaStsMode } from '../../../src/policy/mode';
import { renderPolicyDocument } from '../../../src/policy/policy-document';
import { captureOutput } from '../../reporting/handlers/helpers';
import { BUCKET, CREDENTIALS, S3Server, startS3Server } from '../../reporting/handlers/s3-server';

const ZONE = 'Z04517231CXU2TZ4X0P4F';
type Route53Module = typeof import('@aws-sdk/client-route-53');
type HandlerModule = typeof import('../../../src/monitoring/mx-drift/mx-drift-check.lambda');

const saved = { ...process.env };
let s3: S3Server;
let route53Mock: AwsStub<any, any, any> | undefined;

beforeAll(async () => {
  s3 = await startS3Server();
});

afterAll(async () => {
  process.env = saved;
  await s3.close();
});

afterEach(() => {
  route53Mock?.restore();
  jest.restoreAllMocks();
  process.env = { ...saved };
});

function configure(env: Record<string, string>): void {
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    // The handler's own S3Client reaches s3rver through the SDK's endpoint setting.
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    ...env,
  });
}

/**
 * The module's own `handler`, loaded afresh so that it reads the environment again, with the Route 53 client class
 * of that fresh load answering from `zone`.
 */
function freshHandler(zone: ResourceRecordSet[] = []): HandlerModule['handler'] {
  let fresh: HandlerModule['handler'] | undefined;
  jest.isolateModules(() => {
    const sdk = jest.requireActual<Route53Module>('@aws-sdk/client-route-53');
    route53Mock = mockClient(sdk.Route53Client);
    route53Mock.on(sdk.ListResourceRecordSetsCommand).callsFake(route53Zones({ [ZONE]: zone }));
    fresh = jest.requireActual<HandlerModule>('../../../src/monitoring/mx-drift/mx-drift-check.lambda').handler;
  });
  return fresh!;
}

test('reads domains, bucket and namespace from the environment the construct sets', async () => {
  await s3.put(
    'example.com/.well-known/mta-sts.txt',
    renderPolicyDocument({ mode: MtaStsMode.ENFORCE, mx: ['mx1.example.com'], maxAgeSeconds: 86400 }).text,
  );
  configure({
    MX_DRIFT_DOMAINS: JSON.stringify([{ domainName: 'example.com', hostedZoneId: ZONE }]),
    POLICY_BUCKET: BUCKET,
    METRIC_NAMESPACE: 'Mail/Security',
  });
  const output = captureOutput();

  await freshHandler([...zoneApex('example.com.'), mxSet('example.com.', '10 mx1.example.com.')])();

  expect(output.emf()).toEqual([
    {
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'Mail/Security',
            Dimensions: [['PolicyDomain']],
            Metrics: [{ Name: 'UncoveredMxHosts', Unit: 'Count' }],
          },
        ],
      },
      PolicyDomain: 'example.com',
      UncoveredMxHosts: 0,
    },
  ]);
  expect(output.logs()).toMatchObject([{ policyDomain: 'example.com', status: 'covered' }]);
});

test('the namespace defaults to MtaSts', async () => {
  configure({
    MX_DRIFT_DOMAINS: JSON.stringify([{ domainName: 'example.com', hostedZoneId: ZONE }]),
    POLICY_BUCKET: BUCKET,
  });
  const output = captureOutput();

  await freshHandler(zoneApex('example.com.'))();

  expect(output.emf()).toMatchObject([{ _aws: { CloudWatchMetrics: [{ Namespace: 'MtaSts' }] }, UncoveredMxHosts: 0 }]);
});

test.each([
  [{ POLICY_BUCKET: BUCKET }, 'environment variable MX_DRIFT_DOMAINS is not set'],
  [{ MX_DRIFT_DOMAINS: '[]' }, 'environment variable POLICY_BUCKET is not set'],
])('fails on a missing variable: %j', async (env, message) => {
  configure(env);
  await expect(freshHandler()()).rejects.toThrow(message);
});

describe('parseDriftCheckDomains', () => {
  test('keeps only the two fields', () => {
    expect(parseDriftCheckDomains('[{"domainName":"example.com","hostedZoneId":"Z1","extra":1}]')).toEqual([
      { domainName: 'example.com', hostedZoneId: 'Z1' },
    ]);
    expect(parseDriftCheckDomains('[]')).toEqual([]);
  });

  test.each([
    ['example.com', 'environment variable MX_DRIFT_DOMAINS is not JSON'],
    ['{"domainName":"example.com","hostedZoneId":"Z1"}', 'must be a JSON array'],
    ['[{"domainName":"example.com"}]', 'must be a JSON array'],
    ['[{"domainName":"","hostedZoneId":"Z1"}]', 'must be a JSON array'],
    ['[{"domainName":"example.com","hostedZoneId":7}]', 'must be a JSON array'],
    ['[null]', 'must be a JSON array'],
  ])('rejects %j', (value, message) => {
    expect(() => parseDriftCheckDomains(value)).toThrow(message);
  });
});
