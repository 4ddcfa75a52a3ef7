import { CloudFrontClient, GetInvalidationCommand, NoSuchInvalidation } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  DISTRIBUTION_ID,
  INVALIDATION_COMPLETED,
  INVALIDATION_ID,
  INVALIDATION_IN_PROGRESS,
  REQUEST_ID,
  ZONE_ID,
} from './recorded';
import { handler, InvalidationCompleteEvent } from '../../../src/policy-site/mx-discovery/invalidation-complete.lambda';

const cloudfront = mockClient(CloudFrontClient);

const PROPERTIES = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provider-framework-onEvent',
  HostedZoneId: ZONE_ID,
  DomainName: 'example.com',
  Mode: 'testing',
  MaxAgeSeconds: '604800',
  BucketName: 'mailsecurity-mtastspolicybucket-1x2y3z',
  KeyPrefix: 'example.com/',
  DistributionId: DISTRIBUTION_ID,
};

/** What the framework passes: the CloudFormation event merged with onEvent's result. */
function event(requestType: 'Create' | 'Update' | 'Delete', extra: object = {}): InvalidationCompleteEvent {
  return {
    ServiceToken: PROPERTIES.ServiceToken,
    ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/response',
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/MailSecurity/1',
    RequestId: REQUEST_ID,
    LogicalResourceId: 'DiscoveredPolicy',
    ResourceType: 'Custom::MtaStsDiscoveredPolicy',
    RequestType: requestType,
    PhysicalResourceId: 'example.com',
    ResourceProperties: PROPERTIES,
    ...(requestType === 'Update' && { OldResourceProperties: PROPERTIES }),
    ...(requestType !== 'Delete' && {
      Data: { PolicyId: '0123456789abcdef0123456789abcdef', Mx: 'mx1.example.com' },
      InvalidationId: INVALIDATION_ID,
    }),
    ...extra,
  } as InvalidationCompleteEvent;
}

beforeAll(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
beforeEach(() => {
  cloudfront.reset();
});

test.each(['Create', 'Update'] as const)('%s: not complete while the invalidation is in progress', async (type) => {
  cloudfront.on(GetInvalidationCommand).resolves(INVALIDATION_IN_PROGRESS.parsed);
  await expect(handler(event(type))).resolves.toEqual({ IsComplete: false });
  expect(cloudfront).toHaveReceivedCommandTimes(GetInvalidationCommand, 1);
  expect(cloudfront).toHaveReceivedCommandWith(GetInvalidationCommand, {
    DistributionId: DISTRIBUTION_ID,
    Id: INVALIDATION_ID,
  });
});

test.each(['Create', 'Update'] as const)('%s: complete once the invalidation has completed', async (type) => {
  cloudfront.on(GetInvalidationCommand).resolves(INVALIDATION_COMPLETED.parsed);
  await expect(handler(event(type))).resolves.toEqual({ IsComplete: true });
});

test('an answer without a status is not complete (the framework asks again until its timeout)', async () => {
  cloudfront.on(GetInvalidationCommand).resolves({});
  await expect(handler(event('Create'))).resolves.toEqual({ IsComplete: false });
});

test('Delete is complete at once and touches nothing', async () => {
  await expect(handler(event('Delete'))).resolves.toEqual({ IsComplete: true });
  expect(cloudfront).not.toHaveReceivedAnyCommand();
});

test('a CloudFront error fails the deployment with the call named', async () => {
  cloudfront
    .on(GetInvalidationCommand)
    .rejects(new NoSuchInvalidation({ message: 'The specified invalidation does not exist.', $metadata: {} }));
  await expect(handler(event('Create'))).rejects.toHaveProperty(
    'message',
    `Could not read invalidation ${INVALIDATION_ID} of CloudFront distribution ${DISTRIBUTION_ID}: NoSuchInvalidation: The specified invalidation does not exist.`,
  );
});

test('an event without the invalidation id is a bug, and says so without calling CloudFront', async () => {
  await expect(handler(event('Create', { InvalidationId: undefined }))).rejects.toThrow(
    new Error('The isComplete event carries no DistributionId or InvalidationId; this is a bug in cdk-mta-sts'),
  );
  expect(cloudfront).not.toHaveReceivedAnyCommand();
});
