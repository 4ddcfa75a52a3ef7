import { createHash } from 'node:crypto';
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  TooManyInvalidationsInProgress,
} from '@aws-sdk/client-cloudfront';
import { ListResourceRecordSetsCommand, NoSuchHostedZone, Route53Client } from '@aws-sdk/client-route-53';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  AFTER_APEX_MX,
  APEX_MX_PAGE,
  CUT_AFTER_MX_PAGE,
  DISTRIBUTION_ID,
  INVALIDATION_COMPLETED,
  INVALIDATION_CREATED,
  INVALIDATION_ID,
  mxSet,
  page,
  REQUEST_ID,
  truncatedPage,
  weightedMxSet,
  WEIGHTED_MX_FIRST_PAGE,
  ZONE_ID,
} from './recorded';
import { MtaStsMode } from '../../../src/policy/mode';
import { renderPolicyDocument } from '../../../src/policy/policy-document';
import { handler as isComplete } from '../../../src/policy-site/mx-discovery/invalidation-complete.lambda';
import { handler } from '../../../src/policy-site/mx-discovery/publish-policy.lambda';

const route53 = mockClient(Route53Client);
const s3 = mockClient(S3Client);
const cloudfront = mockClient(CloudFrontClient);

const SERVICE_TOKEN = 'arn:aws:lambda:eu-west-1:111111111111:function:provider-framework-onEvent';

// What CloudFormation sends: every property value a string.
const PROPERTIES = {
  ServiceToken: SERVICE_TOKEN,
  HostedZoneId: ZONE_ID,
  DomainName: 'example.com',
  Mode: 'testing',
  MaxAgeSeconds: '604800',
  BucketName: 'mailsecurity-mtastspolicybucket-1x2y3z',
  KeyPrefix: 'example.com/',
  DistributionId: DISTRIBUTION_ID,
};

const BASE = {
  ServiceToken: SERVICE_TOKEN,
  ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/response',
  StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/MailSecurity/1',
  RequestId: REQUEST_ID,
  LogicalResourceId: 'DiscoveredPolicy',
  ResourceType: 'Custom::MtaStsDiscoveredPolicy',
};

function create(properties: Partial<typeof PROPERTIES> = {}): CloudFormationCustomResourceCreateEvent {
  return { ...BASE, RequestType: 'Create', ResourceProperties: { ...PROPERTIES, ...properties } };
}

function update(properties: Partial<typeof PROPERTIES>): CloudFormationCustomResourceUpdateEvent {
  return {
    ...BASE,
    RequestType: 'Update',
    PhysicalResourceId: 'example.com',
    ResourceProperties: { ...PROPERTIES, ...properties },
    OldResourceProperties: PROPERTIES,
  };
}

function remove(): CloudFormationCustomResourceDeleteEvent {
  return { ...BASE, RequestType: 'Delete', PhysicalResourceId: 'example.com', ResourceProperties: PROPERTIES };
}

/** The policy file we expect for mx1 and mx2 in mode testing: sorted, CRLF after every line. */
const EXPECTED_TEXT =
  'version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\nmax_age: 604800\r\n';
const EXPECTED_ID = createHash('sha256').update(EXPECTED_TEXT, 'ascii').digest('hex').slice(0, 32);

const FIRST_PAGE = {
  HostedZoneId: ZONE_ID,
  StartRecordName: 'example.com',
  StartRecordType: 'MX',
  MaxItems: 10,
};
const PUT = {
  Bucket: 'mailsecurity-mtastspolicybucket-1x2y3z',
  Key: 'example.com/.well-known/mta-sts.txt',
  Body: EXPECTED_TEXT,
  ContentType: 'text/plain',
  CacheControl: 'max-age=300',
};
const INVALIDATE = {
  DistributionId: DISTRIBUTION_ID,
  InvalidationBatch: {
    Paths: { Quantity: 1, Items: ['/.well-known/mta-sts.txt'] },
    CallerReference: `cdk-mta-sts-${REQUEST_ID}`,
  },
};

/** Every command sent to any client, in order, with its exact input. */
function sent(): Array<[string, unknown]> {
  // One spy call type for all three clients; only calledBefore and args are used.
  type Call = ReturnType<typeof route53.calls>[number];
  const calls = [...route53.calls(), ...s3.calls(), ...cloudfront.calls()] as Call[];
  return calls
    .sort((a, b) => (a.calledBefore(b) ? -1 : 1))
    .map((call) => {
      const command = call.args[0] as { constructor: { name: string }; input: unknown };
      return [command.constructor.name, command.input];
    });
}

beforeAll(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
beforeEach(() => {
  route53.reset();
  s3.reset();
  cloudfront.reset();
  route53.on(ListResourceRecordSetsCommand).resolves(APEX_MX_PAGE.parsed);
  s3.on(PutObjectCommand).resolves({ ETag: '"6805f2cfc46c0f04559748bb039d69ae"' });
  cloudfront.on(CreateInvalidationCommand).resolves(INVALIDATION_CREATED.parsed);
});

describe('Create', () => {
  test('uploads the policy built from the zone MX records, invalidates it and returns its id', async () => {
    const response = await handler(create());

    expect(response).toEqual({
      PhysicalResourceId: 'example.com',
      Data: { PolicyId: EXPECTED_ID, Mx: 'mx1.example.com,mx2.example.com' },
      InvalidationId: INVALIDATION_ID,
    });
    expect(sent()).toEqual([
      ['ListResourceRecordSetsCommand', FIRST_PAGE],
      ['PutObjectCommand', PUT],
      ['CreateInvalidationCommand', INVALIDATE],
    ]);
  });

  test('the id is the one renderPolicyDocument gives for the same policy', async () => {
    const response = await handler(create());
    const expected = renderPolicyDocument({
      mode: MtaStsMode.TESTING,
      mx: ['mx1.example.com', 'mx2.example.com'],
      maxAgeSeconds: 604800,
    });
    expect(response.Data?.PolicyId).toBe(expected.id);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Body: expected.text });
  });

  test('the uploaded bytes are ASCII with CRLF line ends', async () => {
    await handler(create());
    const body = s3.commandCalls(PutObjectCommand)[0].args[0].input.Body as string;
    expect(Buffer.from(body, 'utf8')).toEqual(Buffer.from(EXPECTED_TEXT, 'ascii'));
    expect(body.split('\r\n')).toEqual([
      'version: STSv1',
      'mode: testing',
      'mx: mx1.example.com',
      'mx: mx2.example.com',
      'max_age: 604800',
      '',
    ]);
  });

  test('the same hosts in another API order give the same bytes and id', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(page([mxSet(['5 mx2.example.com.', '50 MX1.EXAMPLE.COM'])]));
    const response = await handler(create());
    expect(response.Data?.PolicyId).toBe(EXPECTED_ID);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Body: EXPECTED_TEXT });
  });

  test('mode and max age come from the properties', async () => {
    const response = await handler(create({ Mode: 'enforce', MaxAgeSeconds: '1209600' }));
    const text =
      'version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\nmax_age: 1209600\r\n';
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Body: text });
    expect(response.Data?.PolicyId).toBe(createHash('sha256').update(text).digest('hex').slice(0, 32));
  });

  test('follows pages of weighted MX sets and stops at the first record set past them', async () => {
    route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce(WEIGHTED_MX_FIRST_PAGE.parsed)
      .resolvesOnce(
        truncatedPage(
          [weightedMxSet('us', ['10 mx-us.example.com.', '20 mx-eu.example.com.']), ...AFTER_APEX_MX.slice(0, 9)],
          {
            name: 'www.example.com.',
            type: 'A',
          },
        ),
      );

    const response = await handler(create());

    expect(response.Data?.Mx).toBe('mx-eu.example.com,mx-us.example.com');
    expect(sent().filter(([name]) => name === 'ListResourceRecordSetsCommand')).toEqual([
      ['ListResourceRecordSetsCommand', FIRST_PAGE],
      [
        'ListResourceRecordSetsCommand',
        { ...FIRST_PAGE, StartRecordName: 'example.com.', StartRecordType: 'MX', StartRecordIdentifier: 'us' },
      ],
    ]);
  });

  test('a page truncated right after the MX set is the last one read', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(CUT_AFTER_MX_PAGE.parsed);
    const response = await handler(create());
    expect(response.Data?.Mx).toBe('mx1.example.com');
    expect(route53).toHaveReceivedCommandTimes(ListResourceRecordSetsCommand, 1);
  });
});

describe('Update', () => {
  test('publishes again and keeps the physical id', async () => {
    const response = await handler(update({ Mode: 'enforce' }));
    expect(response.PhysicalResourceId).toBe('example.com');
    expect(sent().map(([name]) => name)).toEqual([
      'ListResourceRecordSetsCommand',
      'PutObjectCommand',
      'CreateInvalidationCommand',
    ]);
  });
});

describe('Delete', () => {
  test('touches nothing and keeps the physical id', async () => {
    await expect(handler(remove())).resolves.toEqual({ PhysicalResourceId: 'example.com' });
    expect(sent()).toEqual([]);
  });

  test('succeeds even when the properties are unusable (the rollback of a failed Create)', async () => {
    const event = { ...remove(), ResourceProperties: { ServiceToken: SERVICE_TOKEN } };
    await expect(handler(event)).resolves.toEqual({ PhysicalResourceId: 'example.com' });
    expect(sent()).toEqual([]);
  });
});

describe('failures fail the deployment with the reason, before anything is uploaded', () => {
  test('no MX records for the domain', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(page(AFTER_APEX_MX));
    await expect(handler(create())).rejects.toThrow(
      new Error(`No MX records for example.com in hosted zone ${ZONE_ID}: add them, or set \`mx\` on MtaSts`),
    );
    expect(sent()).toEqual([['ListResourceRecordSetsCommand', FIRST_PAGE]]);
  });

  test('a null MX', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(page([mxSet(['0 .']), ...AFTER_APEX_MX]));
    await expect(handler(create())).rejects.toThrow(
      new Error(
        `MX record "0 ." of example.com in hosted zone ${ZONE_ID} cannot be an MTA-STS mx pattern: ` +
          'Invalid mx ".": has an empty label (a null MX, RFC 7505: the domain accepts no mail). ' +
          'Fix the MX record, or set `mx` on MtaSts',
      ),
    );
    expect(s3).not.toHaveReceivedAnyCommand();
    expect(cloudfront).not.toHaveReceivedAnyCommand();
  });

  test('an MX host that is an IP address', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(page([mxSet(['10 mx1.example.com.', '20 192.0.2.25.'])]));
    await expect(handler(create())).rejects.toThrow(
      new Error(
        `MX record "20 192.0.2.25." of example.com in hosted zone ${ZONE_ID} cannot be an MTA-STS mx pattern: ` +
          'Invalid mx "192.0.2.25.": is an IP address; give a host name. Fix the MX record, or set `mx` on MtaSts',
      ),
    );
    expect(s3).not.toHaveReceivedAnyCommand();
  });

  test('properties the construct should never write', async () => {
    await expect(handler(create({ MaxAgeSeconds: '0' }))).rejects.toThrow(
      new Error('Invalid maxAge 0 seconds: must be a whole number of seconds from 1 to 31557600'),
    );
    expect(s3).not.toHaveReceivedAnyCommand();
  });

  test('a truncated page without a next record name', async () => {
    route53
      .on(ListResourceRecordSetsCommand)
      .resolves({ ResourceRecordSets: [mxSet(['10 mx1.example.com.'])], IsTruncated: true, MaxItems: 10 });
    await expect(handler(create())).rejects.toThrow(
      'Route 53 returned a truncated page of hosted zone records without NextRecordName and NextRecordType',
    );
    expect(s3).not.toHaveReceivedAnyCommand();
  });
});

// The SDK error stays attached as `cause`; the message is what CloudFormation shows.
describe('AWS errors fail the deployment, naming the call', () => {
  test('Route 53: the hosted zone does not exist', async () => {
    route53
      .on(ListResourceRecordSetsCommand)
      .rejects(new NoSuchHostedZone({ message: `No hosted zone found with ID: ${ZONE_ID}`, $metadata: {} }));
    await expect(handler(create())).rejects.toHaveProperty(
      'message',
      `Could not read the MX records of example.com from hosted zone ${ZONE_ID}: NoSuchHostedZone: No hosted zone found with ID: ${ZONE_ID}`,
    );
    expect(s3).not.toHaveReceivedAnyCommand();
  });

  test('S3: access denied', async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: {} }),
    );
    await expect(handler(create())).rejects.toHaveProperty(
      'message',
      'Could not upload the policy to s3://mailsecurity-mtastspolicybucket-1x2y3z/example.com/.well-known/mta-sts.txt: AccessDenied: Access Denied',
    );
    expect(cloudfront).not.toHaveReceivedAnyCommand();
  });

  test('CloudFront: too many invalidations in progress', async () => {
    cloudfront.on(CreateInvalidationCommand).rejects(
      new TooManyInvalidationsInProgress({
        message:
          'Processing your request will cause you to exceed the maximum number of in-progress wildcard invalidations.',
        $metadata: {},
      }),
    );
    await expect(handler(create())).rejects.toHaveProperty(
      'message',
      `Could not invalidate /.well-known/mta-sts.txt in CloudFront distribution ${DISTRIBUTION_ID}: TooManyInvalidationsInProgress: ` +
        'Processing your request will cause you to exceed the maximum number of in-progress wildcard invalidations.',
    );
  });

  test('CloudFront: no invalidation id in the answer', async () => {
    cloudfront.on(CreateInvalidationCommand).resolves({});
    await expect(handler(create())).rejects.toThrow(
      new Error(`CloudFront did not return an invalidation id for distribution ${DISTRIBUTION_ID}`),
    );
  });
});

test('through the Provider framework, isComplete waits for the invalidation onEvent started', async () => {
  const event = create();
  const onEventResult = await handler(event);
  // The framework passes the CloudFormation event merged with onEvent's result on to isComplete.
  const isCompleteEvent = { ...event, ...onEventResult };

  cloudfront.on(GetInvalidationCommand).resolves(INVALIDATION_COMPLETED.parsed);
  await expect(isComplete(isCompleteEvent)).resolves.toEqual({ IsComplete: true });
  expect(cloudfront).toHaveReceivedCommandWith(GetInvalidationCommand, {
    DistributionId: DISTRIBUTION_ID,
    Id: INVALIDATION_ID,
  });
});
