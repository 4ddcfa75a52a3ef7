import { CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { InvalidationCompleteFunction } from './invalidation-complete-function';
import { policyObjectKey, PublishPolicyProperties } from './publication';
import { PublishPolicyFunction } from './publish-policy-function';
import { DEFAULT_MAX_AGE } from '../../policy/default-max-age';
import { normalizeDomainName } from '../../policy/domain-name';
import { MtaStsMode } from '../../policy/mode';
import { renderPolicyDocument } from '../../policy/policy-document';

const MILLIS_PER_SECOND = 1000;
/** Stands in for the MX hosts, only known at deploy time, when mode and max age are validated at synth time. */
const PLACEHOLDER_MX = 'mx.example.com';

/** How often the isComplete handler asks CloudFront whether the invalidation is done. */
export const INVALIDATION_QUERY_INTERVAL = Duration.seconds(10);
/** How long the deployment waits for the invalidation before it fails. */
export const INVALIDATION_TOTAL_TIMEOUT = Duration.minutes(30);

/**
 * Properties for `DiscoveredPolicy`.
 */
export interface DiscoveredPolicyProps {
  /**
   * The hosted zone holding the policy domain's MX records.
   */
  readonly hostedZone: route53.IHostedZone;

  /**
   * The policy domain, normalised (lower-case A-labels, no trailing dot).
   */
  readonly domainName: string;

  /**
   * The policy mode.
   */
  readonly mode: MtaStsMode;

  /**
   * How long senders may cache the policy, in whole seconds from 1 second to 31557600 (one year).
   *
   * @default Duration.days(7)
   */
  readonly maxAge?: Duration;

  /**
   * The bucket the policy file is uploaded to. It must use S3-managed encryption or none.
   */
  readonly bucket: s3.IBucket;

  /**
   * The key prefix of the policy file in `bucket`: the file is `<keyPrefix>.well-known/mta-sts.txt`.
   *
   * @default `<domainName>/`
   */
  readonly keyPrefix?: string;

  /**
   * The distribution serving `bucket` under `keyPrefix`; the policy path is invalidated in it.
   */
  readonly distribution: cloudfront.IDistribution;

  /**
   * Any string; changing it makes the next deployment read the MX records again (the custom resource otherwise
   * runs only when another property changes).
   *
   * @default - no token
   */
  readonly refreshToken?: string;
}

/**
 * An MTA-STS policy whose `mx` lines are the MX hosts of the policy domain, read from the hosted zone at deploy time.
 *
 * A custom resource reads the domain's MX record sets, renders the policy with the same code as a fixed `mx` list,
 * uploads it to `<keyPrefix>.well-known/mta-sts.txt` and invalidates `/.well-known/mta-sts.txt`. It finishes only once
 * the invalidation has completed, so a record that depends on `resource` (the `_mta-sts` record, with `policyId`)
 * changes only when senders can fetch the new policy (RFC 8461 §8.1). The deployment fails, saying why, when the
 * domain has no MX record or a host cannot be a policy pattern (a null MX, an IP address, an invalid name).
 *
 * The custom resource runs when a property changes, not when the MX records change on their own: a change to
 * the MX records made outside this stack needs a property change (or a new resource) to be picked up. On delete
 * it leaves the policy file in place: senders may still cache it.
 */
export class DiscoveredPolicy extends Construct {
  /** The policy id for the `_mta-sts` TXT record (a deploy-time attribute). */
  public readonly policyId: string;

  /** The MX host patterns published, comma-separated (a deploy-time attribute). */
  public readonly mx: string;

  /** The custom resource; depend on it to act only once the policy is uploaded and the invalidation completed. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: DiscoveredPolicyProps) {
    super(scope, id);

    if (Token.isUnresolved(props.domainName)) {
      throw new Error('Invalid domainName: must be known at synth time (got a token)');
    }
    if (Token.isUnresolved(props.mode)) throw new Error('Invalid mode: must be known at synth time (got a token)');
    const maxAge = props.maxAge ?? DEFAULT_MAX_AGE;
    if (maxAge.isUnresolved()) throw new Error('Invalid maxAge: must be known at synth time (got a token)');
    const domainName = normalizeDomainName(props.domainName, 'domainName');
    // The handler renders with the same function; failing here with the same message saves a deployment.
    const { mode, maxAgeSeconds } = renderPolicyDocument({
      mode: props.mode,
      mx: [PLACEHOLDER_MX],
      maxAgeSeconds: maxAge.toMilliseconds({ integral: false }) / MILLIS_PER_SECOND,
    });
    const keyPrefix = props.keyPrefix ?? `${domainName}/`;

    const publisher = PolicyPublisher.of(this);
    publisher.onEvent.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['route53:ListResourceRecordSets'],
        resources: [props.hostedZone.hostedZoneArn],
      }),
    );
    publisher.onEvent.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [props.bucket.arnForObjects(policyObjectKey(keyPrefix))],
      }),
    );
    props.distribution.grant(publisher.onEvent, 'cloudfront:CreateInvalidation');
    props.distribution.grant(publisher.isComplete, 'cloudfront:GetInvalidation');

    const properties: PublishPolicyProperties = {
      HostedZoneId: props.hostedZone.hostedZoneId,
      DomainName: domainName,
      Mode: mode,
      MaxAgeSeconds: maxAgeSeconds,
      BucketName: props.bucket.bucketName,
      KeyPrefix: keyPrefix,
      DistributionId: props.distribution.distributionId,
      RefreshToken: props.refreshToken,
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: publisher.provider.serviceToken,
      resourceType: 'Custom::MtaStsDiscoveredPolicy',
      properties: { ...properties },
    });
    this.policyId = this.resource.getAttString('PolicyId');
    this.mx = this.resource.getAttString('Mx');
  }
}

/**
 * The handlers and Provider every `DiscoveredPolicy` in a stack shares, so a new domain adds one custom resource and
 * IAM statements for its own zone, object and distribution, not another set of functions and a state machine.
 *
 * The wait for the invalidation is the Provider's isComplete loop rather than a loop in onEvent: CloudFront does not
 * bound how long an invalidation takes, and a wait inside onEvent is cut off by the 15-minute Lambda limit, which the
 * framework's own onEvent function shares, so a slow invalidation could kill both before CloudFormation is answered.
 * The isComplete loop runs in Step Functions: each check is one short call, and when the total timeout passes the
 * framework answers FAILED itself.
 */
class PolicyPublisher extends Construct {
  public static of(scope: Construct): PolicyPublisher {
    const stack = Stack.of(scope);
    const id = 'MtaStsPolicyPublisher';
    return (stack.node.tryFindChild(id) as PolicyPublisher | undefined) ?? new PolicyPublisher(stack, id);
  }

  public readonly onEvent: lambda.IFunction;
  public readonly isComplete: lambda.IFunction;
  public readonly provider: cr.Provider;

  private constructor(scope: Construct, id: string) {
    super(scope, id);

    this.onEvent = new PublishPolicyFunction(this, 'PublishFunction', {
      description: 'Publishes an MTA-STS policy built from the MX records in the hosted zone',
      architecture: lambda.Architecture.ARM_64,
      // A few Route 53 pages, one upload and one invalidation request, with SDK retries.
      timeout: Duration.minutes(1),
    });
    this.isComplete = new InvalidationCompleteFunction(this, 'InvalidationCompleteFunction', {
      description: 'Reports whether the CloudFront invalidation of an MTA-STS policy has completed',
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(30),
    });
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEvent,
      isCompleteHandler: this.isComplete,
      queryInterval: INVALIDATION_QUERY_INTERVAL,
      totalTimeout: INVALIDATION_TOTAL_TIMEOUT,
    });
  }
}
