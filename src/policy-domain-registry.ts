import { Construct, IConstruct } from 'constructs';

/** Per construct tree (app): policy domain -> path of the construct that publishes it. */
const claims = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Records that `scope` publishes `domainName`, and throws when another construct anywhere in the same app already
 * does: two stacks would fight over the same records and CloudFront host name at deploy time.
 */
export function claimPolicyDomain(scope: Construct, domainName: string): void {
  const root = scope.node.root;
  let domains = claims.get(root);
  if (!domains) {
    domains = new Map();
    claims.set(root, domains);
  }
  const existing = domains.get(domainName);
  if (existing !== undefined) {
    throw new Error(
      `Duplicate policy domain "${domainName}": published by both "${existing}" and "${scope.node.path}". ` +
        'Each policy domain may have one MtaSts in an app.',
    );
  }
  domains.set(domainName, scope.node.path);
}
