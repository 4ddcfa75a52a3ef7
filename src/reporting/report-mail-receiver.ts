import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct, IDependable } from 'constructs';
import { RAW_MAIL_PREFIX } from './handlers/env';
import { ActiveReceiptRuleSet } from './receipt-rule-set/active-receipt-rule-set';
import { InvokeFunctionAction, StopRuleSetAction, StoreMailAction } from './ses-receipt-actions';
import { inboundSmtpEndpoint } from './ses-receiving-regions';

/** What the SES side of report ingestion needs; every value is already validated. */
export interface ReportMailReceiverOptions {
  readonly hostedZone: route53.IHostedZone;
  readonly domainName: string;
  readonly reportAddress: string;
  /** Raw mail goes under `raw/` of this bucket. */
  readonly bucket: s3.IBucket;
  /** Invoked for each stored mail. */
  readonly processor: lambda.IFunction;
  /** An existing rule set; without it, a new one is created and activated. */
  readonly receiptRuleSet?: ses.IReceiptRuleSet;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The mail receiver: the DKIM-verified SES domain identity, the MX record and the receipt rule that stores report
 * mail under `raw/` and invokes the processor. Its resources are children of `scope` (the ingestion), not of a
 * construct of its own, so their logical ids, and with them deployed stacks, stay as they were.
 *
 * @returns the rule set holding the report rule
 */
export function receiveReportMail(scope: Construct, options: ReportMailReceiverOptions): ses.IReceiptRuleSet {
  const identity = new ses.EmailIdentity(scope, 'Identity', { identity: ses.Identity.domain(options.domainName) });
  identity.dkimRecords.forEach(
    (record, i) =>
      new route53.CnameRecord(scope, `DkimRecord${i + 1}`, {
        zone: options.hostedZone,
        // SES gives the full name; the trailing dot stops Route 53 appending the zone again.
        recordName: `${record.name}.`,
        domainName: record.value,
      }),
  );

  const mx = new route53.MxRecord(scope, 'MxRecord', {
    zone: options.hostedZone,
    recordName: `${options.domainName}.`,
    values: [{ priority: 10, hostName: inboundSmtpEndpoint(Stack.of(scope).region) }],
  });

  let ruleSet = options.receiptRuleSet;
  let activation: IDependable | undefined;
  if (!ruleSet) {
    const activeRuleSet = new ActiveReceiptRuleSet(scope, 'ReceiptRuleSet', { logRetention: options.logRetention });
    ruleSet = activeRuleSet.ruleSet;
    activation = activeRuleSet.activation;
  }
  const rule = new ses.ReceiptRule(scope, 'ReceiptRule', {
    ruleSet,
    recipients: [options.reportAddress],
    // Without `after`, SES inserts the rule at the beginning of the set (CreateReceiptRule, SES API Reference);
    // Stop keeps the set's later (catch-all) rules from also acting on report mail.
    // RFC 8460 §5.3 asks reporters to deliver even without TLS, but SES then stores mail we could not trust in transit.
    tlsPolicy: ses.TlsPolicy.REQUIRE,
    scanEnabled: true,
    actions: [
      new StoreMailAction(options.bucket, RAW_MAIL_PREFIX, ruleSet),
      new InvokeFunctionAction(options.processor, ruleSet),
      new StopRuleSetAction(),
    ],
  });
  // Publish the MX only once mail to it is handled, or the first reports bounce.
  mx.node.addDependency(rule);
  if (activation) mx.node.addDependency(activation);
  return ruleSet;
}
