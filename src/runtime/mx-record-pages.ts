// Paging through a hosted zone's MX record sets, with no SDK dependency: the deploy-time MX discovery and the daily
// drift check both read MX records this way.
import { normalizeHost } from '../policy/host-name';

export const MX = 'MX';

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
  if (normalizeHost(page.NextRecordName) !== domain || page.NextRecordType !== MX) return undefined;
  const next: PageStart = {
    StartRecordName: page.NextRecordName,
    StartRecordType: page.NextRecordType,
    ...(page.NextRecordIdentifier !== undefined && { StartRecordIdentifier: page.NextRecordIdentifier }),
  };
  if (
    normalizeHost(next.StartRecordName) === normalizeHost(current.StartRecordName) &&
    next.StartRecordType === current.StartRecordType &&
    next.StartRecordIdentifier === current.StartRecordIdentifier
  ) {
    throw new Error(`Route 53 returned the same page of hosted zone records twice (at ${describeStart(next)})`);
  }
  return next;
}

function describeStart(start: PageStart): string {
  return [start.StartRecordName, start.StartRecordType, start.StartRecordIdentifier].filter(Boolean).join(' ');
}

/**
 * Every record set from the domain's MX sets up to the first record set past them, one page at a time: `listPage`
 * asks Route 53 for the page at a start. `startName` is where the listing starts (the domain, with or without its
 * trailing dot); `domain` is normalized.
 */
export async function listMxRecordSets(
  domain: string,
  listPage: (start: PageStart) => Promise<RecordSetsPage>,
  startName: string = domain,
): Promise<RecordSet[]> {
  const recordSets: RecordSet[] = [];
  let start: PageStart | undefined = firstPageStart(startName);
  while (start !== undefined) {
    const current: PageStart = start;
    const page = await listPage(current);
    recordSets.push(...(page.ResourceRecordSets ?? []));
    start = nextPageStart(page, domain, current);
  }
  return recordSets;
}
