import { ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MtaStsMode } from '../policy/mode';
import { ReportDimension, ReportMetric } from '../reporting/metric-names';
import { STS_RESULT_TYPES } from '../reporting/result-types';

/** The drift check publishes this per policy domain; the dashboard graphs it. */
export const UNCOVERED_MX_HOSTS_METRIC = 'UncoveredMxHosts';

const DAY = Duration.days(1);

/**
 * Properties for `ReportMonitoring`.
 */
export interface ReportMonitoringProps {
  /** The CloudWatch namespace the report metrics are in. */
  readonly metricNamespace: string;
  /** The parser's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Where alarms go; created when not given. */
  readonly alarmTopic?: sns.ITopic;
  /** E-mail addresses subscribed to the alarm topic. */
  readonly alarmEmails: string[];
  /** Create the dashboard. */
  readonly dashboard: boolean;
  /** Failure rate in percent above which a domain's daily alarm fires. */
  readonly failureRateThreshold: number;
  /** Fewest sessions in a day for the failure rate to count. */
  readonly minimumSessions: number;
  /** Whole days without a report for a domain after which its alarm fires. */
  readonly daysWithoutReports: number;
}

/**
 * Alarms and a dashboard over the report metrics. Pipeline-wide parts (dead-letter queue, rejections, result
 * types) are built at once; each policy domain adds its row and alarms when it registers.
 */
export class ReportMonitoring extends Construct {
  /** Where every alarm sends its notifications. */
  public readonly alarmTopic: sns.ITopic;
  /** The dashboard, unless turned off. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** Every alarm created so far. */
  public readonly alarms: cloudwatch.Alarm[] = [];

  private readonly action: cloudwatch.IAlarmAction;
  private readonly routed = new Set<cloudwatch.Alarm>();
  private stsFailureAlarm?: cloudwatch.Alarm;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ReportMonitoringProps,
  ) {
    super(scope, id);

    this.alarmTopic = props.alarmTopic ?? this.createTopic();
    for (const email of props.alarmEmails) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    this.action = new cloudwatchActions.SnsAction(this.alarmTopic);

    const queueDepth = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(5),
    });
    this.addAlarm('DeadLetterQueueAlarm', {
      metric: queueDepth,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'Report mail could not be processed after retries: read the dead-letter queue and the parser logs.',
    });

    if (props.dashboard) {
      this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(14) });
      this.dashboard.addWidgets(
        new cloudwatch.TextWidget({
          markdown:
            '# MTA-STS and TLS-RPT\nDaily sessions and failures reported by sending MTAs (RFC 8460), per policy domain below.',
          width: 24,
          height: 2,
        }),
        new cloudwatch.GraphWidget({
          title: 'Failed sessions by result type (all domains)',
          left: [this.searchByResultType()],
          width: 12,
        }),
        new cloudwatch.GraphWidget({
          title: 'Reports rejected / dead-letter queue depth',
          left: [this.metric(ReportMetric.REPORTS_REJECTED, {}, 'Reports rejected')],
          right: [queueDepth.with({ label: 'Dead-letter queue depth' })],
          width: 12,
        }),
      );
    }
  }

  /**
   * Adds a policy domain's dashboard row and alarms: failure rate, no reports, and uncovered MX hosts; in
   * `enforce`, also the pipeline-wide alarm on `sts-*` result types.
   */
  public addPolicyDomain(domainName: string, mode?: MtaStsMode): void {
    const dimensions = { [ReportDimension.POLICY_DOMAIN]: domainName };
    const successful = this.metric(ReportMetric.SUCCESSFUL_SESSIONS, dimensions, 'Successful sessions');
    const failed = this.metric(ReportMetric.FAILED_SESSIONS, dimensions, 'Failed sessions');
    const received = this.metric(ReportMetric.REPORTS_RECEIVED, dimensions, 'Reports received');
    const uncovered = new cloudwatch.Metric({
      namespace: this.props.metricNamespace,
      metricName: UNCOVERED_MX_HOSTS_METRIC,
      dimensionsMap: dimensions,
      statistic: cloudwatch.Stats.MAXIMUM,
      period: DAY,
      label: 'Uncovered MX hosts',
    });
    const failureRate = new cloudwatch.MathExpression({
      // Too few sessions make a percentage noise; count the rate only from `minimumSessions` a day.
      expression: `IF((s + f) >= ${this.props.minimumSessions}, 100 * f / (s + f), 0)`,
      usingMetrics: { s: successful, f: failed },
      period: DAY,
      label: 'Failure rate (%)',
    });

    const scope = new Construct(this, `Domain-${domainName}`);
    this.addAlarm(
      'FailureRateAlarm',
      {
        metric: failureRate,
        threshold: this.props.failureRateThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `More than ${this.props.failureRateThreshold}% of the sessions reported for ${domainName} failed in a day (at least ${this.props.minimumSessions} sessions). Read the day's reports: failures by result type and MX host.`,
      },
      scope,
    );
    this.addAlarm(
      'NoReportsAlarm',
      {
        // The parser publishes ReportsReceived only for new reports, so a day without one has no datapoint, and
        // silence is what this alarm watches: missing data is breaching. Not FILL(r, 0): the CloudWatch User Guide
        // does not say FILL yields datapoints when the whole range has none, which is exactly when reports stopped.
        // A new domain shows ALARM until its first report (usually within two days).
        metric: received,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: this.props.daysWithoutReports,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription: `No TLS-RPT report for ${domainName} in ${this.props.daysWithoutReports} days (or none yet since it was added): check the _smtp._tls record, the MX of the reporting domain, the receipt rule set and the parser.`,
      },
      scope,
    );
    if (mode === MtaStsMode.ENFORCE) this.addStsFailureAlarm();

    this.dashboard?.addWidgets(
      new cloudwatch.TextWidget({ markdown: `## ${domainName}${mode ? ` (${mode})` : ''}`, width: 24, height: 1 }),
      new cloudwatch.GraphWidget({ title: `${domainName}: sessions`, left: [successful, failed], width: 6 }),
      new cloudwatch.GraphWidget({
        title: `${domainName}: failure rate`,
        left: [failureRate],
        leftYAxis: { min: 0, max: 100 },
        width: 6,
      }),
      new cloudwatch.GraphWidget({ title: `${domainName}: reports received`, left: [received], width: 6 }),
      new cloudwatch.GraphWidget({ title: `${domainName}: uncovered MX hosts`, left: [uncovered], width: 6 }),
    );
  }

  private createTopic(): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic');
    // A topic policy replaces the topic's default one, which is what lets CloudWatch publish: say so explicitly,
    // for this account's alarms only.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': Stack.of(this).formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    // aws-cdk-lib 2.168's `enforceSSL` only acts once some other statement creates the policy: state it ourselves.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    return topic;
  }

  /** Routes an alarm created elsewhere (the MX drift check) to the alarm topic, once. */
  public route(alarm: cloudwatch.Alarm): void {
    if (this.routed.has(alarm)) return;
    alarm.addAlarmAction(this.action);
    this.routed.add(alarm);
  }

  private addStsFailureAlarm(): void {
    if (this.stsFailureAlarm) return;
    const usingMetrics = Object.fromEntries(
      STS_RESULT_TYPES.map((resultType, i) => [
        `m${i}`,
        this.metric(ReportMetric.FAILED_SESSIONS, { [ReportDimension.RESULT_TYPE]: resultType }, resultType),
      ]),
    );
    this.stsFailureAlarm = this.addAlarm('StsFailureAlarm', {
      metric: new cloudwatch.MathExpression({
        expression: Object.keys(usingMetrics)
          .map((id) => `FILL(${id}, 0)`)
          .join(' + '),
        usingMetrics,
        period: DAY,
        label: 'sts-* failed sessions',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'A sender reported sts-policy-fetch-error, sts-policy-invalid or sts-webpki-invalid for a registered policy domain (the alarm exists once any of them enforces): it could not fetch or trust the policy. Check the policy host, its certificate and the _mta-sts record.',
    });
  }

  private addAlarm(id: string, props: cloudwatch.AlarmProps, scope: Construct = this): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(scope, id, props);
    alarm.addAlarmAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  private metric(metricName: string, dimensionsMap: Record<string, string>, label: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.props.metricNamespace,
      metricName,
      dimensionsMap,
      statistic: cloudwatch.Stats.SUM,
      period: DAY,
      label,
    });
  }

  private searchByResultType(): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `SEARCH('{${this.props.metricNamespace},${ReportDimension.RESULT_TYPE}} MetricName="${ReportMetric.FAILED_SESSIONS}"', 'Sum', 86400)`,
      usingMetrics: {},
      period: DAY,
      label: '',
    });
  }
}
