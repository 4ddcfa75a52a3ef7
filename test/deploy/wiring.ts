import { SynthesizedStack, resourcesOfType } from './variants';

/**
 * Invariants over any synthesized template that CloudFormation does not check but AWS enforces at run time. Each
 * returns the violations as `<variant>/<stack>/<logicalId>: <what is wrong>`, so a failing test names the resource.
 */

const PSEUDO_PARAMETERS = new Set([
  'AWS::Region',
  'AWS::AccountId',
  'AWS::Partition',
  'AWS::StackName',
  'AWS::StackId',
  'AWS::URLSuffix',
]);

/** The logical id a `Ref` or `Fn::GetAtt` points at, if the value is one. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as any).Ref;
  if (typeof ref === 'string' && !PSEUDO_PARAMETERS.has(ref)) return ref;
  const getAtt = (value as any)['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

interface Statement {
  readonly Effect: string;
  readonly Principal?: any;
  readonly Action?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

function statements(policyDocument: any): Statement[] {
  return asArray(policyDocument?.Statement);
}

function allowsService(statement: Statement, service: string, action: string): boolean {
  return (
    statement.Effect === 'Allow' &&
    asArray(statement.Principal?.Service).includes(service) &&
    asArray(statement.Action).some((a) => a === action || a === `${action.split(':')[0]}:*`)
  );
}

/** Condition keys a statement sets, lower-cased (IAM condition keys are case-insensitive). */
function conditionKeys(statement: Statement): string[] {
  return Object.values(statement.Condition ?? {}).flatMap((operands) =>
    Object.keys(operands).map((k) => k.toLowerCase()),
  );
}

function violation(stack: SynthesizedStack, logicalId: string, message: string): string {
  return `${stack.variant}/${stack.stackName}/${logicalId}: ${message}`;
}

/**
 * Every topic an alarm notifies has a topic policy that lets CloudWatch publish, scoped to this account. A topic
 * policy replaces the topic's default one, so a policy holding only a Deny (say, publish without TLS) silences
 * every alarm. Topics imported by ARN are the user's to configure.
 */
export function alarmTopicViolations(stack: SynthesizedStack): string[] {
  const policies = resourcesOfType(stack.template, 'AWS::SNS::TopicPolicy');
  return resourcesOfType(stack.template, 'AWS::CloudWatch::Alarm').flatMap(([alarmId, alarm]) => {
    const actions = ['AlarmActions', 'OKActions', 'InsufficientDataActions'].flatMap((p) =>
      asArray(alarm.Properties?.[p]),
    );
    const topics = new Set(actions.map(referencedId).filter((id): id is string => id !== undefined));
    return [...topics].flatMap((topicId) => {
      const allowing = policies.filter(
        ([, policy]) =>
          asArray(policy.Properties?.Topics).some((t) => referencedId(t) === topicId) &&
          statements(policy.Properties?.PolicyDocument).some(
            (s) =>
              allowsService(s, 'cloudwatch.amazonaws.com', 'sns:Publish') &&
              conditionKeys(s).includes('aws:sourceaccount'),
          ),
      );
      return allowing.length > 0
        ? []
        : [
            violation(
              stack,
              alarmId,
              `topic ${topicId} has no policy allowing cloudwatch.amazonaws.com sns:Publish with aws:SourceAccount`,
            ),
          ];
    });
  });
}

/**
 * Every target of an SES receipt rule action lets `ses.amazonaws.com` in only on behalf of this account and a
 * receipt rule (aws:SourceAccount and aws:SourceArn): the bucket of an S3 action, the function of a Lambda action.
 */
export function sesTargetViolations(stack: SynthesizedStack): string[] {
  const template = stack.template;
  return resourcesOfType(template, 'AWS::SES::ReceiptRule').flatMap(([ruleId, rule]) =>
    asArray<any>(rule.Properties?.Rule?.Actions).flatMap((action) => {
      const found: string[] = [];
      const bucketId = referencedId(action.S3Action?.BucketName);
      if (bucketId) {
        const ok = resourcesOfType(template, 'AWS::S3::BucketPolicy').some(
          ([, policy]) =>
            referencedId(policy.Properties?.Bucket) === bucketId &&
            statements(policy.Properties?.PolicyDocument).some(
              (s) =>
                allowsService(s, 'ses.amazonaws.com', 's3:PutObject') &&
                ['aws:sourceaccount', 'aws:sourcearn'].every((k) => conditionKeys(s).includes(k)),
            ),
        );
        if (!ok) {
          found.push(
            violation(
              stack,
              ruleId,
              `bucket ${bucketId} must allow ses.amazonaws.com with aws:SourceAccount and aws:SourceArn`,
            ),
          );
        }
      }
      const functionId = referencedId(action.LambdaAction?.FunctionArn);
      if (functionId) {
        const ok = resourcesOfType(template, 'AWS::Lambda::Permission').some(
          ([, permission]) =>
            referencedId(permission.Properties?.FunctionName) === functionId &&
            permission.Properties?.Principal === 'ses.amazonaws.com' &&
            permission.Properties?.SourceAccount !== undefined &&
            permission.Properties?.SourceArn !== undefined,
        );
        if (!ok) {
          found.push(
            violation(
              stack,
              ruleId,
              `function ${functionId} must allow ses.amazonaws.com with SourceAccount and SourceArn`,
            ),
          );
        }
      }
      return found;
    }),
  );
}

/**
 * Every Lambda function logs to a log group with a retention: its `LoggingConfig.LogGroup`, or a log group named
 * `/aws/lambda/<function>` declared in the template. Otherwise Lambda creates one that keeps logs forever.
 */
export function logRetentionViolations(stack: SynthesizedStack): string[] {
  const template = stack.template;
  const logGroups = resourcesOfType(template, 'AWS::Logs::LogGroup');
  const retained = (logGroupId: string | undefined) =>
    logGroups.some(([id, group]) => id === logGroupId && typeof group.Properties?.RetentionInDays === 'number');
  return resourcesOfType(template, 'AWS::Lambda::Function')
    .filter(([functionId, fn]) => {
      if (retained(referencedId(fn.Properties?.LoggingConfig?.LogGroup))) return false;
      const named = logGroups.find(([, group]) =>
        JSON.stringify(group.Properties?.LogGroupName ?? '').includes(`{"Ref":"${functionId}"}`),
      );
      return !(named && retained(named[0]));
    })
    .map(([functionId]) => violation(stack, functionId, 'no log group with RetentionInDays'));
}

/** Where each resource type keeps the physical name a user may fix, as a property path. */
const NAME_PROPERTIES: Record<string, string[]> = {
  'AWS::S3::Bucket': ['BucketName'],
  'AWS::SNS::Topic': ['TopicName'],
  'AWS::SQS::Queue': ['QueueName'],
  'AWS::Lambda::Function': ['FunctionName'],
  'AWS::IAM::Role': ['RoleName'],
  'AWS::IAM::ManagedPolicy': ['ManagedPolicyName'],
  'AWS::Logs::LogGroup': ['LogGroupName'],
  'AWS::CloudWatch::Alarm': ['AlarmName'],
  'AWS::CloudWatch::Dashboard': ['DashboardName'],
  'AWS::Events::Rule': ['Name'],
  'AWS::StepFunctions::StateMachine': ['StateMachineName'],
  'AWS::SES::ReceiptRuleSet': ['RuleSetName'],
  'AWS::SES::ReceiptRule': ['Rule', 'Name'],
  'AWS::CloudFront::CachePolicy': ['CachePolicyConfig', 'Name'],
  'AWS::CloudFront::OriginAccessControl': ['OriginAccessControlConfig', 'Name'],
  'AWS::CloudFront::ResponseHeadersPolicy': ['ResponseHeadersPolicyConfig', 'Name'],
  'AWS::CloudFront::OriginRequestPolicy': ['OriginRequestPolicyConfig', 'Name'],
  'AWS::CloudFront::Function': ['Name'],
  'AWS::CloudFront::ConnectionGroup': ['Name'],
};

/** The literal text of a name and the pseudo parameters it uses, or undefined when it depends on a resource. */
function fixedName(value: unknown): { text: string; pseudo: string[] } | undefined {
  if (typeof value === 'string') return { text: value, pseudo: [] };
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as any).Ref;
  if (typeof ref === 'string') return PSEUDO_PARAMETERS.has(ref) ? { text: '', pseudo: [ref] } : undefined;
  const join = (value as any)['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) {
    const parts = join[1].map(fixedName);
    if (parts.some((p: unknown) => p === undefined)) return undefined;
    return { text: parts.map((p: any) => p.text).join(join[0]), pseudo: parts.flatMap((p: any) => p.pseudo) };
  }
  return undefined;
}

/**
 * A physical name fixed at synth time must carry the region and something unique to the stack (its name or id),
 * or a second deployment (another region, another stack) collides with the first. Names CloudFormation generates,
 * and names derived from other resources, are fine.
 */
export function fixedNameViolations(stack: SynthesizedStack, constructIds: string[] = []): string[] {
  return Object.entries(stack.template.Resources ?? {}).flatMap(([logicalId, resource]) => {
    const path = NAME_PROPERTIES[resource.Type];
    if (!path) return [];
    const value = path.reduce<any>((node, key) => node?.[key], resource.Properties);
    if (value === undefined) return [];
    const name = fixedName(value);
    if (!name) return [];
    const hasRegion = name.pseudo.includes('AWS::Region') || name.text.includes(stack.region);
    const hasStack =
      name.pseudo.includes('AWS::StackName') ||
      name.pseudo.includes('AWS::StackId') ||
      [stack.stackName, ...constructIds].some((id) => name.text.includes(id));
    return hasRegion && hasStack
      ? []
      : [
          violation(
            stack,
            logicalId,
            `fixed name ${JSON.stringify(name.text)} lacks ${hasRegion ? 'the stack' : 'the region'}`,
          ),
        ];
  });
}
