import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { mxSet, route53Zones, zoneApex } from './route53-zone';
import { DRIFT_CONFIG_KEY, parseDriftCheckConfig } from '../../src/drift-check/env';
import { MtaStsMode } from '../../src/policy/mode';
import { renderPolicyDocument } from '../../src/policy/policy-document';
import { captureOutput } from '../reporting/handlers/helpers';
import { BUCKET, CREDENTIALS, useS3Server } from '../support/s3-server';

const ZONE = 'Z04517231CXU2TZ4X0P4F';
type Route53Module = typeof import('@aws-sdk/client-route-53');
type HandlerModule = typeof import('../../src/drift-check/mx-drift-check.lambda');

const saved = { ...process.env };
const s3 = useS3Server();
let route53Mock: AwsStub<any, any, any> | undefined;

afterAll(async () => {
  process.env = saved;
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
    fresh = jest.requireActual<HandlerModule>('../../src/drift-check/mx-drift-check.lambda').handler;
  });
  return fresh!;
}

async function writeConfig(domains: unknown[]): Promise<void> {
  await s3.put(DRIFT_CONFIG_KEY, JSON.stringify({ domains }));
}

test('reads bucket, namespace and stack from the environment, and the domains from the configuration object', async () => {
  await writeConfig([{ domainName: 'example.com', hostedZoneId: ZONE }]);
  await s3.put(
    'example.com/.well-known/mta-sts.txt',
    renderPolicyDocument({ mode: MtaStsMode.ENFORCE, mx: ['mx1.example.com'], maxAgeSeconds: 86400 }).text,
  );
  configure({ POLICY_BUCKET: BUCKET, METRIC_NAMESPACE: 'Mail/Security', STACK_NAME: 'MailSecurity' });
  const output = captureOutput();

  await freshHandler([...zoneApex('example.com.'), mxSet('example.com.', '10 mx1.example.com.')])();

  expect(output.emf()).toEqual([
    {
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'Mail/Security',
            Dimensions: [['Stack']],
            Metrics: [{ Name: 'DomainsWithUncoveredMx', Unit: 'Count' }],
          },
        ],
      },
      Stack: 'MailSecurity',
      DomainsWithUncoveredMx: 0,
    },
  ]);
  expect(output.logs()).toMatchObject([{ policyDomain: 'example.com', status: 'covered' }]);
});

test('the namespace defaults to MtaSts', async () => {
  await writeConfig([{ domainName: 'example.com', hostedZoneId: ZONE }]);
  configure({ POLICY_BUCKET: BUCKET, STACK_NAME: 'MailSecurity' });
  const output = captureOutput();

  await freshHandler(zoneApex('example.com.'))();

  expect(output.emf()).toMatchObject([
    { _aws: { CloudWatchMetrics: [{ Namespace: 'MtaSts' }] }, DomainsWithUncoveredMx: 0 },
  ]);
});

test('fails without POLICY_BUCKET, without STACK_NAME, and without the configuration object', async () => {
  configure({ STACK_NAME: 'MailSecurity' });
  await expect(freshHandler()()).rejects.toThrow('environment variable POLICY_BUCKET is not set');
  process.env = { ...saved };
  configure({ POLICY_BUCKET: BUCKET });
  await expect(freshHandler()()).rejects.toThrow('environment variable STACK_NAME is not set');
  await s3.reset();
  configure({ POLICY_BUCKET: BUCKET, STACK_NAME: 'MailSecurity' });
  await expect(freshHandler()()).rejects.toThrow('The specified key does not exist');
});

describe('parseDriftCheckConfig', () => {
  test('keeps only the two fields', () => {
    expect(parseDriftCheckConfig('{"domains":[{"domainName":"example.com","hostedZoneId":"Z1","extra":1}]}')).toEqual([
      { domainName: 'example.com', hostedZoneId: 'Z1' },
    ]);
    expect(parseDriftCheckConfig('{"domains":[]}')).toEqual([]);
  });

  test.each([
    ['example.com', `configuration object ${DRIFT_CONFIG_KEY} is not JSON`],
    ['[{"domainName":"example.com","hostedZoneId":"Z1"}]', 'must be { "domains"'],
    ['{"domains":[{"domainName":"example.com"}]}', 'must be { "domains"'],
    ['{"domains":[{"domainName":"","hostedZoneId":"Z1"}]}', 'must be { "domains"'],
    ['{"domains":[{"domainName":"example.com","hostedZoneId":7}]}', 'must be { "domains"'],
    ['{"domains":[null]}', 'must be { "domains"'],
    [JSON.stringify({ domains: Array(5001).fill({ domainName: 'a.example', hostedZoneId: 'Z1' }) }), 'at most 5000'],
  ])('rejects %j', (value, message) => {
    expect(() => parseDriftCheckConfig(value)).toThrow(message);
  });
});
