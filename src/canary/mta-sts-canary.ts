import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  CANARY_FAILURES,
  CANARY_RESOLVERS,
  CANARY_STACK,
  CANARY_STEP_TIMEOUT_MS,
  DEFAULT_METRIC_NAMESPACE,
  DEFAULT_RESOLVERS,
  DEFAULT_STEP_TIMEOUT_MS,
  MAX_CANARY_DOMAINS,
  MAX_TARGET_INPUT_LENGTH,
  MAX_TARGETS,
  METRIC_NAMESPACE,
  STACK_DIMENSION,
} from './canary-config';
import { CanaryFunction } from './canary-function';
import { parseResolverAddress } from '../check/net/dns-client';
import { normalizeDomainName } from '../policy/domain-name';
import { functionLogGroup } from '../support/function-log-group';
import { PropErrors } from '../support/prop-errors';

const SINGLETON_ID = 'MtaStsCanary';
// `{"domains":[]}` plus, per domain, its quotes and a comma.
const EMPTY_INPUT_LENGTH = '{"domains":[]}'.length;
const PER_DOMAIN_OVERHEAD = 3;

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
}

/**
 * A daily check of each registered domain from the outside, as a sending MTA on the internet does it: the
 * `_mta-sts` record over public resolvers, the policy over HTTPS through CloudFront with full certificate
 * validation, its syntax, MX coverage and the `_smtp._tls` record; the same checks as `cdk-mta-sts check`, without
 * the SMTP step (Lambda cannot open outbound port 25).
 *
 * One Lambda serves every domain of the stack; the domains travel in the schedule's event input (up to 100 per
 * stack). It logs one JSON line per domain with its result and reasons, publishes `CanaryFailures` (dimension
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
  private readonly batches: string[][] = [];
  private readonly function: lambda.Function;
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

    const logGroup = functionLogGroup(this, 'Logs');
    this.function = new CanaryFunction(this, 'Function', {
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // 100 domains, 8 at a time, each a few steps of at most 5 s.
      timeout: Duration.minutes(5),
      logGroup,
      environment: {
        [CANARY_RESOLVERS]: resolvers.join(','),
        [CANARY_STEP_TIMEOUT_MS]: String(DEFAULT_STEP_TIMEOUT_MS),
        [METRIC_NAMESPACE]: this.metricNamespace,
        [CANARY_STACK]: stackName,
      },
      description: 'cdk-mta-sts: checks each MTA-STS domain from the outside, as a sending MTA does (no SMTP step)',
    });
    this.canaryFunction = this.function;

    this.rule = new events.Rule(this, 'Schedule', {
      schedule: props.schedule ?? events.Schedule.rate(Duration.days(1)),
    });

    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      metric: new cloudwatch.Metric({
        namespace: this.metricNamespace,
        metricName: CANARY_FAILURES,
        dimensionsMap: { [STACK_DIMENSION]: stackName },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.days(1),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // A canary that stopped running must not look healthy (as for the MX drift check).
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription:
        'The MTA-STS canary found a domain that senders would not accept (record, policy fetch or syntax, MX coverage, TLS-RPT record), or it stopped running. Its log has one JSON line per domain with the failed checks.',
    });
    this.node.addValidation({ validate: () => (this.domains.size === 0 ? [] : this.validateTargets()) });
  }

  /** Checks `domainName` on every run. Adding a domain twice is harmless. */
  public addDomain(domainName: string): void {
    const domain = this.errors.value(() => normalizeDomainName(domainName, 'domainName'), undefined);
    if (domain === undefined || this.domains.has(domain)) return;
    if (this.domains.size >= MAX_CANARY_DOMAINS) {
      this.errors.add(`Cannot add ${domain}: a canary checks at most ${MAX_CANARY_DOMAINS} domains per stack`);
      return;
    }
    this.domains.add(domain);
    const last = this.batches[this.batches.length - 1];
    if (last !== undefined && inputLength([...last, domain]) <= MAX_TARGET_INPUT_LENGTH) {
      last.push(domain);
      return;
    }
    const batch = [domain];
    this.batches.push(batch);
    this.rule.addTarget(
      new targets.LambdaFunction(this.function, {
        event: events.RuleTargetInput.fromObject({ domains: Lazy.list({ produce: () => [...batch] }) }),
      }),
    );
  }

  private validateTargets(): string[] {
    return this.batches.length <= MAX_TARGETS
      ? []
      : [`MtaStsCanary: the domains need ${this.batches.length} schedule targets; a rule takes ${MAX_TARGETS}`];
  }
}

function inputLength(domains: readonly string[]): number {
  return EMPTY_INPUT_LENGTH + domains.reduce((total, domain) => total + domain.length + PER_DOMAIN_OVERHEAD, -1);
}
