import { ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DomainAlarmGroup } from './domain-alarm-group';
import { MtaStsMode } from '../../policy/mode';
import { ReportDimension, ReportMetric, UNCOVERED_MX_HOSTS } from '../../runtime/metric-names';
import { STS_RESULT_TYPES } from '../result-types';

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
 * Alarms and a dashboard over the report metrics, sized for any number of policy domains: the dashboard graphs
 * every domain with SEARCH expressions (a fixed set of widgets), and the per-domain alarms are grouped, as many
 * domains per alarm as CloudWatch's 10 metrics allow (5 for the failure rate, 10 for silence), each firing on the
 * worst domain of its group and naming the group.
 */
export class ReportMonitoring extends Construct {
  /** Where every alarm sends its notifications. */
  public readonly alarmTopic: sns.ITopic;
  /** The dashboard, unless turned off. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** Every alarm created so far. */
  public readonly alarms: cloudwatch.Alarm[] = [];

  /** The grouped per-domain alarms (failure rate, no reports). */
  public readonly domainAlarmGroups: DomainAlarmGroup[] = [];

  private readonly action: cloudwatch.IAlarmAction;
  private readonly routed = new Set<cloudwatch.IAlarm>();
  private stsFailureAlarm?: cloudwatch.Alarm;
  private failureRateGroup?: DomainAlarmGroup;
  private noReportsGroup?: DomainAlarmGroup;

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
        // One line per policy domain, however many there are: SEARCH finds them, so the body never grows.
        this.searchGraph('Failed sessions by policy domain', ReportMetric.FAILED_SESSIONS, 'Sum'),
        this.searchGraph('Successful sessions by policy domain', ReportMetric.SUCCESSFUL_SESSIONS, 'Sum'),
        this.searchGraph('Reports received by policy domain', ReportMetric.REPORTS_RECEIVED, 'Sum'),
        // Written only for domains with uncovered hosts: an empty graph is good news.
        this.searchGraph('Uncovered MX hosts by policy domain (daily drift check)', UNCOVERED_MX_HOSTS, 'Maximum'),
      );
    }
  }

  /**
   * Adds a policy domain to the grouped alarms (failure rate, no reports); in `enforce`, also creates the
   * pipeline-wide alarm on `sts-*` result types. The dashboard finds the domain by itself.
   */
  public addPolicyDomain(domainName: string, mode?: MtaStsMode): void {
    if (!this.failureRateGroup || this.failureRateGroup.full) {
      this.failureRateGroup = this.addGroup('FailureRateAlarm', {
        series: {
          metrics: { s: ReportMetric.SUCCESSFUL_SESSIONS, f: ReportMetric.FAILED_SESSIONS },
          // Too few sessions make a percentage noise; count the rate only from `minimumSessions` a day.
          expression: `IF((s{i} + f{i}) >= ${this.props.minimumSessions}, 100 * f{i} / (s{i} + f{i}), 0)`,
        },
        combine: 'MAX',
        label: 'Highest failure rate of these domains (%)',
        threshold: this.props.failureRateThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        description: (domains) =>
          `More than ${this.props.failureRateThreshold}% of the sessions reported for ${oneOf(domains)} failed in a day (at least ${this.props.minimumSessions} sessions). The alarm graph shows which; read that day's reports: failures by result type and MX host.`,
      });
    }
    this.failureRateGroup.add(domainName);

    if (!this.noReportsGroup || this.noReportsGroup.full) {
      const days = this.props.daysWithoutReports;
      this.noReportsGroup = this.addGroup('NoReportsAlarm', {
        // One period of `daysWithoutReports` days: each domain counts 1 if it had a report in it. A silent domain's
        // series is empty whatever FILL would do (none is used), so the sum falls short of the group's size, and
        // a group with no report at all has no datapoint: missing data is breaching. Either way the alarm fires.
        series: { metrics: { r: ReportMetric.REPORTS_RECEIVED }, expression: 'IF(r{i} >= 1, 1, 0)' },
        combine: 'SUM',
        label: `Domains of this group with a report in the last ${days} days`,
        threshold: (domains) => domains,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        periodDays: days,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        description: (domains) =>
          `No TLS-RPT report for ${oneOf(domains)} in ${days} days (or none yet since it was added): check its _smtp._tls record, the MX of the reporting domain, the receipt rule set and the parser.`,
      });
    }
    this.noReportsGroup.add(domainName);

    if (mode === MtaStsMode.ENFORCE) this.addStsFailureAlarm();
  }

  private addGroup(
    id: string,
    props: Omit<ConstructorParameters<typeof DomainAlarmGroup>[2], 'namespace' | 'dimension' | 'alarmActions'>,
  ): DomainAlarmGroup {
    const index = this.domainAlarmGroups.filter((g) => g.node.id.startsWith(id)).length;
    const group = new DomainAlarmGroup(this, index === 0 ? id : `${id}${index + 1}`, {
      ...props,
      namespace: this.props.metricNamespace,
      dimension: ReportDimension.POLICY_DOMAIN,
      alarmActions: [this.alarmTopic.topicArn],
    });
    this.domainAlarmGroups.push(group);
    return group;
  }

  private searchGraph(title: string, metricName: string, statistic: string): cloudwatch.GraphWidget {
    return new cloudwatch.GraphWidget({
      title,
      left: [
        new cloudwatch.MathExpression({
          expression: `SEARCH('{${this.props.metricNamespace},${ReportDimension.POLICY_DOMAIN}} MetricName="${metricName}"', '${statistic}', 86400)`,
          usingMetrics: {},
          period: DAY,
          label: '',
        }),
      ],
      width: 12,
    });
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

  /**
   * Routes an alarm created elsewhere (the MX drift check) to the alarm topic, once. Any alarm of this app
   * (`AlarmBase`: metric or composite) can take the action; an imported one cannot, and is reported by name.
   */
  public route(alarm: cloudwatch.IAlarm): void {
    if (this.routed.has(alarm)) return;
    // An imported alarm is an AlarmBase too, but has no resource here to carry the action.
    if (!(alarm instanceof cloudwatch.AlarmBase) || alarm.node.defaultChild === undefined) {
      throw new Error(
        `Invalid alarm "${alarm.node.path}": addAlarm needs an alarm defined in this app (Alarm or CompositeAlarm), ` +
          'not an imported one, to add the alarm topic as its action',
      );
    }
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

/** "example.com", or "one of example.com, example.org". */
function oneOf(domains: readonly string[]): string {
  return domains.length === 1 ? domains[0] : `one of ${domains.join(', ')}`;
}
