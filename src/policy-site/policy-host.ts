import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { stackUniqueSuffix } from './physical-names';
import { POLICY_CACHE_SECONDS } from '../policy/policy-object';

const SINGLETON_ID = 'MtaStsPolicyHost';
/** The tenant parameter that selects a domain's folder in the bucket. */
export const DOMAIN_PARAMETER = 'domain';
const HSTS_MAX_AGE = Duration.days(365);

/**
 * What every policy domain of a stack shares: one private bucket holding `<policy domain>/.well-known/mta-sts.txt`,
 * one multi-tenant CloudFront distribution (CloudFront SaaS Manager) reading it through origin access control,
 * and one connection group (IPv6) whose routing endpoint each `mta-sts.<domain>` CNAME points at. Each domain adds
 * only a distribution tenant, whose `domain` parameter picks the origin path `/<domain>`.
 *
 * The L2 `Distribution` builds the origin, OAC bucket policy and behavior; the multi-tenant settings it does not
 * know are overrides, as in the aws-cdk-lib documentation's own multi-tenant example.
 */
export class PolicyHost extends Construct {
  /** The stack's policy host, created on first use. */
  public static of(scope: Construct): PolicyHost {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(SINGLETON_ID) as PolicyHost | undefined) ?? new PolicyHost(stack, SINGLETON_ID);
  }

  public readonly bucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  public readonly connectionGroup: cloudfront.CfnConnectionGroup;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const suffix = stackUniqueSuffix(this);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versions keep the history of every policy served, which retiring a policy (RFC 8461 §8.3) needs.
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(400) }],
      // Senders may cache a policy for up to a year: never delete it with the stack by accident.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const originAccessControl = new cloudfront.S3OriginAccessControl(this, 'OriginAccessControl', {
      originAccessControlName: `mta-sts-${suffix}`,
      description: 'Lets the MTA-STS policy host read policy files',
    });
    const cachePolicy = new cloudfront.CachePolicy(this, 'CachePolicy', {
      cachePolicyName: `mta-sts-${suffix}`,
      comment: 'MTA-STS policy files: short cache, nothing forwarded',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(POLICY_CACHE_SECONDS),
      maxTtl: Duration.seconds(POLICY_CACHE_SECONDS),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
    });
    const responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'ResponseHeadersPolicy', {
      responseHeadersPolicyName: `mta-sts-${suffix}`,
      comment: 'MTA-STS policy host: HSTS and nosniff',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: HSTS_MAX_AGE, includeSubdomains: false, override: true },
        contentTypeOptions: { override: true },
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'MTA-STS policy host (multi-tenant: one tenant per policy domain)',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, { originAccessControl }),
        // Senders fetch https directly and must not follow redirects (RFC 8461 §3.3): refuse plain http outright.
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy,
        responseHeadersPolicy,
        // A policy file is a few hundred bytes; serve the exact bytes whatever the sender asks for.
        compress: false,
      },
    });
    const cfnDistribution = this.distribution.node.defaultChild as cloudfront.CfnDistribution;
    cfnDistribution.addPropertyOverride('DistributionConfig.ConnectionMode', 'tenant-only');
    cfnDistribution.addPropertyOverride('DistributionConfig.TenantConfig', {
      ParameterDefinitions: [
        {
          Name: DOMAIN_PARAMETER,
          Definition: { StringSchema: { Required: true, Comment: 'The policy domain: its folder in the bucket' } },
        },
      ],
    });
    cfnDistribution.addPropertyOverride('DistributionConfig.Origins.0.OriginPath', `/{{${DOMAIN_PARAMETER}}}`);
    // Multi-tenant distributions refuse IPv6 and price class settings: IPv6 is the connection group's.
    cfnDistribution.addPropertyDeletionOverride('DistributionConfig.IPV6Enabled');
    cfnDistribution.addPropertyDeletionOverride('DistributionConfig.PriceClass');

    this.connectionGroup = new cloudfront.CfnConnectionGroup(this, 'ConnectionGroup', {
      name: `mta-sts-${suffix}`,
      ipv6Enabled: true,
      enabled: true,
    });
  }

  /** The host name each `mta-sts.<domain>` CNAME points at. */
  public get routingEndpoint(): string {
    return this.connectionGroup.attrRoutingEndpoint;
  }
}
