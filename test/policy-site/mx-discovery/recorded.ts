/**
 * Responses of the real Route 53 and CloudFront APIs, as XML on the wire and as the SDK hands them to the handler
 * (without `$metadata`). `wire-shapes.test.ts` checks that the SDK really turns each XML body into its object, so
 * the handler tests, which mock the clients with the objects, see what production sees.
 */
import type { GetManagedCertificateDetailsCommandOutput, ManagedCertificateStatus } from '@aws-sdk/client-cloudfront';
import type { ListResourceRecordSetsCommandOutput, ResourceRecordSet } from '@aws-sdk/client-route-53';

export const ZONE_ID = 'Z0EXAMPLE0000000000';

export type RecordSetsPage = Omit<ListResourceRecordSetsCommandOutput, '$metadata'>;

export interface Recorded<T> {
  /** The response body the API sends. */
  readonly xml: string;
  /** What the SDK parses it into. */
  readonly parsed: T;
}

const ROUTE53_NS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const CLOUDFRONT_NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';

// Record sets a zone typically holds next to the apex MX, in Route 53's order (name with labels reversed, then type).
const APEX_NS: ResourceRecordSet = {
  Name: 'example.com.',
  Type: 'NS',
  TTL: 172800,
  ResourceRecords: [
    { Value: 'ns-1536.awsdns-00.co.uk.' },
    { Value: 'ns-0.awsdns-00.com.' },
    { Value: 'ns-1024.awsdns-00.org.' },
    { Value: 'ns-512.awsdns-00.net.' },
  ],
};
const APEX_SOA: ResourceRecordSet = {
  Name: 'example.com.',
  Type: 'SOA',
  TTL: 900,
  ResourceRecords: [{ Value: 'ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400' }],
};
const APEX_TXT: ResourceRecordSet = {
  Name: 'example.com.',
  Type: 'TXT',
  TTL: 300,
  ResourceRecords: [{ Value: '"v=spf1 mx -all"' }],
};
const MTA_STS_TXT: ResourceRecordSet = {
  Name: '_mta-sts.example.com.',
  Type: 'TXT',
  TTL: 300,
  ResourceRecords: [{ Value: '"v=STSv1; id=57c0b2e9044f1929fd313349db8c6c5d"' }],
};
// A subdomain's MX: listed after the apex, and never part of the apex policy.
const SUBDOMAIN_MX: ResourceRecordSet = {
  Name: 'lists.example.com.',
  Type: 'MX',
  TTL: 300,
  ResourceRecords: [{ Value: '10 lists-mx.example.net.' }],
};
const MTA_STS_ALIAS: ResourceRecordSet = {
  Name: 'mta-sts.example.com.',
  Type: 'A',
  AliasTarget: {
    HostedZoneId: 'Z2FDTNDATAQYW2',
    DNSName: 'd111111abcdef8.cloudfront.net.',
    EvaluateTargetHealth: false,
  },
};

export function mxSet(values: string[], name = 'example.com.'): ResourceRecordSet {
  return { Name: name, Type: 'MX', TTL: 3600, ResourceRecords: values.map((Value) => ({ Value })) };
}

/** A weighted MX set: one of several with the same name and type, told apart by `SetIdentifier`. */
export function weightedMxSet(setIdentifier: string, values: string[]): ResourceRecordSet {
  return { ...mxSet(values), SetIdentifier: setIdentifier, Weight: 50 };
}

/** Whatever follows the apex MX in the zone. */
export const AFTER_APEX_MX: ResourceRecordSet[] = [
  APEX_NS,
  APEX_SOA,
  APEX_TXT,
  MTA_STS_TXT,
  SUBDOMAIN_MX,
  MTA_STS_ALIAS,
];

/** A complete, untruncated page starting at the apex MX. */
export function page(recordSets: ResourceRecordSet[]): RecordSetsPage {
  return { ResourceRecordSets: recordSets, IsTruncated: false, MaxItems: 10 };
}

/** A truncated page and where Route 53 says the next one starts. */
export function truncatedPage(
  recordSets: ResourceRecordSet[],
  next: { name: string; type: string; identifier?: string },
): RecordSetsPage {
  return {
    ResourceRecordSets: recordSets,
    IsTruncated: true,
    NextRecordName: next.name,
    NextRecordType: next.type as RecordSetsPage['NextRecordType'],
    ...(next.identifier !== undefined && { NextRecordIdentifier: next.identifier }),
    MaxItems: 10,
  };
}

/** Two MX hosts in upper and lower case, the higher preference first, followed by the rest of the zone. */
export const APEX_MX_PAGE: Recorded<RecordSetsPage> = {
  xml:
    `<?xml version="1.0"?>\n<ListResourceRecordSetsResponse xmlns="${ROUTE53_NS}"><ResourceRecordSets>` +
    '<ResourceRecordSet><Name>example.com.</Name><Type>MX</Type><TTL>3600</TTL><ResourceRecords>' +
    '<ResourceRecord><Value>20 MX2.Example.COM.</Value></ResourceRecord>' +
    '<ResourceRecord><Value>10 mx1.example.com.</Value></ResourceRecord>' +
    '</ResourceRecords></ResourceRecordSet>' +
    '<ResourceRecordSet><Name>example.com.</Name><Type>NS</Type><TTL>172800</TTL><ResourceRecords>' +
    '<ResourceRecord><Value>ns-1536.awsdns-00.co.uk.</Value></ResourceRecord>' +
    '<ResourceRecord><Value>ns-0.awsdns-00.com.</Value></ResourceRecord>' +
    '<ResourceRecord><Value>ns-1024.awsdns-00.org.</Value></ResourceRecord>' +
    '<ResourceRecord><Value>ns-512.awsdns-00.net.</Value></ResourceRecord>' +
    '</ResourceRecords></ResourceRecordSet>' +
    '<ResourceRecordSet><Name>example.com.</Name><Type>SOA</Type><TTL>900</TTL><ResourceRecords>' +
    '<ResourceRecord><Value>ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400</Value></ResourceRecord>' +
    '</ResourceRecords></ResourceRecordSet>' +
    '<ResourceRecordSet><Name>example.com.</Name><Type>TXT</Type><TTL>300</TTL><ResourceRecords>' +
    '<ResourceRecord><Value>"v=spf1 mx -all"</Value></ResourceRecord>' +
    '</ResourceRecords></ResourceRecordSet>' +
    '<ResourceRecordSet><Name>_mta-sts.example.com.</Name><Type>TXT</Type><TTL>300</TTL><ResourceRecords>' +
    '<ResourceRecord><Value>"v=STSv1; id=57c0b2e9044f1929fd313349db8c6c5d"</Value></ResourceRecord>' +
    '</ResourceRecords></ResourceRecordSet>' +
    '<ResourceRecordSet><Name>lists.example.com.</Name><Type>MX</Type><TTL>300</TTL><ResourceRecords>' +
    '<ResourceRecord><Value>10 lists-mx.example.net.</Value></ResourceRecord>' +
    '</ResourceRecords></ResourceRecordSet>' +
    '<ResourceRecordSet><Name>mta-sts.example.com.</Name><Type>A</Type><AliasTarget>' +
    '<HostedZoneId>Z2FDTNDATAQYW2</HostedZoneId><DNSName>d111111abcdef8.cloudfront.net.</DNSName>' +
    '<EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget></ResourceRecordSet>' +
    '</ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>10</MaxItems></ListResourceRecordSetsResponse>',
  parsed: page([mxSet(['20 MX2.Example.COM.', '10 mx1.example.com.']), ...AFTER_APEX_MX]),
};

/** The first of two pages of weighted MX sets: the next page starts at the next set of the same name and type. */
export const WEIGHTED_MX_FIRST_PAGE: Recorded<RecordSetsPage> = {
  xml:
    `<?xml version="1.0"?>\n<ListResourceRecordSetsResponse xmlns="${ROUTE53_NS}"><ResourceRecordSets>` +
    '<ResourceRecordSet><Name>example.com.</Name><Type>MX</Type><SetIdentifier>eu</SetIdentifier><Weight>50</Weight>' +
    '<TTL>3600</TTL><ResourceRecords><ResourceRecord><Value>10 mx-eu.example.com.</Value></ResourceRecord>' +
    '</ResourceRecords></ResourceRecordSet>' +
    '</ResourceRecordSets><IsTruncated>true</IsTruncated><NextRecordName>example.com.</NextRecordName>' +
    '<NextRecordType>MX</NextRecordType><NextRecordIdentifier>us</NextRecordIdentifier><MaxItems>10</MaxItems>' +
    '</ListResourceRecordSetsResponse>',
  parsed: truncatedPage([weightedMxSet('eu', ['10 mx-eu.example.com.'])], {
    name: 'example.com.',
    type: 'MX',
    identifier: 'us',
  }),
};

/** A page cut off right after the apex MX: the next record set is the apex NS, past the MX sets. */
export const CUT_AFTER_MX_PAGE: Recorded<RecordSetsPage> = {
  xml:
    `<?xml version="1.0"?>\n<ListResourceRecordSetsResponse xmlns="${ROUTE53_NS}"><ResourceRecordSets>` +
    '<ResourceRecordSet><Name>example.com.</Name><Type>MX</Type><TTL>3600</TTL><ResourceRecords>' +
    '<ResourceRecord><Value>10 mx1.example.com.</Value></ResourceRecord>' +
    '</ResourceRecords></ResourceRecordSet>' +
    '</ResourceRecordSets><IsTruncated>true</IsTruncated><NextRecordName>example.com.</NextRecordName>' +
    '<NextRecordType>NS</NextRecordType><MaxItems>10</MaxItems></ListResourceRecordSetsResponse>',
  parsed: truncatedPage([mxSet(['10 mx1.example.com.'])], { name: 'example.com.', type: 'NS' }),
};

export const TENANT_ID = 'dt_2abcEXAMPLE0123456789';
const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';

function managedCertificateXml(status: ManagedCertificateStatus): string {
  return (
    `<?xml version="1.0"?>\n<ManagedCertificateDetails xmlns="${CLOUDFRONT_NS}">` +
    `<CertificateArn>${CERTIFICATE_ARN}</CertificateArn><CertificateStatus>${status}</CertificateStatus>` +
    '<ValidationTokenHost>cloudfront</ValidationTokenHost>' +
    '</ManagedCertificateDetails>'
  );
}

function managedCertificate(
  status: ManagedCertificateStatus,
): Omit<GetManagedCertificateDetailsCommandOutput, '$metadata'> {
  return {
    ManagedCertificateDetails: {
      CertificateArn: CERTIFICATE_ARN,
      CertificateStatus: status,
      ValidationTokenHost: 'cloudfront' as const,
    },
  };
}

/**
 * GetManagedCertificateDetails, shaped as the CloudFront API reference documents it (not recorded from the live API;
 * the token details, which the verifier does not read, are left out).
 */
export const CERTIFICATE_PENDING: Recorded<Omit<GetManagedCertificateDetailsCommandOutput, '$metadata'>> = {
  xml: managedCertificateXml('pending-validation'),
  parsed: managedCertificate('pending-validation'),
};

export const CERTIFICATE_ISSUED: Recorded<Omit<GetManagedCertificateDetailsCommandOutput, '$metadata'>> = {
  xml: managedCertificateXml('issued'),
  parsed: managedCertificate('issued'),
};
