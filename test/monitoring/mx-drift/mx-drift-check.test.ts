import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { MxDriftCheck, MxDriftCheckProps } from '../../../src/monitoring/mx-drift/mx-drift-check';
import { MtaStsMode } from '../../../src/policy/mode';

const PARTITION = { Ref: 'AWS::Partition' };

interface Fixture {
  readonly stack: Stack;
  readonly check: MxDriftCheck;
  readonly bucket: s3.Bucket;
  readonly zone: route53.IHostedZone;
}

function fixture(props: Partial<MxDriftCheckProps> = {}, bucketProps: s3.BucketProps = {}): Fixture {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const bucket = new s3.Bucket(stack, 'PolicyBucket', bucketProps);
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
    hostedZoneId: 'Z0EXAMPLE',
    zoneName: 'example.com',
  });
  const check = new MxDriftCheck(stack, 'MxDrift', { bucket, ...props });
  return { stack, check, bucket, zone };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } } | object): string {
  return stack.getLogicalId((construct as any).node.defaultChild ?? construct);
}

/** aws-cdk-lib's AwsCustomResource function (one per stack) and our policy for it: the deploy-time first run. */
const FIRST_RUN = /^(AWS679f53fac002430cb0da5b7982bd2287|MxDriftFirstRun)/;

/** The one resource of a type that belongs to the check itself, not to its deploy-time first run. */
function only(template: Template, type: string): { [key: string]: any } {
  const resources = Object.entries(template.findResources(type)).filter(([id]) => !FIRST_RUN.test(id));
  expect(resources).toHaveLength(1);
  return resources[0][1];
}

function objectArn(bucketId: string, domain: string) {
  return { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${domain}/.well-known/mta-sts.txt`]] };
}

function zoneArn(zoneId: string | { Ref: string }) {
  const id = typeof zoneId === 'string' ? [`:route53:::hostedzone/${zoneId}`] : [':route53:::hostedzone/', zoneId];
  return { 'Fn::Join': ['', ['arn:', PARTITION, ...id]] };
}

describe('MxDriftCheck with one domain', () => {
  let f: Fixture;
  let template: Template;
  let bucketId: string;
  let functionId: string;

  beforeEach(() => {
    f = fixture();
    f.check.addDomain('example.com', f.zone, MtaStsMode.ENFORCE);
    template = Template.fromStack(f.stack);
    bucketId = logicalId(f.stack, f.bucket);
    functionId = logicalId(f.stack, f.check.checkFunction);
  });

  test('runs daily by default, invoking the check', () => {
    expect(only(template, 'AWS::Events::Rule').Properties).toEqual({
      ScheduleExpression: 'rate(1 day)',
      State: 'ENABLED',
      Targets: [{ Arn: { 'Fn::GetAtt': [functionId, 'Arn'] }, Id: 'Target0' }],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [logicalId(f.stack, f.check.rule), 'Arn'] },
    });
  });

  test('Lambda: Node 22 on arm64, no fixed name, configured through its environment', () => {
    const fn = only(template, 'AWS::Lambda::Function').Properties;
    expect(fn).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 120,
    });
    expect(fn.FunctionName).toBeUndefined();
    expect(fn.Environment.Variables).toEqual({
      MX_DRIFT_DOMAINS: '[{"domainName":"example.com","hostedZoneId":"Z0EXAMPLE"}]',
      POLICY_BUCKET: { Ref: bucketId },
      METRIC_NAMESPACE: 'MtaSts',
      AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
    });
  });

  test("reads exactly the zone's record sets and the domain's policy file", () => {
    const policy = only(template, 'AWS::IAM::Policy').Properties;
    expect(policy.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Action: 'route53:ListResourceRecordSets', Effect: 'Allow', Resource: zoneArn('Z0EXAMPLE') },
        { Action: 's3:GetObject', Effect: 'Allow', Resource: objectArn(bucketId, 'example.com') },
      ],
    });
    expect(policy.Roles).toEqual([{ Ref: logicalId(f.stack, f.check.checkFunction.role!) }]);
    // Beyond that, only its own logs.
    expect(only(template, 'AWS::IAM::Role').Properties.ManagedPolicyArns).toEqual([
      {
        'Fn::Join': ['', ['arn:', PARTITION, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']],
      },
    ]);
  });

  test('alarm per domain: any uncovered host in a day, or no datapoint at all', () => {
    const alarm = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { MetricName: 'UncoveredMxHosts' },
    });
    expect(Object.keys(alarm)).toEqual([logicalId(f.stack, f.check.alarmFor('example.com'))]);
    expect(Object.values(alarm)[0].Properties).toEqual({
      Namespace: 'MtaSts',
      MetricName: 'UncoveredMxHosts',
      Dimensions: [{ Name: 'PolicyDomain', Value: 'example.com' }],
      Statistic: 'Maximum',
      Period: 86400,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      TreatMissingData: 'breaching',
      AlarmDescription:
        'A live MX host of example.com matches no mx pattern of its published MTA-STS policy (mode enforce), the ' +
        'policy file is missing or invalid, or the daily check stopped reporting: senders that enforce MTA-STS ' +
        "refuse to deliver to those hosts. The check's log names the hosts.",
    });
  });

  test('one alarm for check errors, which exist only when a check fails', () => {
    const alarm = template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'DriftCheckErrors' } });
    expect(Object.keys(alarm)).toEqual([logicalId(f.stack, f.check.errorAlarm)]);
    expect(Object.values(alarm)[0].Properties).toEqual({
      Namespace: 'MtaSts',
      MetricName: 'DriftCheckErrors',
      Statistic: 'Sum',
      Period: 86400,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      TreatMissingData: 'notBreaching',
      AlarmDescription:
        'The MTA-STS MX drift check could not check some policy domain (Route 53 or S3 failed); its log says which and why.',
    });
  });

  test('alarmFor finds the alarm by any spelling of the domain; it is what addDomain returned', () => {
    const g = fixture();
    const returned = g.check.addDomain('example.com', g.zone, MtaStsMode.TESTING);
    expect(g.check.alarmFor('Example.COM.')).toBe(returned);
    expect(() => g.check.alarmFor('example.org')).toThrow(
      'MxDriftCheck does not check example.org: call addDomain() first',
    );
  });
});

describe('MxDriftCheck with several domains', () => {
  test('one environment entry and one policy-file grant per domain; a shared zone is granted once', () => {
    const f = fixture();
    const ownZone = new route53.PublicHostedZone(f.stack, 'OrgZone', { zoneName: 'example.org' });
    f.check.addDomain('example.com', f.zone, MtaStsMode.ENFORCE);
    f.check.addDomain('Mail.Example.COM', f.zone, MtaStsMode.TESTING);
    f.check.addDomain('example.org', ownZone, MtaStsMode.NONE);
    const template = Template.fromStack(f.stack);
    const bucketId = logicalId(f.stack, f.bucket);
    const zoneId = { Ref: logicalId(f.stack, ownZone) };

    const fn = only(template, 'AWS::Lambda::Function').Properties;
    expect(fn.Environment.Variables.MX_DRIFT_DOMAINS).toEqual({
      'Fn::Join': [
        '',
        [
          '[{"domainName":"example.com","hostedZoneId":"Z0EXAMPLE"},' +
            '{"domainName":"mail.example.com","hostedZoneId":"Z0EXAMPLE"},' +
            '{"domainName":"example.org","hostedZoneId":"',
          zoneId,
          '"}]',
        ],
      ],
    });
    expect(only(template, 'AWS::IAM::Policy').Properties.PolicyDocument.Statement).toEqual([
      {
        Action: 'route53:ListResourceRecordSets',
        Effect: 'Allow',
        Resource: [zoneArn('Z0EXAMPLE'), zoneArn(zoneId)],
      },
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: [
          objectArn(bucketId, 'example.com'),
          objectArn(bucketId, 'mail.example.com'),
          objectArn(bucketId, 'example.org'),
        ],
      },
    ]);

    const alarms = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'UncoveredMxHosts' } }),
    ).map((alarm) => [alarm.Properties.Dimensions[0].Value, alarm.Properties.AlarmDescription]);
    expect(alarms).toEqual([
      ['example.com', expect.stringContaining('(mode enforce), the policy file is missing or invalid')],
      ['mail.example.com', expect.stringContaining('(mode testing)')],
      ['example.org', expect.stringContaining('(mode none)')],
    ]);
    expect(alarms[1][1]).toContain('senders still deliver but report failures; fix it before switching to enforce');
    expect(alarms[2][1]).toContain(
      'senders still holding an earlier enforce policy refuse those hosts until it expires',
    );
  });

  test('a domain is registered once', () => {
    const f = fixture();
    f.check.addDomain('example.com', f.zone, MtaStsMode.ENFORCE);
    expect(() => f.check.addDomain('EXAMPLE.com.', f.zone, MtaStsMode.TESTING)).toThrow(
      'MxDriftCheck already checks example.com',
    );
  });

  test.each([
    ['*.example.com', MtaStsMode.ENFORCE, 'Invalid domainName "*.example.com"'],
    ['example.com', 'Enforce' as MtaStsMode, 'Invalid mode "Enforce"'],
  ])('rejects %j in mode %j', (domain, mode, message) => {
    const f = fixture();
    expect(() => f.check.addDomain(domain, f.zone, mode)).toThrow(message);
  });

  test('refuses more domains than fit in the Lambda environment (4 KB in all)', () => {
    const domains = (f: Fixture, count: number) => {
      // A zone created in the stack: its id is a token until deployment, so it is sized at the longest, 32.
      const zone = new route53.PublicHostedZone(f.stack, 'BigZone', { zoneName: 'example.net' });
      for (let i = 0; i < count; i++) f.check.addDomain(`customer-${i}.example.net`, zone, MtaStsMode.TESTING);
      return f.stack;
    };
    expect(() => Template.fromStack(domains(fixture(), 38))).not.toThrow();
    expect(() => Template.fromStack(domains(fixture(), 50))).toThrow(
      '[Stack/MxDrift] MxDriftCheck: the list of 50 domains needs up to 4541 characters of Lambda environment; ' +
        'at most 3500 fit. Use a second MxDriftCheck for some of them.',
    );
  });

  test('no domain: no grants, only the error alarm', () => {
    const template = Template.fromStack(fixture().stack);
    // Only the first run's permission to invoke the check.
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MX_DRIFT_DOMAINS: '[]' }) },
    });
  });
});

describe('MxDriftCheck options', () => {
  test('schedule and metric namespace', () => {
    const f = fixture({
      schedule: events.Schedule.cron({ hour: '6', minute: '0' }),
      metricNamespace: 'Mail/Security',
    });
    f.check.addDomain('example.com', f.zone, MtaStsMode.ENFORCE);
    const template = Template.fromStack(f.stack);

    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 6 * * ? *)' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ METRIC_NAMESPACE: 'Mail/Security' }) },
    });
    const namespaces = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties.Namespace,
    );
    expect(namespaces).toEqual(['Mail/Security', 'Mail/Security']);
    expect(f.check.metricNamespace).toBe('Mail/Security');
  });

  test('a KMS-encrypted bucket: the check may also decrypt with its key', () => {
    const f = fixture({}, { encryption: s3.BucketEncryption.KMS });
    f.check.addDomain('example.com', f.zone, MtaStsMode.ENFORCE);
    const template = Template.fromStack(f.stack);
    const keyId = logicalId(f.stack, f.bucket.encryptionKey as kms.Key);

    expect(only(template, 'AWS::IAM::Policy').Properties.PolicyDocument.Statement).toEqual([
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      { Action: 'route53:ListResourceRecordSets', Effect: 'Allow', Resource: zoneArn('Z0EXAMPLE') },
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: objectArn(logicalId(f.stack, f.bucket), 'example.com'),
      },
    ]);
  });

  test('a rate given in hours is kept as given', () => {
    const f = fixture({ schedule: events.Schedule.rate(Duration.hours(12)) });
    Template.fromStack(f.stack).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(12 hours)' });
  });
});

describe('MxDriftCheck first run at deploy time', () => {
  test('invokes the check and waits, keeps only the status code, reruns when the domain list changes', () => {
    const f = fixture();
    f.check.addDomain('example.com', f.zone, MtaStsMode.TESTING);
    const template = Template.fromStack(f.stack);
    const functionId = logicalId(f.stack, f.check.checkFunction);
    const [firstRunId, firstRun] = Object.entries(template.findResources('Custom::AWS'))[0];
    const rendered = JSON.stringify(firstRun.Properties.Create);
    expect(rendered).toContain('\\"action\\":\\"invoke\\"');
    expect(rendered).toContain('\\"InvocationType\\":\\"RequestResponse\\"');
    expect(rendered).toContain('\\"outputPaths\\":[\\"StatusCode\\"]');
    expect(rendered).toContain('{\\\\\\"domains\\\\\\":[{\\\\\\"domainName\\\\\\":\\\\\\"example.com\\\\\\"');
    expect(firstRun.Properties.Update).toEqual(firstRun.Properties.Create);
    // The domain's alarm is created only after the first run published its datapoint.
    const [, alarm] = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).find(([id]) =>
      id.startsWith('MxDriftAlarmexamplecom'),
    )!;
    expect(alarm.DependsOn).toEqual([expect.stringMatching(/^MxDriftFirstRunCustomResourcePolicy/), firstRunId]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [functionId, 'Arn'] } },
        ],
      },
    });
  });
});
