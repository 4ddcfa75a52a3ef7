import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Seconds CloudFront and any proxy may keep a policy file; deployments also invalidate it. */
export const POLICY_CACHE_SECONDS = 300;

const SINGLETON_ID = 'MtaStsPolicyBucket';

/**
 * The per-stack storage every policy site in the stack shares: one private bucket holding
 * `<policy domain>/.well-known/mta-sts.txt` objects, one origin access control and one short cache policy.
 * Sharing keeps a new domain down to its own certificate, distribution, records and upload.
 */
export class PolicyBucket extends Construct {
  /** The stack's shared policy bucket, created on first use. */
  public static of(scope: Construct): PolicyBucket {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(SINGLETON_ID) as PolicyBucket | undefined) ?? new PolicyBucket(stack, SINGLETON_ID);
  }

  public readonly bucket: s3.Bucket;
  public readonly originAccessControl: cloudfront.S3OriginAccessControl;
  public readonly cachePolicy: cloudfront.CachePolicy;

  private constructor(scope: Construct, id: string) {
    super(scope, id);

    this.bucket = new s3.Bucket(this, 'Resource', {
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

    this.originAccessControl = new cloudfront.S3OriginAccessControl(this, 'OriginAccessControl', {
      description: 'Lets the MTA-STS policy distributions read policy files',
    });

    this.cachePolicy = new cloudfront.CachePolicy(this, 'CachePolicy', {
      comment: 'MTA-STS policy files: short cache, nothing forwarded',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(POLICY_CACHE_SECONDS),
      maxTtl: Duration.seconds(POLICY_CACHE_SECONDS),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
    });
  }
}
