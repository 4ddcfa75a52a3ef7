import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { MtaStsMode, MtaStsPolicySite, MtaStsPolicySiteProps } from '../../src';

function stackIn(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

function site(stack: Stack, id: string, props: Partial<MtaStsPolicySiteProps> = {}): MtaStsPolicySite {
  const hostedZone =
    (stack.node.tryFindChild('Zone') as route53.IHostedZone | undefined) ??
    route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0EXAMPLE', zoneName: 'example.com' });
  return new MtaStsPolicySite(stack, id, {
    hostedZone,
    domainName: 'example.com',
    mode: MtaStsMode.TESTING,
    mx: ['mx1.example.com'],
    ...props,
  });
}

test('serves the policy at https://mta-sts.<domain>/.well-known/mta-sts.txt through a tenant of its own', () => {
  const stack = stackIn();
  const policySite = site(stack, 'Site');
  expect(policySite.hostName).toBe('mta-sts.example.com');
  expect(policySite.policyUrl).toBe('https://mta-sts.example.com/.well-known/mta-sts.txt');
  expect(policySite.policy?.text).toBe('version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmax_age: 604800\r\n');

  const template = Template.fromStack(stack);
  const cnames = template.findResources('AWS::Route53::RecordSet', { Properties: { Type: 'CNAME' } });
  expect(Object.values(cnames).map((r) => [r.Properties.Name, r.Properties.TTL])).toEqual([
    ['mta-sts.example.com.', '300'],
  ]);
  const tenants = template.findResources('AWS::CloudFront::DistributionTenant');
  expect(Object.values(tenants)).toHaveLength(1);
  const [tenant] = Object.values(tenants);
  expect(tenant.Properties.Domains).toEqual(['mta-sts.example.com']);
  expect(tenant.Properties.ManagedCertificateRequest).toEqual({
    PrimaryDomainName: 'mta-sts.example.com',
    ValidationTokenHost: 'cloudfront',
  });
  expect(tenant.Properties.Customizations).toBeUndefined();
  // CloudFront validates the managed certificate through the CNAME: it exists first.
  expect(tenant.DependsOn).toEqual([Object.keys(cnames)[0]]);
});

test('puts your own us-east-1 certificate on the tenant instead of a managed one', () => {
  const stack = stackIn();
  const arn = 'arn:aws:acm:us-east-1:111111111111:certificate/0a1b2c3d';
  site(stack, 'Site', { certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', arn) });
  Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::DistributionTenant', {
    Customizations: { Certificate: { Arn: arn } },
    ManagedCertificateRequest: Match.absent(),
  });
});

test('every site of a stack shares one policy bucket and one distribution', () => {
  const stack = stackIn();
  const first = site(stack, 'First');
  const second = site(stack, 'Second', { domainName: 'mail.example.com' });
  expect(second.bucket).toBe(first.bucket);
  expect(second.distribution).toBe(first.distribution);
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::CloudFront::Distribution', 1);
  template.resourceCountIs('AWS::CloudFront::DistributionTenant', 2);
  expect(second.hostName).toBe('mta-sts.mail.example.com');
});
