import { createHash } from 'node:crypto';
import { Fn, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * `<region>-<stack UUID>`: CloudFront names are global per account, so names built from construct paths would
 * clash between two apps, or two regions, that use the same stack and construct names. The UUID is the last
 * segment of `AWS::StackId`, unique to each deployed stack.
 */
export function stackUniqueSuffix(scope: Construct): string {
  const stack = Stack.of(scope);
  return `${stack.region}-${Fn.select(2, Fn.split('/', stack.stackId))}`;
}

/** Tenant names allow letters, digits, `-` and `.`, 3 to 128 characters; policy domains are already in that set. */
export function tenantName(scope: Construct, domainName: string): string {
  const MAX_DOMAIN_PART = 60;
  const domainPart =
    domainName.length <= MAX_DOMAIN_PART ? domainName : `${domainName.slice(0, 50)}-${shortHash(domainName)}`;
  return `${domainPart}-${stackUniqueSuffix(scope)}`;
}

/** Enough to keep two long names with the same prefix apart within one stack. */
function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
