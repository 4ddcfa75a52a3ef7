import { Duration, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IDependable } from 'constructs';
import { tenantName } from './physical-names';
import { DOMAIN_PARAMETER, PolicyHost } from './policy-host';
import { MtaStsPolicySiteOptions } from './policy-site-options';
import { PolicyPublisher } from './publisher/policy-publisher';
import { DEFAULT_MAX_AGE } from '../policy/default-max-age';
import { MtaStsMode } from '../policy/mode';
import { MtaStsPolicy } from '../policy/mta-sts-policy';
import { renderPolicyDocument } from '../policy/policy-document';
import { POLICY_PATH } from '../policy/policy-object';
import { PropErrors } from '../support/prop-errors';

/** CloudFront reads certificates only from this region. */
const CLOUDFRONT_CERTIFICATE_REGION = 'us-east-1';
/** Stands in for the MX hosts, only known at deploy time, when mode and max age are validated at synth time. */
const PLACEHOLDER_MX = 'mx.example.com';
const CNAME_TTL = Duration.minutes(5);

/**
 * Properties for `MtaStsPolicySite`.
 */
export interface MtaStsPolicySiteProps extends MtaStsPolicySiteOptions {
  /**
   * The policy domain, normalized (lower-case A-labels, no trailing dot), at or below the zone apex.
   */
  readonly domainName: string;
}

/**
 * The HTTPS half of MTA-STS for one domain: `https://mta-sts.<domain>/.well-known/mta-sts.txt`, served by the
 * stack's multi-tenant CloudFront distribution through a distribution tenant of its own, with a certificate
 * CloudFront manages (or yours), from the stack's private policy bucket.
 *
 * Creates the `mta-sts.<domain>` CNAME to the connection group's routing endpoint first (CloudFront validates the
 * managed certificate through it), then the tenant, and hands the policy to the stack's single publisher. `ready`
 * is satisfied once the publisher has proved the new policy live over HTTPS.
 */
export class MtaStsPolicySite extends Construct {
  /** The policy host, `mta-sts.<domain>`. */
  public readonly hostName: string;

  /** The URL senders fetch. */
  public readonly policyUrl: string;

  /** The bucket holding the policy file, shared by every policy site in the stack. */
  public readonly bucket: s3.IBucket;

  /** The stack's multi-tenant distribution. */
  public readonly distribution: cloudfront.IDistribution;

  /** This domain's distribution tenant. */
  public readonly tenant: cloudfront.CfnDistributionTenant;

  /** The policy, when `mx` was given; without `mx` it is rendered at deploy time. */
  public readonly policy?: MtaStsPolicy;

  /** The policy id for the `_mta-sts` record: known at synth time with `mx`, a deploy-time value without. */
  public readonly policyId: string;

  /** Satisfied once the current policy is served over HTTPS. */
  public readonly ready: IDependable;

  constructor(scope: Construct, id: string, props: MtaStsPolicySiteProps) {
    super(scope, id);

    // Every invalid prop is reported at synth under this construct's path; construction goes on with defaults.
    const errors = new PropErrors(this);
    let maxAge = props.maxAge ?? DEFAULT_MAX_AGE;
    let mode = props.mode;
    if (props.mx !== undefined) {
      const mx = props.mx;
      this.policy = errors.value(
        () => new MtaStsPolicy({ mode: props.mode, mx, maxAge: props.maxAge }),
        new MtaStsPolicy({ mode: MtaStsMode.TESTING, mx: [PLACEHOLDER_MX] }),
      );
    } else {
      const valid = errors.value(() => {
        if (maxAge.isUnresolved()) throw new Error('Invalid maxAge: must be known at synth time (got a token)');
        // The publisher renders with the same function; failing here with the same message saves a deployment.
        renderPolicyDocument({ mode: props.mode, mx: [PLACEHOLDER_MX], maxAgeSeconds: maxAge.toSeconds() });
        return true;
      }, false);
      if (!valid) {
        maxAge = DEFAULT_MAX_AGE;
        mode = MtaStsMode.TESTING;
      }
    }
    this.hostName = `mta-sts.${props.domainName}`;
    this.policyUrl = `https://${this.hostName}${POLICY_PATH}`;
    const certificate = errors.value(() => validateCertificate(props.certificate), undefined);

    const host = PolicyHost.of(this);
    this.bucket = host.bucket;
    this.distribution = host.distribution;

    // Before the tenant: CloudFront serves the managed certificate's HTTP validation token through this name.
    const cname = new route53.CnameRecord(this, 'HostRecord', {
      zone: props.hostedZone,
      recordName: `${this.hostName}.`,
      domainName: host.routingEndpoint,
      ttl: CNAME_TTL,
    });

    this.tenant = new cloudfront.CfnDistributionTenant(this, 'Tenant', {
      name: tenantName(this, props.domainName),
      distributionId: host.distribution.distributionId,
      connectionGroupId: host.connectionGroup.attrId,
      domains: [this.hostName],
      enabled: true,
      parameters: [{ name: DOMAIN_PARAMETER, value: props.domainName }],
      ...(certificate
        ? { customizations: { certificate: { arn: certificate.certificateArn } } }
        : { managedCertificateRequest: { primaryDomainName: this.hostName, validationTokenHost: 'cloudfront' } }),
    });
    this.tenant.node.addDependency(cname);

    this.policyId = PolicyPublisher.of(this).addPolicy(host, {
      domainName: props.domainName,
      tenant: this.tenant,
      managedCertificate: certificate === undefined,
      policy: this.policy,
      hostedZone: props.hostedZone,
      mode,
      maxAgeSeconds: maxAge.toSeconds(),
      refreshToken: props.mxRefreshToken,
    });
    const publisher = PolicyPublisher.of(this).resource;
    // The publisher verifies through the tenant, so it runs after every tenant exists.
    publisher.node.addDependency(this.tenant);
    this.ready = publisher;
  }
}

/** The certificate, when CloudFront can use it: throws naming it when it is outside us-east-1. */
function validateCertificate(certificate: acm.ICertificate | undefined): acm.ICertificate | undefined {
  if (!certificate) return undefined;
  const arn = certificate.certificateArn;
  const region = Token.isUnresolved(arn) ? certificate.env.region : arn.split(':')[3];
  if (region !== undefined && !Token.isUnresolved(region) && region !== CLOUDFRONT_CERTIFICATE_REGION) {
    const name = Token.isUnresolved(arn) ? certificate.node.path : arn;
    throw new Error(
      `Invalid certificate "${name}": CloudFront needs a certificate in ${CLOUDFRONT_CERTIFICATE_REGION}, this one is in ${region}`,
    );
  }
  return certificate;
}
