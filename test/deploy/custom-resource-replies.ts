import { Resource, SynthesizedStack } from './variants';

/**
 * CloudFormation refuses a custom resource reply over 4,096 bytes (the response object, "Custom resources" in the
 * CloudFormation User Guide), failing the deployment. The rule, by construction: a provider replies with a physical
 * id and Data of a size known from its properties, never with data that grows with something outside the template
 * (the zone's MX hosts, an API's full response). Each custom resource type used here declares that bound; a new
 * type must be added with one before its templates pass.
 */
export const MAX_REPLY_BYTES = 4096;

/** Status, StackId, RequestId, LogicalResourceId and the JSON around them: CloudFormation caps each id at 255+. */
const ENVELOPE_BYTES = 900;

export interface ReplyBound {
  /** The Data keys a template may read with Fn::GetAtt. */
  readonly attributes: (resource: Resource) => string[];
  /** The largest physical id plus Data, in bytes, for this resource's properties (Infinity when unbounded). */
  readonly maxBytes: (resource: Resource) => number;
  /** Why the bound holds. */
  readonly source: string;
}

export const CUSTOM_RESOURCE_REPLIES: Record<string, ReplyBound> = {
  'Custom::SesActiveReceiptRuleSet': {
    attributes: () => [],
    maxBytes: () => 64,
    source: 'activate-rule-set.lambda.ts replies with the rule set name (at most 64 characters) and no Data',
  },
  'Custom::MtaStsPolicies': {
    attributes: () => ['ZonePolicyId'],
    // A fixed physical id ("mta-sts-policies") and one attribute, ZonePolicyId: 32 hex digits of a SHA-256 over every
    // zone-read policy, whatever the domain count. 100 characters covers id, key, value and JSON around them.
    maxBytes: () => 100,
    source:
      'publish-policies.ts replies with PhysicalResourceId "mta-sts-policies" and Data { ZonePolicyId } (32 hex digits; publish-policies.test.ts measures 100 bytes); verify-policies.ts replies with IsComplete only',
  },
};

/**
 * AwsCustomResource replies with the API response, flattened, narrowed to `outputPaths`. The response fields whose
 * size is bounded, per `<service>.<action>`: Lambda Invoke's StatusCode, FunctionError and ExecutedVersion are short;
 * its Payload (up to 6 MB) and LogResult (4 KB of log) are not.
 */
export const AWS_CALL_BOUNDED_OUTPUTS: Record<string, string[]> = {
  'Lambda.invoke': ['StatusCode', 'FunctionError', 'ExecutedVersion'],
};

/** What is wrong with one Custom::AWS call's reply, if anything. */
function awsCallViolation(call: unknown): string | undefined {
  const text = JSON.stringify(call).replace(/\\+"/g, '"');
  const outputPaths = /"outputPaths":\[([^\]]*)\]/.exec(text);
  if (!outputPaths) return 'Custom::AWS without outputPaths replies with the whole API response';
  const service = /"service":"([A-Za-z0-9-]+)"/.exec(text)?.[1];
  const action = /"action":"([A-Za-z0-9]+)"/.exec(text)?.[1];
  const bounded = AWS_CALL_BOUNDED_OUTPUTS[`${service}.${action}`];
  if (!bounded) {
    return `Custom::AWS ${service}.${action} declares no bounded outputs (test/deploy/custom-resource-replies.ts)`;
  }
  const paths = [...outputPaths[1].matchAll(/"([^"]+)"/g)].map((match) => match[1]);
  const unbounded = paths.filter((path) => !bounded.includes(path));
  return unbounded.length > 0
    ? `Custom::AWS ${service}.${action} replies with unbounded ${unbounded.join(', ')}`
    : undefined;
}

function isCustomResource(resource: Resource): boolean {
  return resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource';
}

/** Every Fn::GetAtt in a template, as `[logicalId, attribute]`. */
function getAtts(node: unknown, found: Array<[string, string]> = []): Array<[string, string]> {
  if (Array.isArray(node)) {
    node.forEach((n) => getAtts(n, found));
  } else if (typeof node === 'object' && node !== null) {
    const getAtt = (node as any)['Fn::GetAtt'];
    if (Array.isArray(getAtt)) found.push([getAtt[0], getAtt[1]]);
    Object.values(node).forEach((n) => getAtts(n, found));
  }
  return found;
}

export function customResourceReplyViolations(
  stack: SynthesizedStack,
  bounds: Record<string, ReplyBound> = CUSTOM_RESOURCE_REPLIES,
): string[] {
  const resources = stack.template.Resources ?? {};
  const reads = getAtts(stack.template);
  return Object.entries(resources)
    .filter(([, resource]) => isCustomResource(resource))
    .flatMap(([logicalId, resource]) => {
      const at = `${stack.variant}/${stack.stackName}/${logicalId}`;
      if (resource.Type === 'Custom::AWS') {
        // AwsCustomResource replies with the whole flattened API response unless outputPaths narrows it.
        const calls = ['Create', 'Update'].map((k) => resource.Properties?.[k]).filter((c) => c !== undefined);
        const problems = [...new Set(calls.map(awsCallViolation).filter((p): p is string => p !== undefined))];
        return problems.map((problem) => `${at}: ${problem}`);
      }
      const bound = bounds[resource.Type];
      if (!bound) return [`${at}: ${resource.Type} declares no reply bound (test/deploy/custom-resource-replies.ts)`];
      const found: string[] = [];
      const size = ENVELOPE_BYTES + bound.maxBytes(resource);
      if (!(size <= MAX_REPLY_BYTES)) found.push(`${at}: its reply may reach ${size} bytes (${bound.source})`);
      for (const [id, attribute] of reads) {
        if (id === logicalId && !bound.attributes(resource).includes(attribute)) {
          found.push(`${at}: a template reads undeclared reply attribute ${attribute}`);
        }
      }
      return found;
    });
}
