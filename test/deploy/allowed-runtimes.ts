import { SynthesizedStack } from './variants';

/**
 * The Lambda runtimes AWS lets you create functions with: the Lambda runtimes table
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html), checked on 2026-11-26. `nodejs20.x` has been
 * blocked for creation since 31 August 2026; `nodejs22.x` is deprecated in 2027. Update this list from the table,
 * with its date, when a runtime's "Block function create" date passes.
 */
export const CREATABLE_LAMBDA_RUNTIMES: readonly string[] = [
  'nodejs22.x',
  'nodejs24.x',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
];

/** Resource types that create a Lambda function from a `Runtime` property. */
const FUNCTION_TYPES = ['AWS::Lambda::Function', 'AWS::Serverless::Function'];

/**
 * The regions an environment-agnostic stack can deploy to: those its template's rules allow (an assertion
 * `Fn::Contains [regions, Ref AWS::Region]`), or undefined when no rule limits them.
 */
function regionsAllowedByRules(stack: SynthesizedStack): string[] | undefined {
  const rules = Object.values((stack.template.Rules ?? {}) as Record<string, any>);
  const lists = rules
    .flatMap((rule) => rule.Assertions ?? [])
    .map((assertion: any) => assertion.Assert?.['Fn::Contains'])
    .filter((contains: any) => Array.isArray(contains) && contains[1]?.Ref === 'AWS::Region')
    .map((contains: any) => contains[0] as string[]);
  return lists.length === 0 ? undefined : lists.reduce((a, b) => a.filter((region) => b.includes(region)));
}

/**
 * The runtimes a `Runtime` value can take: a literal, or aws-cdk-lib's per-region map in environment-agnostic stacks
 * (`Fn::FindInMap [map, Ref AWS::Region, key]`), read for every region the stack can deploy to.
 */
function runtimesOf(stack: SynthesizedStack, runtime: unknown): unknown[] {
  const findInMap = (runtime as any)?.['Fn::FindInMap'];
  if (!Array.isArray(findInMap) || findInMap[1]?.Ref !== 'AWS::Region') return [runtime];
  const map = ((stack.template.Mappings ?? {}) as Record<string, any>)[findInMap[0]] ?? {};
  const regions = regionsAllowedByRules(stack) ?? Object.keys(map);
  return regions.map((region) => map[region]?.[findInMap[2]]);
}

/** `<stack>/<logicalId>: <runtime>` for every function whose runtime Lambda would refuse to create. */
export function runtimeViolations(stack: SynthesizedStack): string[] {
  return Object.entries(stack.template.Resources ?? {})
    .filter(([, resource]) => FUNCTION_TYPES.includes(resource.Type))
    .filter(([, resource]) => resource.Properties?.PackageType !== 'Image')
    .filter(([, resource]) =>
      runtimesOf(stack, resource.Properties?.Runtime).some(
        (runtime) => typeof runtime !== 'string' || !CREATABLE_LAMBDA_RUNTIMES.includes(runtime),
      ),
    )
    .map(
      ([logicalId, resource]) =>
        `${stack.variant}/${stack.stackName}/${logicalId}: ${JSON.stringify(resource.Properties?.Runtime)}`,
    );
}
