import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** How long our functions' logs are kept unless told otherwise. */
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * An explicit log group for a function (pass it as `logGroup`), so its retention is set from the first log line
 * instead of Lambda creating a group that keeps logs forever.
 */
export function functionLogGroup(scope: Construct, id: string, retention = DEFAULT_LOG_RETENTION): logs.LogGroup {
  return new logs.LogGroup(scope, id, { retention, removalPolicy: RemovalPolicy.DESTROY });
}
