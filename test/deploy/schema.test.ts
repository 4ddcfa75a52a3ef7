import { schemaViolations } from './schema';
import { Resource, SynthesizedStack, VARIANTS, allStacks, synthesize } from './variants';

describe.each(Object.keys(VARIANTS))('variant %s', (variant) => {
  test('every resource matches its CloudFormation resource schema', () => {
    expect(synthesize(variant).flatMap(schemaViolations)).toEqual([]);
  });
});

test("the variants hold the policy site's resource types, so the schemas above cover them", () => {
  const types = new Set(
    allStacks().flatMap((stack) => Object.values(stack.template.Resources ?? {}).map((r) => r.Type)),
  );
  expect(
    [
      'AWS::CloudFront::Distribution',
      'AWS::CloudFront::DistributionTenant',
      'AWS::CloudFront::ConnectionGroup',
      'AWS::CloudFront::ResponseHeadersPolicy',
      'AWS::CloudFront::OriginAccessControl',
      'AWS::Route53::RecordSetGroup',
    ].filter((type) => !types.has(type)),
  ).toEqual([]);
  // The multi-tenant distribution, and a template rule (environment-agnostic stack), are there too.
  const distributions = allStacks().flatMap((stack) =>
    Object.values(stack.template.Resources ?? {}).filter((r) => r.Type === 'AWS::CloudFront::Distribution'),
  );
  expect(distributions.every((d) => d.Properties?.DistributionConfig?.ConnectionMode === 'tenant-only')).toBe(true);
  expect(
    allStacks()
      .filter((stack) => stack.template.Rules !== undefined)
      .map((stack) => stack.variant),
  ).toContain('environment-agnostic');
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

  test('names joined from pseudo parameters are checked with sample values', () => {
    const uuid = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };
    const tenant = (domain: string) =>
      stackOf({
        T: {
          Type: 'AWS::CloudFront::DistributionTenant',
          Properties: {
            DistributionId: 'E1',
            Domains: [`mta-sts.${domain}`],
            Name: { 'Fn::Join': ['', [domain, '-', { Ref: 'AWS::Region' }, '-', uuid]] },
          },
        },
      });
    // 60 + 1 + 9 + 1 + 36 = 107 characters in eu-west-1; 80 + 47 = 127 still fits, 83 + 47 = 130 does not.
    expect(schemaViolations(tenant('d'.repeat(56) + '.com'))).toEqual([]);
    expect(schemaViolations(tenant('d'.repeat(76) + '.com'))).toEqual([]);
    expect(schemaViolations(tenant('d'.repeat(79) + '.com'))).toEqual([
      'v/S/T (AWS::CloudFront::DistributionTenant): /Name must match pattern "^[a-zA-Z0-9][a-zA-Z0-9-.]{1,126}[a-zA-Z0-9]$"',
    ]);
    // A join over something unknown stays an intrinsic, which CloudFormation resolves first.
    const unknown = tenant('x'.repeat(200));
    unknown.template.Resources!.T.Properties!.Name['Fn::Join'][1].push({ Ref: 'SomeParameter' });
    expect(schemaViolations(unknown)).toEqual([]);
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
