import { Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
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
import {
  DEFAULT_METRIC_NAMESPACE,
  DRIFT_CHECK_ERRORS,
  DriftCheckDomain,
  METRIC_NAMESPACE,
  MX_DRIFT_DOMAINS,
  POLICY_BUCKET,
  POLICY_DOMAIN_DIMENSION,
  UNCOVERED_MX_HOSTS,
  policyObjectKey,
} from './env';
import { MxDriftCheckFunction } from './mx-drift-check-function';
import { normalizeDomainName } from '../../policy/domain-name';
import { MtaStsMode, toMtaStsMode } from '../../policy/mode';
import { functionLogGroup } from '../../support/function-log-group';

// Lambda allows 4 KB of environment variables in all; the domain list is the only one that grows.
const MAX_DOMAINS_ENV_LENGTH = 3500;
// Route 53 hosted zone ids are at most 32 characters; used to size the list while ids are still tokens.
const MAX_HOSTED_ZONE_ID_LENGTH = 32;

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
 * Publishes `UncoveredMxHosts` (dimension `PolicyDomain`) per domain and run, counting every live MX host when the
 * policy file is missing or invalid, and `DriftCheckErrors` (no dimension) per domain whose check failed. Each
 * domain gets an alarm; the check's log has one JSON line per domain naming the uncovered hosts.
 *
 * One per stack is enough: register each domain with `addDomain`.
 */
export class MxDriftCheck extends Construct {
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

  private readonly bucket: s3.IBucket;
  private readonly firstRun: cr.AwsCustomResource;
  private readonly domains: DriftCheckDomain[] = [];
  private readonly alarms = new Map<string, cloudwatch.Alarm>();
  private zoneStatement?: iam.PolicyStatement;
  private policyStatement?: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: MxDriftCheckProps) {
    super(scope, id);
    this.bucket = props.bucket;
    this.metricNamespace = props.metricNamespace ?? DEFAULT_METRIC_NAMESPACE;

    const stack = Stack.of(this);
    const checkFunction = new MxDriftCheckFunction(this, 'Function', {
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Domains are checked one at a time (Route 53 allows five requests per second), each with SDK retries.
      timeout: Duration.minutes(2),
      environment: {
        [MX_DRIFT_DOMAINS]: Lazy.string({ produce: () => stack.toJsonString(this.domains) }),
        [POLICY_BUCKET]: props.bucket.bucketName,
        [METRIC_NAMESPACE]: this.metricNamespace,
      },
      description: 'cdk-mta-sts: checks that live MX hosts match the published MTA-STS policy mx patterns',
      logGroup: functionLogGroup(this, 'FunctionLogs', props.logRetention),
    });
    // A KMS-encrypted bucket also needs the key; the policy bucket of MtaSts uses SSE-S3.
    props.bucket.encryptionKey?.grantDecrypt(checkFunction);
    this.checkFunction = checkFunction;

    this.rule = new events.Rule(this, 'Schedule', {
      schedule: props.schedule ?? events.Schedule.rate(Duration.days(1)),
      targets: [new targets.LambdaFunction(checkFunction)],
    });
    this.firstRun = this.runAtDeploy(checkFunction, props.logRetention);

    this.errorAlarm = new cloudwatch.Alarm(this, 'ErrorAlarm', {
      metric: new cloudwatch.Metric({
        namespace: this.metricNamespace,
        metricName: DRIFT_CHECK_ERRORS,
        statistic: cloudwatch.Stats.SUM,
        period: Duration.days(1),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'The MTA-STS MX drift check could not check some policy domain (Route 53 or S3 failed); its log says which and why.',
    });

    this.node.addValidation({ validate: () => this.validateEnvironmentSize() });
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
    const domain = normalizeDomainName(domainName, 'domainName');
    const policyMode = toMtaStsMode(mode, 'mode');
    if (this.alarms.has(domain)) throw new Error(`MxDriftCheck already checks ${domain}`);
    this.domains.push({ domainName: domain, hostedZoneId: hostedZone.hostedZoneId });
    this.grantRead(hostedZone, domain);

    const alarm = new cloudwatch.Alarm(this, `Alarm-${domain}`, {
      metric: new cloudwatch.Metric({
        namespace: this.metricNamespace,
        metricName: UNCOVERED_MX_HOSTS,
        dimensionsMap: { [POLICY_DOMAIN_DIMENSION]: domain },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.days(1),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // A check that stopped running must not look healthy. CloudWatch applies this only when its evaluation range
      // (a few periods, so a few days here) holds no datapoint at all: a late run does not flap the alarm, a stopped
      // check alarms within days, and the deploy-time run gives a new alarm its first datapoint.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription: alarmDescription(domain, policyMode),
    });
    // Created once the first run has published its datapoint.
    alarm.node.addDependency(this.firstRun);
    this.alarms.set(domain, alarm);
    return alarm;
  }

  /**
   * Runs the check once whenever the domain list changes, waiting for it (RequestResponse), so every alarm starts
   * from a datapoint instead of showing ALARM until the first scheduled run a day later. A failing check does not
   * fail the deployment: Lambda reports a function error in the response, which only its status code is kept of
   * (outputPaths), keeping the custom resource reply small.
   */
  private runAtDeploy(checkFunction: lambda.IFunction, logRetention?: logs.RetentionDays): cr.AwsCustomResource {
    const invoke: cr.AwsSdkCall = {
      service: 'Lambda',
      action: 'invoke',
      parameters: {
        FunctionName: checkFunction.functionName,
        InvocationType: 'RequestResponse',
        // The handler ignores its event; the domain list here makes a changed list run the check again.
        Payload: Lazy.string({ produce: () => Stack.of(this).toJsonString({ domains: this.domains }) }),
      },
      physicalResourceId: cr.PhysicalResourceId.of('mx-drift-check-first-run'),
      outputPaths: ['StatusCode'],
    };
    return new cr.AwsCustomResource(this, 'FirstRun', {
      onCreate: invoke,
      onUpdate: invoke,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [checkFunction.functionArn] }),
      ]),
      timeout: Duration.minutes(3),
      installLatestAwsSdk: false,
      logGroup: functionLogGroup(this, 'FirstRunLogs', logRetention),
    });
  }

  /** The alarm of a domain registered with `addDomain`: in ALARM when a live MX host is uncovered or the check stopped. */
  public alarmFor(domainName: string): cloudwatch.Alarm {
    const domain = normalizeDomainName(domainName, 'domainName');
    const alarm = this.alarms.get(domain);
    if (!alarm) throw new Error(`MxDriftCheck does not check ${domain}: call addDomain() first`);
    return alarm;
  }

  /** Exactly what the check reads: the domain's record sets (no narrower resource exists) and its policy file. */
  private grantRead(hostedZone: route53.IHostedZone, domain: string): void {
    if (!this.zoneStatement || !this.policyStatement) {
      this.zoneStatement = new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets'] });
      this.policyStatement = new iam.PolicyStatement({ actions: ['s3:GetObject'] });
      this.checkFunction.addToRolePolicy(this.zoneStatement);
      this.checkFunction.addToRolePolicy(this.policyStatement);
    }
    // Domains sharing a zone share its entry: PolicyStatement drops duplicate resources.
    this.zoneStatement.addResources(hostedZone.hostedZoneArn);
    this.policyStatement.addResources(this.bucket.arnForObjects(policyObjectKey(domain)));
  }

  private validateEnvironmentSize(): string[] {
    const sized = this.domains.map(({ domainName, hostedZoneId }) => ({
      domainName,
      hostedZoneId: Token.isUnresolved(hostedZoneId) ? 'Z'.repeat(MAX_HOSTED_ZONE_ID_LENGTH) : hostedZoneId,
    }));
    const length = JSON.stringify(sized).length;
    return length <= MAX_DOMAINS_ENV_LENGTH
      ? []
      : [
          `MxDriftCheck: the list of ${this.domains.length} domains needs up to ${length} characters of Lambda environment; ` +
            `at most ${MAX_DOMAINS_ENV_LENGTH} fit. Use a second MxDriftCheck for some of them.`,
        ];
  }
}

function alarmDescription(domain: string, mode: MtaStsMode): string {
  const cost = {
    [MtaStsMode.ENFORCE]: 'senders that enforce MTA-STS refuse to deliver to those hosts',
    [MtaStsMode.TESTING]: 'senders still deliver but report failures; fix it before switching to enforce',
    [MtaStsMode.NONE]: 'senders still holding an earlier enforce policy refuse those hosts until it expires',
  }[mode];
  return (
    `A live MX host of ${domain} matches no mx pattern of its published MTA-STS policy (mode ${mode}), the policy ` +
    `file is missing or invalid, or the daily check stopped reporting: ${cost}. The check's log names the hosts.`
  );
}
