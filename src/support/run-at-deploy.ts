import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { functionLogGroup } from './function-log-group';

/** Options for {@link runAtDeploy}. */
export interface RunAtDeployOptions {
  /** The scheduled function to run once. */
  readonly handler: lambda.IFunction;
  /** Sent as the event; when it changes, the function runs again. The function may ignore it. */
  readonly payload: () => unknown;
  /** How long the run may take. */
  readonly timeout: Duration;
  /** Retention of the custom resource function's log group. */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Runs a scheduled check once at deployment (and again whenever `payload` changes), waiting for it
 * (RequestResponse), so its alarm starts from a datapoint instead of showing ALARM until the first scheduled run a
 * day later. A failing check does not fail the deployment: Lambda reports a function error in the response, of
 * which only the status code is kept (outputPaths), so the custom resource reply stays small.
 */
export function runAtDeploy(scope: Construct, id: string, options: RunAtDeployOptions): cr.AwsCustomResource {
  const invoke: cr.AwsSdkCall = {
    service: 'Lambda',
    action: 'invoke',
    parameters: {
      FunctionName: options.handler.functionName,
      InvocationType: 'RequestResponse',
      Payload: Lazy.string({ produce: () => Stack.of(scope).toJsonString(options.payload()) }),
    },
    physicalResourceId: cr.PhysicalResourceId.of(`${id}-run-at-deploy`),
    outputPaths: ['StatusCode'],
  };
  return new cr.AwsCustomResource(scope, id, {
    onCreate: invoke,
    onUpdate: invoke,
    policy: cr.AwsCustomResourcePolicy.fromStatements([
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [options.handler.functionArn] }),
    ]),
    timeout: options.timeout,
    installLatestAwsSdk: false,
    logGroup: functionLogGroup(scope, `${id}Logs`, options.logRetention),
  });
}
