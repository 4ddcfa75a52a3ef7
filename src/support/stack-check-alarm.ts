import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { STACK_DIMENSION } from '../runtime/metric-names';

/** Options for {@link stackCheckAlarm}. */
export interface StackCheckAlarmOptions {
  readonly namespace: string;
  readonly metricName: string;
  /** The `Stack` dimension: the stack whose scheduled check writes the metric once per run. */
  readonly stackName: string;
  readonly statistic: string;
  /**
   * Whether a day without any datapoint breaches: true for a metric every run writes (a check that stopped must not
   * look healthy), false for one written only when something failed.
   */
  readonly silenceBreaches: boolean;
  readonly description: string;
}

/** An alarm on a scheduled check's daily per-stack metric: in ALARM when it is above 0 in a day. */
export function stackCheckAlarm(scope: Construct, id: string, options: StackCheckAlarmOptions): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    metric: new cloudwatch.Metric({
      namespace: options.namespace,
      metricName: options.metricName,
      dimensionsMap: { [STACK_DIMENSION]: options.stackName },
      statistic: options.statistic,
      period: Duration.days(1),
    }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: options.silenceBreaches
      ? cloudwatch.TreatMissingData.BREACHING
      : cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: options.description,
  });
}
