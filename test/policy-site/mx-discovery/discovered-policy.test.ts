import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { MtaStsMode } from '../../../src/policy/mode';
import { DiscoveredPolicy, DiscoveredPolicyProps } from '../../../src/policy-site/mx-discovery/discovered-policy';
import { PolicyBucket } from '../../../src/policy-site/policy-bucket';

const ZONE_ID = 'Z0EXAMPLE0000000000';
const DISTRIBUTION_ID = 'E2QWRUHEXAMPLE';
const RESOURCE_TYPE = 'Custom::MtaStsDiscoveredPolicy';
const BASIC_EXECUTION_ROLE = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']],
};

function arn(rest: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] };
}

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

function importedProps(stack: Stack, overrides: Partial<DiscoveredPolicyProps> = {}): DiscoveredPolicyProps {
  return {
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
      hostedZoneId: ZONE_ID,
      zoneName: 'example.com',
    }),
    domainName: 'example.com',
    mode: MtaStsMode.TESTING,
    bucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'policy-bucket'),
    distribution: cloudfront.Distribution.fromDistributionAttributes(stack, 'Distribution', {
      distributionId: DISTRIBUTION_ID,
      domainName: 'd111111abcdef8.cloudfront.net',
    }),
    ...overrides,
  };
}

function synth(overrides: Partial<DiscoveredPolicyProps> = {}) {
  const stack = newStack();
  const policy = new DiscoveredPolicy(stack, 'Discovered', importedProps(stack, overrides));
  return { stack, policy, template: Template.fromStack(stack) };
}

/** The role and its only inline policy's statements, for the user function with `description`. */
function roleOf(template: Template, description: string) {
  const functions = template.findResources('AWS::Lambda::Function', { Properties: { Description: description } });
  expect(Object.keys(functions)).toHaveLength(1);
  const [fn] = Object.values(functions);
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  expect(Object.keys(policies)).toHaveLength(1);
  const [policy] = Object.values(policies);
  return {
    fn,
    managedPolicies: template.toJSON().Resources[roleId].Properties.ManagedPolicyArns,
    statements: policy.Properties.PolicyDocument.Statement,
  };
}

const PUBLISH = 'Publishes an MTA-STS policy built from the MX records in the hosted zone';
const COMPLETE = 'Reports whether the CloudFront invalidation of an MTA-STS policy has completed';

test('the custom resource carries what the handler needs, with max age in seconds', () => {
  const { template } = synth({ maxAge: Duration.days(14), mode: MtaStsMode.ENFORCE });
  template.resourceCountIs(RESOURCE_TYPE, 1);
  template.hasResource(RESOURCE_TYPE, {
    Properties: {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MtaStsPolicyPublisherProviderframeworkonEvent'), 'Arn'] },
      HostedZoneId: ZONE_ID,
      DomainName: 'example.com',
      Mode: 'enforce',
      MaxAgeSeconds: 1209600,
      BucketName: 'policy-bucket',
      KeyPrefix: 'example.com/',
      DistributionId: DISTRIBUTION_ID,
    },
  });
});

test('max age defaults to 7 days; keyPrefix can be set', () => {
  const { template } = synth({ keyPrefix: 'policies/example.com/' });
  template.hasResourceProperties(RESOURCE_TYPE, { MaxAgeSeconds: 604800, KeyPrefix: 'policies/example.com/' });
  expect(roleOf(template, PUBLISH).statements[1]).toEqual({
    Action: 's3:PutObject',
    Effect: 'Allow',
    Resource: arn(':s3:::policy-bucket/policies/example.com/.well-known/mta-sts.txt'),
  });
});

test('policyId and mx are the custom resource attributes; resource is the custom resource', () => {
  const { stack, policy } = synth();
  const id = stack.getLogicalId(policy.resource.node.defaultChild as never);
  expect(stack.resolve(policy.policyId)).toEqual({ 'Fn::GetAtt': [id, 'PolicyId'] });
  expect(stack.resolve(policy.mx)).toEqual({ 'Fn::GetAtt': [id, 'Mx'] });
  expect(Template.fromStack(stack).toJSON().Resources[id].Type).toBe(RESOURCE_TYPE);
});

test('both handlers run on Node 22, arm64, with short timeouts', () => {
  const { template } = synth();
  expect(roleOf(template, PUBLISH).fn.Properties).toMatchObject({
    Handler: 'index.handler',
    Runtime: 'nodejs22.x',
    Architectures: ['arm64'],
    Timeout: 60,
  });
  expect(roleOf(template, COMPLETE).fn.Properties).toMatchObject({
    Handler: 'index.handler',
    Runtime: 'nodejs22.x',
    Architectures: ['arm64'],
    Timeout: 30,
  });
});

test('the onEvent handler may only list the zone, put the one policy object and invalidate the distribution', () => {
  const { template } = synth();
  const { statements, managedPolicies } = roleOf(template, PUBLISH);
  expect(statements).toEqual([
    {
      Action: 'route53:ListResourceRecordSets',
      Effect: 'Allow',
      Resource: arn(`:route53:::hostedzone/${ZONE_ID}`),
    },
    {
      Action: 's3:PutObject',
      Effect: 'Allow',
      Resource: arn(':s3:::policy-bucket/example.com/.well-known/mta-sts.txt'),
    },
    {
      Action: 'cloudfront:CreateInvalidation',
      Effect: 'Allow',
      Resource: arn(`:cloudfront::111111111111:distribution/${DISTRIBUTION_ID}`),
    },
  ]);
  expect(managedPolicies).toEqual([BASIC_EXECUTION_ROLE]);
});

test('the isComplete handler may only read invalidations of the distribution', () => {
  const { template } = synth();
  const { statements, managedPolicies } = roleOf(template, COMPLETE);
  expect(statements).toEqual([
    {
      Action: 'cloudfront:GetInvalidation',
      Effect: 'Allow',
      Resource: arn(`:cloudfront::111111111111:distribution/${DISTRIBUTION_ID}`),
    },
  ]);
  expect(managedPolicies).toEqual([BASIC_EXECUTION_ROLE]);
});

test('the Provider asks every 10 seconds for at most 30 minutes', () => {
  const { template } = synth();
  const machines = template.findResources('AWS::StepFunctions::StateMachine');
  expect(Object.keys(machines)).toHaveLength(1);
  const definition = JSON.stringify(Object.values(machines)[0].Properties.DefinitionString);
  expect(definition).toContain('\\"IntervalSeconds\\":10,\\"MaxAttempts\\":180,\\"BackoffRate\\":1');
});

test('with a bucket and distribution in the stack, the grants follow their references', () => {
  const stack = newStack();
  const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
  const bucket = PolicyBucket.of(stack).bucket;
  const distribution = new cloudfront.Distribution(stack, 'Distribution', {
    defaultBehavior: { origin: new origins.HttpOrigin('origin.example.com') },
  });
  new DiscoveredPolicy(stack, 'Discovered', {
    hostedZone: zone,
    domainName: 'example.com',
    mode: MtaStsMode.TESTING,
    bucket,
    distribution,
  });
  const template = Template.fromStack(stack);
  const zoneId = stack.getLogicalId(zone.node.defaultChild as never);
  const bucketId = stack.getLogicalId(bucket.node.defaultChild as never);
  const distributionId = stack.getLogicalId(distribution.node.defaultChild as never);

  template.hasResourceProperties(RESOURCE_TYPE, {
    HostedZoneId: { Ref: zoneId },
    BucketName: { Ref: bucketId },
    DistributionId: { Ref: distributionId },
  });
  expect(roleOf(template, PUBLISH).statements).toEqual([
    {
      Action: 'route53:ListResourceRecordSets',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':route53:::hostedzone/', { Ref: zoneId }]] },
    },
    {
      Action: 's3:PutObject',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/example.com/.well-known/mta-sts.txt']] },
    },
    {
      Action: 'cloudfront:CreateInvalidation',
      Effect: 'Allow',
      Resource: {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::111111111111:distribution/', { Ref: distributionId }],
        ],
      },
    },
  ]);
});

test('policies in one stack share the handlers and Provider; each adds grants for its own resources only', () => {
  const stack = newStack();
  new DiscoveredPolicy(stack, 'First', importedProps(stack));
  new DiscoveredPolicy(stack, 'Second', {
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'OtherZone', {
      hostedZoneId: 'Z0OTHER000000000000',
      zoneName: 'example.org',
    }),
    domainName: 'example.org',
    mode: MtaStsMode.ENFORCE,
    bucket: s3.Bucket.fromBucketName(stack, 'OtherBucket', 'policy-bucket'),
    distribution: cloudfront.Distribution.fromDistributionAttributes(stack, 'OtherDistribution', {
      distributionId: 'E3OTHEREXAMPLE',
      domainName: 'd222222abcdef8.cloudfront.net',
    }),
  });
  const template = Template.fromStack(stack);

  template.resourceCountIs(RESOURCE_TYPE, 2);
  template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  // Two handlers, and the framework's onEvent, isComplete and onTimeout.
  template.resourceCountIs('AWS::Lambda::Function', 5);

  expect(roleOf(template, PUBLISH).statements).toEqual([
    { Action: 'route53:ListResourceRecordSets', Effect: 'Allow', Resource: arn(`:route53:::hostedzone/${ZONE_ID}`) },
    {
      Action: 's3:PutObject',
      Effect: 'Allow',
      Resource: arn(':s3:::policy-bucket/example.com/.well-known/mta-sts.txt'),
    },
    {
      Action: 'cloudfront:CreateInvalidation',
      Effect: 'Allow',
      Resource: arn(`:cloudfront::111111111111:distribution/${DISTRIBUTION_ID}`),
    },
    {
      Action: 'route53:ListResourceRecordSets',
      Effect: 'Allow',
      Resource: arn(':route53:::hostedzone/Z0OTHER000000000000'),
    },
    {
      Action: 's3:PutObject',
      Effect: 'Allow',
      Resource: arn(':s3:::policy-bucket/example.org/.well-known/mta-sts.txt'),
    },
    {
      Action: 'cloudfront:CreateInvalidation',
      Effect: 'Allow',
      Resource: arn(':cloudfront::111111111111:distribution/E3OTHEREXAMPLE'),
    },
  ]);
  expect(roleOf(template, COMPLETE).statements).toEqual([
    {
      Action: 'cloudfront:GetInvalidation',
      Effect: 'Allow',
      Resource: arn(`:cloudfront::111111111111:distribution/${DISTRIBUTION_ID}`),
    },
    {
      Action: 'cloudfront:GetInvalidation',
      Effect: 'Allow',
      Resource: arn(':cloudfront::111111111111:distribution/E3OTHEREXAMPLE'),
    },
  ]);
});

describe('values the handler would reject fail at synth time, with the same messages', () => {
  test.each<[string, Partial<DiscoveredPolicyProps>, string]>([
    [
      'a mode that is not one of the literals',
      { mode: 'Enforce' as MtaStsMode },
      'Invalid mode "Enforce": must be one of "none", "testing", "enforce" (lower-case)',
    ],
    [
      'a zero max age',
      { maxAge: Duration.seconds(0) },
      'Invalid maxAge 0 seconds: must be a whole number of seconds from 1 to 31557600',
    ],
    [
      'a fractional max age',
      { maxAge: Duration.millis(1500) },
      'Invalid maxAge 1.5 seconds: must be a whole number of seconds from 1 to 31557600',
    ],
    [
      'a max age over a year',
      { maxAge: Duration.days(366) },
      'Invalid maxAge 31622400 seconds: must be a whole number of seconds from 1 to 31557600',
    ],
    [
      'a domain that is not a host name',
      { domainName: 'https://example.com' },
      'Invalid domainName "https://example.com": is a URL; give only the host name',
    ],
  ])('%s', (_name, overrides, message) => {
    expect(() => synth(overrides)).toThrow(new Error(message));
  });

  test('the domain is normalised', () => {
    const { template } = synth({ domainName: 'Example.COM.' });
    template.hasResourceProperties(RESOURCE_TYPE, { DomainName: 'example.com', KeyPrefix: 'example.com/' });
  });
});
