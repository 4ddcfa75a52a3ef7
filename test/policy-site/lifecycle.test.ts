import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { MtaSts, MtaStsMode, TlsReportIngestion } from '../../src';

// Three versions of one app, as a user would deploy them in turn: v1 with three domains; v2 removes one,
// renames one and switches one to its own certificate; v3 adds 50. Each must be a plain single-stack update.

const CERT_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/11111111-2222-3333-4444-555555555555';

interface DomainSpec {
  readonly id: string;
  readonly domain: string;
  readonly ownCertificate?: boolean;
}

const V1: DomainSpec[] = [
  { id: 'Alpha', domain: 'alpha.example' },
  { id: 'Beta', domain: 'beta.example' },
  { id: 'Gamma', domain: 'gamma.example' },
];
const V2: DomainSpec[] = [
  { id: 'Alpha', domain: 'alpha.example', ownCertificate: true },
  // Renamed: the construct id stays, the domain changes.
  { id: 'Beta', domain: 'beta-renamed.example' },
];
const V3: DomainSpec[] = [
  ...V2,
  ...Array.from({ length: 50 }, (_, i) => ({ id: `Customer${i}`, domain: `customer-${i}.example.net` })),
];

type Template = { Resources: Record<string, { Type: string; Properties?: any; DependsOn?: string[] }>; Outputs?: any };

function synth(
  domains: DomainSpec[],
  region = 'eu-west-1',
  stackName = 'MailSecurity',
): { app: App; template: Template } {
  const app = new App();
  const stack = new Stack(app, stackName, { env: { account: '111111111111', region } });
  const zone = (name: string) =>
    route53.HostedZone.fromHostedZoneAttributes(stack, `Zone-${name}`, {
      hostedZoneId: `Z${name.length}EXAMPLE`,
      zoneName: name,
    });
  const reporting = new TlsReportIngestion(stack, 'TlsReports', { hostedZone: zone('example.com'), https: true });
  for (const spec of domains) {
    new MtaSts(stack, spec.id, {
      hostedZone: zone(spec.domain),
      mode: MtaStsMode.TESTING,
      mx: [`mx.${spec.domain}`],
      reporting,
      certificate: spec.ownCertificate
        ? acm.Certificate.fromCertificateArn(stack, `${spec.id}Cert`, CERT_ARN)
        : undefined,
    });
  }
  const assembly = app.synth();
  return { app, template: assembly.getStackByName(stack.stackName).template };
}

function ofType(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

function tenants(template: Template): Record<string, string> {
  return Object.fromEntries(
    ofType(template, 'AWS::CloudFront::DistributionTenant').map(([id, r]) => [id, r.Properties.Domains[0]]),
  );
}

const versions = { v1: synth(V1), v2: synth(V2), v3: synth(V3) };

describe.each(Object.entries(versions))('%s', (_name, { app, template }) => {
  test('one stack per user stack, and no cross-stack or cross-region reference of any kind', () => {
    expect(app.synth().stacks.map((s) => s.stackName)).toEqual(['MailSecurity']);
    const json = JSON.stringify(template);
    expect(json).not.toMatch(/Fn::ImportValue|Fn::GetStackOutput|CrossRegionExport|ExportsWriter|ExportsReader/);
    expect(JSON.stringify(template.Outputs ?? {})).not.toContain('Export');
  });

  test('under 500 resources', () => {
    expect(Object.keys(template.Resources).length).toBeLessThan(500);
  });
});

test('v1 -> v2: the kept domain keeps its tenant (switching certificate is an in-place update); removed and renamed ones go', () => {
  const before = tenants(versions.v1.template);
  const after = tenants(versions.v2.template);
  const alphaId = Object.keys(before).find((id) => before[id] === 'mta-sts.alpha.example')!;
  expect(after[alphaId]).toBe('mta-sts.alpha.example');
  const alpha = versions.v2.template.Resources[alphaId].Properties;
  expect(alpha.Customizations).toEqual({ Certificate: { Arn: CERT_ARN } });
  expect(alpha.ManagedCertificateRequest).toBeUndefined();
  expect(Object.values(after).sort()).toEqual(['mta-sts.alpha.example', 'mta-sts.beta-renamed.example']);
  // The renamed domain's tenant has a new domain: a replacement (Domains cannot change in place on every API),
  // and its CNAME a new record, all within the one stack.
  const publisher = (t: Template) => ofType(t, 'Custom::MtaStsPolicies')[0][1].Properties;
  expect(publisher(versions.v2.template).Policies.map((p: any) => [p.Domain, p.ManagedCertificate])).toEqual([
    ['alpha.example', 'false'],
    ['beta-renamed.example', 'true'],
  ]);
  const driftConfig = publisher(versions.v2.template).Configs.find(
    (c: any) => c.Key === '_cdk-mta-sts/mx-drift-check.json',
  );
  expect(JSON.parse(driftConfig.Body).domains.map((d: any) => d.domainName)).toEqual([
    'alpha.example',
    'beta-renamed.example',
  ]);
});

test('v2 -> v3: adding 50 domains changes nothing that existed, and adds 4.2 resources per domain', () => {
  const v2 = versions.v2.template.Resources;
  const v3 = versions.v3.template.Resources;
  // These carry every domain by design, so they change when domains are added: the drift check's deploy-time run
  // (its payload lists the domains, so a changed list runs the check again) and the canary's schedule (its event
  // input carries the domains).
  const changed = Object.keys(v2).filter(
    (id) =>
      !(id in v3) ||
      (JSON.stringify(v2[id]) !== JSON.stringify(v3[id]) &&
        // These carry every domain: the publisher's list, the IAM statements of checks, the grouped alarms, and the
        // deploy-time runs of the drift check and the canary (a new list runs them again).
        !['Custom::MtaStsPolicies', 'AWS::IAM::Policy', 'AWS::CloudWatch::Alarm', 'Custom::AWS'].includes(v2[id].Type)),
  );
  expect(changed).toEqual([]);
  // A tenant, a CNAME and a record set group each; one failure-rate alarm per 5 domains, one silence alarm per 10.
  const perDomain = (Object.keys(v3).length - Object.keys(v2).length) / 50;
  expect(perDomain).toBe(3.3);
  expect(ofType(versions.v3.template, 'AWS::CloudFront::Distribution')).toHaveLength(1);
  expect(ofType(versions.v3.template, 'AWS::CloudFront::ConnectionGroup')).toHaveLength(1);
  expect(ofType(versions.v3.template, 'Custom::MtaStsPolicies')).toHaveLength(1);
});

const PHYSICAL_NAME_KEYS = [
  'Name',
  'BucketName',
  'FunctionName',
  'TopicName',
  'QueueName',
  'RoleName',
  'LogGroupName',
  'AlarmName',
  'DashboardName',
  'StateMachineName',
  'RuleSetName',
  'ConfigurationSetName',
];

/** Physical names written as literals in the template (CloudFront's nested config names included). */
function literalNames(template: Template): string[] {
  const names: string[] = [];
  for (const [, resource] of Object.entries(template.Resources)) {
    // Record names are the domains themselves; an inline policy's name is scoped to its role.
    if (resource.Type.startsWith('AWS::Route53::') || resource.Type === 'AWS::IAM::Policy' || !resource.Properties) {
      continue;
    }
    const props = resource.Properties;
    const candidates: unknown[] = [
      ...PHYSICAL_NAME_KEYS.map((key) => props[key]),
      props.OriginAccessControlConfig?.Name,
      props.CachePolicyConfig?.Name,
      props.ResponseHeadersPolicyConfig?.Name,
      props.DistributionConfig?.Name,
    ];
    for (const value of candidates) if (typeof value === 'string') names.push(`${resource.Type} ${value}`);
  }
  return names;
}

test('no fixed physical name repeats across two apps or two regions of one account', () => {
  const deployments = [
    synth(V1, 'eu-west-1', 'MailSecurity').template,
    synth(V1, 'us-west-2', 'MailSecurity').template,
    synth(V1, 'eu-west-1', 'OtherTeam').template,
  ];
  const seen = new Map<string, number>();
  deployments.forEach((template, index) => {
    for (const name of literalNames(template)) {
      expect(seen.has(name) ? `${name} (deployments ${seen.get(name)} and ${index})` : undefined).toBeUndefined();
      seen.set(name, index);
    }
  });
  // CloudFront's names are all built from the region and the stack's UUID.
  for (const template of deployments) {
    const cloudfrontNames = [
      ...ofType(template, 'AWS::CloudFront::DistributionTenant').map(([, r]) => r.Properties.Name),
      ...ofType(template, 'AWS::CloudFront::ConnectionGroup').map(([, r]) => r.Properties.Name),
      ...ofType(template, 'AWS::CloudFront::OriginAccessControl').map(
        ([, r]) => r.Properties.OriginAccessControlConfig.Name,
      ),
      ...ofType(template, 'AWS::CloudFront::CachePolicy').map(([, r]) => r.Properties.CachePolicyConfig.Name),
      ...ofType(template, 'AWS::CloudFront::ResponseHeadersPolicy').map(
        ([, r]) => r.Properties.ResponseHeadersPolicyConfig.Name,
      ),
    ];
    expect(cloudfrontNames).toHaveLength(7);
    for (const name of cloudfrontNames) expect(JSON.stringify(name)).toContain('{"Ref":"AWS::StackId"}');
  }
});
