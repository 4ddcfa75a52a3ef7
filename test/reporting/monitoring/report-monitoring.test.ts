import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MtaStsMode, TlsReportIngestion, TlsReportIngestionProps } from '../../../src';

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

describe('per policy domain, grouped', () => {
  const stat = (metricName: string, domain: string, namespace = 'MtaSts') => ({
    Namespace: namespace,
    MetricName: metricName,
    Dimensions: [{ Name: 'PolicyDomain', Value: domain }],
  });
  const query = (id: string, metricName: string, domain: string, namespace = 'MtaSts') => ({
    Id: id,
    MetricStat: { Metric: stat(metricName, domain, namespace), Period: 86400, Stat: 'Sum' },
    ReturnData: false,
  });

  test('failure rate: the worst of up to five domains above 1% in a day with at least 100 sessions', () => {
    const { stack, reports } = ingestion();
    reports.addPolicyDomain('example.com', MtaStsMode.TESTING);
    reports.addPolicyDomain('example.org', MtaStsMode.TESTING);
    const alarm = alarmsOf(Template.fromStack(stack)).find(
      (a) => a.Metrics?.[0]?.Id === 'worst' && a.Threshold === 1 && a.ComparisonOperator === 'GreaterThanThreshold',
    );
    expect(alarm).toEqual({
      AlarmActions: [{ Ref: expect.stringMatching(/^ReportsMonitoringAlarmTopic/) }],
      AlarmDescription:
        "More than 1% of the sessions reported for one of example.com, example.org failed in a day (at least 100 sessions). The alarm graph shows which; read that day's reports: failures by result type and MX host.",
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        {
          Id: 'worst',
          Expression: 'MAX([d0, d1])',
          Label: 'Highest failure rate of these domains (%)',
          ReturnData: true,
        },
        {
          Id: 'd0',
          Expression: 'IF((s0 + f0) >= 100, 100 * f0 / (s0 + f0), 0)',
          Label: 'example.com',
          ReturnData: false,
        },
        query('s0', 'SuccessfulSessions', 'example.com'),
        query('f0', 'FailedSessions', 'example.com'),
        {
          Id: 'd1',
          Expression: 'IF((s1 + f1) >= 100, 100 * f1 / (s1 + f1), 0)',
          Label: 'example.org',
          ReturnData: false,
        },
        query('s1', 'SuccessfulSessions', 'example.org'),
        query('f1', 'FailedSessions', 'example.org'),
      ],
    });
  });

  test('no report for 3 days, or none yet: how many of up to ten domains had one in a 3-day period', () => {
    const { stack, reports } = ingestion();
    reports.addPolicyDomain('example.com');
    reports.addPolicyDomain('example.org');
    const alarm = alarmsOf(Template.fromStack(stack)).find((a) => a.ComparisonOperator === 'LessThanThreshold');
    const threeDays = (q: ReturnType<typeof query>) => ({ ...q, MetricStat: { ...q.MetricStat, Period: 259200 } });
    expect(alarm).toEqual({
      AlarmActions: [{ Ref: expect.stringMatching(/^ReportsMonitoringAlarmTopic/) }],
      AlarmDescription:
        'No TLS-RPT report for one of example.com, example.org in 3 days (or none yet since it was added): check its _smtp._tls record, the MX of the reporting domain, the receipt rule set and the parser.',
      Metrics: [
        {
          Id: 'worst',
          Expression: 'SUM([d0, d1])',
          Label: 'Domains of this group with a report in the last 3 days',
          ReturnData: true,
        },
        { Id: 'd0', Expression: 'IF(r0 >= 1, 1, 0)', Label: 'example.com', ReturnData: false },
        threeDays(query('r0', 'ReportsReceived', 'example.com')),
        { Id: 'd1', Expression: 'IF(r1 >= 1, 1, 0)', Label: 'example.org', ReturnData: false },
        threeDays(query('r1', 'ReportsReceived', 'example.org')),
      ],
      EvaluationPeriods: 1,
      // Every domain of the group must have had a report: a silent one leaves the sum short (no FILL involved),
      // and a wholly silent group has no datapoint, which is breaching.
      Threshold: 2,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  test('100 domains: 20 failure-rate alarms of 10 metrics and 10 silence alarms of 10 metrics, none over the limit', () => {
    const { stack, reports } = ingestion();
    for (let i = 0; i < 100; i++) reports.addPolicyDomain(`d${i}.example.net`, MtaStsMode.TESTING);
    const alarms = alarmsOf(Template.fromStack(stack));
    const grouped = alarms.filter((a) => a.Metrics?.[0]?.Id === 'worst');
    const metricCounts = grouped.map((a) => a.Metrics.filter((m: any) => m.MetricStat).length);
    expect(metricCounts).toEqual(Array(30).fill(10));
    expect(grouped.filter((a) => a.Threshold === 1 && a.ComparisonOperator === 'GreaterThanThreshold')).toHaveLength(
      20,
    );
    expect(grouped.filter((a) => a.ComparisonOperator === 'LessThanThreshold').map((a) => a.Threshold)).toEqual(
      Array(10).fill(10),
    );
    expect(reports.alarms).toHaveLength(31);
    // Every domain is in exactly one group of each kind.
    const labels = grouped.flatMap((a) => a.Metrics.filter((m: any) => m.Id.startsWith('d')).map((m: any) => m.Label));
    expect(labels).toHaveLength(200);
    expect(new Set(labels).size).toBe(100);
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
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF((s0 + f0) >= 20, 100 * f0 / (s0 + f0), 0)' })]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      EvaluationPeriods: 1,
      Metrics: Match.arrayWith([
        {
          ...query('r0', 'ReportsReceived', 'example.com', 'Mail'),
          MetricStat: { ...query('r0', 'ReportsReceived', 'example.com', 'Mail').MetricStat, Period: 604800 },
        },
      ]),
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
    // Dead-letter queue, sts-*, one failure-rate group and one silence group for both domains.
    expect(alarmsOf(template)).toHaveLength(4);
    expect(reports.alarms).toHaveLength(4);
  });

  test('the dashboard graphs every domain with SEARCH: the same widgets for 1 domain or 200', () => {
    const body = (count: number) => {
      const { stack, reports } = ingestion();
      for (let i = 0; i < count; i++) reports.addPolicyDomain(`d${i}.example.net`, MtaStsMode.TESTING);
      const [dashboard] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
      return JSON.stringify(dashboard.Properties.DashboardBody);
    };
    const one = body(1);
    expect(body(200)).toBe(one);
    for (const metric of ['FailedSessions', 'SuccessfulSessions', 'ReportsReceived', 'UncoveredMxHosts']) {
      expect(one).toContain(`SEARCH('{MtaSts,PolicyDomain} MetricName=\\\\\\"${metric}\\\\\\"'`);
    }
    expect(one).not.toContain('d0.example.net');
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
