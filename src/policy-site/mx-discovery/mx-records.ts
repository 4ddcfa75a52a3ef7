import { normalizeMxPattern } from '../../policy/domain-name';

/** The fields of a Route 53 `ResourceRecordSet` we read; the SDK's type fits it. */
export interface RecordSet {
  readonly Name?: string;
  readonly Type?: string;
  readonly SetIdentifier?: string;
  readonly ResourceRecords?: ReadonlyArray<{ readonly Value?: string }>;
  readonly AliasTarget?: { readonly DNSName?: string };
}

/** The fields of a `ListResourceRecordSets` response we read. */
export interface RecordSetsPage {
  readonly ResourceRecordSets?: readonly RecordSet[];
  readonly IsTruncated?: boolean;
  readonly NextRecordName?: string;
  readonly NextRecordType?: string;
  readonly NextRecordIdentifier?: string;
}

/** Where a `ListResourceRecordSets` page starts. */
export interface PageStart {
  readonly StartRecordName: string;
  readonly StartRecordType: string;
  readonly StartRecordIdentifier?: string;
}

/**
 * Record sets per `ListResourceRecordSets` page. The domain's MX sets come first, so a small page saves reading a
 * large zone; a domain with more MX sets (one per `SetIdentifier`) than this takes more pages.
 */
export const RECORD_SETS_PER_PAGE = 10;

const MX = 'MX';
const NULL_MX_HOST = '.';
const MX_VALUE = /^([0-9]+)\s+(\S+)$/;

/**
 * The first page to ask for: Route 53 lists record sets in order of name (labels reversed), then type, so starting
 * at the domain's MX set puts every MX set of the domain first.
 */
export function firstPageStart(domain: string): PageStart {
  return { StartRecordName: domain, StartRecordType: MX };
}

/**
 * The next page to ask for, or undefined when the listing is complete or the next record set is past the domain's MX
 * sets. Only a domain with more MX sets (routing policies, one set per `SetIdentifier`) than fit a page needs more.
 */
export function nextPageStart(page: RecordSetsPage, domain: string, current: PageStart): PageStart | undefined {
  if (page.IsTruncated !== true) return undefined;
  if (page.NextRecordName === undefined || page.NextRecordType === undefined) {
    // Stopping here could publish a policy missing some MX hosts, and in mode enforce that bounces mail.
    throw new Error(
      'Route 53 returned a truncated page of hosted zone records without NextRecordName and NextRecordType',
    );
  }
  if (recordName(page.NextRecordName) !== domain || page.NextRecordType !== MX) return undefined;
  const next: PageStart = {
    StartRecordName: page.NextRecordName,
    StartRecordType: page.NextRecordType,
    ...(page.NextRecordIdentifier !== undefined && { StartRecordIdentifier: page.NextRecordIdentifier }),
  };
  if (
    recordName(next.StartRecordName) === recordName(current.StartRecordName) &&
    next.StartRecordType === current.StartRecordType &&
    next.StartRecordIdentifier === current.StartRecordIdentifier
  ) {
    throw new Error(`Route 53 returned the same page of hosted zone records twice (at ${describeStart(next)})`);
  }
  return next;
}

/**
 * The MX hosts of `domain` as MTA-STS `mx` patterns: normalised (lower-case A-labels, no trailing dot), without
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
    (set) => set.Type === MX && set.Name !== undefined && recordName(set.Name) === domain,
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
  const match = MX_VALUE.exec(value.trim());
  if (!match) {
    throw new Error(`MX record ${JSON.stringify(value)} ${where} is not "<preference> <host>"`);
  }
  const host = match[2];
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

/** A Route 53 record name as we compare it: lower case, no trailing dot. */
function recordName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function describeStart(start: PageStart): string {
  return [start.StartRecordName, start.StartRecordType, start.StartRecordIdentifier].filter(Boolean).join(' ');
}
