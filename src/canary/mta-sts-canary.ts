import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IDependable } from 'constructs';
import {
  CANARY_BUCKET,
  CANARY_CONFIG_KEY,
  CANARY_RESOLVERS,
  CANARY_STACK,
  CANARY_STEP_TIMEOUT_MS,
  DEFAULT_RESOLVERS,
  DEFAULT_STEP_TIMEOUT_MS,
  MAX_CANARY_DOMAINS,
} from './canary-config';
import { CanaryFunction } from './canary-function';
import { parseResolverAddress } from '../check/net/dns-client';
import { normalizeDomainName } from '../policy/domain-name';
import { PolicyHost } from '../policy-site/policy-host';
import { PolicyPublisher } from '../policy-site/publisher/policy-publisher';
import { CANARY_FAILURES, DEFAULT_METRIC_NAMESPACE, METRIC_NAMESPACE } from '../runtime/metric-names';
import { functionLogGroup } from '../support/function-log-group';
import { PropErrors } from '../support/prop-errors';
import { runAtDeploy } from '../support/run-at-deploy';
import { stackCheckAlarm } from '../support/stack-check-alarm';

const SINGLETON_ID = 'MtaStsCanary';

/**
 * Properties for `MtaStsCanary`.
 */
export interface MtaStsCanaryProps {
  /**
   * When the canary runs.
   *
   * @default events.Schedule.rate(Duration.days(1))
   */
  readonly schedule?: events.Schedule;

  /**
   * The CloudWatch namespace of the `CanaryFailures` metric.
   *
   * @default 'MtaSts'
   */
  readonly metricNamespace?: string;

  /**
   * DNS resolvers the canary asks, as `IP` or `IP:PORT`: public ones, so it sees what senders see.
   *
   * @default ['1.1.1.1', '8.8.8.8']
   */
  readonly resolvers?: string[];

  /**
   * The bucket the canary's domain list is written to (`_cdk-mta-sts/canary.json`) by the stack's policy publisher.
   *
   * @default - the stack's policy bucket
   */
  readonly bucket?: s3.IBucket;
}

/**
 * A daily check of each registered domain from the outside, as a sending MTA on the internet does it: the
 * `_mta-sts` record over public resolvers, the policy over HTTPS through CloudFront with full certificate
 * validation, its syntax, MX coverage and the `_smtp._tls` record; the same checks as `cdk-mta-sts check`, without
 * the SMTP step (Lambda cannot open outbound port 25).
 *
 * One Lambda serves every domain of the stack; the domain list is a configuration object that the stack's policy
 * publisher writes, read on every run (up to 250 domains). It logs one JSON line per domain with its result and reasons, publishes `CanaryFailures` (dimension
 * `Stack`: the domains with a failing check), and alarms when that is above zero or the canary stopped running.
 *
 * Use `MtaStsCanary.of(scope)` for the stack's canary; `MtaSts` registers its domain unless `canary` is false.
 */
export class MtaStsCanary extends Construct {
  /**
   * The stack's canary, created on first use. Props apply only when it is created.
   */
  public static of(scope: Construct, props?: MtaStsCanaryProps): MtaStsCanary {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(SINGLETON_ID);
    if (existing instanceof MtaStsCanary) return existing;
    return new MtaStsCanary(stack, SINGLETON_ID, props);
  }

  /** The canary Lambda. */
  public readonly canaryFunction: lambda.IFunction;

  /** The EventBridge rule that runs it. */
  public readonly rule: events.Rule;

  /** In ALARM when a domain failed a check in the last day, or when the canary has not reported for days. */
  public readonly alarm: cloudwatch.Alarm;

  /** The CloudWatch namespace of `CanaryFailures`. */
  public readonly metricNamespace: string;

  private readonly domains = new Set<string>();
  private readonly firstRun: cr.AwsCustomResource;
  private readonly errors: PropErrors;

  constructor(scope: Construct, id: string, props: MtaStsCanaryProps = {}) {
    super(scope, id);
    // Every invalid prop is reported at synth under this construct's path; construction goes on without it.
    this.errors = new PropErrors(this);
    this.metricNamespace = props.metricNamespace ?? DEFAULT_METRIC_NAMESPACE;
    const resolvers = (props.resolvers ?? DEFAULT_RESOLVERS).flatMap((resolver) => {
      const parsed = parseResolverAddress(resolver);
      if (parsed === undefined) {
        this.errors.add(`Invalid resolvers entry ${JSON.stringify(resolver)}: expected IP or IP:PORT`);
        return [];
      }
      return [parsed];
    });
    const stackName = Stack.of(this).stackName;
    const bucket = props.bucket ?? PolicyHost.of(this).bucket;

    const logGroup = functionLogGroup(this, 'Logs');
    const canaryFunction = new CanaryFunction(this, 'Function', {
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // 250 domains, 8 at a time, each a few steps of at most 5 s.
      timeout: Duration.minutes(10),
      logGroup,
      environment: {
        [CANARY_RESOLVERS]: resolvers.join(','),
        [CANARY_STEP_TIMEOUT_MS]: String(DEFAULT_STEP_TIMEOUT_MS),
        [METRIC_NAMESPACE]: this.metricNamespace,
        [CANARY_STACK]: stackName,
        [CANARY_BUCKET]: bucket.bucketName,
      },
      description: 'cdk-mta-sts: checks each MTA-STS domain from the outside, as a sending MTA does (no SMTP step)',
    });
    this.canaryFunction = canaryFunction;
    canaryFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects(CANARY_CONFIG_KEY)] }),
    );
    bucket.encryptionKey?.grantDecrypt(canaryFunction);
    PolicyPublisher.of(this).addConfigObject(bucket, CANARY_CONFIG_KEY, () => ({ domains: [...this.domains] }));

    this.rule = new events.Rule(this, 'Schedule', {
      schedule: props.schedule ?? events.Schedule.rate(Duration.days(1)),
      targets: [new targets.LambdaFunction(canaryFunction)],
    });

    // A canary that stopped running must not look healthy (as for the MX drift check).
    this.alarm = stackCheckAlarm(this, 'Alarm', {
      namespace: this.metricNamespace,
      metricName: CANARY_FAILURES,
      stackName,
      statistic: cloudwatch.Stats.SUM,
      silenceBreaches: true,
      description:
        'The MTA-STS canary found a domain that senders would not accept (record, policy fetch or syntax, MX coverage, TLS-RPT record), or it stopped running. Its log has one JSON line per domain with the failed checks.',
    });

    // Run once at deployment, after the publisher proved the policies live and wrote the list, so the alarm starts
    // from a datapoint rather than showing ALARM until the first scheduled run a day later.
    this.firstRun = runAtDeploy(this, 'FirstRun', {
      handler: canaryFunction,
      payload: () => ({ domains: [...this.domains] }),
      timeout: Duration.minutes(11),
    });
    this.firstRun.node.addDependency(PolicyPublisher.of(this).resource);
    this.alarm.node.addDependency(this.firstRun);
  }

  /**
   * Checks `domainName` on every run. Adding a domain twice is harmless.
   *
   * @param published what publishes the domain's records: the deploy-time run waits for it
   */
  public addDomain(domainName: string, published?: IDependable): void {
    if (published) this.firstRun.node.addDependency(published);
    const domain = this.errors.value(() => normalizeDomainName(domainName, 'domainName'), undefined);
    if (domain === undefined || this.domains.has(domain)) return;
    if (this.domains.size >= MAX_CANARY_DOMAINS) {
      this.errors.add(`Cannot add ${domain}: a canary checks at most ${MAX_CANARY_DOMAINS} domains per stack`);
      return;
    }
    this.domains.add(domain);
  }
}
