import {
  ListResourceRecordSetsCommandInput,
  ListResourceRecordSetsCommandOutput,
  NoSuchHostedZone,
  ResourceRecordSet,
} from '@aws-sdk/client-route-53';

/**
 * The response metadata the SDK attaches, as recorded from a real ListResourceRecordSets call.
 */
const METADATA = {
  httpStatusCode: 200,
  requestId: '6b5c7f0e-3f2a-4c53-9d3e-2b1f8a4c9e10',
  attempts: 1,
  totalRetryDelay: 0,
};

/** Route 53's listing order: name with its labels reversed, then type, then set identifier. */
function compareRecordSets(a: RecordSetKey, b: RecordSetKey): number {
  const labels = (name: string) => name.toLowerCase().replace(/\.$/, '').split('.').reverse();
  const [left, right] = [labels(a.Name), labels(b.Name)];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return left[i] < right[i] ? -1 : 1;
  }
  if (left.length !== right.length) return left.length - right.length;
  if (a.Type !== b.Type) return a.Type < b.Type ? -1 : 1;
  return (a.SetIdentifier ?? '').localeCompare(b.SetIdentifier ?? '');
}

interface RecordSetKey {
  readonly Name: string;
  readonly Type: string;
  readonly SetIdentifier?: string;
}

/**
 * ListResourceRecordSets over the given zones, as Route 53 answers it: the record sets from the start name, type
 * and identifier on, at most `MaxItems` (300 unless asked) or `pageSize` of them, and where the next page starts.
 * An unknown zone id fails with NoSuchHostedZone, as Route 53 does.
 */
export function route53Zones(zones: Record<string, ResourceRecordSet[]>, pageSize?: number) {
  return (input: ListResourceRecordSetsCommandInput): ListResourceRecordSetsCommandOutput => {
    const zone = zones[input.HostedZoneId!];
    if (!zone) {
      throw new NoSuchHostedZone({
        message: `No hosted zone found with ID: ${input.HostedZoneId}`,
        $metadata: { ...METADATA, httpStatusCode: 404 },
      });
    }
    const sorted = [...zone].sort((a, b) => compareRecordSets(a as RecordSetKey, b as RecordSetKey));
    const start: RecordSetKey = {
      Name: input.StartRecordName ?? '',
      Type: input.StartRecordType ?? '',
      SetIdentifier: input.StartRecordIdentifier,
    };
    const from = input.StartRecordName
      ? sorted.filter((set) => compareRecordSets(set as RecordSetKey, start) >= 0)
      : sorted;
    const maxItems = pageSize ?? input.MaxItems ?? 300;
    const page = from.slice(0, maxItems);
    const next = from[maxItems];
    return {
      $metadata: METADATA,
      ResourceRecordSets: page,
      IsTruncated: next !== undefined,
      ...(next && {
        NextRecordName: next.Name,
        NextRecordType: next.Type,
        ...(next.SetIdentifier && { NextRecordIdentifier: next.SetIdentifier }),
      }),
      MaxItems: maxItems,
    };
  };
}

const NS = ['ns-1536.awsdns-00.co.uk.', 'ns-0.awsdns-00.com.', 'ns-1024.awsdns-00.org.', 'ns-512.awsdns-00.net.'];

/** The NS and SOA sets Route 53 creates with every zone. */
export function zoneApex(name: string): ResourceRecordSet[] {
  return [
    { Name: name, Type: 'NS', TTL: 172800, ResourceRecords: NS.map((Value) => ({ Value })) },
    {
      Name: name,
      Type: 'SOA',
      TTL: 900,
      ResourceRecords: [{ Value: `${NS[0]} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400` }],
    },
  ];
}

/** An MX record set as Route 53 returns it. */
export function mxSet(name: string, ...values: string[]): ResourceRecordSet {
  return { Name: name, Type: 'MX', TTL: 3600, ResourceRecords: values.map((Value) => ({ Value })) };
}

/** What a published MTA-STS domain also has: its TXT records and the policy host's CloudFront alias. */
export function mtaStsRecords(name: string, id: string): ResourceRecordSet[] {
  return [
    { Name: `_mta-sts.${name}`, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: `"v=STSv1; id=${id}"` }] },
    {
      Name: `mta-sts.${name}`,
      Type: 'A',
      AliasTarget: {
        HostedZoneId: 'Z2FDTNDATAQYW2',
        DNSName: 'd111111abcdef8.cloudfront.net.',
        EvaluateTargetHealth: false,
      },
    },
  ];
}
