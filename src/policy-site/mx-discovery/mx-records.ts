import { normalizeMxPattern } from '../../policy/domain-name';
import { normalizeHost } from '../../policy/host-name';
import { mxValueHost } from '../../policy/mx-coverage';
import { MX, RecordSet } from '../../runtime/mx-record-pages';

const NULL_MX_HOST = '.';

/**
 * The MX hosts of `domain` as MTA-STS `mx` patterns: normalized (lower-case A-labels, no trailing dot), without
 * duplicates, sorted so the policy id does not depend on API order. Preferences are dropped: MTA-STS does not use
 * them. Every MX set of the name counts (weighted, latency and other routing policies), since a sender may see any.
 *
 * Throws when the domain has no MX record, or when a host cannot be a pattern (null MX, IP address, bad name).
 */
export function mxHostsFromRecordSets(
  recordSets: readonly RecordSet[],
  domain: string,
  hostedZoneId: string,
): string[] {
  const where = `of ${domain} in hosted zone ${hostedZoneId}`;
  const hosts = new Set<string>();
  const mxSets = recordSets.filter(
    (set) => set.Type === MX && set.Name !== undefined && normalizeHost(set.Name) === domain,
  );
  for (const set of mxSets) {
    if (set.AliasTarget !== undefined) {
      throw new Error(
        `The MX record ${where} is an alias to ${set.AliasTarget.DNSName ?? 'another record'}, which cdk-mta-sts does not follow: ` +
          'set `mx` on MtaSts',
      );
    }
    for (const { Value: value } of set.ResourceRecords ?? []) {
      hosts.add(mxPattern(value ?? '', where));
    }
  }
  if (hosts.size === 0) {
    throw new Error(`No MX records for ${domain} in hosted zone ${hostedZoneId}: add them, or set \`mx\` on MtaSts`);
  }
  return [...hosts].sort();
}

/** One MX value, `<preference> <host>`, as a pattern. */
function mxPattern(value: string, where: string): string {
  const host = mxValueHost(value);
  if (host === undefined) {
    throw new Error(`MX record ${JSON.stringify(value)} ${where} is not "<preference> <host>"`);
  }
  const cannot = `MX record ${JSON.stringify(value)} ${where} cannot be an MTA-STS mx pattern`;
  const fix = 'Fix the MX record, or set `mx` on MtaSts';
  if (host.includes('*')) {
    // normalizeMxPattern would accept it as a wildcard pattern, matching far more than this one host.
    throw new Error(`${cannot}: the host ${JSON.stringify(host)} contains a wildcard. ${fix}`);
  }
  try {
    return normalizeMxPattern(host, 'mx');
  } catch (error) {
    const reason = (error as Error).message;
    const nullMx = host === NULL_MX_HOST ? ' (a null MX, RFC 7505: the domain accepts no mail)' : '';
    throw new Error(`${cannot}: ${reason}${nullMx}. ${fix}`);
  }
}
