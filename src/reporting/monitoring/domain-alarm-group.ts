import { Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/** CloudWatch lets one alarm's math reference at most 10 metrics. */
export const MAX_METRICS_PER_ALARM = 10;

/** One domain's part of a grouped alarm: its metrics and the expression that turns them into one series. */
export interface DomainSeries {
  /** Metric id prefix to metric name, e.g. `{ s: 'SuccessfulSessions', f: 'FailedSessions' }`. */
  readonly metrics: Record<string, string>;
  /** The domain's expression over its metric ids, with `{i}` where the domain's index goes. */
  readonly expression: string;
}

export interface DomainAlarmGroupProps {
  readonly namespace: string;
  readonly dimension: string;
  readonly series: DomainSeries;
  /** Combines the domains' series into one: `MAX` or `MIN` of their values, or `SUM` (e.g. of 0/1 indicators). */
  readonly combine: 'MAX' | 'MIN' | 'SUM';
  readonly label: string;
  /** The threshold, or a function of how many domains the group holds. */
  readonly threshold: number | ((domains: number) => number);
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  readonly evaluationPeriods: number;
  /** Length of one period, in whole days. */
  readonly periodDays?: number;
  /** @default NOT_BREACHING */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  readonly alarmActions: string[];
  /** The description, given the domains in this group. */
  readonly description: (domains: readonly string[]) => string;
}

/**
 * One alarm over several policy domains (as many as fit in 10 metrics): the worst domain's value (or a sum over
 * the domains), so any domain crossing the threshold fires it and the description names the group. A per-domain alarm costs the same per metric
 * ($0.10 a month each), but would add a CloudFormation resource per domain; grouping keeps a stack of many domains
 * under the 500-resource limit. Domains are added until the group is full; the template is rendered at synthesis.
 */
export class DomainAlarmGroup extends Construct {
  public readonly alarm: cloudwatch.CfnAlarm;
  public readonly capacity: number;
  private readonly domains: string[] = [];
  private imported?: cloudwatch.IAlarm;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: DomainAlarmGroupProps,
  ) {
    super(scope, id);
    this.capacity = Math.floor(MAX_METRICS_PER_ALARM / Object.keys(props.series.metrics).length);
    this.alarm = new cloudwatch.CfnAlarm(this, 'Resource', {
      comparisonOperator: props.comparisonOperator,
      evaluationPeriods: props.evaluationPeriods,
      threshold: Lazy.number({
        produce: () => (typeof props.threshold === 'number' ? props.threshold : props.threshold(this.domains.length)),
      }),
      treatMissingData: props.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmActions: props.alarmActions,
      alarmDescription: Lazy.string({ produce: () => props.description(this.domains) }),
      metrics: Lazy.any({ produce: () => this.renderMetrics() }),
    });
  }

  public get full(): boolean {
    return this.domains.length >= this.capacity;
  }

  public add(domain: string): void {
    if (this.full) throw new Error(`DomainAlarmGroup ${this.node.path} is full`);
    this.domains.push(domain);
  }

  /** The alarm as an `IAlarm`, for composite alarms and the like. */
  public asAlarm(): cloudwatch.IAlarm {
    this.imported ??= cloudwatch.Alarm.fromAlarmArn(this, 'Imported', this.alarm.attrArn);
    return this.imported;
  }

  private renderMetrics(): cloudwatch.CfnAlarm.MetricDataQueryProperty[] {
    const { series, namespace, dimension } = this.props;
    const queries: cloudwatch.CfnAlarm.MetricDataQueryProperty[] = [
      {
        id: 'worst',
        expression: `${this.props.combine}([${this.domains.map((_, i) => `d${i}`).join(', ')}])`,
        label: this.props.label,
        returnData: true,
      },
    ];
    this.domains.forEach((domain, i) => {
      queries.push({
        id: `d${i}`,
        expression: series.expression.replace(/\{i\}/g, String(i)),
        label: domain,
        returnData: false,
      });
      for (const [prefix, metricName] of Object.entries(series.metrics)) {
        queries.push({
          id: `${prefix}${i}`,
          metricStat: {
            metric: { namespace, metricName, dimensions: [{ name: dimension, value: domain }] },
            period: 86400 * (this.props.periodDays ?? 1),
            stat: 'Sum',
          },
          returnData: false,
        });
      }
    });
    return Stack.of(this).resolve(queries);
  }
}
