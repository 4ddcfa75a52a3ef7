import { CUSTOM_RESOURCE_REPLIES, customResourceReplyViolations } from './custom-resource-replies';
import { Resource, SynthesizedStack } from './variants';
import { alarmTopicViolations, fixedNameViolations, logRetentionViolations, sesTargetViolations } from './wiring';

/** Each wiring check fails on the shape of the defect it guards against (the old templates' shapes). */

function stackOf(resources: Record<string, Resource>): SynthesizedStack {
  return { variant: 'v', stackName: 'MailSecurity', region: 'eu-west-1', template: { Resources: resources } };
}

const ACCOUNT = { Ref: 'AWS::AccountId' };

test('an alarm topic whose policy holds only the TLS Deny', () => {
  const resources: Record<string, Resource> = {
    Topic: { Type: 'AWS::SNS::Topic' },
    Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: [{ Ref: 'Topic' }] } },
    Policy: {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [{ Ref: 'Topic' }],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      },
    },
  };
  expect(alarmTopicViolations(stackOf(resources))).toEqual([
    'v/MailSecurity/Alarm: topic Topic has no policy allowing cloudwatch.amazonaws.com sns:Publish with aws:SourceAccount',
  ]);
  resources.Policy.Properties!.PolicyDocument.Statement.push({
    Effect: 'Allow',
    Principal: { Service: 'cloudwatch.amazonaws.com' },
    Action: 'sns:Publish',
    Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
  });
  expect(alarmTopicViolations(stackOf(resources))).toEqual([]);
});

test('SES targets granted by aws:Referer, and a permission without SourceArn', () => {
  const resources: Record<string, Resource> = {
    Rule: {
      Type: 'AWS::SES::ReceiptRule',
      Properties: {
        Rule: {
          Actions: [
            { S3Action: { BucketName: { Ref: 'Bucket' } } },
            { LambdaAction: { FunctionArn: { 'Fn::GetAtt': ['Fn', 'Arn'] } } },
          ],
        },
      },
    },
    BucketPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { Ref: 'Bucket' },
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'ses.amazonaws.com' },
              Action: 's3:PutObject',
              Condition: { StringEquals: { 'aws:Referer': ACCOUNT } },
            },
          ],
        },
      },
    },
    Permission: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] },
        Principal: 'ses.amazonaws.com',
        SourceAccount: ACCOUNT,
      },
    },
  };
  expect(sesTargetViolations(stackOf(resources))).toEqual([
    'v/MailSecurity/Rule: bucket Bucket must allow ses.amazonaws.com with aws:SourceAccount and aws:SourceArn',
    'v/MailSecurity/Rule: function Fn must allow ses.amazonaws.com with SourceAccount and SourceArn',
  ]);
});

test('a function without a log group, one with a group without retention, one with both', () => {
  const resources: Record<string, Resource> = {
    Bare: { Type: 'AWS::Lambda::Function', Properties: {} },
    Forever: { Type: 'AWS::Lambda::Function', Properties: { LoggingConfig: { LogGroup: { Ref: 'GroupForever' } } } },
    GroupForever: { Type: 'AWS::Logs::LogGroup', Properties: {} },
    Kept: { Type: 'AWS::Lambda::Function', Properties: { LoggingConfig: { LogGroup: { Ref: 'GroupKept' } } } },
    GroupKept: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 365 } },
    Named: { Type: 'AWS::Lambda::Function', Properties: {} },
    GroupNamed: {
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', { Ref: 'Named' }]] }, RetentionInDays: 30 },
    },
  };
  expect(logRetentionViolations(stackOf(resources))).toEqual([
    'v/MailSecurity/Bare: no log group with RetentionInDays',
    'v/MailSecurity/Forever: no log group with RetentionInDays',
  ]);
});

test('fixed names need the region and the stack; generated and derived names are fine', () => {
  const oac = (name: unknown): Resource => ({
    Type: 'AWS::CloudFront::OriginAccessControl',
    Properties: { OriginAccessControlConfig: { Name: name } },
  });
  expect(
    fixedNameViolations(
      stackOf({
        NoRegion: oac('MailSecurityMtaStsPolicyBucketOriginAccessControl4C0C3E44'),
        NoStack: oac('policy-oac-eu-west-1'),
        Both: oac('MailSecurity-policy-oac-eu-west-1'),
        Pseudo: oac({ 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'oac', { Ref: 'AWS::Region' }]] }),
        Derived: oac({ 'Fn::Join': ['-', [{ Ref: 'Bucket' }, 'oac']] }),
        Generated: { Type: 'AWS::SNS::Topic', Properties: {} },
      }),
    ),
  ).toEqual([
    'v/MailSecurity/NoRegion: fixed name "MailSecurityMtaStsPolicyBucketOriginAccessControl4C0C3E44" lacks the region',
    'v/MailSecurity/NoStack: fixed name "policy-oac-eu-west-1" lacks the stack',
  ]);
});

test('custom resources: an undeclared type, an unbounded reply, an undeclared attribute, Custom::AWS without outputPaths', () => {
  // The replaced MX discovery publisher replied with the zone's MX host list: a reply that grows outside the template.
  const withDiscovery = {
    ...CUSTOM_RESOURCE_REPLIES,
    'Custom::MtaStsDiscoveredPolicy': {
      attributes: () => ['PolicyId', 'Mx'],
      maxBytes: () => Infinity,
      source: 'the MX host list read from the zone',
    },
  };
  expect(
    customResourceReplyViolations(
      stackOf({
        Unknown: { Type: 'Custom::Mystery', Properties: { ServiceToken: 'arn' } },
        Discovery: { Type: 'Custom::MtaStsDiscoveredPolicy', Properties: { ServiceToken: 'arn' } },
        Activation: { Type: 'Custom::SesActiveReceiptRuleSet', Properties: { ServiceToken: 'arn' } },
        Reader: { Type: 'AWS::SSM::Parameter', Properties: { Value: { 'Fn::GetAtt': ['Activation', 'Everything'] } } },
        Publisher: { Type: 'Custom::MtaStsPolicies', Properties: { ServiceToken: 'arn' } },
        Record: { Type: 'AWS::SSM::Parameter', Properties: { Value: { 'Fn::GetAtt': ['Publisher', 'Mx'] } } },
        Call: {
          Type: 'Custom::AWS',
          Properties: { ServiceToken: 'arn', Create: '{"service":"Lambda","action":"invoke"}' },
        },
        // As synthesized: a JSON string inside Fn::Join, around the function's Ref.
        Payload: {
          Type: 'Custom::AWS',
          Properties: {
            ServiceToken: 'arn',
            Create: {
              'Fn::Join': [
                '',
                [
                  '{"service":"Lambda","action":"invoke","parameters":{"FunctionName":"',
                  { Ref: 'Fn' },
                  '"},"outputPaths":["StatusCode","Payload"]}',
                ],
              ],
            },
          },
        },
        Status: {
          Type: 'Custom::AWS',
          Properties: {
            ServiceToken: 'arn',
            Create: { 'Fn::Join': ['', ['{"service":"Lambda","action":"invoke","outputPaths":["StatusCode"]}']] },
          },
        },
        Other: {
          Type: 'Custom::AWS',
          Properties: { ServiceToken: 'arn', Create: '{"service":"S3","action":"getObject","outputPaths":["Body"]}' },
        },
      }),
      withDiscovery,
    ),
  ).toEqual([
    'v/MailSecurity/Unknown: Custom::Mystery declares no reply bound (test/deploy/custom-resource-replies.ts)',
    'v/MailSecurity/Discovery: its reply may reach Infinity bytes (the MX host list read from the zone)',
    'v/MailSecurity/Activation: a template reads undeclared reply attribute Everything',
    'v/MailSecurity/Publisher: a template reads undeclared reply attribute Mx',
    'v/MailSecurity/Call: Custom::AWS without outputPaths replies with the whole API response',
    'v/MailSecurity/Payload: Custom::AWS Lambda.invoke replies with unbounded Payload',
    'v/MailSecurity/Other: Custom::AWS S3.getObject declares no bounded outputs (test/deploy/custom-resource-replies.ts)',
  ]);
});
