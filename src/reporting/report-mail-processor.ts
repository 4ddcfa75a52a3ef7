import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REJECTED_PREFIX, REPORT_BUCKET, TRUSTED_REPORTERS } from './handlers/env';
import { FailureRecorderFunction } from './handlers/failure-recorder-function';
import { ReportProcessorFunction } from './handlers/report-processor-function';
import { grantMailAccess } from './ingestion-settings';
import { METRIC_NAMESPACE } from '../runtime/metric-names';
import { functionLogGroup } from '../support/function-log-group';

/** What the report processor needs; every value is already validated. */
export interface ReportMailProcessorOptions {
  readonly bucket: s3.IBucket;
  /** The environment the processor shares with the HTTPS receiver: bucket, size limit, namespace. */
  readonly environment: Record<string, string>;
  readonly trustedReporters: readonly string[];
  readonly deadLetterQueue: sqs.IQueue;
  /** Lets a handler read the published-domains object. */
  readonly readPublishedDomains: iam.PolicyStatement;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The processor: the Lambda that parses stored report mail, retried and then handed to the failure recorder,
 * which records the mail under `rejected/`. Each function is granted only its own prefixes. Like the mail receiver,
 * its resources are children of `scope` (the ingestion), so logical ids stay as they were.
 */
export function processReportMail(scope: Construct, options: ReportMailProcessorOptions): lambda.IFunction {
  const { bucket, logRetention } = options;
  // After the last retry, the failed mail is recorded under rejected/ (and the event kept in the queue).
  const failureRecorder = new FailureRecorderFunction(scope, 'FailureRecorder', {
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: Duration.seconds(30),
    environment: { [REPORT_BUCKET]: bucket.bucketName, [METRIC_NAMESPACE]: options.environment[METRIC_NAMESPACE] },
    logGroup: functionLogGroup(scope, 'FailureRecorderLogs', logRetention),
    description: 'cdk-mta-sts: records report mail that failed processing under rejected/',
  });
  failureRecorder.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(`${REJECTED_PREFIX}*`)] }),
  );

  const processor = new ReportProcessorFunction(scope, 'Processor', {
    architecture: lambda.Architecture.ARM_64,
    memorySize: 512,
    timeout: Duration.minutes(1),
    environment: { ...options.environment, [TRUSTED_REPORTERS]: options.trustedReporters.join(',') },
    deadLetterQueue: options.deadLetterQueue,
    onFailure: new destinations.LambdaDestination(failureRecorder, { responseOnly: false }),
    retryAttempts: 2,
    logGroup: functionLogGroup(scope, 'ProcessorLogs', logRetention),
    description: 'cdk-mta-sts: parses TLS-RPT report mail',
  });
  grantMailAccess(bucket, processor);
  processor.addToRolePolicy(options.readPublishedDomains);
  return processor;
}
