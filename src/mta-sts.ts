import { Annotations, Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { MtaStsRecords } from './dns/mta-sts-records';
import { resolvePolicyDomain } from './dns/policy-domain';
import { MtaStsMode } from './policy/mode';
import { MtaStsPolicy } from './policy/mta-sts-policy';
import { policyAdvice } from './policy/policy-document';
import { MtaStsPolicySite } from './policy-site/mta-sts-policy-site';
import { TlsReportIngestion } from './reporting/tls-report-ingestion';

/**
 * Properties for `MtaSts`.
 */
export interface MtaStsProps {
  /**
   * The Route 53 hosted zone of the mail domain. The records and the certificate validation go here.
   */
  readonly hostedZone: route53.IHostedZone;

  /**
   * The policy domain: the domain in the e-mail addresses the policy protects. It must be the zone apex or a
   * name inside the zone. Upper case, a trailing dot and Unicode (U-label) names are normalised.
   *
   * @default - the hosted zone's name
   */
  readonly domainName?: string;

  /**
   * The policy mode. Start with `TESTING`, read the TLS reports, then switch to `ENFORCE`.
   * Retire a policy with `NONE` (RFC 8461 §8.3).
   */
  readonly mode: MtaStsMode;

  /**
   * The MX host patterns senders may deliver to: host names (`mail.example.com`) or a wildcard as the whole
   * left-most label (`*.mail.protection.outlook.com`). Every live MX host must match one of them.
   *
   * @see https://www.rfc-editor.org/rfc/rfc8461#section-4.1
   */
  readonly mx: string[];

  /**
   * How long senders may cache the policy, in whole seconds from 1 second to 31557600 (one year).
   *
   * @default Duration.days(7)
   */
  readonly maxAge?: Duration;

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
   * A certificate for `mta-sts.<domainName>`; it must be in us-east-1, where CloudFront reads certificates.
   *
   * @default - a DNS-validated certificate, created in us-east-1 (in a shared sibling stack when this stack is elsewhere)
   */
  readonly certificate?: acm.ICertificate;

  /**
   * TTL of the `_mta-sts` and `_smtp._tls` TXT records.
   *
   * @default Duration.minutes(5)
   */
  readonly recordTtl?: Duration;

  /**
   * The CloudFront price class of the policy host.
   *
   * @default cloudfront.PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: cloudfront.PriceClass;
}

/**
 * MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) for one mail domain hosted in Route 53.
 *
 * Creates the policy host `https://mta-sts.<domain>/.well-known/mta-sts.txt` (S3, CloudFront, ACM), the
 * `_mta-sts.<domain>` TXT record carrying an id derived from the policy bytes, and the `_smtp._tls.<domain>`
 * TXT record when there are report destinations. A changed `_mta-sts` record is applied only after the new
 * policy is uploaded and its CloudFront invalidation has completed.
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
  /** The policy domain, normalised. */
  public readonly domainName: string;

  /** The policy served, with its exact bytes and id. */
  public readonly policy: MtaStsPolicy;

  /** `https://mta-sts.<domain>/.well-known/mta-sts.txt` */
  public readonly policyUrl: string;

  /** The CloudFront distribution of the policy host. */
  public readonly distribution: cloudfront.IDistribution;

  /** The bucket holding the policy file (shared by every `MtaSts` in the stack). */
  public readonly bucket: s3.IBucket;

  /** The certificate of the policy host. */
  public readonly certificate: acm.ICertificate;

  /** The `_mta-sts` and `_smtp._tls` records. */
  public readonly records: MtaStsRecords;

  constructor(scope: Construct, id: string, props: MtaStsProps) {
    super(scope, id);

    this.domainName = resolvePolicyDomain(props.hostedZone, props.domainName);
    this.policy = new MtaStsPolicy({ mode: props.mode, mx: props.mx, maxAge: props.maxAge });
    const reportUris = [...(props.reportUris ?? []), ...(props.reporting?.reportUris ?? [])];
    props.reporting?.addPolicyDomain(this.domainName, props.mode);

    const site = new MtaStsPolicySite(this, 'PolicySite', {
      hostedZone: props.hostedZone,
      domainName: this.domainName,
      policy: this.policy,
      certificate: props.certificate,
      priceClass: props.priceClass,
    });
    this.policyUrl = site.policyUrl;
    this.distribution = site.distribution;
    this.bucket = site.bucket;
    this.certificate = site.certificate;

    this.records = new MtaStsRecords(this, 'Records', {
      hostedZone: props.hostedZone,
      domainName: this.domainName,
      policyId: this.policy.id,
      reportUris,
      ttl: props.recordTtl,
    });
    // RFC 8461 §8.1: a sender that sees the new id must be able to fetch the new policy.
    this.records.stsRecord.node.addDependency(site.ready);

    this.addAdvice(reportUris);
  }

  private addAdvice(reportUris: string[]): void {
    const annotations = Annotations.of(this);
    if (reportUris.length === 0) {
      annotations.addWarningV2(
        'cdk-mta-sts:noReportDestination',
        `No TLS-RPT destination for ${this.domainName}: without reports you cannot tell whether it is safe to enforce. Set \`reportUris\` or \`reporting\`.`,
      );
    }
    for (const advice of policyAdvice(this.policy, this.domainName)) {
      annotations.addWarningV2(advice.code, advice.message);
    }
  }
}
