import { ListResourceRecordSetsCommand, ResourceRecordSet, Route53Client } from '@aws-sdk/client-route-53';
import { HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { MtaStsMode } from '../../../src/policy/mode';
import { renderPolicyDocument } from '../../../src/policy/policy-document';
import {
  publishPolicies,
  PublishResult,
  VERIFY_DEADLINE_MS,
  zonePolicyId,
} from '../../../src/policy-site/publisher/publish-policies';
import { parsePublisherProperties, sha256 } from '../../../src/policy-site/publisher/publisher-properties';
import { mxSet, route53Zones, zoneApex } from '../../drift-check/route53-zone';
import { BUCKET, CREDENTIALS, useS3Server } from '../../support/s3-server';

const route53Mock = mockClient(Route53Client);
const route53 = new Route53Client({ region: 'us-east-1', credentials: CREDENTIALS });
const NOW = Date.parse('2026-11-26T10:00:00Z');
const ZONE = 'Z04517231CXU2TZ4X0P4F';
const ENDPOINT = 'd1234abcd.cloudfront.net';

const STATIC_TEXT = renderPolicyDocument({
  mode: MtaStsMode.TESTING,
  mx: ['mx1.example.com'],
  maxAgeSeconds: 604800,
}).text;
const ZONE_TEXT = renderPolicyDocument({
  mode: MtaStsMode.ENFORCE,
  mx: ['alt1.aspmx.l.google.com', 'aspmx.l.google.com'],
  maxAgeSeconds: 1209600,
}).text;

let zone: ResourceRecordSet[];
const s3 = useS3Server();
let logs: string[];

const STATIC_ENTRY = { Domain: 'example.com', TenantId: 'dt_com', ManagedCertificate: 'true', Text: STATIC_TEXT };
const ZONE_ENTRY = {
  Domain: 'example.org',
  TenantId: 'dt_org',
  ManagedCertificate: 'true',
  HostedZoneId: ZONE,
  Mode: 'enforce',
  MaxAgeSeconds: '1209600',
};
const CONFIG = { Bucket: BUCKET, Key: '_cdk-mta-sts/mx-drift-check.json', Body: '{"domains":[]}' };

function properties(policies: object[] = [STATIC_ENTRY, ZONE_ENTRY], configs: object[] = [CONFIG]) {
  return {
    ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:framework-onEvent',
    PolicyBucket: BUCKET,
    RoutingEndpoint: ENDPOINT,
    Policies: policies,
    Configs: configs,
  };
}

function publish(event: Parameters<typeof publishPolicies>[0]): Promise<PublishResult> {
  return publishPolicies(event, { s3: s3.client, route53, now: () => NOW, log: (line) => logs.push(line) });
}

const create = (props = properties()) => publish({ RequestType: 'Create', ResourceProperties: props });
const update = (props: object, old: object) =>
  publish({
    RequestType: 'Update',
    PhysicalResourceId: 'mta-sts-policies',
    ResourceProperties: props as Record<string, unknown>,
    OldResourceProperties: old as Record<string, unknown>,
  });

afterAll(async () => {
  route53Mock.restore();
});

beforeEach(async () => {
  logs = [];
  zone = [...zoneApex('example.org.'), mxSet('example.org.', '1 ASPMX.L.GOOGLE.COM.', '5 alt1.aspmx.l.google.com.')];
  route53Mock.reset();
  route53Mock.on(ListResourceRecordSetsCommand).callsFake((input) => route53Zones({ [ZONE]: zone })(input));
});

describe('Create', () => {
  test('writes every policy file, static and zone-read alike, as text/plain with a 300-second cache', async () => {
    await create();
    for (const [key, text] of [
      ['example.com/.well-known/mta-sts.txt', STATIC_TEXT],
      ['example.org/.well-known/mta-sts.txt', ZONE_TEXT],
    ]) {
      const stored = await s3.get(key);
      expect(stored.body).toBe(text);
      expect(stored.contentType).toBe('text/plain');
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(head.CacheControl).toBe('max-age=300');
    }
    expect((await s3.get('_cdk-mta-sts/mx-drift-check.json')).body).toBe('{"domains":[]}');
    expect(await s3.keys()).toEqual([
      '_cdk-mta-sts/mx-drift-check.json',
      'example.com/.well-known/mta-sts.txt',
      'example.org/.well-known/mta-sts.txt',
    ]);
  });

  test('answers one attribute, the zone policies id; the rest (for isComplete) lists every domain to verify', async () => {
    const result = await create();
    expect(result).toEqual({
      PhysicalResourceId: 'mta-sts-policies',
      Data: { ZonePolicyId: zonePolicyId([['example.org', ZONE_TEXT]]) },
      Verify: [
        { Domain: 'example.com', TenantId: 'dt_com', ManagedCertificate: true, Sha256: sha256(STATIC_TEXT) },
        { Domain: 'example.org', TenantId: 'dt_org', ManagedCertificate: true, Sha256: sha256(ZONE_TEXT) },
      ],
      Deadline: NOW + VERIFY_DEADLINE_MS,
      NotBefore: NOW + 300_000,
      RoutingEndpoint: ENDPOINT,
    });
    expect(result.Data!.ZonePolicyId).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(logs[0])).toEqual({
      requestType: 'Create',
      uploaded: ['example.com', 'example.org'],
      unchanged: 0,
      configsWritten: [`s3://${BUCKET}/_cdk-mta-sts/mx-drift-check.json`],
      verify: ['example.com', 'example.org'],
    });
  });

  test('the reply stays under 4 KB by construction: one attribute whatever the domain count', async () => {
    const policies = Array.from({ length: 120 }, (_, i) => ({ ...ZONE_ENTRY, Domain: `d${i}.example.org` }));
    zone = [...zoneApex('example.org.'), ...policies.map((p) => mxSet(`${p.Domain}.`, '10 mx.example.org.'))];
    const result = await create(properties(policies, []));
    expect(Object.keys(result.Data!)).toEqual(['ZonePolicyId']);
    // What reaches CloudFormation: the same 100 characters for 1 domain or 1,000.
    expect(JSON.stringify({ PhysicalResourceId: result.PhysicalResourceId, Data: result.Data })).toHaveLength(100);
    expect(result.Verify).toHaveLength(120);
  });

  test('a zone without MX records fails, saying so', async () => {
    zone = zoneApex('example.org.');
    await expect(create()).rejects.toThrow(
      `No MX records for example.org in hosted zone ${ZONE}: add them, or set \`mx\` on MtaSts`,
    );
  });
});

describe('Update: idempotent, uploads only what changed', () => {
  test('the same properties again: nothing uploaded, nothing to verify', async () => {
    await create();
    logs = [];
    const result = await update(properties(), properties());
    expect(result.Verify).toEqual([]);
    expect(result.NotBefore).toBeUndefined();
    expect(JSON.parse(logs[0])).toMatchObject({ uploaded: [], unchanged: 2, configsWritten: [], verify: [] });
  });

  test('one changed static policy: only it is uploaded and verified; the zone id stays', async () => {
    const first = await create();
    const changed = { ...STATIC_ENTRY, Text: STATIC_TEXT.replace('testing', 'enforce') };
    const result = await update(properties([changed, ZONE_ENTRY]), properties());
    expect(result.Verify!.map((v) => v.Domain)).toEqual(['example.com']);
    // Other CloudFront edges may serve the old bytes for up to the 300-second cache time after the write.
    expect(result.NotBefore).toBe(NOW + 300_000);
    expect(result.Data).toEqual(first.Data);
    expect((await s3.get('example.com/.well-known/mta-sts.txt')).body).toBe(changed.Text);
  });

  test('MX records changed in the zone (a refresh token run): the zone id changes, that domain is verified', async () => {
    const first = await create();
    zone = [...zoneApex('example.org.'), mxSet('example.org.', '10 mx.example.net.')];
    const refreshed = { ...ZONE_ENTRY, RefreshToken: '2026-11-27' };
    const result = await update(properties([STATIC_ENTRY, refreshed]), properties());
    expect(result.Data!.ZonePolicyId).not.toBe(first.Data!.ZonePolicyId);
    expect(result.Verify!.map((v) => v.Domain)).toEqual(['example.org']);
    expect((await s3.get('example.org/.well-known/mta-sts.txt')).body).toContain('mx: mx.example.net\r\n');
  });

  test('same bytes but a new tenant or certificate: not uploaded, but verified', async () => {
    await create();
    logs = [];
    const ownCertificate = { ...STATIC_ENTRY, TenantId: 'dt_com2', ManagedCertificate: 'false' };
    const result = await update(properties([ownCertificate, ZONE_ENTRY]), properties());
    expect(JSON.parse(logs[0]).uploaded).toEqual([]);
    // The bytes are the same: no edge can serve older ones, so no cache wait.
    expect(result.NotBefore).toBeUndefined();
    expect(result.Verify).toEqual([
      { Domain: 'example.com', TenantId: 'dt_com2', ManagedCertificate: false, Sha256: sha256(STATIC_TEXT) },
    ]);
  });

  test('a file changed behind our back is written again', async () => {
    await create();
    await s3.put('example.com/.well-known/mta-sts.txt', 'tampered');
    const result = await update(properties(), properties());
    expect(result.Verify!.map((v) => v.Domain)).toEqual(['example.com']);
    expect((await s3.get('example.com/.well-known/mta-sts.txt')).body).toBe(STATIC_TEXT);
  });
});

test('a 403 on HEAD (no s3:ListBucket on the report bucket) counts as missing: the object is written', async () => {
  const s3Mock = mockClient(S3Client);
  try {
    s3Mock
      .on(HeadObjectCommand)
      .rejects(new S3ServiceException({ name: 'Forbidden', $fault: 'client', $metadata: { httpStatusCode: 403 } }));
    s3Mock.on(PutObjectCommand).resolves({});
    const client = new S3Client({ region: 'eu-west-1', credentials: CREDENTIALS });
    await publishPolicies(
      { RequestType: 'Create', ResourceProperties: properties([], [CONFIG]) },
      { s3: client, route53, now: () => NOW, log: () => undefined },
    );
    expect(s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key)).toEqual([CONFIG.Key]);
  } finally {
    s3Mock.restore();
  }
});

test('Delete leaves every file: senders may still cache the policies', async () => {
  await create();
  const result = await publish({
    RequestType: 'Delete',
    PhysicalResourceId: 'mta-sts-policies',
    ResourceProperties: properties(),
  });
  expect(result).toEqual({ PhysicalResourceId: 'mta-sts-policies' });
  expect(await s3.keys()).toHaveLength(3);
});

describe('parsePublisherProperties', () => {
  test.each([
    [{ Policies: [STATIC_ENTRY, STATIC_ENTRY] }, 'Invalid Policies: example.com appears twice'],
    [
      { Policies: [{ ...STATIC_ENTRY, Domain: 'Example.com' }] },
      'Invalid Policies[0].Domain "Example.com": must be normalized',
    ],
    [
      { Policies: [STATIC_ENTRY], PolicyBucket: undefined },
      'Invalid properties: Policies need PolicyBucket and RoutingEndpoint',
    ],
    [
      { Policies: [{ ...ZONE_ENTRY, MaxAgeSeconds: '1e6' }] },
      'Invalid Policies[0].MaxAgeSeconds "1e6": must be a whole number of seconds',
    ],
    [{ Policies: [{ ...ZONE_ENTRY, Mode: 'strict' }] }, 'Policies[0].Mode'],
    [{ Configs: 'nope' }, 'Invalid Configs: must be a list of at most 10 objects'],
  ])('rejects %j', (override, message) => {
    expect(() => parsePublisherProperties({ ...properties(), ...override })).toThrow(message);
  });
});
