import { ListResourceRecordSetsCommand, ResourceRecordSet, Route53Client } from '@aws-sdk/client-route-53';
import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { mtaStsRecords, mxSet, route53Zones, zoneApex } from './route53-zone';
import { DriftMetrics } from '../../src/drift-check/drift-metrics';
import { DriftCheckDomain } from '../../src/drift-check/env';
import { createHandler } from '../../src/drift-check/mx-drift-check.lambda';
import { MtaStsMode } from '../../src/policy/mode';
import { renderPolicyDocument } from '../../src/policy/policy-document';
import { captureOutput, NOW } from '../reporting/handlers/helpers';
import { BUCKET, CREDENTIALS, useS3Server } from '../support/s3-server';

const route53Mock = mockClient(Route53Client);
const route53 = new Route53Client({ region: 'us-east-1', credentials: CREDENTIALS });

const COM_ZONE = 'Z04517231CXU2TZ4X0P4F';
const ORG_ZONE = 'Z0893153VH7Y0NAOB5KB';
const NET_ZONE = 'Z1D633PJN98FT9';
const DELETED_ZONE = 'Z06180723KLV5O1ZPIW3X';

const GOOGLE_MX = ['aspmx.l.google.com', '*.aspmx.l.google.com'];

/** The zones as Route 53 lists them: apex NS and SOA, MX, SPF, the MTA-STS records, other names. */
const ZONES: Record<string, ResourceRecordSet[]> = {
  // Moved to Microsoft 365; the policy still lists Google.
  [COM_ZONE]: [
    ...zoneApex('example.com.'),
    mxSet('example.com.', '0 example-com.mail.protection.outlook.com.'),
    {
      Name: 'example.com.',
      Type: 'TXT',
      TTL: 300,
      ResourceRecords: [{ Value: '"v=spf1 include:spf.protection.outlook.com -all"' }],
    },
    ...mtaStsRecords('example.com.', '57c0b2e9044f1929fd313349db8c6c5d'),
    // A subdomain's own MX (TlsReportIngestion's reporting domain) is not the policy domain's.
    mxSet('tlsrpt.example.com.', '10 inbound-smtp.eu-west-1.amazonaws.com.'),
    {
      Name: 'autodiscover.example.com.',
      Type: 'CNAME',
      TTL: 3600,
      ResourceRecords: [{ Value: 'autodiscover.outlook.com' }],
    },
  ],
  // Google, entered in upper case as Google's setup pages show it.
  [ORG_ZONE]: [
    ...zoneApex('example.org.'),
    mxSet('example.org.', '1 ASPMX.L.GOOGLE.COM.', '5 ALT1.ASPMX.L.GOOGLE.COM.', '5 alt1.aspmx.l.google.com.'),
    ...mtaStsRecords('example.org.', '0d4f2a1b9c8e7d6f5a4b3c2d1e0f9a8b'),
  ],
  // Own MX hosts; the policy file was never uploaded.
  [NET_ZONE]: [...zoneApex('example.net.'), mxSet('example.net.', '10 mx1.example.net.', '20 mx2.example.net.')],
};

const DOMAINS: DriftCheckDomain[] = [
  { domainName: 'example.com', hostedZoneId: COM_ZONE },
  // Its zone was deleted: Route 53 fails, and the next domains are still checked.
  { domainName: 'mail.example.com', hostedZoneId: DELETED_ZONE },
  { domainName: 'example.org', hostedZoneId: ORG_ZONE },
  { domainName: 'example.net', hostedZoneId: NET_ZONE },
];

/** The exact EMF lines: 2024-09-05T08:00:00Z is NOW. A domain without drift writes no line (no custom metric). */
const uncoveredLine = (domain: string, count: number) =>
  count === 0
    ? ''
    : '{"_aws":{"Timestamp":1725523200000,"CloudWatchMetrics":[{"Namespace":"MtaSts","Dimensions":[["PolicyDomain"]],' +
      `"Metrics":[{"Name":"UncoveredMxHosts","Unit":"Count"}]}]},"PolicyDomain":"${domain}","UncoveredMxHosts":${count}}\n`;
/** Once per run, after the domains: how many have an uncovered host. */
const domainsWithUncoveredLine = (count: number) =>
  '{"_aws":{"Timestamp":1725523200000,"CloudWatchMetrics":[{"Namespace":"MtaSts","Dimensions":[["Stack"]],' +
  `"Metrics":[{"Name":"DomainsWithUncoveredMx","Unit":"Count"}]}]},"Stack":"MailSecurity","DomainsWithUncoveredMx":${count}}\n`;
const ERROR_LINE =
  '{"_aws":{"Timestamp":1725523200000,"CloudWatchMetrics":[{"Namespace":"MtaSts","Dimensions":[["Stack"]],' +
  '"Metrics":[{"Name":"DriftCheckErrors","Unit":"Count"}]}]},"Stack":"MailSecurity","DriftCheckErrors":1}\n';

const s3 = useS3Server();
let output: ReturnType<typeof captureOutput>;

function policy(mode: MtaStsMode, mx: string[]): string {
  return renderPolicyDocument({ mode, mx, maxAgeSeconds: 604800 }).text;
}

async function publish(domain: string, text: string): Promise<void> {
  await s3.put(`${domain}/.well-known/mta-sts.txt`, text);
}

function run(domains: DriftCheckDomain[], s3Client: S3Client = s3.client) {
  const handler = createHandler({
    domains,
    route53,
    s3: s3Client,
    bucket: BUCKET,
    metrics: new DriftMetrics({ namespace: 'MtaSts', stackName: 'MailSecurity', now: () => NOW }),
  });
  return handler();
}

/** The ListResourceRecordSets inputs sent, in order. */
function route53Requests(): unknown[] {
  return route53Mock.commandCalls(ListResourceRecordSetsCommand).map((call) => call.args[0].input);
}

afterAll(async () => {
  route53Mock.restore();
});

beforeEach(async () => {
  route53Mock.reset();
  route53Mock.on(ListResourceRecordSetsCommand).callsFake(route53Zones(ZONES));
  output = captureOutput();
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('a run over several domains', () => {
  beforeEach(async () => {
    await publish('example.com', policy(MtaStsMode.ENFORCE, GOOGLE_MX));
    await publish('example.org', policy(MtaStsMode.TESTING, GOOGLE_MX));
    // A file for the failing domain, to show it is not what failed.
    await publish('mail.example.com', policy(MtaStsMode.ENFORCE, ['mx1.example.com']));
  });

  test('a metric line per domain with drift, an error line for the one Route 53 fails on, then the count', async () => {
    await run(DOMAINS);

    // example.org is covered: no line, so no custom metric for it.
    expect(output.rawEmf()).toBe(
      uncoveredLine('example.com', 1) + ERROR_LINE + uncoveredLine('example.net', 2) + domainsWithUncoveredLine(2),
    );
  });

  test('one log line per domain: the uncovered hosts, the published mode and patterns, or why', async () => {
    await run(DOMAINS);

    expect(output.logs()).toEqual([
      {
        policyDomain: 'example.com',
        status: 'uncovered',
        liveMx: ['example-com.mail.protection.outlook.com'],
        uncovered: ['example-com.mail.protection.outlook.com'],
        mode: 'enforce',
        mx: GOOGLE_MX,
      },
      {
        policyDomain: 'mail.example.com',
        status: 'error',
        error: `reading MX from hosted zone ${DELETED_ZONE}: NoSuchHostedZone: No hosted zone found with ID: ${DELETED_ZONE}`,
      },
      {
        policyDomain: 'example.org',
        status: 'covered',
        liveMx: ['alt1.aspmx.l.google.com', 'aspmx.l.google.com'],
        uncovered: [],
        mode: 'testing',
        mx: GOOGLE_MX,
      },
      {
        policyDomain: 'example.net',
        status: 'policy-problem',
        liveMx: ['mx1.example.net', 'mx2.example.net'],
        uncovered: ['mx1.example.net', 'mx2.example.net'],
        mode: null,
        mx: null,
        reason: 'the policy file is missing (S3 NoSuchKey)',
      },
    ]);
  });

  test("asks Route 53 for each domain's MX set only; one page each, as the next set is past it", async () => {
    await run(DOMAINS);

    expect(route53Requests()).toEqual([
      { HostedZoneId: COM_ZONE, StartRecordName: 'example.com.', StartRecordType: 'MX' },
      { HostedZoneId: DELETED_ZONE, StartRecordName: 'mail.example.com.', StartRecordType: 'MX' },
      { HostedZoneId: ORG_ZONE, StartRecordName: 'example.org.', StartRecordType: 'MX' },
      { HostedZoneId: NET_ZONE, StartRecordName: 'example.net.', StartRecordType: 'MX' },
    ]);
  });

  test('a domain name given in upper case or with a trailing dot is checked and reported in its normal form', async () => {
    await run([{ domainName: 'Example.COM.', hostedZoneId: COM_ZONE }]);

    expect(output.rawEmf()).toBe(uncoveredLine('example.com', 1) + domainsWithUncoveredLine(1));
    expect(route53Requests()).toEqual([
      { HostedZoneId: COM_ZONE, StartRecordName: 'example.com.', StartRecordType: 'MX' },
    ]);
  });
});

describe('live MX', () => {
  const WEIGHTED_ZONE = 'Z0WEIGHTED0000000001';
  // Weighted routing: two MX record sets for one name, told apart by their identifiers.
  const weighted = [
    ...zoneApex('example.com.'),
    { ...mxSet('example.com.', '10 mx1.example.com.'), SetIdentifier: 'primary', Weight: 90 },
    { ...mxSet('example.com.', '10 MX2.example.com.', '20 mx3.example.com.'), SetIdentifier: 'secondary', Weight: 10 },
    ...mtaStsRecords('example.com.', '57c0b2e9044f1929fd313349db8c6c5d'),
  ];

  beforeEach(async () => {
    await publish('example.com', policy(MtaStsMode.ENFORCE, ['mx1.example.com', 'mx2.example.com']));
  });

  test('pages through every MX record set of the name, and stops at the first set past them', async () => {
    // Route 53 pages at MaxItems (300 by default); a page of one stands in for a zone bigger than that.
    route53Mock.on(ListResourceRecordSetsCommand).callsFake(route53Zones({ [WEIGHTED_ZONE]: weighted }, 1));

    await run([{ domainName: 'example.com', hostedZoneId: WEIGHTED_ZONE }]);

    expect(route53Requests()).toEqual([
      { HostedZoneId: WEIGHTED_ZONE, StartRecordName: 'example.com.', StartRecordType: 'MX' },
      {
        HostedZoneId: WEIGHTED_ZONE,
        StartRecordName: 'example.com.',
        StartRecordType: 'MX',
        StartRecordIdentifier: 'secondary',
      },
    ]);
    expect(output.logs()).toEqual([
      {
        policyDomain: 'example.com',
        status: 'uncovered',
        liveMx: ['mx1.example.com', 'mx2.example.com', 'mx3.example.com'],
        uncovered: ['mx3.example.com'],
        mode: 'enforce',
        mx: ['mx1.example.com', 'mx2.example.com'],
      },
    ]);
    expect(output.rawEmf()).toBe(uncoveredLine('example.com', 1) + domainsWithUncoveredLine(1));
  });

  test('does not ask for a next page that starts past the MX set', async () => {
    route53Mock.on(ListResourceRecordSetsCommand).callsFake(route53Zones(ZONES, 1));

    await run([{ domainName: 'example.net', hostedZoneId: NET_ZONE }]);

    expect(route53Requests()).toHaveLength(1);
  });

  test('no MX record set: nothing uncovered, and logged', async () => {
    const zone = 'Z0NOMX00000000000001';
    route53Mock.on(ListResourceRecordSetsCommand).callsFake(
      route53Zones({
        [zone]: [
          ...zoneApex('example.com.'),
          ...mtaStsRecords('example.com.', '57c0b2e9'),
          mxSet('tlsrpt.example.com.', '10 inbound-smtp.eu-west-1.amazonaws.com.'),
        ],
      }),
    );

    await run([{ domainName: 'example.com', hostedZoneId: zone }]);

    expect(output.rawEmf()).toBe(uncoveredLine('example.com', 0) + domainsWithUncoveredLine(0));
    expect(output.logs()).toEqual([
      {
        policyDomain: 'example.com',
        status: 'no-mx',
        liveMx: [],
        uncovered: [],
        mode: 'enforce',
        mx: ['mx1.example.com', 'mx2.example.com'],
        reason: 'no MX record set in the zone',
      },
    ]);
  });

  test('a null MX (RFC 7505) names no host', async () => {
    const zone = 'Z0NULLMX000000000001';
    route53Mock
      .on(ListResourceRecordSetsCommand)
      .callsFake(route53Zones({ [zone]: [...zoneApex('example.com.'), mxSet('example.com.', '0 .')] }));

    await run([{ domainName: 'example.com', hostedZoneId: zone }]);

    expect(output.rawEmf()).toBe(uncoveredLine('example.com', 0) + domainsWithUncoveredLine(0));
    expect(output.logs()).toMatchObject([
      { status: 'no-mx', liveMx: [], reason: 'only a null MX (RFC 7505): the domain accepts no mail' },
    ]);
  });

  test('an alias MX record set is an error, not an empty set', async () => {
    const zone = 'Z0ALIASMX00000000001';
    const alias: ResourceRecordSet = {
      Name: 'example.com.',
      Type: 'MX',
      AliasTarget: { HostedZoneId: zone, DNSName: 'mx.example.com.', EvaluateTargetHealth: false },
    };
    route53Mock
      .on(ListResourceRecordSetsCommand)
      .callsFake(route53Zones({ [zone]: [...zoneApex('example.com.'), alias] }));

    await run([{ domainName: 'example.com', hostedZoneId: zone }]);

    expect(output.rawEmf()).toBe(ERROR_LINE + domainsWithUncoveredLine(0));
    expect(output.logs()).toEqual([
      {
        policyDomain: 'example.com',
        status: 'error',
        error: `reading MX from hosted zone ${zone}: Error: the MX record set is an alias to mx.example.com., which this check does not follow`,
      },
    ]);
  });

  test('a page Route 53 returns twice is an error, not an endless loop', async () => {
    const zone = 'Z0LOOPINGPAGES000001';
    route53Mock.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [mxSet('example.com.', '10 mx1.example.com.')],
      IsTruncated: true,
      NextRecordName: 'example.com.',
      NextRecordType: 'MX',
      MaxItems: 1,
    });

    await run([{ domainName: 'example.com', hostedZoneId: zone }]);

    expect(output.rawEmf()).toBe(ERROR_LINE + domainsWithUncoveredLine(0));
    expect(output.logs()).toEqual([
      {
        policyDomain: 'example.com',
        status: 'error',
        error: `reading MX from hosted zone ${zone}: Error: Route 53 returned the same page of hosted zone records twice (at example.com. MX)`,
      },
    ]);
    expect(route53Mock.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
  });

  test('an MX value that is not "<priority> <host>" is an error', async () => {
    const zone = 'Z0BADMX0000000000001';
    route53Mock
      .on(ListResourceRecordSetsCommand)
      .callsFake(route53Zones({ [zone]: [mxSet('example.com.', 'mx1.example.com.')] }));

    await run([{ domainName: 'example.com', hostedZoneId: zone }]);

    expect(output.rawEmf()).toBe(ERROR_LINE + domainsWithUncoveredLine(0));
    expect(output.logs()).toMatchObject([
      { status: 'error', error: expect.stringContaining('unexpected MX record value') },
    ]);
  });
});

describe('the published policy', () => {
  test('a policy file senders may reject counts every live MX host, with the reason logged', async () => {
    // What an error page uploaded in its place would look like.
    await publish('example.org', '<html><body><h1>403 Forbidden</h1></body></html>\n');

    await run([{ domainName: 'example.org', hostedZoneId: ORG_ZONE }]);

    expect(output.rawEmf()).toBe(uncoveredLine('example.org', 2) + domainsWithUncoveredLine(1));
    expect(output.logs()).toEqual([
      {
        policyDomain: 'example.org',
        status: 'policy-problem',
        liveMx: ['alt1.aspmx.l.google.com', 'aspmx.l.google.com'],
        uncovered: ['alt1.aspmx.l.google.com', 'aspmx.l.google.com'],
        mode: null,
        mx: null,
        reason:
          'the policy file line 1 is not a "key: value" field: "<html><body><h1>403 Forbidden</h1></body></html>"',
      },
    ]);
  });

  test('a policy in mode none is still compared: senders may hold an earlier enforce policy', async () => {
    await publish('example.com', policy(MtaStsMode.NONE, GOOGLE_MX));

    await run([{ domainName: 'example.com', hostedZoneId: COM_ZONE }]);

    expect(output.rawEmf()).toBe(uncoveredLine('example.com', 1) + domainsWithUncoveredLine(1));
    expect(output.logs()).toMatchObject([{ status: 'uncovered', mode: 'none' }]);
  });

  describe('S3 errors', () => {
    const METADATA = { requestId: 'J2YKDC3V7NXM1R8Q', extendedRequestId: 'x4Zs0uN5l0f3cY3A8t7Qk5e2Zy1bQ+8=' };
    const s3Client = new S3Client({ region: 'eu-west-1', credentials: CREDENTIALS });
    const s3Mock = mockClient(s3Client);

    afterAll(() => s3Mock.restore());
    beforeEach(() => s3Mock.reset());

    test('AccessDenied (a missing key without s3:ListBucket) counts as a missing policy', async () => {
      s3Mock.on(GetObjectCommand).rejects(
        new S3ServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          message: 'Access Denied',
          $metadata: { ...METADATA, httpStatusCode: 403 },
        }),
      );

      await run([{ domainName: 'example.net', hostedZoneId: NET_ZONE }], s3Client);

      expect(s3Mock.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toEqual([
        { Bucket: BUCKET, Key: 'example.net/.well-known/mta-sts.txt' },
      ]);
      expect(output.rawEmf()).toBe(uncoveredLine('example.net', 2) + domainsWithUncoveredLine(1));
      expect(output.logs()).toMatchObject([
        { status: 'policy-problem', reason: 'the policy file is missing or unreadable (S3 AccessDenied)' },
      ]);
    });

    test('any other S3 failure is an error for that domain only', async () => {
      s3Mock
        .on(GetObjectCommand, { Key: 'example.net/.well-known/mta-sts.txt' })
        .rejects(
          new S3ServiceException({
            name: 'InternalError',
            $fault: 'server',
            message: 'We encountered an internal error. Please try again.',
            $metadata: { ...METADATA, httpStatusCode: 500 },
          }),
        )
        .on(GetObjectCommand, { Key: 'example.com/.well-known/mta-sts.txt' })
        .rejects(
          new S3ServiceException({
            name: 'NoSuchKey',
            $fault: 'client',
            message: 'The specified key does not exist.',
            $metadata: { ...METADATA, httpStatusCode: 404 },
          }),
        );

      await run(
        [
          { domainName: 'example.net', hostedZoneId: NET_ZONE },
          { domainName: 'example.com', hostedZoneId: COM_ZONE },
        ],
        s3Client,
      );

      expect(output.rawEmf()).toBe(ERROR_LINE + uncoveredLine('example.com', 1) + domainsWithUncoveredLine(1));
      expect(output.logs()).toEqual([
        {
          policyDomain: 'example.net',
          status: 'error',
          error: 'reading the policy file: InternalError: We encountered an internal error. Please try again.',
        },
        expect.objectContaining({ policyDomain: 'example.com', status: 'policy-problem' }),
      ]);
    });
  });
});
