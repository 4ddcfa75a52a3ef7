import { Annotations, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { DRIFT_CONFIG_KEY, DriftCheckDomain, POLICY_BUCKET, STACK_NAME } from './env';
import { MxDriftCheckFunction } from './mx-drift-check-function';
import { normalizeDomainName } from '../policy/domain-name';
import { MtaStsMode, toMtaStsMode } from '../policy/mode';
import { policyObjectKey } from '../policy/policy-object';
import { PolicyHost } from '../policy-site/policy-host';
import { PolicyPublisher } from '../policy-site/publisher/policy-publisher';
import {
  DEFAULT_METRIC_NAMESPACE,
  DOMAINS_WITH_UNCOVERED_MX,
  DRIFT_CHECK_ERRORS,
  METRIC_NAMESPACE,
} from '../runtime/metric-names';
import { functionLogGroup } from '../support/function-log-group';
import { PropErrors } from '../support/prop-errors';
import { runAtDeploy } from '../support/run-at-deploy';
import { stackCheckAlarm } from '../support/stack-check-alarm';

/** The id of the stack's drift check, a child of the stack. */
const SINGLETON_ID = 'MtaStsMxDriftCheck';

/**
 * Properties for `MxDriftCheck`.
 */
export interface MxDriftCheckProps {
  /** The bucket holding `<policy domain>/.well-known/mta-sts.txt`, the policy files senders are served. */
  readonly bucket: s3.IBucket;

  /**
   * When the check runs.
   *
   * @default events.Schedule.rate(Duration.days(1))
   */
  readonly schedule?: events.Schedule;

  /**
   * The CloudWatch namespace of the `UncoveredMxHosts` and `DriftCheckErrors` metrics.
   *
   * @default 'MtaSts'
   */
  readonly metricNamespace?: string;

  /**
   * How long the check's logs (which name the uncovered hosts) are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A scheduled check that every live MX host of each registered policy domain (read from Route 53) is covered by
 * an `mx` pattern of the policy file actually served (read from the policy bucket). In mode `enforce`, an
 * uncovered host, typically after a mail-provider move, means senders refuse to deliver to it.
 *
 * The domain list is a configuration object in the policy bucket, written by the stack's policy publisher, so any
 * number of domains fits. Publishes `DomainsWithUncoveredMx` (dimension `Stack`) per run, with one alarm for all domains,
 * `UncoveredMxHosts` (dimension `PolicyDomain`) for each domain with uncovered hosts, counting every live MX host
 * when the policy file is missing or invalid, and `DriftCheckErrors` (dimension `Stack`) per domain whose check failed.
 * The check's log has one JSON line per domain naming the uncovered hosts.
 *
 * One per stack is enough: register each domain with `addDomain`.
 */
export class MxDriftCheck extends Construct {
  /**
   * The stack's drift check, created on first use, reading the policy files from the stack's shared policy bucket.
   * One check publishes to one namespace: a later caller asking for another gets a warning on its own scope.
   */
  public static of(scope: Construct, metricNamespace?: string): MxDriftCheck {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(SINGLETON_ID) as MxDriftCheck | undefined;
    if (existing) {
      if (metricNamespace !== undefined && metricNamespace !== existing.metricNamespace) {
        Annotations.of(scope).addWarningV2(
          'cdk-mta-sts:driftNamespace',
          `The stack's MX drift check publishes to namespace "${existing.metricNamespace}", not "${metricNamespace}": the report dashboard will not show its metric for this domain.`,
        );
      }
      return existing;
    }
    return new MxDriftCheck(stack, SINGLETON_ID, { bucket: PolicyHost.of(scope).bucket, metricNamespace });
  }

  /** The check Lambda. */
  public readonly checkFunction: lambda.IFunction;

  /** The EventBridge rule that runs it. */
  public readonly rule: events.Rule;

  /** The CloudWatch namespace of the metrics. */
  public readonly metricNamespace: string;

  /**
   * In alarm when a run could not check some domain (Route 53 or S3 failed); the log says which and why.
   * Missing data is not breaching: the metric exists only when a check fails.
   */
  public readonly errorAlarm: cloudwatch.Alarm;

  private readonly firstRun: cr.AwsCustomResource;
  private readonly domains: DriftCheckDomain[] = [];
  /**
   * In alarm when a live MX host of any registered domain is uncovered, or the check stopped running (it shows
   * ALARM until its first run). A per-domain alarm would add $0.10 a month per domain and nothing the log lacks.
   */
  public readonly alarm: cloudwatch.Alarm;

  private readonly modes = new Map<string, MtaStsMode>();
  private zoneStatement?: iam.PolicyStatement;
  private readonly errors: PropErrors;

  constructor(scope: Construct, id: string, props: MxDriftCheckProps) {
    super(scope, id);
    this.errors = new PropErrors(this);
    this.metricNamespace = props.metricNamespace ?? DEFAULT_METRIC_NAMESPACE;
    // The per-run metrics carry the stack's name, so checks of two stacks in one account and region stay apart.
    const stackName = Stack.of(this).stackName;

    const checkFunction = new MxDriftCheckFunction(this, 'Function', {
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Domains are checked one at a time (Route 53 allows five requests per second), each with SDK retries.
      timeout: Duration.minutes(2),
      environment: {
        [POLICY_BUCKET]: props.bucket.bucketName,
        [METRIC_NAMESPACE]: this.metricNamespace,
        [STACK_NAME]: stackName,
      },
      description: 'cdk-mta-sts: checks that live MX hosts match the published MTA-STS policy mx patterns',
      logGroup: functionLogGroup(this, 'Logs', props.logRetention),
    });
    // A KMS-encrypted bucket also needs the key; the policy bucket of MtaSts uses SSE-S3.
    props.bucket.encryptionKey?.grantDecrypt(checkFunction);
    this.checkFunction = checkFunction;

    this.rule = new events.Rule(this, 'Schedule', {
      schedule: props.schedule ?? events.Schedule.rate(Duration.days(1)),
      targets: [new targets.LambdaFunction(checkFunction)],
    });
    // The handler ignores its event; the domain list in it makes a changed list run the check again.
    this.firstRun = runAtDeploy(this, 'FirstRun', {
      handler: checkFunction,
      payload: () => ({ domains: this.domains }),
      timeout: Duration.minutes(3),
      logRetention: props.logRetention,
    });

    this.errorAlarm = stackCheckAlarm(this, 'ErrorAlarm', {
      namespace: this.metricNamespace,
      metricName: DRIFT_CHECK_ERRORS,
      stackName,
      statistic: cloudwatch.Stats.SUM,
      // Written only when a domain could not be checked.
      silenceBreaches: false,
      description:
        'The MTA-STS MX drift check could not check some policy domain (Route 53 or S3 failed); its log says which and why.',
    });

    this.alarm = stackCheckAlarm(this, 'Alarm', {
      namespace: this.metricNamespace,
      metricName: DOMAINS_WITH_UNCOVERED_MX,
      stackName,
      statistic: cloudwatch.Stats.MAXIMUM,
      // A check that stopped running must not look healthy. CloudWatch applies this only when its evaluation range
      // (a few periods, so a few days here) holds no datapoint at all: a late run does not flap the alarm, a stopped
      // check alarms within days, and the deploy-time run gives a new alarm its first datapoint.
      silenceBreaches: true,
      description: Lazy.string({ produce: () => alarmDescription(this.modes) }),
    });

    checkFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [props.bucket.arnForObjects(DRIFT_CONFIG_KEY), props.bucket.arnForObjects(policyObjectKey('*'))],
      }),
    );
    const publisher = PolicyPublisher.of(this);
    publisher.addConfigObject(props.bucket, DRIFT_CONFIG_KEY, () => ({ domains: this.domains }));
    // The first run reads the domain list the publisher writes; the alarm starts from that run's datapoint.
    this.firstRun.node.addDependency(publisher.resource);
    this.alarm.node.addDependency(this.firstRun);
  }

  /**
   * Checks `domainName` on every run: grants read access to its MX record set and policy file, and creates its
   * alarm (see {@link alarmFor}).
   *
   * @param hostedZone the zone holding the domain's MX record set
   * @param mode the mode of the domain's policy, which says in the alarm description what an uncovered host costs
   * @returns the domain's alarm
   */
  public addDomain(domainName: string, hostedZone: route53.IHostedZone, mode: MtaStsMode): cloudwatch.Alarm {
    // Reported at synth under this construct's path, like an invalid prop; the domain is then left out.
    const domain = this.errors.value(() => normalizeDomainName(domainName, 'domainName'), undefined);
    const policyMode = this.errors.value(() => toMtaStsMode(mode, 'mode'), undefined);
    if (domain === undefined || policyMode === undefined) return this.alarm;
    if (this.modes.has(domain)) {
      this.errors.add(`Invalid domainName "${domainName}": MxDriftCheck already checks ${domain}`);
      return this.alarm;
    }
    this.domains.push({ domainName: domain, hostedZoneId: hostedZone.hostedZoneId });
    this.modes.set(domain, policyMode);
    this.grantRead(hostedZone);
    return this.alarm;
  }

  /** The alarm covering a domain registered with `addDomain` (one alarm covers them all). */
  public alarmFor(domainName: string): cloudwatch.Alarm {
    const domain = normalizeDomainName(domainName, 'domainName');
    if (!this.modes.has(domain)) throw new Error(`MxDriftCheck does not check ${domain}: call addDomain() first`);
    return this.alarm;
  }

  /** The domain's record sets (no narrower resource exists); domains sharing a zone share its entry. */
  private grantRead(hostedZone: route53.IHostedZone): void {
    if (!this.zoneStatement) {
      this.zoneStatement = new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets'] });
      this.checkFunction.addToRolePolicy(this.zoneStatement);
    }
    this.zoneStatement.addResources(hostedZone.hostedZoneArn);
  }
}

function alarmDescription(modes: ReadonlyMap<string, MtaStsMode>): string {
  const enforced = [...modes.values()].filter((mode) => mode === MtaStsMode.ENFORCE).length;
  return (
    `A live MX host of one of ${modes.size} policy domains (${enforced} in enforce) matches no mx pattern of its ` +
    'published MTA-STS policy, the policy file is missing or invalid, or the daily check stopped reporting. In ' +
    "enforce, senders refuse to deliver to those hosts. The check's log names the domain and the hosts."
  );
}
