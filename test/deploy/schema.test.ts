import { schemaViolations } from './schema';
import { Resource, SynthesizedStack, VARIANTS, synthesize } from './variants';

describe.each(Object.keys(VARIANTS))('variant %s', (variant) => {
  test('every resource matches its CloudFormation resource schema', () => {
    expect(synthesize(variant).flatMap(schemaViolations)).toEqual([]);
  });
});

function stackOf(resources: Record<string, Resource>): SynthesizedStack {
  return { variant: 'v', stackName: 'S', region: 'eu-west-1', template: { Resources: resources } };
}

describe('the schema check refuses what CloudFormation refuses', () => {
  const topicPolicy = (properties: Record<string, any>) =>
    stackOf({ P: { Type: 'AWS::SNS::TopicPolicy', Properties: properties } });

  test('accepts tokens where values are expected', () => {
    expect(
      schemaViolations(
        stackOf({
          Alarm: {
            Type: 'AWS::CloudWatch::Alarm',
            Properties: {
              ComparisonOperator: 'LessThanThreshold',
              EvaluationPeriods: '3',
              Threshold: 1,
              MetricName: { 'Fn::Sub': '${AWS::StackName}' },
              Namespace: 'MtaSts',
              Period: 86400,
              Statistic: 'Sum',
              AlarmActions: [{ Ref: 'Topic' }],
              ActionsEnabled: 'true',
            },
          },
        }),
      ),
    ).toEqual([]);
  });

  test('an unknown property', () => {
    expect(schemaViolations(topicPolicy({ Topics: ['arn'], PolicyDocument: {}, Topic: 'x' }))).toEqual([
      'v/S/P (AWS::SNS::TopicPolicy): / must NOT have additional properties: Topic',
    ]);
  });

  test('a missing required property', () => {
    expect(schemaViolations(topicPolicy({ PolicyDocument: {} }))).toEqual([
      "v/S/P (AWS::SNS::TopicPolicy): / must have required property 'Topics'",
    ]);
  });

  test('a wrong type, a value outside the enum, a string too long', () => {
    const violations = schemaViolations(
      stackOf({
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Code: { ZipFile: 'x' },
            Role: 'arn',
            Architectures: ['arm65'],
            MemorySize: 'lots',
            PackageType: 'zip',
            Description: 'd'.repeat(257),
          },
        },
      }),
    );
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^v\/S\/Fn \(AWS::Lambda::Function\): \/Architectures\/0 must be equal to one of the allowed values: (x86_64, arm64|arm64, x86_64)$/,
        ),
        'v/S/Fn (AWS::Lambda::Function): /PackageType must be equal to one of the allowed values: Image, Zip',
        'v/S/Fn (AWS::Lambda::Function): /MemorySize must be number',
        'v/S/Fn (AWS::Lambda::Function): /Description must NOT have more than 256 characters',
      ]),
    );
  });

  test('a distribution tenant name and a parameter value outside the API limits', () => {
    const tenant = (name: string, value: string) =>
      stackOf({
        T: {
          Type: 'AWS::CloudFront::DistributionTenant',
          Properties: {
            DistributionId: 'E1',
            Domains: ['mta-sts.example.com'],
            Name: name,
            Parameters: [{ Name: 'domain', Value: value }],
          },
        },
      });
    expect(schemaViolations(tenant('mta-sts-example-com', 'example.com'))).toEqual([]);
    expect(schemaViolations(tenant('mta-sts.example.com.', ''))).toEqual([
      'v/S/T (AWS::CloudFront::DistributionTenant): /Name must match pattern "^[a-zA-Z0-9][a-zA-Z0-9-.]{1,126}[a-zA-Z0-9]$"',
      'v/S/T (AWS::CloudFront::DistributionTenant): /Parameters/0/Value must NOT have fewer than 1 characters',
    ]);
    expect(schemaViolations(tenant('a'.repeat(129), 'x'.repeat(257)))).toEqual([
      'v/S/T (AWS::CloudFront::DistributionTenant): /Name must match pattern "^[a-zA-Z0-9][a-zA-Z0-9-.]{1,126}[a-zA-Z0-9]$"',
      'v/S/T (AWS::CloudFront::DistributionTenant): /Parameters/0/Value must NOT have more than 256 characters',
    ]);
  });

  test('a template rule without assertions, and an assertion with an unknown key', () => {
    const stack = stackOf({});
    const withRules = (rules: Record<string, any>): SynthesizedStack => ({
      ...stack,
      template: { ...stack.template, Rules: rules },
    });
    const assert = { 'Fn::Contains': [['eu-west-1'], { Ref: 'AWS::Region' }] };
    expect(schemaViolations(withRules({ R: { Assertions: [{ Assert: assert, AssertDescription: 'd' }] } }))).toEqual(
      [],
    );
    expect(schemaViolations(withRules({ R: { RuleCondition: assert } }))).toEqual([
      "v/S/Rules: /R must have required property 'Assertions'",
    ]);
    expect(schemaViolations(withRules({ R: { Assertions: [{ Assert: assert, Description: 'd' }] } }))).toEqual([
      'v/S/Rules: /R/Assertions/0 must NOT have additional properties: Description',
    ]);
  });

  test('an unknown resource type and an unknown resource attribute', () => {
    expect(
      schemaViolations(
        stackOf({ X: { Type: 'AWS::SNS::Topics', Properties: {} }, Y: { Type: 'AWS::SNS::Topic', DependOn: 'X' } }),
      ),
    ).toEqual([
      'v/S/X: AWS::SNS::Topics is not a CloudFormation resource type',
      'v/S/Y: unknown resource attribute DependOn',
    ]);
  });
});
