import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { MxDriftCheck } from '../../src/drift-check/mx-drift-check';
import { MtaStsMode } from '../../src/policy/mode';

function fixture(bucketProps: s3.BucketProps = {}) {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const bucket = new s3.Bucket(stack, 'PolicyBucket', bucketProps);
  const zone = (id: string, name: string) =>
    route53.HostedZone.fromHostedZoneAttributes(stack, `Zone${id}`, { hostedZoneId: id, zoneName: name });
  const check = new MxDriftCheck(stack, 'MxDrift', { bucket });
  return { stack, bucket, zone, check };
}

function publisherConfigs(template: Template): Array<{ Key: string; Body: unknown }> {
  const [publisher] = Object.values(template.findResources('Custom::MtaStsPolicies'));
  return publisher.Properties.Configs;
}

describe('MxDriftCheck', () => {
  test('the domain list is a configuration object the publisher writes, not an environment variable', () => {
    const f = fixture();
    f.check.addDomain('example.com', f.zone('Z1', 'example.com'), MtaStsMode.ENFORCE);
    f.check.addDomain('Mail.Example.COM', f.zone('Z1b', 'example.com'), MtaStsMode.TESTING);
    const template = Template.fromStack(f.stack);

    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Environment: { Variables: { POLICY_BUCKET: { Ref: Match.stringLikeRegexp('^PolicyBucket') } } },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^MxDriftLogs') } },
    });
    expect(publisherConfigs(template)).toEqual([
      {
        Bucket: { Ref: f.stack.getLogicalId(f.bucket.node.defaultChild as s3.CfnBucket) },
        Key: '_cdk-mta-sts/mx-drift-check.json',
        Body: JSON.stringify({
          domains: [
            { domainName: 'example.com', hostedZoneId: 'Z1' },
            { domainName: 'mail.example.com', hostedZoneId: 'Z1b' },
          ],
        }),
      },
    ]);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('one alarm for every domain: any domain with an uncovered host in a day, or no datapoint at all', () => {
    const f = fixture();
    const zone = f.zone('Z1', 'example.com');
    const alarms = [0, 1, 2].map((i) => f.check.addDomain(`d${i}.example.com`, zone, MtaStsMode.ENFORCE));
    expect(new Set(alarms).size).toBe(1);
    expect(f.check.alarmFor('D1.example.com.')).toBe(f.check.alarm);
    expect(() => f.check.alarmFor('example.org')).toThrow(
      'MxDriftCheck does not check example.org: call addDomain() first',
    );
    const template = Template.fromStack(f.stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DomainsWithUncoveredMx',
      // The stack's own checks: another stack's in the same account and region must not mask or trip this alarm.
      Dimensions: [{ Name: 'Stack', Value: 'Stack' }],
      Namespace: 'MtaSts',
      Statistic: 'Maximum',
      Period: 86400,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
      AlarmDescription: Match.stringLikeRegexp('^A live MX host of one of 3 policy domains \\(3 in enforce\\)'),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DriftCheckErrors',
      Dimensions: [{ Name: 'Stack', Value: 'Stack' }],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STACK_NAME: 'Stack' }) },
    });
  });

  test('grants: each zone once, the configuration object and policy files only', () => {
    const f = fixture();
    const zone = f.zone('Z1', 'example.com');
    for (let i = 0; i < 3; i++) f.check.addDomain(`d${i}.example.com`, zone, MtaStsMode.TESTING);
    f.check.addDomain('example.org', f.zone('Z2', 'example.org'), MtaStsMode.TESTING);
    const template = Template.fromStack(f.stack);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes('route53:ListResourceRecordSets'),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const zoneStatement = statements.find((s: any) => s.Action === 'route53:ListResourceRecordSets');
    expect(zoneStatement.Resource).toHaveLength(2);
    const s3Statement = statements.find((s: any) => s.Action === 's3:GetObject');
    expect(JSON.stringify(s3Statement.Resource)).toContain('/_cdk-mta-sts/mx-drift-check.json');
    expect(JSON.stringify(s3Statement.Resource)).toContain('/*/.well-known/mta-sts.txt');
  });

  test('200 domains synthesize: no size cliff in the function configuration', () => {
    const f = fixture();
    const zone = f.zone('Z1', 'example.net');
    for (let i = 0; i < 200; i++) f.check.addDomain(`customer-${i}.example.net`, zone, MtaStsMode.TESTING);
    const template = Template.fromStack(f.stack);
    const [fn] = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Handler: 'index.handler', Description: Match.stringLikeRegexp('MX hosts') },
      }),
    );
    expect(JSON.stringify(fn.Properties.Environment).length).toBeLessThan(300);
    expect(JSON.parse(publisherConfigs(template)[0].Body as string).domains).toHaveLength(200);
  });

  test('a domain registered twice is an error', () => {
    const f = fixture();
    f.check.addDomain('example.com', f.zone('Z1', 'example.com'), MtaStsMode.ENFORCE);
    f.check.addDomain('EXAMPLE.com.', f.zone('Z1c', 'example.com'), MtaStsMode.TESTING);
    f.check.addDomain('not a domain', f.zone('Z1d', 'example.com'), MtaStsMode.TESTING);
    const lines = () => {
      try {
        Template.fromStack(f.stack);
      } catch (error) {
        return (error as Error).message.split('\n').filter((line) => line.startsWith('  ['));
      }
      return [];
    };
    expect(lines()).toEqual([
      '  [Stack/MxDrift] Invalid domainName "EXAMPLE.com.": MxDriftCheck already checks example.com',
      '  [Stack/MxDrift] Invalid domainName "not a domain": contains whitespace',
    ]);
  });

  test('a KMS-encrypted bucket: the check may also decrypt with its key', () => {
    const stack = new Stack(new App(), 'Stack');
    const key = new kms.Key(stack, 'Key');
    const bucket = new s3.Bucket(stack, 'PolicyBucket', { encryption: s3.BucketEncryption.KMS, encryptionKey: key });
    new MxDriftCheck(stack, 'MxDrift', { bucket });
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).toContain('kms:Decrypt');
  });
});

describe('MxDriftCheck first run at deploy time', () => {
  test('invokes the check after the publisher wrote its domain list, keeps only the status code, reruns on a new list', () => {
    const f = fixture();
    f.check.addDomain('example.com', f.zone('Z1', 'example.com'), MtaStsMode.TESTING);
    const template = Template.fromStack(f.stack);
    const functionId = f.stack.getLogicalId(f.check.checkFunction.node.defaultChild as never);
    const [firstRunId, firstRun] = Object.entries(template.findResources('Custom::AWS'))[0];
    const rendered = JSON.stringify(firstRun.Properties.Create);
    expect(rendered).toContain('\\"action\\":\\"invoke\\"');
    expect(rendered).toContain('\\"InvocationType\\":\\"RequestResponse\\"');
    expect(rendered).toContain('\\"outputPaths\\":[\\"StatusCode\\"]');
    expect(rendered).toContain('{\\\\\\"domains\\\\\\":[{\\\\\\"domainName\\\\\\":\\\\\\"example.com\\\\\\"');
    expect(firstRun.Properties.Update).toEqual(firstRun.Properties.Create);
    // It reads the domain list the publisher writes.
    const [publisherId] = Object.keys(template.findResources('Custom::MtaStsPolicies'));
    expect(firstRun.DependsOn).toEqual(expect.arrayContaining([publisherId]));
    // The alarm is created only after the first run published its datapoint.
    const alarmId = f.stack.getLogicalId(f.check.alarm.node.defaultChild as never);
    expect(template.toJSON().Resources[alarmId].DependsOn).toEqual(expect.arrayContaining([firstRunId]));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [functionId, 'Arn'] } },
        ],
      },
    });
  });
});
