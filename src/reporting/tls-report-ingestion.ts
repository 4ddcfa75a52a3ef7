import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  HTTPS_COUNTS,
  HTTPS_REPORTS_PREFIX,
  MAX_DECOMPRESSED_BYTES,
  PUBLISHED_DOMAINS_KEY,
  RAW_MAIL_PREFIX,
  REJECTED_PREFIX,
  REPORTS_PREFIX,
  REPORT_BUCKET,
} from './handlers/env';
import { DEFAULT_HTTPS_RESERVED_CONCURRENCY, HttpsReportEndpoint } from './https-report-endpoint';
import {
  lifecycleRules,
  resolveReportingDomain,
  validateFailureRate,
  validateMaxReportSize,
  validateRecipient,
  validateWholeNumber,
} from './ingestion-settings';
import { ReportMonitoring } from './monitoring/report-monitoring';
import { processReportMail } from './report-mail-processor';
import { receiveReportMail } from './report-mail-receiver';
import { claimRuleSetActivation, guardReceivingRegion } from './ses-region-guard';
import { TlsReportIngestionProps } from './tls-report-ingestion-props';
import { normalizeDomainName } from '../policy/domain-name';
import { MtaStsMode } from '../policy/mode';
import { PolicyPublisher } from '../policy-site/publisher/policy-publisher';
import { DEFAULT_METRIC_NAMESPACE, METRIC_NAMESPACE } from '../runtime/metric-names';
import { PropErrors } from '../support/prop-errors';

const DEFAULT_MAX_REPORT_SIZE = Size.mebibytes(20);

/**
 * Receives TLS-RPT reports (RFC 8460) and turns them into queryable data and metrics.
 *
 * Report mail to `reports@tlsrpt.<zone>` reaches SES (MX record, DKIM-verified domain identity, a receipt rule
 * requiring TLS with spam and virus scanning), which stores the raw mail under `raw/` and invokes the parser
 * Lambda. The Lambda writes each normalized report to
 * `reports/policy-domain=<domain>/date=<YYYY-MM-DD>/<dedup key>.json` (Athena-friendly), records unparseable
 * mail under `rejected/` with its reason, and emits CloudWatch metrics. Failed invocations are retried, then
 * kept in an encrypted dead-letter queue.
 *
 * Hand it to any number of `MtaSts` constructs (`reporting`): each adds `reportUris` to its `_smtp._tls` record.
 *
 * It checks every prop first, then composes: the report bucket and dead-letter queue, the processor
 * (`report-mail-processor.ts`), the mail receiver (`report-mail-receiver.ts`), the monitoring
 * (`ReportMonitoring`) and, with `https`, the HTTPS endpoint (`HttpsReportEndpoint`).
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

  /** Raw mail (`raw/`), normalized reports (`reports/`) and rejections (`rejected/`). */
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

    // Every prop is checked first; an invalid one is reported at synth under this construct's path, and
    // construction goes on with its default so that later props are checked too.
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
    if (!props.receiptRuleSet) errors.value(() => claimRuleSetActivation(this), undefined);
    const failureRateThreshold = errors.value(() => validateFailureRate(props.failureRateThreshold ?? 1), 1);
    const minimumSessions = errors.value(
      () => validateWholeNumber('minimumSessions', props.minimumSessions ?? 100, 1, 1_000_000_000),
      100,
    );
    const daysWithoutReports = errors.value(
      () => validateWholeNumber('daysWithoutReports', props.daysWithoutReports ?? 3, 1, 7),
      3,
    );
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.reportAddress = `${recipient}@${this.domainName}`;
    this.metricNamespace = props.metricNamespace ?? DEFAULT_METRIC_NAMESPACE;

    this.bucket = new s3.Bucket(this, 'Bucket', {
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
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const environment = {
      [REPORT_BUCKET]: this.bucket.bucketName,
      [MAX_DECOMPRESSED_BYTES]: String(maxReportBytes),
      [METRIC_NAMESPACE]: this.metricNamespace,
    };
    // The HTTPS receiver accepts only these domains; the parser counts any other as "other", bounding metric cost.
    PolicyPublisher.of(this).addConfigObject(this.bucket, PUBLISHED_DOMAINS_KEY, () => ({
      policyDomains: [...this.policyDomains].sort(),
    }));
    const readPublishedDomains = new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [this.bucket.arnForObjects(PUBLISHED_DOMAINS_KEY)],
    });

    this.processor = processReportMail(this, {
      bucket: this.bucket,
      environment,
      trustedReporters,
      deadLetterQueue: this.deadLetterQueue,
      readPublishedDomains,
      logRetention,
    });
    this.receiptRuleSet = receiveReportMail(this, {
      hostedZone: props.hostedZone,
      domainName: this.domainName,
      reportAddress: this.reportAddress,
      bucket: this.bucket,
      processor: this.processor,
      receiptRuleSet: props.receiptRuleSet,
      logRetention,
    });
    this.monitoring = new ReportMonitoring(this, 'Monitoring', {
      metricNamespace: this.metricNamespace,
      deadLetterQueue: this.deadLetterQueue,
      alarmTopic: props.alarmTopic,
      alarmEmails: props.alarmEmails ?? [],
      dashboard: props.dashboard ?? true,
      failureRateThreshold,
      minimumSessions,
      daysWithoutReports,
    });
    this.alarmTopic = this.monitoring.alarmTopic;
    this.dashboard = this.monitoring.dashboard;

    const uris = [`mailto:${this.reportAddress}`];
    if (props.https) {
      const endpoint = new HttpsReportEndpoint(this, 'HttpsEndpoint', {
        bucket: this.bucket,
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
   * Sends an alarm created elsewhere (such as the MX drift alarm of an `MtaSts`) to the alarm topic. It must be
   * defined in this app (`Alarm` or `CompositeAlarm`): an imported alarm cannot take actions.
   */
  public addAlarm(alarm: cloudwatch.IAlarm): void {
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
    const normalized = this.errors.value(() => normalizeDomainName(domainName, 'domainName'), undefined);
    if (normalized === undefined) return;
    if (this.policyDomains.has(normalized)) {
      this.errors.add(`Invalid domainName "${domainName}": already registered with this TlsReportIngestion`);
      return;
    }
    this.policyDomains.add(normalized);
    this.monitoring.addPolicyDomain(normalized, mode);
  }
}
