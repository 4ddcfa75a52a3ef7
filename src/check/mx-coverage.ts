import { CheckResult, fail, pass, skip } from './check-result';
import { uncoveredHosts } from '../policy/mx-coverage';
import { PublishedPolicy } from '../policy/policy-file';

export const MX_COVERED = 'mx-covered';

/** The domain's MX records as DNS answered: exchange names normalized, `''` standing for a null MX. */
export type MxLookup =
  { readonly ok: true; readonly hosts: readonly string[] } | { readonly ok: false; readonly problem: string };

/**
 * Compares the live MX hosts with the policy's patterns by RFC 8461 §4.1 (the drift check's matcher: `*` is
 * exactly one left-most label). Fails on any uncovered host, a null MX, no MX records or a failed lookup.
 */
export function checkMxCoverage(mx: MxLookup, policy: PublishedPolicy | undefined): CheckResult {
  if (!mx.ok) return fail(MX_COVERED, `MX lookup failed: ${mx.problem}`);
  if (mx.hosts.includes('')) return fail(MX_COVERED, 'null MX (RFC 7505): the domain accepts no mail');
  if (mx.hosts.length === 0) return fail(MX_COVERED, 'no MX records');
  if (policy === undefined) return skip(MX_COVERED, 'no valid policy to compare the MX hosts with');
  const uncovered = uncoveredHosts(mx.hosts, policy.mx);
  if (uncovered.length > 0) {
    return fail(
      MX_COVERED,
      `not covered by any mx pattern: ${uncovered.join(', ')} (patterns: ${policy.mx.join(', ') || 'none'})`,
    );
  }
  return pass(
    MX_COVERED,
    `${mx.hosts.length} MX host${mx.hosts.length > 1 ? 's' : ''} covered: ${mx.hosts.join(', ')}`,
  );
}
