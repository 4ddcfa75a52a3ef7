import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { MtaSts, MtaStsCanary, MtaStsMode, TlsReportIngestion } from '../../src';

function stack(): Stack {
  return new Stack(new App(), 'Mail', { env: { account: '111111111111', region: 'us-east-1' } });
}

function inputs(template: Template): unknown[] {
  const rules = template.findResources('AWS::Events::Rule', {
    Properties: { Targets: Match.arrayWith([Match.objectLike({ Input: Match.anyValue() })]) },
  });
  return Object.values(rules).flatMap((rule) =>
    (rule.Properties.Targets as { Input: string }[]).map((target) => JSON.parse(target.Input)),
  );
}

describe('MtaStsCanary', () => {
  test('one per stack: a daily rule whose event carries the domains, not the Lambda environment', () => {
    const s = stack();
    const canary = MtaStsCanary.of(s);
    expect(MtaStsCanary.of(s)).toBe(canary);
    canary.addDomain('Example.COM.');
    canary.addDomain('example.org');
    canary.addDomain('example.com'); // again: no change
    const template = Template.fromStack(s);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' });
    expect(inputs(template)).toEqual([{ domains: ['example.com', 'example.org'] }]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 300,
      Environment: {
        Variables: {
          AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
          CANARY_RESOLVERS: '1.1.1.1,8.8.8.8',
          CANARY_STACK: 'Mail',
          CANARY_STEP_TIMEOUT_MS: '5000',
          METRIC_NAMESPACE: 'MtaSts',
        },
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^MtaStsCanaryLogs') } },
    });
    // Like every function log group of the library (support/function-log-group.ts): kept a year, deleted with the
    // stack, so a torn-down stack leaves nothing behind.
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Delete' });
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

  test('100 domains of the longest kind fit, spread over targets of at most 8192 characters', () => {
    const s = stack();
    const canary = MtaStsCanary.of(s);
    const label = (i: number) => `d${String(i).padStart(3, '0')}${'x'.repeat(59)}`;
    const domains = Array.from({ length: 100 }, (_, i) =>
      [label(i), 'a'.repeat(63), 'b'.repeat(63), 'example'].join('.'),
    );
    expect(domains.every((d) => d.length === 199)).toBe(true);
    domains.forEach((d) => canary.addDomain(d));
    const template = Template.fromStack(s);
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0];
    const targets = rule.Properties.Targets as { Input: string }[];
    expect(targets.length).toBe(3);
    expect(targets.every((t) => t.Input.length <= 8192)).toBe(true);
    expect(inputs(template).flatMap((input) => (input as { domains: string[] }).domains)).toEqual(domains);
    // One more is reported at synth, under the canary's path.
    const over = stack();
    const full = MtaStsCanary.of(over);
    domains.forEach((d) => full.addDomain(d));
    full.addDomain('one-more.example');
    expect(() => Template.fromStack(over)).toThrow(
      '[Mail/MtaStsCanary] Cannot add one-more.example: a canary checks at most 100 domains per stack',
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
    expect(inputs(Template.fromStack(s))).toEqual([{ domains: ['example.com', 'example.org'] }]);
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
