import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import Ajv, { ValidateFunction } from 'ajv';
import { SynthesizedStack } from './variants';

/**
 * Validates resources against the CloudFormation resource model that aws-cdk-lib itself is generated from
 * (`@aws-cdk/aws-service-spec`): property names (an unknown one fails), types, required properties and enums
 * (`allowedValues`). The model keeps no patterns or lengths, and enums only for some properties, so those come from
 * CONSTRAINTS below, taken from the CloudFormation resource reference for the properties our constructs set.
 *
 * Intrinsic functions (`Ref`, `Fn::*`) are accepted wherever a value is, as CloudFormation resolves them first;
 * numbers and booleans are also accepted as strings ("300", "true"), which CloudFormation converts.
 */

type Json = Record<string, any>;

/** A one-key object whose key is an intrinsic function or Ref. */
const INTRINSIC: Json = {
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  patternProperties: { '^(Ref|Fn::[A-Za-z0-9]+)$': {} },
  additionalProperties: false,
};

/**
 * Patterns and lengths from the CloudFormation resource reference (checked 2026-11-26), keyed by
 * `<type>.<property path>`; they apply to literal strings.
 */
export const CONSTRAINTS: Record<
  string,
  { pattern?: string; minLength?: number; maxLength?: number; enum?: string[] }
> = {
  // Enums the model lacks.
  'AWS::Lambda::Function.Architectures': { enum: ['x86_64', 'arm64'] },
  'AWS::CloudWatch::Alarm.ComparisonOperator': {
    enum: [
      'GreaterThanOrEqualToThreshold',
      'GreaterThanThreshold',
      'LessThanThreshold',
      'LessThanOrEqualToThreshold',
      'LessThanLowerOrGreaterThanUpperThreshold',
      'LessThanLowerThreshold',
      'GreaterThanUpperThreshold',
    ],
  },
  'AWS::CloudWatch::Alarm.TreatMissingData': { enum: ['breaching', 'notBreaching', 'ignore', 'missing'] },
  'AWS::CloudWatch::Alarm.Statistic': { enum: ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] },
  'AWS::SES::ReceiptRule.Rule.TlsPolicy': { enum: ['Require', 'Optional'] },
  'AWS::SES::ReceiptRule.Rule.Actions.LambdaAction.InvocationType': { enum: ['Event', 'RequestResponse'] },
  'AWS::SES::ReceiptRule.Rule.Actions.StopAction.Scope': { enum: ['RuleSet'] },
  'AWS::Route53::RecordSet.Type': {
    enum: [
      'A',
      'AAAA',
      'CAA',
      'CNAME',
      'DS',
      'HTTPS',
      'MX',
      'NAPTR',
      'NS',
      'PTR',
      'SOA',
      'SPF',
      'SRV',
      'SSHFP',
      'SVCB',
      'TLSA',
      'TXT',
    ],
  },
  // Lambda CreateFunction: Description 0-256; AWS::Lambda::Function FunctionName 1-64.
  'AWS::Lambda::Function.Description': { maxLength: 256 },
  'AWS::Lambda::Function.FunctionName': { minLength: 1, maxLength: 64 },
  // CloudWatch PutMetricAlarm: AlarmName 1-255, AlarmDescription 0-1024; metric names 1-255.
  'AWS::CloudWatch::Alarm.AlarmName': { minLength: 1, maxLength: 255 },
  'AWS::CloudWatch::Alarm.AlarmDescription': { maxLength: 1024 },
  'AWS::CloudWatch::Alarm.MetricName': { minLength: 1, maxLength: 255 },
  'AWS::CloudWatch::Alarm.Namespace': { minLength: 1, maxLength: 255, pattern: '^[^:].*' },
  // SES: a receipt rule name starts and ends with a letter or digit, up to 64 of [A-Za-z0-9._-].
  'AWS::SES::ReceiptRule.Rule.Name': { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}[A-Za-z0-9]$' },
  'AWS::SES::ReceiptRuleSet.RuleSetName': { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}[A-Za-z0-9]$' },
  // Route 53: a TXT character string is at most 255 characters; record names at most 1024.
  'AWS::Route53::RecordSet.Name': { maxLength: 1024 },
  // CloudFront: OAC names 1-64 characters, cache and response headers policy names up to 128.
  'AWS::CloudFront::OriginAccessControl.OriginAccessControlConfig.Name': { minLength: 1, maxLength: 64 },
  'AWS::CloudFront::CachePolicy.CachePolicyConfig.Name': { minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' },
  'AWS::CloudFront::ResponseHeadersPolicy.ResponseHeadersPolicyConfig.Name': {
    minLength: 1,
    maxLength: 128,
    pattern: '^[A-Za-z0-9_-]+$',
  },
  // Lambda function URL and permission principals, S3 bucket names.
  'AWS::S3::Bucket.BucketName': { pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' },
  'AWS::Logs::LogGroup.LogGroupName': { pattern: '^[.\\-_/#A-Za-z0-9]{1,512}$' },
  'AWS::Events::Rule.Name': { pattern: '^[.\\-_A-Za-z0-9]{1,64}$' },
  // CloudFront CreateDistributionTenant (API reference): Name 3-128 characters, letters, digits, '-' and '.', starting
  // and ending with a letter or digit; a parameter value 1-256 characters.
  'AWS::CloudFront::DistributionTenant.Name': { pattern: '^[a-zA-Z0-9][a-zA-Z0-9-.]{1,126}[a-zA-Z0-9]$' },
  'AWS::CloudFront::DistributionTenant.Parameters.Value': { minLength: 1, maxLength: 256 },
};

const FRAMEWORK_ATTRIBUTES = [
  'Type',
  'Properties',
  'DependsOn',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Metadata',
  'Condition',
  'CreationPolicy',
  'UpdatePolicy',
];

const db = loadAwsServiceSpecSync();
const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ValidateFunction | undefined>();

function withIntrinsic(schema: Json): Json {
  return { anyOf: [schema, { $ref: '#/definitions/intrinsic' }] };
}

/** JSON schema of one model type; `path` locates CONSTRAINTS. */
function typeSchema(type: any, path: string, definitions: Json): Json {
  switch (type.type) {
    case 'string': {
      const schema: Json = {
        type: 'string',
        ...(type.allowedValues ? { enum: type.allowedValues } : {}),
        ...(CONSTRAINTS[path] ?? {}),
      };
      return withIntrinsic(schema);
    }
    case 'number':
    case 'integer':
      return withIntrinsic({ anyOf: [{ type: 'number' }, { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' }] });
    case 'boolean':
      return withIntrinsic({ anyOf: [{ type: 'boolean' }, { enum: ['true', 'false'] }] });
    case 'date-time':
      return withIntrinsic({ type: 'string' });
    case 'json':
      return {};
    case 'null':
      return { type: 'null' };
    case 'tag':
      return withIntrinsic({
        type: 'object',
        properties: {
          Key: typeSchema({ type: 'string' }, '', definitions),
          Value: typeSchema({ type: 'string' }, '', definitions),
        },
        required: ['Key', 'Value'],
        additionalProperties: false,
      });
    case 'array':
      return withIntrinsic({ type: 'array', items: typeSchema(type.element, path, definitions) });
    case 'map':
      return withIntrinsic({ type: 'object', additionalProperties: typeSchema(type.element, path, definitions) });
    case 'union':
      return { anyOf: type.types.map((t: any) => typeSchema(t, path, definitions)) };
    case 'ref': {
      const id = type.reference.$ref;
      const definition = db.get('typeDefinition', id);
      const name = `${path.replace(/[^A-Za-z0-9]/g, '_')}_${id}`;
      if (!(name in definitions)) {
        definitions[name] = true; // placeholder while recursing
        definitions[name] = objectSchema(definition.properties, path, definitions);
      }
      return withIntrinsic({ $ref: `#/definitions/${name}` });
    }
    default:
      throw new Error(`unknown model type ${JSON.stringify(type)} at ${path}`);
  }
}

function objectSchema(properties: Record<string, any>, path: string, definitions: Json): Json {
  return {
    type: 'object',
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, p]) => [name, typeSchema(p.type, `${path}.${name}`, definitions)]),
    ),
    required: Object.entries(properties)
      .filter(([, p]) => p.required)
      .map(([name]) => name),
    additionalProperties: false,
  };
}

/** The validator of a resource type's Properties, or undefined when the model does not know the type. */
export function validatorFor(cloudFormationType: string): ValidateFunction | undefined {
  if (!validators.has(cloudFormationType)) {
    const resource = db.lookup('resource', 'cloudFormationType', 'equals', cloudFormationType);
    if (resource.length !== 1) {
      validators.set(cloudFormationType, undefined);
    } else {
      const definitions: Json = { intrinsic: INTRINSIC };
      const properties = objectSchema(resource[0].properties, cloudFormationType, definitions);
      validators.set(cloudFormationType, ajv.compile({ ...properties, definitions }));
    }
  }
  return validators.get(cloudFormationType);
}

function isCustomResource(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

/**
 * The template's Rules section ("Template Rules" in the CloudFormation User Guide): each rule has an optional
 * RuleCondition and Assertions, each an Assert (a rule-specific intrinsic function) with an optional
 * AssertDescription string.
 */
const validateRules = ajv.compile({
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: {
      RuleCondition: { $ref: '#/definitions/intrinsic' },
      Assertions: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          properties: { Assert: { $ref: '#/definitions/intrinsic' }, AssertDescription: { type: 'string' } },
          required: ['Assert'],
          additionalProperties: false,
        },
      },
    },
    required: ['Assertions'],
    additionalProperties: false,
  },
  definitions: { intrinsic: INTRINSIC },
});

function rulesViolations(stack: SynthesizedStack): string[] {
  if (stack.template.Rules === undefined || validateRules(stack.template.Rules)) return [];
  return [
    ...new Set((validateRules.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${paramsOf(e.params)}`)),
  ].map((message) => `${stack.variant}/${stack.stackName}/Rules: ${message}`);
}

/** `<variant>/<stack>/<logicalId>: <problem>` for every resource (and rule) CloudFormation would refuse. */
export function schemaViolations(stack: SynthesizedStack): string[] {
  return [...rulesViolations(stack), ...resourceViolations(stack)];
}

function resourceViolations(stack: SynthesizedStack): string[] {
  return Object.entries(stack.template.Resources ?? {}).flatMap(([logicalId, resource]) => {
    const at = `${stack.variant}/${stack.stackName}/${logicalId}`;
    const found = Object.keys(resource)
      .filter((key) => !FRAMEWORK_ATTRIBUTES.includes(key))
      .map((key) => `${at}: unknown resource attribute ${key}`);
    if (isCustomResource(resource.Type)) {
      if (resource.Properties?.ServiceToken === undefined) found.push(`${at}: custom resource without ServiceToken`);
      return found;
    }
    const validate = validatorFor(resource.Type);
    if (!validate) return [...found, `${at}: ${resource.Type} is not a CloudFormation resource type`];
    if (validate(withSampleValues(resource.Properties ?? {}, stack))) return found;
    // anyOf reports every branch; the deepest errors are the useful ones.
    const errors = (validate.errors ?? []).filter(
      (e) => e.keyword !== 'anyOf' && !e.schemaPath.startsWith('#/definitions/intrinsic/'),
    );
    const messages = [...new Set(errors.map((e) => `${e.instancePath || '/'} ${e.message}${paramsOf(e.params)}`))];
    return [...found, ...messages.map((m) => `${at} (${resource.Type}): ${m}`)];
  });
}

/** A stack id's last segment: the UUID CloudFormation gives each stack. */
const SAMPLE_STACK_UUID = '51af3dc0-da77-11e4-872e-1234567db123';
/** With no region at synth time, the longest name among commercial regions. */
const SAMPLE_REGION = 'ap-southeast-3';

/**
 * Properties with every `Fn::Join` whose parts are strings and pseudo parameters replaced by the string
 * CloudFormation would make of it (sample account, the stack's name and region, a stack UUID), so names built from
 * them (a tenant's `Name`, an origin access control's name) meet their patterns and lengths too. Anything else
 * stays an intrinsic, which the schema accepts.
 */
export function withSampleValues(node: unknown, stack: SynthesizedStack): unknown {
  if (Array.isArray(node)) return node.map((n) => withSampleValues(n, stack));
  if (typeof node !== 'object' || node === null) return node;
  const joined = sampleJoin(node as Json, stack);
  if (joined !== undefined) return joined;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withSampleValues(v, stack)]));
}

function sampleJoin(node: Json, stack: SynthesizedStack): string | undefined {
  const join = node['Fn::Join'];
  if (!Array.isArray(join) || typeof join[0] !== 'string' || !Array.isArray(join[1])) return undefined;
  const parts = join[1].map((part: unknown) => samplePart(part, stack));
  return parts.every((p: string | undefined) => p !== undefined) ? parts.join(join[0]) : undefined;
}

function samplePart(part: unknown, stack: SynthesizedStack): string | undefined {
  if (typeof part === 'string') return part;
  if (typeof part !== 'object' || part === null) return undefined;
  const pseudo: Record<string, string> = {
    'AWS::Region': /^[a-z]+-[a-z]+-[0-9]$/.test(stack.region) ? stack.region : SAMPLE_REGION,
    'AWS::AccountId': '111111111111',
    'AWS::StackName': stack.stackName,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const ref = (part as Json).Ref;
  if (typeof ref === 'string') return pseudo[ref];
  // Fn::Select [2, Fn::Split ['/', Ref AWS::StackId]]: the stack's UUID.
  const select = (part as Json)['Fn::Select'];
  if (
    Array.isArray(select) &&
    String(select[0]) === '2' &&
    JSON.stringify(select[1]) === JSON.stringify({ 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] })
  ) {
    return SAMPLE_STACK_UUID;
  }
  return sampleJoin(part as Json, stack);
}

function paramsOf(params: Record<string, any>): string {
  if (params.additionalProperty) return `: ${params.additionalProperty}`;
  if (params.allowedValues) return `: ${params.allowedValues.join(', ')}`;
  return '';
}
