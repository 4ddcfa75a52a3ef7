import { Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IDependable } from 'constructs';
import {
  HTTPS_COUNTS,
  HTTPS_REPORTS_PREFIX,
  MAX_DECOMPRESSED_BYTES,
  PUBLISHED_DOMAINS_KEY,
  RAW_MAIL_PREFIX,
  REJECTED_PREFIX,
  REPORTS_PREFIX,
  REPORT_BUCKET,
  TRUSTED_REPORTERS,
} from './handlers/env';
import { FailureRecorderFunction } from './handlers/failure-recorder-function';
import { ReportProcessorFunction } from './handlers/report-processor-function';
import { DEFAULT_HTTPS_RESERVED_CONCURRENCY, HttpsReportEndpoint } from './https-report-endpoint';
import {
  grantMailAccess,
  lifecycleRules,
  resolveReportingDomain,
  validateFailureRate,
  validateMaxReportSize,
  validateRecipient,
  validateWholeNumber,
} from './ingestion-settings';
import { ReportMonitoring } from './monitoring/report-monitoring';
import { ActiveReceiptRuleSet } from './receipt-rule-set/active-receipt-rule-set';
import { InvokeFunctionAction, StopRuleSetAction, StoreMailAction } from './ses-receipt-actions';
import { inboundSmtpEndpoint } from './ses-receiving-regions';
import { claimRuleSetActivation, guardReceivingRegion } from './ses-region-guard';
import { normalizeDomainName } from '../policy/domain-name';
import { MtaStsMode } from '../policy/mode';
import { PolicyPublisher } from '../policy-site/publisher/policy-publisher';
import { DEFAULT_METRIC_NAMESPACE, METRIC_NAMESPACE } from '../shared/metric-names';
import { functionLogGroup } from '../support/function-log-group';
import { PropErrors } from '../support/prop-errors';

const DEFAULT_MAX_REPORT_SIZE = Size.mebibytes(20);

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
   * HTTPS reports are unauthenticated: they are stored under `https-reports/` and, unless `httpsCounts`, count in
   * no metric, alarm or `readiness` verdict.
   *
   * @default false
   */
  readonly https?: boolean;

  /**
   * Count HTTPS reports in the metrics, and so in the alarms, like DKIM-verified mail reports. Anyone can POST a
   * report, so this lets anyone move your failure rate.
   *
   * @default false
   */
  readonly httpsCounts?: boolean;

  /**
   * Concurrent executions reserved for the HTTPS receiver, which are also all it can use: more concurrent POSTs are
   * throttled (HTTP 429, which reporters retry) and fire the endpoint's alarm.
   *
   * @default 5
   */
  readonly httpsReservedConcurrency?: number;

  /**
   * Accept report mail only when its aligned DKIM signer is one of these domains or a subdomain of one, for example
   * `['google.com', 'microsoft.com']`. Mail from any other signer is recorded under `rejected/`.
   *
   * @default - any signer whose DKIM signature verifies and is aligned with the From address
   */
  readonly trustedReporters?: string[];

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
   * How long normalised reports are kept under `reports/` and `https-reports/`. `readiness` reads at most 366 days.
   *
   * @default Duration.days(800)
   */
  readonly reportRetention?: Duration;

  /**
   * How long rejection records are kept under `rejected/`.
   *
   * @default Duration.days(90)
   */
  readonly rejectedRetention?: Duration;

  /**
   * How long the logs of every function of the ingestion are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The CloudWatch namespace of the report metrics.
   *
   * @default 'MtaSts'
   */
  readonly metricNamespace?: string;

  /**
   * Create a CloudWatch dashboard: sessions, reports and uncovered MX hosts with one line per policy domain
   * (SEARCH, so it does not grow with domains); failed sessions by result type, rejections and the dead-letter queue.
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
   * A policy domain's daily failure rate, in percent, above which the alarm of its group (up to five domains) fires.
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
   * Whole days without any report for a policy domain after which the alarm of its group (up to ten domains)
   * fires (the pipeline is broken).
   *
   * @default 3
   */
  readonly daysWithoutReports?: number;
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

  /** Errors or throttles of the HTTPS endpoint, when `https` is on; it notifies the alarm topic. */
  public readonly httpsAlarm?: cloudwatch.IAlarm;

  private readonly policyDomains = new Set<string>();
  private readonly monitoring: ReportMonitoring;
  private readonly errors: PropErrors;

  constructor(scope: Construct, id: string, props: TlsReportIngestionProps) {
    super(scope, id);

    // Every invalid prop is reported at synth under this construct's path; construction goes on with defaults.
    const errors = new PropErrors(this);
    this.errors = errors;
    errors.value(() => guardReceivingRegion(this), undefined);
    this.domainName = errors.value(
      () => resolveReportingDomain(props.hostedZone, props.domainName),
      'invalid.tlsrpt.example',
    );
    const recipient = errors.value(() => validateRecipient(props.recipient ?? 'reports'), 'reports');
    const maxReportBytes = errors.value(
      () => validateMaxReportSize(props.maxReportSize ?? DEFAULT_MAX_REPORT_SIZE),
      DEFAULT_MAX_REPORT_SIZE.toBytes(),
    );
    const trustedReporters = errors.value(
      () => (props.trustedReporters ?? []).map((d) => normalizeDomainName(d, 'trustedReporters')),
      [],
    );
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.reportAddress = `${recipient}@${this.domainName}`;
    this.metricNamespace = props.metricNamespace ?? DEFAULT_METRIC_NAMESPACE;

    const bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: lifecycleRules({
        [RAW_MAIL_PREFIX]: props.rawRetention ?? Duration.days(400),
        [REJECTED_PREFIX]: props.rejectedRetention ?? Duration.days(90),
        [REPORTS_PREFIX]: props.reportRetention ?? Duration.days(800),
        [HTTPS_REPORTS_PREFIX]: props.reportRetention ?? Duration.days(800),
      }),
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
    };
    // The HTTPS receiver accepts only these domains; the parser counts any other as "other", bounding metric cost.
    PolicyPublisher.of(this).addConfigObject(bucket, PUBLISHED_DOMAINS_KEY, () => ({
      policyDomains: [...this.policyDomains].sort(),
    }));
    const readPublishedDomains = new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects(PUBLISHED_DOMAINS_KEY)],
    });

    // After the last retry, the failed mail is recorded under rejected/ (and the event kept in the queue).
    const failureRecorder = new FailureRecorderFunction(this, 'FailureRecorder', {
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: { [REPORT_BUCKET]: bucket.bucketName, [METRIC_NAMESPACE]: this.metricNamespace },
      logGroup: functionLogGroup(this, 'FailureRecorderLogs', logRetention),
      description: 'cdk-mta-sts: records report mail that failed processing under rejected/',
    });
    failureRecorder.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(`${REJECTED_PREFIX}*`)] }),
    );

    const processor = new ReportProcessorFunction(this, 'Processor', {
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.minutes(1),
      environment: { ...environment, [TRUSTED_REPORTERS]: trustedReporters.join(',') },
      deadLetterQueue: this.deadLetterQueue,
      onFailure: new destinations.LambdaDestination(failureRecorder, { responseOnly: false }),
      retryAttempts: 2,
      logGroup: functionLogGroup(this, 'ProcessorLogs', logRetention),
      description: 'cdk-mta-sts: parses TLS-RPT report mail',
    });
    grantMailAccess(bucket, processor);
    processor.addToRolePolicy(readPublishedDomains);
    this.processor = processor;

    this.receiptRuleSet = this.receiveMail(props, processor, logRetention);

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

    const uris = [`mailto:${this.reportAddress}`];
    if (props.https) {
      const endpoint = new HttpsReportEndpoint(this, 'HttpsEndpoint', {
        bucket,
        environment: { ...environment, [HTTPS_COUNTS]: String(props.httpsCounts ?? false) },
        reservedConcurrency: props.httpsReservedConcurrency ?? DEFAULT_HTTPS_RESERVED_CONCURRENCY,
        logRetention,
      });
      endpoint.receiver.addToRolePolicy(readPublishedDomains);
      this.monitoring.route(endpoint.alarm);
      this.httpsAlarm = endpoint.alarm;
      this.httpsEndpoint = endpoint.url;
      uris.push(endpoint.url);
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
  }

  /**
   * Every alarm created so far: the dead-letter queue, `sts-*` failures, and the grouped per-domain alarms
   * (failure rate, silence), each covering several policy domains.
   */
  public get alarms(): cloudwatch.IAlarm[] {
    return [...this.monitoring.alarms, ...this.monitoring.domainAlarmGroups.map((group) => group.asAlarm())];
  }

  /**
   * Sends an alarm created elsewhere (such as the MX drift alarm of an `MtaSts`) to the alarm topic.
   */
  public addAlarm(alarm: cloudwatch.Alarm): void {
    this.monitoring.route(alarm);
  }

  /**
   * Registers a policy domain: its reports are accepted over HTTPS and counted in metrics of its own (others
   * count as `other`), and it joins the grouped failure-rate and silence alarms and the dashboard's per-domain
   * graphs (in `enforce`, it also creates the `sts-*` failure alarm). `MtaSts` calls it for you. The list reaches
   * the handlers as a configuration object the stack's policy publisher writes.
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
  private receiveMail(
    props: TlsReportIngestionProps,
    processor: lambda.IFunction,
    logRetention: logs.RetentionDays,
  ): ses.IReceiptRuleSet {
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
      this.errors.value(() => claimRuleSetActivation(this), undefined);
      const activeRuleSet = new ActiveReceiptRuleSet(this, 'ReceiptRuleSet', { logRetention });
      ruleSet = activeRuleSet.ruleSet;
      activation = activeRuleSet.activation;
    }
    const rule = new ses.ReceiptRule(this, 'ReceiptRule', {
      ruleSet,
      recipients: [this.reportAddress],
      // Without `after`, SES inserts the rule at the beginning of the set (CreateReceiptRule, SES API Reference);
      // Stop keeps the set's later (catch-all) rules from also acting on report mail.
      // RFC 8460 §5.3 asks reporters to deliver even without TLS, but SES then stores mail we could not trust in transit.
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      scanEnabled: true,
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
