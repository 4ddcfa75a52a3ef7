import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MtaStsMode, TlsReportIngestion, TlsReportIngestionProps } from '../../src';

function ingestion(props: Partial<TlsReportIngestionProps> = {}): { stack: Stack; reports: TlsReportIngestion } {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
    hostedZoneId: 'Z0EXAMPLE',
    zoneName: 'example.com',
  });
  return { stack, reports: new TlsReportIngestion(stack, 'Reports', { hostedZone, ...props }) };
}

function alarmsOf(template: Template): Record<string, any>[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties);
}

const topicAction = [{ Ref: Match.stringLikeRegexp('^ReportsMonitoringAlarmTopic') }];

describe('pipeline-wide monitoring', () => {
  test('a TLS-only alarm topic that CloudWatch may publish to, and an alarm when the dead-letter queue holds anything', () => {
    const { stack } = ingestion();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: Match.stringLikeRegexp('^ReportsMonitoringAlarmTopic') },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:111111111111:alarm:*']],
                },
              },
            },
            Sid: '0',
          },
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sns:Publish',
            Resource: { Ref: Match.stringLikeRegexp('^ReportsMonitoringAlarmTopic') },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    });
    expect(alarmsOf(template)).toEqual([
      {
        AlarmActions: [{ Ref: expect.stringMatching(/^ReportsMonitoringAlarmTopic/) }],
        AlarmDescription:
          'Report mail could not be processed after retries: read the dead-letter queue and the parser logs.',
        ComparisonOperator: 'GreaterThanThreshold',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [expect.stringMatching(/^ReportsDeadLetterQueue/), 'QueueName'] },
          },
        ],
        EvaluationPeriods: 1,
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Period: 300,
        Statistic: 'Maximum',
        Threshold: 0,
        TreatMissingData: 'notBreaching',
      },
    ]);
  });

  test('alarm e-mail subscriptions, or a topic of your own', () => {
    const withEmails = Template.fromStack(ingestion({ alarmEmails: ['oncall@example.com'] }).stack);
    withEmails.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });

    const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    const alarmTopic = sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:111111111111:oncall');
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
      hostedZoneId: 'Z0EXAMPLE',
      zoneName: 'example.com',
    });
    const reports = new TlsReportIngestion(stack, 'Reports', { hostedZone, alarmTopic });
    expect(reports.alarmTopic).toBe(alarmTopic);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(alarmsOf(template).map((a) => a.AlarmActions)).toEqual([['arn:aws:sns:eu-west-1:111111111111:oncall']]);
  });

  test('the dashboard graphs result types, rejections and the queue; it can be turned off', () => {
    const { stack } = ingestion();
    const body = JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain("SEARCH('{MtaSts,ResultType} MetricName=\\\\\\\"FailedSessions\\\\\\\"', 'Sum', 86400)");
    expect(body).toContain('Reports rejected / dead-letter queue depth');
    expect(body).toContain('\\"ReportsRejected\\"');
    Template.fromStack(ingestion({ dashboard: false }).stack).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  test('no fixed physical names, so two deployments in one account do not collide', () => {
    const { stack, reports } = ingestion({ https: true });
    reports.addPolicyDomain('example.com', MtaStsMode.ENFORCE);
    const template = Template.fromStack(stack);
    for (const alarm of alarmsOf(template)) expect(alarm.AlarmName).toBeUndefined();
    for (const dashboard of Object.values(template.findResources('AWS::CloudWatch::Dashboard'))) {
      expect(dashboard.Properties.DashboardName).toBeUndefined();
    }
    const topics = Object.values(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    expect(topics[0].Properties?.TopicName).toBeUndefined();
  });
});

describe('per policy domain', () => {
  test('failure rate above 1% over a day with at least 100 sessions', () => {
    const { stack, reports } = ingestion();
    reports.addPolicyDomain('example.com', MtaStsMode.TESTING);
    const template = Template.fromStack(stack);
    const dims = [{ Name: 'PolicyDomain', Value: 'example.com' }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: topicAction,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        { Expression: 'IF((s + f) >= 100, 100 * f / (s + f), 0)', Id: 'expr_1', Label: 'Failure rate (%)' },
        {
          Id: 's',
          MetricStat: {
            Metric: { Namespace: 'MtaSts', MetricName: 'SuccessfulSessions', Dimensions: dims },
            Period: 86400,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
        {
          Id: 'f',
          MetricStat: {
            Metric: { Namespace: 'MtaSts', MetricName: 'FailedSessions', Dimensions: dims },
            Period: 86400,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
      ],
    });
  });

  test('no report for 3 days, or none yet: silence is breaching, whatever FILL does over an empty range', () => {
    const { stack, reports } = ingestion();
    reports.addPolicyDomain('example.com');
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: topicAction,
      Metrics: [
        {
          Id: 'm1',
          Label: 'Reports received',
          MetricStat: {
            Metric: {
              Namespace: 'MtaSts',
              MetricName: 'ReportsReceived',
              Dimensions: [{ Name: 'PolicyDomain', Value: 'example.com' }],
            },
            Period: 86400,
            Stat: 'Sum',
          },
          ReturnData: true,
        },
      ],
      EvaluationPeriods: 3,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  test('thresholds, session floor and silence are configurable', () => {
    const { stack, reports } = ingestion({
      failureRateThreshold: 0.5,
      minimumSessions: 20,
      daysWithoutReports: 7,
      metricNamespace: 'Mail',
    });
    reports.addPolicyDomain('example.com');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0.5,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF((s + f) >= 20, 100 * f / (s + f), 0)' })]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      EvaluationPeriods: 7,
      Metrics: [
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ Namespace: 'Mail', MetricName: 'ReportsReceived' }),
          }),
        }),
      ],
    });
  });

  test('sts-* result types alarm exists once, and only when a domain enforces', () => {
    const testing = ingestion();
    testing.reports.addPolicyDomain('example.com', MtaStsMode.TESTING);
    expect(JSON.stringify(Template.fromStack(testing.stack).toJSON())).not.toContain('sts-policy-fetch-error');

    const { stack, reports } = ingestion();
    reports.addPolicyDomain('example.com', MtaStsMode.ENFORCE);
    reports.addPolicyDomain('example.org', MtaStsMode.ENFORCE);
    const template = Template.fromStack(stack);
    const sts = alarmsOf(template).filter((a) => a.Metrics?.[0]?.Expression?.startsWith('FILL(m0'));
    expect(sts).toHaveLength(1);
    expect(sts[0].Metrics.map((m: any) => m.Expression ?? m.MetricStat.Metric.Dimensions)).toEqual([
      'FILL(m0, 0) + FILL(m1, 0) + FILL(m2, 0)',
      [{ Name: 'ResultType', Value: 'sts-policy-fetch-error' }],
      [{ Name: 'ResultType', Value: 'sts-policy-invalid' }],
      [{ Name: 'ResultType', Value: 'sts-webpki-invalid' }],
    ]);
    expect(sts[0]).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    // Dead-letter queue, sts-*, and two alarms per domain.
    expect(alarmsOf(template)).toHaveLength(6);
    expect(reports.alarms).toHaveLength(6);
  });

  test('a dashboard row per domain', () => {
    const { stack, reports } = ingestion();
    reports.addPolicyDomain('example.com', MtaStsMode.TESTING);
    const body = JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    for (const title of [
      '## example.com (testing)',
      'example.com: sessions',
      'example.com: failure rate',
      'example.com: reports received',
      'example.com: uncovered MX hosts',
    ]) {
      expect(body).toContain(title);
    }
    expect(body).toContain('\\"UncoveredMxHosts\\",\\"PolicyDomain\\",\\"example.com\\"');
  });

  test('fails when a domain is registered twice', () => {
    const { stack, reports } = ingestion();
    reports.addPolicyDomain('example.com');
    reports.addPolicyDomain('EXAMPLE.com.');
    expect(() => Template.fromStack(stack)).toThrow(
      '[Stack/Reports] Invalid domainName "EXAMPLE.com.": already registered with this TlsReportIngestion',
    );
  });
});

test.each([
  [{ failureRateThreshold: 0 }, 'Invalid failureRateThreshold 0: must be a percentage above 0 and below 100'],
  [{ failureRateThreshold: 100 }, 'Invalid failureRateThreshold 100: must be a percentage above 0 and below 100'],
  [{ minimumSessions: 0 }, 'Invalid minimumSessions 0: must be a whole number from 1 to 1000000000'],
  [{ minimumSessions: 1.5 }, 'Invalid minimumSessions 1.5: must be a whole number from 1 to 1000000000'],
  [{ daysWithoutReports: 8 }, 'Invalid daysWithoutReports 8: must be a whole number from 1 to 7'],
])('fails for %j', (props, message) => {
  const { stack } = ingestion(props);
  expect(() => Template.fromStack(stack)).toThrow(`[Stack/Reports] ${message}`);
});
