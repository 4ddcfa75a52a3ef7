import { Duration, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, DependencyGroup, IDependable } from 'constructs';
import { DiscoveredPolicy } from './mx-discovery/discovered-policy';
import { POLICY_CACHE_SECONDS, PolicyBucket } from './policy-bucket';
import { CLOUDFRONT_CERTIFICATE_REGION, certificateRegion, createUsEast1Certificate } from './us-east-1-certificate';
import { MtaStsMode } from '../policy/mode';
import { MtaStsPolicy } from '../policy/mta-sts-policy';

/** Where RFC 8461 §3.3 says senders fetch the policy. */
const POLICY_PATH = '/.well-known/mta-sts.txt';

/**
 * Properties for `MtaStsPolicySite`.
 */
export interface MtaStsPolicySiteProps {
  /**
   * The hosted zone that holds `mta-sts.<domainName>` and validates its certificate.
   */
  readonly hostedZone: route53.IHostedZone;

  /**
   * The policy domain, normalised (lower-case A-labels, no trailing dot), at or below the zone apex.
   */
  readonly domainName: string;

  /**
   * The policy mode.
   */
  readonly mode: MtaStsMode;

  /**
   * The MX host patterns.
   *
   * @default - read from the policy domain's MX records in the hosted zone at deploy time
   */
  readonly mx?: string[];

  /**
   * How long senders may cache the policy.
   *
   * @default Duration.days(7)
   */
  readonly maxAge?: Duration;

  /**
   * Any string; change it to make the next deployment read the zone's MX records again, for example after
   * changing them outside this app. Only used when `mx` is not set.
   *
   * @default - the MX records are read when the policy site's other properties change
   */
  readonly mxRefreshToken?: string;

  /**
   * A certificate for `mta-sts.<domainName>` in us-east-1.
   *
   * @default - a DNS-validated certificate, created in us-east-1 (in a sibling stack when this stack is elsewhere)
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The CloudFront price class of the policy distribution.
   *
   * @default cloudfront.PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: cloudfront.PriceClass;
}

/**
 * The HTTPS half of MTA-STS: `https://mta-sts.<domain>/.well-known/mta-sts.txt` served by CloudFront from a
 * private S3 bucket through origin access control, with a certificate from us-east-1, IPv6, TLS 1.2 or newer,
 * `Content-Type: text/plain` and no redirects or error pages: any other path answers 403.
 *
 * Every deployment uploads the policy and waits for the CloudFront invalidation to finish; `ready` is satisfied
 * only then, so the `_mta-sts` record can depend on it (RFC 8461 §8.1).
 */
export class MtaStsPolicySite extends Construct {
  /** The policy host, `mta-sts.<domain>`. */
  public readonly hostName: string;

  /** The URL senders fetch. */
  public readonly policyUrl: string;

  /** The bucket holding the policy file, shared by every policy site in the stack. */
  public readonly bucket: s3.IBucket;

  /** The CloudFront distribution serving the policy host. */
  public readonly distribution: cloudfront.Distribution;

  /** The certificate of the policy host. */
  public readonly certificate: acm.ICertificate;

  /** The policy, when `mx` was given; without `mx` it is rendered at deploy time. */
  public readonly policy?: MtaStsPolicy;

  /** The policy id for the `_mta-sts` record: known at synth time with `mx`, a deploy-time value without. */
  public readonly policyId: string;

  /** Satisfied once the policy host answers and the current policy is uploaded and invalidated. */
  public readonly ready: IDependable;

  constructor(scope: Construct, id: string, props: MtaStsPolicySiteProps) {
    super(scope, id);

    if (props.mx !== undefined) {
      this.policy = new MtaStsPolicy({ mode: props.mode, mx: props.mx, maxAge: props.maxAge });
    }
    this.hostName = `mta-sts.${props.domainName}`;
    this.policyUrl = `https://${this.hostName}${POLICY_PATH}`;
    validateCertificate(props.certificate, this);

    const storage = PolicyBucket.of(this);
    this.bucket = storage.bucket;
    this.certificate = props.certificate ?? createUsEast1Certificate(this, this.hostName, props.hostedZone);

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `MTA-STS policy host ${this.hostName}`,
      domainNames: [this.hostName],
      certificate: this.certificate,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(storage.bucket, {
          originAccessControl: storage.originAccessControl,
          originPath: `/${props.domainName}`,
        }),
        // Senders fetch https directly and must not follow redirects (RFC 8461 §3.3): refuse plain http outright.
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: storage.cachePolicy,
        // A policy file is a few hundred bytes; serve the exact bytes whatever the sender asks for.
        compress: false,
      },
    });

    let published: IDependable;
    if (this.policy) {
      published = this.upload(this.policy, storage, props.domainName);
      this.policyId = this.policy.id;
    } else {
      const discovered = this.discover(props, storage);
      published = discovered;
      this.policyId = discovered.policyId;
    }

    const aliasTarget = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution));
    const ipv4 = new route53.ARecord(this, 'AliasRecord', {
      zone: props.hostedZone,
      recordName: `${this.hostName}.`,
      target: aliasTarget,
    });
    const ipv6 = new route53.AaaaRecord(this, 'AliasRecordIpv6', {
      zone: props.hostedZone,
      recordName: `${this.hostName}.`,
      target: aliasTarget,
    });

    const ready = new DependencyGroup();
    ready.add(published, ipv4, ipv6);
    this.ready = ready;
  }

  /** A policy known at synth time: upload it, then wait for the invalidation (BucketDeployment does both). */
  private upload(policy: MtaStsPolicy, storage: PolicyBucket, domainName: string): s3deploy.BucketDeployment {
    return new s3deploy.BucketDeployment(this, 'Upload', {
      sources: [s3deploy.Source.data(POLICY_PATH.slice(1), policy.text)],
      destinationBucket: storage.bucket,
      destinationKeyPrefix: `${domainName}/`,
      contentType: 'text/plain',
      cacheControl: [s3deploy.CacheControl.maxAge(Duration.seconds(POLICY_CACHE_SECONDS))],
      distribution: this.distribution,
      distributionPaths: [POLICY_PATH],
      // Only this domain's prefix is synchronised; other domains' files stay.
      prune: true,
    });
  }

  /** No `mx`: render from the zone's MX records at deploy time, upload and wait for the invalidation. */
  private discover(props: MtaStsPolicySiteProps, storage: PolicyBucket): DiscoveredPolicy {
    return new DiscoveredPolicy(this, 'DiscoveredPolicy', {
      hostedZone: props.hostedZone,
      domainName: props.domainName,
      mode: props.mode,
      maxAge: props.maxAge,
      bucket: storage.bucket,
      keyPrefix: `${props.domainName}/`,
      distribution: this.distribution,
      refreshToken: props.mxRefreshToken,
    });
  }
}

function validateCertificate(certificate: acm.ICertificate | undefined, scope: Construct): void {
  if (!certificate) return;
  const region = certificateRegion(certificate, scope);
  if (region !== undefined && region !== CLOUDFRONT_CERTIFICATE_REGION) {
    const name = Token.isUnresolved(certificate.certificateArn) ? certificate.node.path : certificate.certificateArn;
    throw new Error(
      `Invalid certificate "${name}": CloudFront needs a certificate in ${CLOUDFRONT_CERTIFICATE_REGION}, this one is in ${region}`,
    );
  }
}
