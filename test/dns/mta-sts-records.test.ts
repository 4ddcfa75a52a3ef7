import { App, Duration, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { MtaStsRecords } from '../../src';

function records(props: Partial<ConstructorParameters<typeof MtaStsRecords>[2]> = {}) {
  const stack = new Stack(new App(), 'Stack');
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
    hostedZoneId: 'Z0EXAMPLE',
    zoneName: 'example.com',
  });
  const construct = new MtaStsRecords(stack, 'Records', {
    hostedZone,
    domainName: 'example.com',
    policyId: '57c0b2e9044f1929fd313349db8c6c5d',
    ...props,
  });
  const groups = Object.values(Template.fromStack(stack).findResources('AWS::Route53::RecordSetGroup'));
  expect(groups).toHaveLength(1);
  return { stack, construct, group: groups[0].Properties };
}

test('without report destinations: one record set group holding only _mta-sts', () => {
  const { construct, group } = records();
  expect(group).toEqual({
    HostedZoneId: 'Z0EXAMPLE',
    Comment: 'MTA-STS policy id (RFC 8461) and TLS reporting destinations (RFC 8460)',
    RecordSets: [
      {
        Name: '_mta-sts.example.com.',
        Type: 'TXT',
        TTL: '300',
        ResourceRecords: ['"v=STSv1; id=57c0b2e9044f1929fd313349db8c6c5d"'],
      },
    ],
  });
  expect(construct.stsRecordValue).toBe('v=STSv1; id=57c0b2e9044f1929fd313349db8c6c5d');
  expect(construct.tlsRptRecordValue).toBeUndefined();
});

test('with report destinations, normalized, and a TTL of one hour', () => {
  const { construct, group } = records({
    reportUris: ['mailto:TLSRPT@Example.com', 'https://reports.example.net/tlsrpt'],
    ttl: Duration.hours(1),
  });
  expect(group.RecordSets[1]).toEqual({
    Name: '_smtp._tls.example.com.',
    Type: 'TXT',
    TTL: '3600',
    ResourceRecords: [`"${construct.tlsRptRecordValue}"`],
  });
  expect(construct.tlsRptRecordValue).toMatch(/^v=TLSRPTv1; rua=mailto:/);
  expect(construct.tlsRptRecordValue).toContain(',https://reports.example.net/tlsrpt');
  expect(group.RecordSets[0].TTL).toBe('3600');
});

test('a deploy-time policy id is quoted around the token', () => {
  const { stack, group } = records({ policyId: Token.asString({ 'Fn::GetAtt': ['Publisher', 'ZonePolicyId'] }) });
  expect(stack.resolve(group.RecordSets[0].ResourceRecords)).toEqual([
    { 'Fn::Join': ['', ['"v=STSv1; id=', { 'Fn::GetAtt': ['Publisher', 'ZonePolicyId'] }, '"']] },
  ]);
});

test.each([Duration.seconds(0), Duration.days(2), Duration.millis(1500)])('refuses ttl %s', (ttl) => {
  expect(() => records({ ttl })).toThrow(
    /\n {2}\[Stack\/Records\] Invalid ttl .*: must be whole seconds from 1 to 86400$/m,
  );
});
