import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { MtaSts, MtaStsCanary, MtaStsMode, TlsReportIngestion } from '../../src';

function stack(): Stack {
  return new Stack(new App(), 'Mail', { env: { account: '111111111111', region: 'us-east-1' } });
}

/** The canary's domain list, as the stack's policy publisher will write it. */
function canaryConfig(template: Template): unknown {
  const [publisher] = Object.values(template.findResources('Custom::MtaStsPolicies'));
  const config = publisher.Properties.Configs.find((c: { Key: string }) => c.Key === '_cdk-mta-sts/canary.json');
  return JSON.parse(config.Body);
}

/** The canary's own functions: itself, not the stack's policy publisher or the deploy-time run. */
function canaryFunctions(template: Template) {
  return Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) =>
    id.startsWith('MtaStsCanaryFunction'),
  );
}

describe('MtaStsCanary', () => {
  test('one per stack: a daily rule; the domains are a configuration object the publisher writes', () => {
    const s = stack();
    const canary = MtaStsCanary.of(s);
    expect(MtaStsCanary.of(s)).toBe(canary);
    canary.addDomain('Example.COM.');
    canary.addDomain('example.org');
    canary.addDomain('example.com'); // again: no change
    const template = Template.fromStack(s);
    expect(canaryFunctions(template)).toHaveLength(1);
    const [[functionId]] = canaryFunctions(template);
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules.map((rule) => rule.Properties.ScheduleExpression)).toEqual(['rate(1 day)']);
    // No event input: the handler reads the list from S3.
    expect(rules[0].Properties.Targets).toEqual([{ Arn: { 'Fn::GetAtt': [functionId, 'Arn'] }, Id: 'Target0' }]);
    expect(canaryConfig(template)).toEqual({ domains: ['example.com', 'example.org'] });
    const bucket = Object.keys(template.findResources('AWS::S3::Bucket'))[0];
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 600,
      Environment: {
        Variables: {
          AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
          CANARY_BUCKET: { Ref: bucket },
          CANARY_RESOLVERS: '1.1.1.1,8.8.8.8',
          CANARY_STACK: 'Mail',
          CANARY_STEP_TIMEOUT_MS: '5000',
          METRIC_NAMESPACE: 'MtaSts',
        },
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^MtaStsCanaryLogs') } },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 's3:GetObject',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/_cdk-mta-sts/canary.json']] },
          },
        ],
      },
    });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Delete' });
  });

  test('runs once at deployment, after the publisher, and its alarm starts from that run', () => {
    const s = stack();
    MtaStsCanary.of(s).addDomain('example.com');
    const template = Template.fromStack(s);
    const [[firstRunId, firstRun]] = Object.entries(template.findResources('Custom::AWS'));
    const rendered = JSON.stringify(firstRun.Properties.Create);
    expect(rendered).toContain('\\"InvocationType\\":\\"RequestResponse\\"');
    expect(rendered).toContain('\\"outputPaths\\":[\\"StatusCode\\"]');
    const [publisherId] = Object.keys(template.findResources('Custom::MtaStsPolicies'));
    expect(firstRun.DependsOn).toEqual(expect.arrayContaining([publisherId]));
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm'))[0];
    expect(alarm.DependsOn).toEqual(expect.arrayContaining([firstRunId]));
  });

  test('alarms on CanaryFailures for the stack, and when the canary stops reporting', () => {
    const s = stack();
    MtaStsCanary.of(s, { metricNamespace: 'Mail/Security' }).addDomain('example.com');
    Template.fromStack(s).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Mail/Security',
      MetricName: 'CanaryFailures',
      Dimensions: [{ Name: 'Stack', Value: 'Mail' }],
      Statistic: 'Sum',
      Period: 86400,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  test('schedule and resolvers can be changed', () => {
    const s = stack();
    MtaStsCanary.of(s, {
      schedule: events.Schedule.rate(Duration.hours(6)),
      resolvers: ['9.9.9.9', '[2620:fe::fe]:53'],
    }).addDomain('example.com');
    const template = Template.fromStack(s);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CANARY_RESOLVERS: '9.9.9.9,[2620:fe::fe]:53' }) },
    });
  });

  test('an invalid resolver names the construct and the value', () => {
    const s = stack();
    MtaStsCanary.of(s, { resolvers: ['dns.google'] });
    expect(() => Template.fromStack(s)).toThrow(
      '[Mail/MtaStsCanary] Invalid resolvers entry "dns.google": expected IP or IP:PORT',
    );
  });

  test('250 domains per stack', () => {
    const s = stack();
    const canary = MtaStsCanary.of(s);
    const domains = Array.from({ length: 250 }, (_, i) => `d${i}.example`);
    domains.forEach((d) => canary.addDomain(d));
    expect(canaryConfig(Template.fromStack(s))).toEqual({ domains });
    // One more is reported at synth, under the canary's path.
    const over = stack();
    const full = MtaStsCanary.of(over);
    domains.forEach((d) => full.addDomain(d));
    full.addDomain('one-more.example');
    expect(() => Template.fromStack(over)).toThrow(
      '[Mail/MtaStsCanary] Cannot add one-more.example: a canary checks at most 250 domains per stack',
    );
  });
});

describe('MtaSts and the canary', () => {
  const zone = (s: Stack, name: string) =>
    route53.HostedZone.fromHostedZoneAttributes(s, `Zone-${name}`, { hostedZoneId: 'Z0EXAMPLE', zoneName: name });

  test('on by default: every MtaSts of the stack registers its domain with the one canary', () => {
    const s = stack();
    new MtaSts(s, 'A', { hostedZone: zone(s, 'example.com'), mode: MtaStsMode.TESTING, mx: ['mx.example.com'] });
    new MtaSts(s, 'B', { hostedZone: zone(s, 'example.org'), mode: MtaStsMode.TESTING, mx: ['mx.example.org'] });
    const template = Template.fromStack(s);
    expect(canaryConfig(template)).toEqual({ domains: ['example.com', 'example.org'] });
    // The deploy-time run waits for both domains' records.
    const [firstRun] = Object.values(template.findResources('Custom::AWS')).filter((r) =>
      JSON.stringify(r.Properties.Create).includes('MtaStsCanaryFunction'),
    );
    const groups = Object.keys(template.findResources('AWS::Route53::RecordSetGroup'));
    expect(groups).toHaveLength(2);
    expect(firstRun.DependsOn).toEqual(expect.arrayContaining(groups));
  });

  test('canary: false leaves it out', () => {
    const s = stack();
    new MtaSts(s, 'A', {
      hostedZone: zone(s, 'example.com'),
      mode: MtaStsMode.TESTING,
      mx: ['mx.example.com'],
      canary: false,
    });
    expect(s.node.tryFindChild('MtaStsCanary')).toBeUndefined();
    Template.fromStack(s).resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'CanaryFailures' }, 0);
  });

  test('with reporting, the alarm notifies its topic and uses its namespace', () => {
    const s = new Stack(new App(), 'Mail', {
      env: { account: '111111111111', region: 'eu-west-1' },
      crossRegionReferences: true,
    });
    const hostedZone = zone(s, 'example.com');
    const reporting = new TlsReportIngestion(s, 'Reports', { hostedZone, metricNamespace: 'Mail' });
    new MtaSts(s, 'A', { hostedZone, mode: MtaStsMode.TESTING, mx: ['mx.example.com'], reporting });
    Template.fromStack(s).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CanaryFailures',
      Namespace: 'Mail',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^ReportsMonitoringAlarmTopic') }],
    });
  });
});
