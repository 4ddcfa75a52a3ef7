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
      'publish-policies.ts replies with PhysicalResourceId "mta-sts-policies" and Data { ZonePolicyId } (32 hex digits); verify-policies.ts replies with IsComplete only',
  },
};

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
        return calls.every((call) => JSON.stringify(call).includes('outputPaths'))
          ? []
          : [`${at}: Custom::AWS without outputPaths replies with the whole API response`];
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
