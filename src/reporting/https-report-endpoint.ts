import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { HTTPS_REPORTS_PREFIX, RAW_HTTPS_PREFIX } from './handlers/env';
import { HttpsReceiverFunction } from './handlers/https-receiver-function';
import { functionLogGroup } from '../support/function-log-group';

/** Concurrent executions reserved for (and so at most used by) the HTTPS receiver, by default. */
export const DEFAULT_HTTPS_RESERVED_CONCURRENCY = 5;

export interface HttpsReportEndpointProps {
  readonly bucket: s3.IBucket;
  /** The receiver's environment (bucket, size cap, namespace, published domains, whether HTTPS counts). */
  readonly environment: Record<string, string>;
  /** Concurrent executions reserved for the receiver: also its ceiling. */
  readonly reservedConcurrency: number;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The HTTPS report endpoint (RFC 8460 §5.4): a Lambda function URL without authentication, as reporters expect.
 *
 * Anyone can call it, so it is bounded: the function has `reservedConcurrency` executions (a flood is throttled
 * with 429 instead of scaling the bill, and never takes the account's concurrency from other functions), and an
 * alarm fires on any error or throttle in five minutes, so that a flood, or a genuine reporter refused, is seen.
 * Its reports are stored under `https-reports/`, apart from mail reports.
 */
export class HttpsReportEndpoint extends Construct {
  /** The function URL, to publish as a `rua` destination. */
  public readonly url: string;
  public readonly receiver: lambda.IFunction;
  /** Errors or throttles of the receiver in five minutes. */
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: HttpsReportEndpointProps) {
    super(scope, id);
    validateConcurrency(props.reservedConcurrency);

    const receiver = new HttpsReceiverFunction(this, 'Function', {
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(30),
      environment: props.environment,
      reservedConcurrentExecutions: props.reservedConcurrency,
      logGroup: functionLogGroup(this, 'Logs', props.logRetention),
      description: 'cdk-mta-sts: accepts TLS-RPT reports over HTTPS',
    });
    this.receiver = receiver;
    // Exactly what it does: writes accepted bodies and their reports; reads reports back to tell duplicates.
    const objects = (prefix: string) => props.bucket.arnForObjects(`${prefix}*`);
    for (const statement of [
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects(RAW_HTTPS_PREFIX)] }),
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [objects(HTTPS_REPORTS_PREFIX)],
      }),
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.bucket.bucketArn] }),
    ]) {
      receiver.addToRolePolicy(statement);
    }

    // RFC 8460 §5.4: reporters POST without credentials.
    const url = receiver.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    // Since October 2025 a public function URL also needs lambda:InvokeFunction, limited to calls through the URL;
    // aws-cdk-lib 2.168 neither adds it nor knows the property, hence the override.
    const invokeViaUrl = new lambda.CfnPermission(this, 'InvokeViaUrl', {
      action: 'lambda:InvokeFunction',
      functionName: receiver.functionArn,
      principal: '*',
    });
    invokeViaUrl.addPropertyOverride('InvokedViaFunctionUrl', true);
    this.url = url.url;

    const period = Duration.minutes(5);
    this.alarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription:
        'TLS-RPT HTTPS endpoint: errors or throttles. Throttles mean more concurrent POSTs than its reserved ' +
        'concurrency (a flood, or raise httpsReservedConcurrency); errors are in the receiver log.',
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(errors, 0) + FILL(throttles, 0)',
        usingMetrics: {
          errors: receiver.metricErrors({ period, statistic: 'Sum' }),
          throttles: receiver.metricThrottles({ period, statistic: 'Sum' }),
        },
        label: 'Errors and throttles',
        period,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}

function validateConcurrency(value: number): void {
  if (Token.isUnresolved(value) || !Number.isInteger(value) || value < 1 || value > 1000) {
    throw new Error(`Invalid httpsReservedConcurrency ${value}: must be a whole number from 1 to 1000`);
  }
}
