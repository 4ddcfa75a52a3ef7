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

/** `<stack>/<logicalId>: <runtime>` for every function whose runtime Lambda would refuse to create. */
export function runtimeViolations(stack: SynthesizedStack): string[] {
  return Object.entries(stack.template.Resources ?? {})
    .filter(([, resource]) => FUNCTION_TYPES.includes(resource.Type))
    .filter(([, resource]) => resource.Properties?.PackageType !== 'Image')
    .map(([logicalId, resource]) => [logicalId, resource.Properties?.Runtime] as const)
    .filter(([, runtime]) => typeof runtime !== 'string' || !CREATABLE_LAMBDA_RUNTIMES.includes(runtime))
    .map(([logicalId, runtime]) => `${stack.variant}/${stack.stackName}/${logicalId}: ${JSON.stringify(runtime)}`);
}
