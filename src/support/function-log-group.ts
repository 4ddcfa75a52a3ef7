import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** How long function logs are kept unless a construct's `logRetention` says otherwise. */
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * A log group for one Lambda function (pass it as `logGroup`), with a retention: without one, Lambda creates
 * `/aws/lambda/<name>` on first invocation and keeps its logs forever. CloudFormation names the group, so two
 * deployments never collide, and deletes it with the stack, so a torn-down stack leaves nothing behind.
 */
export function functionLogGroup(
  scope: Construct,
  id: string,
  retention: logs.RetentionDays = DEFAULT_LOG_RETENTION,
): logs.LogGroup {
  return new logs.LogGroup(scope, id, { retention, removalPolicy: RemovalPolicy.DESTROY });
}
