import { Annotations, Duration, Names } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { MtaStsCanary } from './canary/mta-sts-canary';
import { MtaStsRecords } from './dns/mta-sts-records';
import { resolvePolicyDomain } from './dns/policy-domain';
import { MxDriftCheck } from './drift-check/mx-drift-check';
import { DEFAULT_MAX_AGE } from './policy/default-max-age';
import { MtaStsMode } from './policy/mode';
import { MtaStsPolicy } from './policy/mta-sts-policy';
import { maxAgeAdvice, policyAdvice } from './policy/policy-document';
import { claimPolicyDomain } from './policy-domain-registry';
import { MtaStsPolicySite } from './policy-site/mta-sts-policy-site';
import { MtaStsPolicySiteOptions } from './policy-site/policy-site-options';
import { TlsReportIngestion } from './reporting/tls-report-ingestion';
import { PropErrors } from './support/prop-errors';

/**
 * Properties for `MtaSts`.
 */
export interface MtaStsProps extends MtaStsPolicySiteOptions {
  /**
   * The policy domain: the domain in the e-mail addresses the policy protects. It must be the zone apex or a
   * name inside the zone. Upper case, a trailing dot and Unicode (U-label) names are normalized.
   *
   * @default - the hosted zone's name
   */
  readonly domainName?: string;

  /**
   * TLS-RPT destinations (`rua`) for daily reports: `mailto:` or `https:` URIs, with `!`, `,` and `;` percent-encoded.
   *
   * @default - no `_smtp._tls` record (a warning says so)
   * @see https://www.rfc-editor.org/rfc/rfc8460#section-3
   */
  readonly reportUris?: string[];

  /**
   * A report ingestion that receives this domain's TLS-RPT reports: its `reportUris` are added to the
   * `_smtp._tls` record after any `reportUris`, and the domain is registered with it.
   *
   * @default - no ingestion
   */
  readonly reporting?: TlsReportIngestion;

  /**
   * Check every day that the policy served still covers every live MX record of the domain (Route 53), with a
   * metric of uncovered MX hosts and an alarm. In `enforce`, an uncovered MX host does not receive mail from
   * MTA-STS senders. One check per stack serves every `MtaSts` in it. With `reporting`, the alarm goes to its topic.
   *
   * @default true
   */
  readonly mxDriftCheck?: boolean;

  /**
   * Check the domain every day from the outside, as a sending MTA does (`cdk-mta-sts check` without the SMTP step):
   * records over public resolvers, the policy through CloudFront, MX coverage. One canary per stack serves every
   * `MtaSts` in it; with `reporting`, its alarm goes to the ingestion's topic.
   *
   * @default true
   */
  readonly canary?: boolean;

  /**
   * TTL of the `_mta-sts` and `_smtp._tls` TXT records.
   *
   * @default Duration.minutes(5)
   */
  readonly recordTtl?: Duration;
}

/**
 * MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) for one mail domain hosted in Route 53.
 *
 * Creates the policy host `https://mta-sts.<domain>/.well-known/mta-sts.txt` (a tenant of the stack's multi-tenant
 * CloudFront distribution, with a CloudFront-managed certificate, serving the stack's private S3 bucket), the
 * `_mta-sts.<domain>` TXT record carrying an id derived from the policy bytes, and the `_smtp._tls.<domain>`
 * TXT record when there are report destinations. A changed `_mta-sts` record is applied only after the stack's
 * publisher has fetched the new policy over HTTPS through CloudFront. Everything lives in the construct's own
 * stack, in any region: no us-east-1 stack and no cross-region references.
 *
 * @example
 * declare const zone: route53.IHostedZone;
 * new MtaSts(this, 'MtaSts', {
 *   hostedZone: zone,
 *   mode: MtaStsMode.TESTING,
 *   mx: ['mail.example.com'],
 *   reportUris: ['mailto:tlsrpt@example.com'],
 * });
 */
export class MtaSts extends Construct {
  /** The policy domain, normalized. */
  public readonly domainName: string;

  /** The policy served, with its exact bytes and id; undefined when `mx` is read from the zone at deploy time. */
  public readonly policy?: MtaStsPolicy;

  /** The id in the `_mta-sts` record: known at synth time with `mx`, a deploy-time value without. */
  public readonly policyId: string;

  /** `https://mta-sts.<domain>/.well-known/mta-sts.txt` */
  public readonly policyUrl: string;

  /** The stack's multi-tenant CloudFront distribution, shared by every `MtaSts` in the stack. */
  public readonly distribution: cloudfront.IDistribution;

  /** This domain's distribution tenant. */
  public readonly tenant: cloudfront.CfnDistributionTenant;

  /** The bucket holding the policy file (shared by every `MtaSts` in the stack). */
  public readonly bucket: s3.IBucket;

  /** The certificate you passed; undefined when CloudFront manages it. */
  public readonly certificate?: acm.ICertificate;

  /** The `_mta-sts` and `_smtp._tls` records. */
  public readonly records: MtaStsRecords;

  /**
   * Fires when a live MX host of any domain the stack's drift check covers is not covered by the policy served,
   * unless `mxDriftCheck` is false. One alarm per stack: the check's log names the domain and hosts.
   */
  public readonly mxDriftAlarm?: cloudwatch.IAlarm;

  constructor(scope: Construct, id: string, props: MtaStsProps) {
    super(scope, id);

    // Every invalid prop is reported at synth under this construct's path; construction goes on with a stand-in
    // domain, unique to this construct, so one mistake yields one message.
    const errors = new PropErrors(this);
    const standIn = `${Names.uniqueResourceName(this, { maxLength: 60 }).toLowerCase()}.invalid`;
    const domainName = errors.value(() => resolvePolicyDomain(props.hostedZone, props.domainName), undefined);
    const claimed =
      domainName !== undefined &&
      errors.value(() => {
        claimPolicyDomain(this, domainName);
        return true;
      }, false);
    this.domainName = claimed ? domainName : standIn;
    const reportUris = [...(props.reportUris ?? []), ...(props.reporting?.reportUris ?? [])];
    props.reporting?.addPolicyDomain(this.domainName, props.mode);

    const site = new MtaStsPolicySite(this, 'PolicySite', {
      hostedZone: props.hostedZone,
      domainName: this.domainName,
      mode: props.mode,
      mx: props.mx,
      maxAge: props.maxAge,
      mxRefreshToken: props.mxRefreshToken,
      certificate: props.certificate,
    });
    this.policy = site.policy;
    this.policyId = site.policyId;
    this.policyUrl = site.policyUrl;
    this.distribution = site.distribution;
    this.bucket = site.bucket;
    this.tenant = site.tenant;
    this.certificate = props.certificate;

    this.records = new MtaStsRecords(this, 'Records', {
      hostedZone: props.hostedZone,
      domainName: this.domainName,
      policyId: this.policyId,
      reportUris,
      ttl: props.recordTtl,
    });
    // RFC 8461 §8.1: a sender that sees the new id must be able to fetch the new policy.
    this.records.recordSetGroup.node.addDependency(site.ready);

    if (props.mxDriftCheck ?? true) {
      const check = MxDriftCheck.of(this, props.reporting?.metricNamespace);
      const driftAlarm = check.addDomain(this.domainName, props.hostedZone, props.mode);
      this.mxDriftAlarm = driftAlarm;
      props.reporting?.addAlarm(driftAlarm);
      props.reporting?.addAlarm(check.errorAlarm);
    }

    if (props.canary ?? true) {
      const canary = MtaStsCanary.of(this, { metricNamespace: props.reporting?.metricNamespace });
      canary.addDomain(this.domainName, this.records);
      props.reporting?.addAlarm(canary.alarm);
    }

    this.addAdvice(reportUris, props.mode, props.maxAge);
  }

  private addAdvice(reportUris: string[], mode: MtaStsMode, maxAge: Duration | undefined): void {
    const annotations = Annotations.of(this);
    if (reportUris.length === 0) {
      annotations.addWarningV2(
        'cdk-mta-sts:noReportDestination',
        `No TLS-RPT destination for ${this.domainName}: without reports you cannot tell whether it is safe to enforce. Set \`reportUris\` or \`reporting\`.`,
      );
    }
    const advice = this.policy
      ? policyAdvice(this.policy, this.domainName)
      : maxAgeAdvice(mode, (maxAge ?? DEFAULT_MAX_AGE).toSeconds());
    for (const { code, message } of advice) {
      annotations.addWarningV2(code, message);
    }
  }
}
