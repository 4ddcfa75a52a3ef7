import { Duration, Lazy, RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IDependable } from 'constructs';
import {
  MAX_DECOMPRESSED_BYTES,
  METRIC_NAMESPACE,
  POLICY_DOMAINS,
  RAW_HTTPS_PREFIX,
  RAW_MAIL_PREFIX,
  REJECTED_PREFIX,
  REPORTS_PREFIX,
  REPORT_BUCKET,
} from './handlers/env';
import { HttpsReceiverFunction } from './handlers/https-receiver-function';
import { ReportProcessorFunction } from './handlers/report-processor-function';
import { ActiveReceiptRuleSet } from './receipt-rule-set/active-receipt-rule-set';
import { InvokeFunctionAction, StopRuleSetAction, StoreMailAction } from './ses-receipt-actions';
import { SES_RECEIVING_REGIONS, inboundSmtpEndpoint } from './ses-receiving-regions';
import { ReportMonitoring } from '../monitoring/report-monitoring';
import { isWithinZone, normalizeDomainName } from '../policy/domain-name';
import { MtaStsMode } from '../policy/mode';
import { functionLogGroup } from '../support/function-log-group';
import { PropErrors } from '../support/prop-errors';

const DEFAULT_MAX_REPORT_SIZE = Size.mebibytes(20);
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/**
 * Properties for `TlsReportIngestion`.
 */
export interface TlsReportIngestionProps {
  /**
   * The Route 53 hosted zone that holds the reporting domain: its MX and DKIM records go here.
   */
  readonly hostedZone: route53.IHostedZone;

  /**
   * The domain that receives report mail, with its MX pointing at SES. A dedicated subdomain keeps report
   * delivery apart from your main mail flow (and from the policy it reports on).
   *
   * @default - `tlsrpt.<zone name>`
   */
  readonly domainName?: string;

  /**
   * The local part of the report address.
   *
   * @default 'reports'
   */
  readonly recipient?: string;

  /**
   * An existing SES receipt rule set to add the report rule to, typically the account's active one.
   *
   * @default - a new rule set, activated by a custom resource that fails the deployment instead of replacing
   * another active rule set
   */
  readonly receiptRuleSet?: ses.IReceiptRuleSet;

  /**
   * Also accept reports over HTTPS (RFC 8460 §5.4) at a Lambda function URL, which is added to `reportUris`.
   *
   * @default false
   */
  readonly https?: boolean;

  /**
   * The largest report accepted, after decompression; larger ones are rejected while decompressing.
   *
   * @default Size.mebibytes(20)
   */
  readonly maxReportSize?: Size;

  /**
   * How long raw report mails and bodies are kept under `raw/`.
   *
   * @default Duration.days(400)
   */
  readonly rawRetention?: Duration;

  /**
   * The CloudWatch namespace of the report metrics.
   *
   * @default 'MtaSts'
   */
  readonly metricNamespace?: string;

  /**
   * Create a CloudWatch dashboard: per policy domain sessions, failure rate, reports and uncovered MX hosts;
   * failed sessions by result type, rejections and the dead-letter queue.
   *
   * @default true
   */
  readonly dashboard?: boolean;

  /**
   * The SNS topic every alarm notifies.
   *
   * @default - a new topic
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * E-mail addresses to subscribe to the alarm topic.
   *
   * @default - no subscriptions
   */
  readonly alarmEmails?: string[];

  /**
   * A policy domain's daily failure rate, in percent, above which its alarm fires.
   *
   * @default 1
   */
  readonly failureRateThreshold?: number;

  /**
   * The fewest sessions in a day for a domain's failure rate to count.
   *
   * @default 100
   */
  readonly minimumSessions?: number;

  /**
   * Whole days without any report for a policy domain after which its alarm fires (the pipeline is broken).
   *
   * @default 3
   */
  readonly daysWithoutReports?: number;

  /**
   * How long the logs of the ingestion's Lambda functions are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Receives TLS-RPT reports (RFC 8460) and turns them into queryable data and metrics.
 *
 * Report mail to `reports@tlsrpt.<zone>` reaches SES (MX record, DKIM-verified domain identity, a receipt rule
 * requiring TLS with spam and virus scanning), which stores the raw mail under `raw/` and invokes the parser
 * Lambda. The Lambda writes each normalised report to
 * `reports/policy-domain=<domain>/date=<YYYY-MM-DD>/<dedup key>.json` (Athena-friendly), records unparseable
 * mail under `rejected/` with its reason, and emits CloudWatch metrics. Failed invocations are retried, then
 * kept in an encrypted dead-letter queue.
 *
 * Hand it to any number of `MtaSts` constructs (`reporting`): each adds `reportUris` to its `_smtp._tls` record.
 *
 * @example
 * declare const zone: route53.IHostedZone;
 * const reporting = new TlsReportIngestion(this, 'Reports', { hostedZone: zone });
 * new MtaSts(this, 'MtaSts', { hostedZone: zone, mode: MtaStsMode.TESTING, mx: ['mx.example.com'], reporting });
 */
export class TlsReportIngestion extends Construct {
  /** The domain that receives report mail. */
  public readonly domainName: string;

  /** The address reporters mail to. */
  public readonly reportAddress: string;

  /** The TLS-RPT `rua` destinations: the `mailto:` address, and the HTTPS endpoint when enabled. */
  public readonly reportUris: string[];

  /** Raw mail (`raw/`), normalised reports (`reports/`) and rejections (`rejected/`). */
  public readonly bucket: s3.IBucket;

  /** The Lambda function that parses report mail. */
  public readonly processor: lambda.IFunction;

  /** Where report-mail events go after the retries fail. */
  public readonly deadLetterQueue: sqs.IQueue;

  /** The receipt rule set holding the report rule. */
  public readonly receiptRuleSet: ses.IReceiptRuleSet;

  /** The HTTPS report endpoint, when `https` is on. */
  public readonly httpsEndpoint?: string;

  /** The CloudWatch namespace of the report metrics. */
  public readonly metricNamespace: string;

  /** Where every alarm sends notifications. */
  public readonly alarmTopic: sns.ITopic;

  /** The dashboard, unless `dashboard` is false. */
  public readonly dashboard?: cloudwatch.Dashboard;

  private readonly policyDomains = new Set<string>();
  private readonly monitoring: ReportMonitoring;
  private readonly errors: PropErrors;

  constructor(scope: Construct, id: string, props: TlsReportIngestionProps) {
    super(scope, id);

    // Every invalid prop is reported at synth under this construct's path; construction goes on with defaults.
    const errors = new PropErrors(this);
    this.errors = errors;
    const region = Stack.of(this).region;
    errors.value(() => validateRegion(region), undefined);
    this.domainName = errors.value(
      () => resolveReportingDomain(props.hostedZone, props.domainName),
      'invalid.tlsrpt.example',
    );
    const recipient = errors.value(() => validateRecipient(props.recipient ?? 'reports'), 'reports');
    const maxReportBytes = errors.value(
      () => validateMaxReportSize(props.maxReportSize ?? DEFAULT_MAX_REPORT_SIZE),
      DEFAULT_MAX_REPORT_SIZE.toBytes(),
    );
    this.reportAddress = `${recipient}@${this.domainName}`;
    this.metricNamespace = props.metricNamespace ?? 'MtaSts';

    const bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [RAW_MAIL_PREFIX, REJECTED_PREFIX].map((prefix) => ({
        prefix,
        expiration: props.rawRetention ?? Duration.days(400),
      })),
      // Reports are the evidence for enforcing; keep them when the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = bucket;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const environment = {
      [REPORT_BUCKET]: bucket.bucketName,
      [MAX_DECOMPRESSED_BYTES]: String(maxReportBytes),
      [METRIC_NAMESPACE]: this.metricNamespace,
      // The HTTPS receiver accepts only these; the parser counts any other domain as "other", bounding metric cost.
      [POLICY_DOMAINS]: Lazy.string({ produce: () => [...this.policyDomains].sort().join(',') }),
    };

    const processor = new ReportProcessorFunction(this, 'Processor', {
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.minutes(1),
      environment,
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 2,
      description: 'cdk-mta-sts: parses TLS-RPT report mail',
      logGroup: functionLogGroup(this, 'ProcessorLogs', props.logRetention),
    });
    grantReportAccess(bucket, processor, RAW_MAIL_PREFIX);
    this.processor = processor;

    this.receiptRuleSet = this.receiveMail(props, processor);

    const uris = [`mailto:${this.reportAddress}`];
    if (props.https) {
      const receiver = new HttpsReceiverFunction(this, 'HttpsReceiver', {
        architecture: lambda.Architecture.ARM_64,
        memorySize: 512,
        timeout: Duration.seconds(30),
        environment,
        description: 'cdk-mta-sts: accepts TLS-RPT reports over HTTPS',
        logGroup: functionLogGroup(this, 'HttpsReceiverLogs', props.logRetention),
      });
      grantReportAccess(bucket, receiver, RAW_HTTPS_PREFIX);
      // RFC 8460 §5.4: reporters POST without credentials.
      const url = receiver.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
      // Since October 2025 a public function URL also needs lambda:InvokeFunction, limited to calls through the URL;
      // aws-cdk-lib 2.168 neither adds it nor knows the property, hence the override.
      const invokeViaUrl = new lambda.CfnPermission(this, 'HttpsReceiverInvokeViaUrl', {
        action: 'lambda:InvokeFunction',
        functionName: receiver.functionArn,
        principal: '*',
      });
      invokeViaUrl.addPropertyOverride('InvokedViaFunctionUrl', true);
      this.httpsEndpoint = url.url;
      uris.push(url.url);
      this.node.addValidation({
        validate: () =>
          this.policyDomains.size > 0
            ? []
            : [
                'TlsReportIngestion with `https` accepts reports only about registered policy domains, and none is registered: ' +
                  'pass it as `reporting` to an MtaSts, or call addPolicyDomain()',
              ],
      });
    }
    this.reportUris = uris;

    this.monitoring = new ReportMonitoring(this, 'Monitoring', {
      metricNamespace: this.metricNamespace,
      deadLetterQueue: this.deadLetterQueue,
      alarmTopic: props.alarmTopic,
      alarmEmails: props.alarmEmails ?? [],
      dashboard: props.dashboard ?? true,
      failureRateThreshold: errors.value(() => validateFailureRate(props.failureRateThreshold ?? 1), 1),
      minimumSessions: errors.value(
        () => validateWholeNumber('minimumSessions', props.minimumSessions ?? 100, 1, 1_000_000_000),
        100,
      ),
      daysWithoutReports: errors.value(
        () => validateWholeNumber('daysWithoutReports', props.daysWithoutReports ?? 3, 1, 7),
        3,
      ),
    });
    this.alarmTopic = this.monitoring.alarmTopic;
    this.dashboard = this.monitoring.dashboard;
  }

  /** Every alarm created so far: the dead-letter queue, and per policy domain the failure rate and silence. */
  public get alarms(): cloudwatch.IAlarm[] {
    return [...this.monitoring.alarms];
  }

  /**
   * Sends an alarm created elsewhere (such as the MX drift alarm of an `MtaSts`) to the alarm topic.
   */
  public addAlarm(alarm: cloudwatch.Alarm): void {
    this.monitoring.route(alarm);
  }

  /**
   * Registers a policy domain: its reports are accepted over HTTPS and counted in metrics of its own (others
   * count as `other`), and it gets a dashboard row and alarms (in `enforce`, also the `sts-*` failure alarm).
   * `MtaSts` calls it for you.
   *
   * @param mode the domain's policy mode, when known
   */
  public addPolicyDomain(domainName: string, mode?: MtaStsMode): void {
    const normalised = this.errors.value(() => normalizeDomainName(domainName, 'domainName'), undefined);
    if (normalised === undefined) return;
    if (this.policyDomains.has(normalised)) {
      this.errors.add(`Invalid domainName "${domainName}": already registered with this TlsReportIngestion`);
      return;
    }
    this.policyDomains.add(normalised);
    this.monitoring.addPolicyDomain(normalised, mode);
  }

  /** The SES side: verified domain, MX record and the receipt rule. Returns the rule set holding the rule. */
  private receiveMail(props: TlsReportIngestionProps, processor: lambda.IFunction): ses.IReceiptRuleSet {
    const identity = new ses.EmailIdentity(this, 'Identity', { identity: ses.Identity.domain(this.domainName) });
    identity.dkimRecords.forEach(
      (record, i) =>
        new route53.CnameRecord(this, `DkimRecord${i + 1}`, {
          zone: props.hostedZone,
          // SES gives the full name; the trailing dot stops Route 53 appending the zone again.
          recordName: `${record.name}.`,
          domainName: record.value,
        }),
    );

    const mx = new route53.MxRecord(this, 'MxRecord', {
      zone: props.hostedZone,
      recordName: `${this.domainName}.`,
      values: [{ priority: 10, hostName: inboundSmtpEndpoint(Stack.of(this).region) }],
    });

    let ruleSet = props.receiptRuleSet;
    let activation: IDependable | undefined;
    if (!ruleSet) {
      const activeRuleSet = new ActiveReceiptRuleSet(this, 'ReceiptRuleSet', { logRetention: props.logRetention });
      ruleSet = activeRuleSet.ruleSet;
      activation = activeRuleSet.activation;
    }
    const rule = new ses.ReceiptRule(this, 'ReceiptRule', {
      ruleSet,
      recipients: [this.reportAddress],
      // RFC 8460 §5.3 asks reporters to deliver even without TLS, but SES then stores mail we could not trust in transit.
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      scanEnabled: true,
      // Without `after`, SES inserts the rule at the beginning of the set (CreateReceiptRule, SES API Reference);
      // Stop keeps the set's later (catch-all) rules from also acting on report mail.
      actions: [
        new StoreMailAction(this.bucket, RAW_MAIL_PREFIX, ruleSet),
        new InvokeFunctionAction(processor, ruleSet),
        new StopRuleSetAction(),
      ],
    });
    // Publish the MX only once mail to it is handled, or the first reports bounce.
    mx.node.addDependency(rule);
    if (activation) mx.node.addDependency(activation);
    return ruleSet;
  }
}

/**
 * Exactly what a handler does. The mail path reads its raw mail and records rejections under `rejected/`; the
 * HTTPS path writes the raw body of accepted reports only and logs refusals. Both read and write `reports/`
 * (reading back tells a duplicate from a new report); `s3:ListBucket` makes a missing key a 404 rather than a 403.
 */
function grantReportAccess(bucket: s3.IBucket, grantee: iam.IGrantable, rawPrefix: string): void {
  const objects = (prefix: string) => bucket.arnForObjects(`${prefix}*`);
  const mail = rawPrefix === RAW_MAIL_PREFIX;
  const statements = [
    new iam.PolicyStatement({ actions: [mail ? 's3:GetObject' : 's3:PutObject'], resources: [objects(rawPrefix)] }),
    new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [objects(REPORTS_PREFIX)] }),
    ...(mail ? [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects(REJECTED_PREFIX)] })] : []),
    new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  ];
  for (const statement of statements) grantee.grantPrincipal.addToPrincipalPolicy(statement);
}

function validateRegion(region: string): void {
  if (Token.isUnresolved(region)) return;
  if (!SES_RECEIVING_REGIONS.includes(region)) {
    throw new Error(
      `TlsReportIngestion cannot receive mail in ${region}: Amazon SES receives mail only in ${SES_RECEIVING_REGIONS.join(', ')}. ` +
        'Put the ingestion in a stack in one of those regions.',
    );
  }
}

function resolveReportingDomain(hostedZone: route53.IHostedZone, domainName: string | undefined): string {
  if (Token.isUnresolved(hostedZone.zoneName)) {
    if (domainName === undefined) {
      throw new Error('Invalid domainName: required when the hosted zone name is not known at synth time');
    }
    return normalizeDomainName(domainName, 'domainName');
  }
  const zoneName = normalizeDomainName(hostedZone.zoneName, 'hostedZone.zoneName');
  const reportingDomain = normalizeDomainName(domainName ?? `tlsrpt.${zoneName}`, 'domainName');
  if (!isWithinZone(reportingDomain, zoneName)) {
    throw new Error(
      `Invalid domainName "${domainName}": must be the hosted zone apex (${zoneName}) or a name inside it`,
    );
  }
  return reportingDomain;
}

function validateRecipient(recipient: string): string {
  if (Token.isUnresolved(recipient)) {
    throw new Error('Invalid recipient: must be known at synth time (got a token)');
  }
  if (!LOCAL_PART.test(recipient) || recipient.length > 64) {
    throw new Error(
      `Invalid recipient "${recipient}": must be the local part of an address (before the @), at most 64 characters`,
    );
  }
  return recipient;
}

function validateFailureRate(percent: number): number {
  if (Token.isUnresolved(percent) || !(percent > 0 && percent < 100)) {
    throw new Error(`Invalid failureRateThreshold ${percent}: must be a percentage above 0 and below 100`);
  }
  return percent;
}

function validateWholeNumber(prop: string, value: number, min: number, max: number): number {
  if (Token.isUnresolved(value) || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Invalid ${prop} ${value}: must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function validateMaxReportSize(size: Size): number {
  const bytes = size.toBytes();
  if (Token.isUnresolved(bytes) || !Number.isInteger(bytes) || bytes < 1024 || bytes > Size.mebibytes(100).toBytes()) {
    throw new Error(`Invalid maxReportSize ${bytes} bytes: must be a whole number of bytes from 1 KiB to 100 MiB`);
  }
  return bytes;
}
