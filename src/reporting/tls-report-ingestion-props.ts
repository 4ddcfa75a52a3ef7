import { Duration, Size } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';

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
   * How long normalized reports are kept under `reports/` and `https-reports/`. `readiness` reads at most 366 days.
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
