import { Aws, CustomResource, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { PublishFunction } from './publish-function';
import { PolicyEntry } from './publisher-properties';
import { VerifyFunction } from './verify-function';
import { MtaStsMode } from '../../policy/mode';
import { MtaStsPolicy } from '../../policy/mta-sts-policy';
import { POLICY_PATH } from '../../policy/policy-object';
import { functionLogGroup } from '../../support/function-log-group';
import { PropErrors } from '../../support/prop-errors';
import { PolicyHost } from '../policy-host';

const SINGLETON_ID = 'MtaStsPolicyPublisher';
/** How often isComplete checks whether the new policies are live. */
const QUERY_INTERVAL = Duration.seconds(30);
/** A little over the handler's own deadline (45 min), which fails first and says what it saw. */
const TOTAL_TIMEOUT = Duration.minutes(50);

/** One policy domain for the publisher. */
export interface PublishedPolicyOptions {
  readonly domainName: string;
  readonly tenant: cloudfront.CfnDistributionTenant;
  readonly managedCertificate: boolean;
  /** The policy, when `mx` is known at synth time. */
  readonly policy?: MtaStsPolicy;
  /** Without `policy`: the zone whose MX records make the policy at deploy time, with mode and max age. */
  readonly hostedZone?: route53.IHostedZone;
  readonly mode?: MtaStsMode;
  readonly maxAgeSeconds?: number;
  readonly refreshToken?: string;
}

/**
 * The one custom resource per stack that writes every policy file (static `mx` and `mx` read from the zone alike)
 * and the configuration objects other parts read (drift check domains, published domains), uploading only what
 * changed. Its isComplete step then fetches each new policy over HTTPS through CloudFront before CloudFormation
 * moves on, so the `_mta-sts` records, which depend on it, change only when senders can fetch the new bytes
 * (RFC 8461 §8.1).
 *
 * The wait is the Provider framework's isComplete loop (Step Functions), not a loop in one Lambda: certificate
 * issuance and propagation can take longer than the 15 minutes one invocation may run.
 */
export class PolicyPublisher extends Construct {
  public static of(scope: Construct): PolicyPublisher {
    const stack = Stack.of(scope);
    return (
      (stack.node.tryFindChild(SINGLETON_ID) as PolicyPublisher | undefined) ?? new PolicyPublisher(stack, SINGLETON_ID)
    );
  }

  /** The custom resource; depend on it to act only once every new policy is live. */
  public readonly resource: CustomResource;

  private readonly publishFunction: lambda.Function;
  private readonly policies: PolicyEntry[] = [];
  private readonly configs: Array<{ bucket: s3.IBucket; key: string; produce: () => unknown }> = [];
  private readonly zoneStatement = new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets'] });
  private host?: PolicyHost;
  private zoneAdded = false;
  private readonly errors: PropErrors;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.errors = new PropErrors(this);

    this.publishFunction = new PublishFunction(this, 'PublishFunction', {
      description: 'cdk-mta-sts: writes the MTA-STS policy files and configuration objects that changed',
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // A few Route 53 pages and one S3 head (and maybe upload) per domain, four domains at a time, with retries.
      timeout: Duration.minutes(5),
      logGroup: functionLogGroup(this, 'PublishLogs'),
    });
    const verifyFunction = new VerifyFunction(this, 'VerifyFunction', {
      description: 'cdk-mta-sts: checks that new MTA-STS policies are served over HTTPS by CloudFront',
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // One certificate call and one HTTPS fetch (5-second timeout) per domain to verify, sixteen at a time.
      timeout: Duration.minutes(3),
      logGroup: functionLogGroup(this, 'VerifyLogs'),
    });
    verifyFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudfront:GetManagedCertificateDetails'],
        resources: [`arn:${Aws.PARTITION}:cloudfront::${stack.account}:distribution-tenant/*`],
      }),
    );
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.publishFunction,
      isCompleteHandler: verifyFunction,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: TOTAL_TIMEOUT,
      logGroup: functionLogGroup(this, 'ProviderLogs'),
      waiterStateMachineLogOptions: { destination: functionLogGroup(this, 'WaiterLogs') },
    });

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::MtaStsPolicies',
      properties: {
        PolicyBucket: Lazy.string({ produce: () => this.host?.bucket.bucketName }),
        RoutingEndpoint: Lazy.string({ produce: () => this.host?.routingEndpoint }),
        Policies: Lazy.any({ produce: () => (this.policies.length > 0 ? this.policies : undefined) }),
        Configs: Lazy.any({
          produce: () =>
            this.configs.length > 0
              ? this.configs.map(({ bucket, key, produce }) => ({
                  Bucket: bucket.bucketName,
                  Key: key,
                  Body: stack.toJsonString(produce()),
                }))
              : undefined,
        }),
      },
    });
  }

  /** The `_mta-sts` id of every policy read from a zone: one deploy-time value, whatever the domain count. */
  public get zonePolicyId(): string {
    return this.resource.getAttString('ZonePolicyId');
  }

  /** Publishes one domain's policy; returns the id for its `_mta-sts` record. */
  public addPolicy(host: PolicyHost, options: PublishedPolicyOptions): string {
    if (this.host === undefined) {
      this.host = host;
      const policyFiles = host.bucket.arnForObjects(`*${POLICY_PATH}`);
      this.publishFunction.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [policyFiles] }),
      );
      // A missing key is then a 404 rather than a 403.
      this.publishFunction.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [host.bucket.bucketArn] }),
      );
    }
    const common = {
      Domain: options.domainName,
      TenantId: options.tenant.attrId,
      ManagedCertificate: String(options.managedCertificate),
    };
    if (options.policy) {
      this.policies.push({ ...common, Text: options.policy.text });
      return options.policy.id;
    }
    if (!options.hostedZone || options.mode === undefined || options.maxAgeSeconds === undefined) {
      this.errors.add(`Invalid policy for ${options.domainName}: needs either a policy or a zone, mode and max age`);
      return this.zonePolicyId;
    }
    if (!this.zoneAdded) {
      // Added with its first resource: an empty statement is invalid IAM.
      this.publishFunction.addToRolePolicy(this.zoneStatement);
      this.zoneAdded = true;
    }
    this.zoneStatement.addResources(options.hostedZone.hostedZoneArn);
    this.policies.push({
      ...common,
      HostedZoneId: options.hostedZone.hostedZoneId,
      Mode: options.mode,
      MaxAgeSeconds: String(options.maxAgeSeconds),
      ...(options.refreshToken !== undefined && { RefreshToken: options.refreshToken }),
    });
    return this.zonePolicyId;
  }

  /**
   * Writes `produce()` as JSON to `s3://<bucket>/<key>` on every deployment that changes it, and lets `readers`
   * read it. Lists of domains live here rather than in Lambda environment variables, which hold 4 KB in all.
   */
  public addConfigObject(bucket: s3.IBucket, key: string, produce: () => unknown): void {
    this.configs.push({ bucket, key, produce });
    this.publishFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [bucket.arnForObjects(key)] }),
    );
    bucket.encryptionKey?.grantEncryptDecrypt(this.publishFunction);
  }
}
