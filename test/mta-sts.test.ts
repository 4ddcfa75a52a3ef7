import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { MtaSts, MtaStsMode, MtaStsProps, TlsReportIngestion } from '../src';
import { CREATABLE_LAMBDA_RUNTIMES } from './deploy/allowed-runtimes';

const ACCOUNT = '111111111111';
const CERT_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';

function stackIn(region: string | undefined, app = new App(), id = 'Stack'): Stack {
  return new Stack(app, id, { env: region ? { account: ACCOUNT, region } : undefined });
}

/** A TXT record set from the template's record set groups. */
function txtRecord(template: Template, name: string): Record<string, unknown> | undefined {
  return Object.values(template.findResources('AWS::Route53::RecordSetGroup'))
    .flatMap((group) => group.Properties.RecordSets as Array<Record<string, unknown>>)
    .find((set) => set.Name === name && set.Type === 'TXT');
}

function only(template: Template, type: string): { [key: string]: any } {
  const resources = Object.entries(template.findResources(type));
  expect(resources).toHaveLength(1);
  return { id: resources[0][0], ...resources[0][1] };
}

function publisherPolicies(template: Template): Array<Record<string, unknown>> {
  return only(template, 'Custom::MtaStsPolicies').Properties.Policies;
}

function zoneIn(stack: Stack, zoneName = 'example.com'): route53.IHostedZone {
  return route53.HostedZone.fromHostedZoneAttributes(stack, `Zone-${zoneName}`, {
    hostedZoneId: 'Z0EXAMPLE',
    zoneName,
  });
}

function mtaSts(stack: Stack, overrides: Partial<MtaStsProps> = {}, id = 'MtaSts'): MtaSts {
  return new MtaSts(stack, id, {
    hostedZone: overrides.hostedZone ?? zoneIn(stack),
    mode: MtaStsMode.TESTING,
    mx: ['mx1.example.com', '*.mx.example.net'],
    reportUris: ['mailto:tlsrpt@example.com'],
    ...overrides,
  });
}

describe('MtaSts in a eu-west-1 stack with no extra flags', () => {
  let app: App;
  let stack: Stack;
  let construct: MtaSts;
  let template: Template;

  beforeEach(() => {
    app = new App();
    stack = stackIn('eu-west-1', app);
    construct = mtaSts(stack);
    template = Template.fromStack(stack);
  });

  test('one template holds everything: no us-east-1 stack, no cross-region reference', () => {
    expect(app.synth().stacks.map((s) => s.stackName)).toEqual(['Stack']);
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toMatch(/Fn::ImportValue|Fn::GetStackOutput|CrossRegion|ExportsWriter|ExportsReader/);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
    template.resourceCountIs('AWS::Lambda::LayerVersion', 0);
    for (const [id, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
      // Ours are nodejs22.x; aws-cdk-lib's provider functions follow its own default, which newer releases raise.
      if (/Providerframework|^AWS679f53fac002430cb0da5b7982bd2287/.test(id)) {
        expect(CREATABLE_LAMBDA_RUNTIMES).toContain(fn.Properties.Runtime);
      } else {
        expect({ id, runtime: fn.Properties.Runtime }).toEqual({ id, runtime: 'nodejs22.x' });
      }
    }
  });

  test('publishes the exact policy bytes and a 32-character id derived from them', () => {
    expect(construct.policy?.text).toBe(
      'version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmx: *.mx.example.net\r\nmax_age: 604800\r\n',
    );
    expect(construct.policyId).toMatch(/^[0-9a-f]{32}$/);
    expect(construct.policyUrl).toBe('https://mta-sts.example.com/.well-known/mta-sts.txt');
  });

  test('_mta-sts and _smtp._tls TXT: one record each, one string each, in one record set group', () => {
    const group = only(template, 'AWS::Route53::RecordSetGroup');
    expect(group.Properties.HostedZoneId).toBe('Z0EXAMPLE');
    expect(group.Properties.RecordSets).toEqual([
      {
        Name: '_mta-sts.example.com.',
        Type: 'TXT',
        TTL: '300',
        ResourceRecords: [`"v=STSv1; id=${construct.policyId}"`],
      },
      {
        Name: '_smtp._tls.example.com.',
        Type: 'TXT',
        TTL: '300',
        ResourceRecords: ['"v=TLSRPTv1; rua=mailto:tlsrpt@example.com"'],
      },
    ]);
  });

  test('multi-tenant distribution: tenant-only, domain parameter picks the origin path, https only, GET/HEAD', () => {
    const config = only(template, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
    expect(config.ConnectionMode).toBe('tenant-only');
    expect(config.TenantConfig).toEqual({
      ParameterDefinitions: [
        {
          Name: 'domain',
          Definition: { StringSchema: { Required: true, Comment: 'The policy domain: its folder in the bucket' } },
        },
      ],
    });
    // Refused on multi-tenant distributions: IPv6 is the connection group's, and there is no price class.
    expect(config.IPV6Enabled).toBeUndefined();
    expect(config.PriceClass).toBeUndefined();
    expect(config.Aliases).toBeUndefined();
    expect(config.HttpVersion).toBe('http2and3');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(config.DefaultCacheBehavior.Compress).toBe(false);
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({
      Ref: expect.stringMatching(/ResponseHeadersPolicy/),
    });
    expect(config.CustomErrorResponses).toBeUndefined();
    expect(config.DefaultRootObject).toBeUndefined();
    expect(config.Origins).toHaveLength(1);
    expect(config.Origins[0].OriginPath).toBe('/{{domain}}');
    expect(config.Origins[0].OriginAccessControlId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Id'] });
  });

  test('a tenant per domain: its host name, its folder, a CloudFront-managed certificate, the connection group', () => {
    const tenant = only(template, 'AWS::CloudFront::DistributionTenant');
    const connectionGroup = only(template, 'AWS::CloudFront::ConnectionGroup');
    expect(tenant.Properties).toMatchObject({
      Domains: ['mta-sts.example.com'],
      Enabled: true,
      Parameters: [{ Name: 'domain', Value: 'example.com' }],
      ManagedCertificateRequest: { PrimaryDomainName: 'mta-sts.example.com', ValidationTokenHost: 'cloudfront' },
      ConnectionGroupId: { 'Fn::GetAtt': [connectionGroup.id, 'Id'] },
      DistributionId: { Ref: only(template, 'AWS::CloudFront::Distribution').id },
    });
    expect(tenant.Properties.Customizations).toBeUndefined();
    expect(connectionGroup.Properties).toMatchObject({ Ipv6Enabled: true, Enabled: true });
  });

  test('mta-sts.<domain> is a CNAME to the routing endpoint, created before the tenant', () => {
    const cname = only(template, 'AWS::Route53::RecordSet');
    const connectionGroup = only(template, 'AWS::CloudFront::ConnectionGroup');
    expect(cname.Properties).toEqual({
      Name: 'mta-sts.example.com.',
      Type: 'CNAME',
      TTL: '300',
      HostedZoneId: 'Z0EXAMPLE',
      ResourceRecords: [{ 'Fn::GetAtt': [connectionGroup.id, 'RoutingEndpoint'] }],
    });
    expect(only(template, 'AWS::CloudFront::DistributionTenant').DependsOn).toEqual([cname.id]);
  });

  test('CloudFront names carry the region and the stack UUID; HSTS and nosniff on the policy host', () => {
    const suffix = [
      '',
      expect.arrayContaining([{ 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]),
    ];
    expect(only(template, 'AWS::CloudFront::DistributionTenant').Properties.Name).toEqual({ 'Fn::Join': suffix });
    expect(only(template, 'AWS::CloudFront::ConnectionGroup').Properties.Name).toEqual({ 'Fn::Join': suffix });
    const headers = only(template, 'AWS::CloudFront::ResponseHeadersPolicy').Properties.ResponseHeadersPolicyConfig;
    expect(headers.Name).toEqual({ 'Fn::Join': suffix });
    expect(headers.SecurityHeadersConfig).toEqual({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000, IncludeSubdomains: false, Override: true },
      ContentTypeOptions: { Override: true },
    });
    expect(only(template, 'AWS::CloudFront::CachePolicy').Properties.CachePolicyConfig.Name).toEqual({
      'Fn::Join': suffix,
    });
    expect(only(template, 'AWS::CloudFront::OriginAccessControl').Properties.OriginAccessControlConfig.Name).toEqual({
      'Fn::Join': suffix,
    });
    expect(JSON.stringify(only(template, 'AWS::CloudFront::DistributionTenant').Properties.Name)).toContain(
      'example.com-eu-west-1-',
    );
  });

  test('short cache: at most 300 seconds, nothing forwarded', () => {
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        DefaultTTL: 300,
        MaxTTL: 300,
        MinTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          QueryStringsConfig: { QueryStringBehavior: 'none' },
          HeadersConfig: { HeaderBehavior: 'none' },
          CookiesConfig: { CookieBehavior: 'none' },
        }),
      }),
    });
  });

  test('bucket is private, encrypted, TLS-only, retained, readable by the distribution only', () => {
    const bucket = only(template, 'AWS::S3::Bucket');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
    expect(bucket.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  test('one publisher writes the exact bytes; the TXT records wait for it, and it waits for the tenant', () => {
    const publisher = only(template, 'Custom::MtaStsPolicies');
    const tenant = only(template, 'AWS::CloudFront::DistributionTenant');
    expect(publisher.Properties.Policies).toEqual([
      {
        Domain: 'example.com',
        TenantId: { 'Fn::GetAtt': [tenant.id, 'Id'] },
        ManagedCertificate: 'true',
        Text: construct.policy!.text,
      },
    ]);
    expect(publisher.Properties.RoutingEndpoint).toEqual({
      'Fn::GetAtt': [only(template, 'AWS::CloudFront::ConnectionGroup').id, 'RoutingEndpoint'],
    });
    expect(publisher.DependsOn).toEqual([tenant.id]);
    expect(only(template, 'AWS::Route53::RecordSetGroup').DependsOn).toEqual([publisher.id]);
  });

  test('the publisher: Node 22 functions with a one-year log group each, waiting in the Provider framework', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'cdk-mta-sts: writes the MTA-STS policy files and configuration objects that changed',
      Runtime: 'nodejs22.x',
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^MtaStsPolicyPublisherPublishLogs') } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'cdk-mta-sts: checks that new MTA-STS policies are served over HTTPS by CloudFront',
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^MtaStsPolicyPublisherVerifyLogs') } },
    });
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.LoggingConfig?.LogGroup).toBeDefined();
    }
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(365);
    }
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });

  test('the verifier may read managed-certificate status, the publisher may write policy files', () => {
    const json = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(json).toContain('cloudfront:GetManagedCertificateDetails');
    expect(json).toContain(':distribution-tenant/*');
    expect(json).toContain('/*/.well-known/mta-sts.txt');
  });

  test('no warnings for a policy with report destinations', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('your own certificate', () => {
  test('goes on the tenant as Customizations.Certificate, with no managed certificate request', () => {
    const stack = stackIn('eu-west-1');
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN);
    expect(mtaSts(stack, { certificate }).certificate).toBe(certificate);
    const template = Template.fromStack(stack);
    const tenant = only(template, 'AWS::CloudFront::DistributionTenant');
    expect(tenant.Properties.Customizations).toEqual({ Certificate: { Arn: CERT_ARN } });
    expect(tenant.Properties.ManagedCertificateRequest).toBeUndefined();
    expect(publisherPolicies(template)[0].ManagedCertificate).toBe('false');
  });

  test('an environment-agnostic stack works too', () => {
    const stack = stackIn(undefined);
    mtaSts(stack);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).toContain('"Ref":"AWS::Region"');
  });
});

describe('mx read from the zone at deploy time', () => {
  test('the same publisher renders it; the _mta-sts id is its one ZonePolicyId attribute', () => {
    const stack = stackIn('eu-west-1');
    const construct = mtaSts(stack, {
      mx: undefined,
      mode: MtaStsMode.ENFORCE,
      maxAge: Duration.days(14),
      mxRefreshToken: '2026-11-26',
    });
    const template = Template.fromStack(stack);
    expect(construct.policy).toBeUndefined();
    const publisher = only(template, 'Custom::MtaStsPolicies');
    expect(publisher.Properties.Policies).toEqual([
      {
        Domain: 'example.com',
        TenantId: { 'Fn::GetAtt': [only(template, 'AWS::CloudFront::DistributionTenant').id, 'Id'] },
        ManagedCertificate: 'true',
        HostedZoneId: 'Z0EXAMPLE',
        Mode: 'enforce',
        MaxAgeSeconds: '1209600',
        RefreshToken: '2026-11-26',
      },
    ]);
    expect(txtRecord(template, '_mta-sts.example.com.')!.ResourceRecords).toEqual([
      { 'Fn::Join': ['', ['"v=STSv1; id=', { 'Fn::GetAtt': [publisher.id, 'ZonePolicyId'] }, '"']] },
    ]);
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('route53:ListResourceRecordSets');
  });

  test('still fails at synth for a bad maxAge', () => {
    const stack = stackIn('eu-west-1');
    mtaSts(stack, { mx: undefined, maxAge: Duration.seconds(0) });
    expect(() => Template.fromStack(stack)).toThrow(/\[Stack\/MtaSts\/PolicySite\] Invalid maxAge 0/);
  });
});

describe('MX drift check', () => {
  test('one daily check and one alarm per stack; it can be turned off per domain', () => {
    const stack = stackIn('eu-west-1');
    // Without the canary, whose schedule is the stack's other rule.
    const a = mtaSts(stack, { canary: false }, 'A');
    const b = mtaSts(stack, { hostedZone: zoneIn(stack, 'example.org'), mx: ['mx.example.org'], canary: false }, 'B');
    const c = { hostedZone: zoneIn(stack, 'example.net'), mx: ['mx.example.net'], mxDriftCheck: false, canary: false };
    mtaSts(stack, c, 'C');
    expect(a.mxDriftAlarm).toBeDefined();
    expect(a.mxDriftAlarm).toBe(b.mxDriftAlarm);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::Rule', 1);
    const configs = only(template, 'Custom::MtaStsPolicies').Properties.Configs;
    expect(configs).toEqual([
      {
        Bucket: { Ref: only(template, 'AWS::S3::Bucket').id },
        Key: '_cdk-mta-sts/mx-drift-check.json',
        Body: JSON.stringify({
          domains: [
            { domainName: 'example.com', hostedZoneId: 'Z0EXAMPLE' },
            { domainName: 'example.org', hostedZoneId: 'Z0EXAMPLE' },
          ],
        }),
      },
    ]);
  });

  test('with reporting, the drift alarm notifies its topic', () => {
    const stack = stackIn('eu-west-1');
    const hostedZone = zoneIn(stack);
    const reporting = new TlsReportIngestion(stack, 'Reports', { hostedZone });
    const construct = mtaSts(stack, { hostedZone, reporting });
    const template = Template.fromStack(stack);
    const topic = only(template, 'AWS::SNS::Topic').id;
    const alarmId = stack.getLogicalId(construct.mxDriftAlarm!.node.defaultChild as any);
    expect(template.toJSON().Resources[alarmId].Properties.AlarmActions).toEqual([{ Ref: topic }]);
  });
});

describe('policy id', () => {
  test('is identical across synths of the same input and changes when the policy changes', () => {
    const first = mtaSts(stackIn('eu-west-1')).policyId;
    const second = mtaSts(stackIn('eu-west-1')).policyId;
    const third = mtaSts(stackIn('eu-west-1'), { mode: MtaStsMode.ENFORCE }).policyId;
    expect(first).toBe(second);
    expect(third).not.toBe(first);
  });
});

describe('validation', () => {
  test('fails for a supplied certificate outside us-east-1', () => {
    const stack = stackIn('eu-west-1');
    const certificate = acm.Certificate.fromCertificateArn(
      stack,
      'Cert',
      'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000',
    );
    mtaSts(stack, { certificate });
    expect(() => Template.fromStack(stack)).toThrow(
      '[Stack/MtaSts/PolicySite] Invalid certificate "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000": CloudFront needs a certificate in us-east-1, this one is in eu-west-1',
    );
  });

  test('fails for a certificate created in a stack outside us-east-1', () => {
    const app = new App();
    const stack = stackIn('us-east-1', app);
    const elsewhere = stackIn('eu-west-1', app, 'Elsewhere');
    const certificate = new acm.Certificate(elsewhere, 'Cert', { domainName: 'mta-sts.example.com' });
    mtaSts(stack, { certificate });
    expect(() => Template.fromStack(stack)).toThrow(
      '[Stack/MtaSts/PolicySite] Invalid certificate "Elsewhere/Cert": CloudFront needs a certificate in us-east-1, this one is in eu-west-1',
    );
  });

  test.each([
    ['example.org', 'Invalid domainName "example.org": must be the hosted zone apex (example.com) or a name inside it'],
    [
      'notexample.com',
      'Invalid domainName "notexample.com": must be the hosted zone apex (example.com) or a name inside it',
    ],
  ])('fails for domainName %s outside the zone', (domainName, message) => {
    const stack = stackIn('eu-west-1');
    mtaSts(stack, { domainName });
    expect(() => Template.fromStack(stack)).toThrow(`[Stack/MtaSts] ${message}`);
  });

  test('fails for a policy domain too long for the _smtp._tls record', () => {
    const label = 'a'.repeat(60);
    const domainName = `${label}.${label}.${label}.${'b'.repeat(48)}.example.com`;
    expect(domainName.length).toBe(243);
    const stack = stackIn('eu-west-1');
    mtaSts(stack, { domainName });
    expect(() => Template.fromStack(stack)).toThrow(
      `[Stack/MtaSts] Invalid domainName "${domainName}": is 243 characters long; "_smtp._tls.<domain>" must fit in 253 characters, so at most 242`,
    );
  });

  test('accepts a subdomain, normalising case, trailing dot and U-labels', () => {
    const stack = stackIn('eu-west-1');
    const construct = mtaSts(stack, { domainName: 'Mail.BÜCHER.example.com.' });
    expect(construct.domainName).toBe('mail.xn--bcher-kva.example.com');
    expect(txtRecord(Template.fromStack(stack), '_mta-sts.mail.xn--bcher-kva.example.com.')).toBeDefined();
  });

  test('fails naming mx, maxAge and reportUris with the bad value', () => {
    const synthError = (overrides: Partial<MtaStsProps>) => {
      const stack = stackIn('eu-west-1');
      mtaSts(stack, overrides);
      return () => Template.fromStack(stack);
    };
    expect(synthError({ mx: [] })).toThrow(/\n {2}\[Stack\/MtaSts\/PolicySite\] Invalid mx/);
    expect(synthError({ mx: ['*.*.example.com'] })).toThrow(
      /\n {2}\[Stack\/MtaSts\/PolicySite\] Invalid mx "\*\.\*\.example\.com"/,
    );
    expect(synthError({ maxAge: Duration.seconds(0) })).toThrow(/\n {2}\[Stack\/MtaSts\/PolicySite\] Invalid maxAge 0/);
    expect(synthError({ reportUris: ['mailto:a@example.com!10m'] })).toThrow(
      /\n {2}\[Stack\/MtaSts\/Records\] Invalid reportUris "mailto:a@example.com!10m"/,
    );
  });

  test('every invalid prop of every MtaSts in the app is reported in one synth, each under its path', () => {
    const app = new App();
    const stack = stackIn('eu-west-1', app);
    mtaSts(stack, { mx: ['*.com'], recordTtl: Duration.days(2) });
    new MtaSts(stack, 'Other', {
      hostedZone: zoneIn(stack, 'example.net'),
      mode: MtaStsMode.TESTING,
      domainName: 'example.org',
    });
    const lines = () => {
      try {
        app.synth();
      } catch (error) {
        return (error as Error).message.split('\n').filter((line) => line.startsWith('  ['));
      }
      return [];
    };
    expect(lines()).toEqual([
      '  [Stack/MtaSts/PolicySite] Invalid mx "*.com": "com" is a public suffix, so the wildcard would match other owners\' hosts',
      '  [Stack/MtaSts/Records] Invalid ttl Duration.days(2): must be whole seconds from 1 to 86400',
      '  [Stack/Other] Invalid domainName "example.org": must be the hosted zone apex (example.net) or a name inside it',
    ]);
  });

  test('a policy domain published twice anywhere in one app is an error naming both constructs', () => {
    const app = new App();
    mtaSts(stackIn('eu-west-1', app, 'First'));
    const second = stackIn('us-west-2', app, 'Second');
    mtaSts(second, { domainName: 'EXAMPLE.com.' }, 'Again');
    expect(() => app.synth()).toThrow(
      '[Second/Again] Duplicate policy domain "example.com": published by both "First/MtaSts" and "Second/Again". Each policy domain may have one MtaSts in an app.',
    );
    // Another app is another deployment: no clash.
    expect(() => mtaSts(stackIn('eu-west-1', new App(), 'First'))).not.toThrow();
  });
});

describe('warnings', () => {
  function warnings(overrides: Partial<MtaStsProps>): string[] {
    const stack = stackIn('eu-west-1');
    mtaSts(stack, overrides);
    return Annotations.fromStack(stack)
      .findWarning('/Stack/MtaSts', Match.anyValue())
      .map((w) => String(w.entry.data));
  }

  test('no TLS-RPT destination', () => {
    expect(warnings({ reportUris: [] })).toEqual([
      'No TLS-RPT destination for example.com: without reports you cannot tell whether it is safe to enforce. Set `reportUris` or `reporting`. [ack: cdk-mta-sts:noReportDestination]',
    ]);
  });

  test('a *.<policy domain> pattern', () => {
    const found = warnings({ mx: ['*.example.com'] });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/\*\.example\.com/);
    expect(found[0]).toMatch(/\[ack: cdk-mta-sts:/);
  });

  test('none with max_age over one day (retiring)', () => {
    const found = warnings({ mode: MtaStsMode.NONE });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^max_age 604800 is over one day in mode "none"; when retiring MTA-STS/);
    expect(warnings({ mode: MtaStsMode.NONE, maxAge: Duration.days(1) })).toEqual([]);
  });

  test('timing advice also for a policy read from the zone', () => {
    const found = warnings({ mx: undefined, mode: MtaStsMode.ENFORCE, maxAge: Duration.hours(1) });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^max_age 3600 is under one day/);
  });

  test('enforce with max_age under one day', () => {
    const found = warnings({ mode: MtaStsMode.ENFORCE, maxAge: Duration.hours(1) });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/3600/);
    expect(warnings({ mode: MtaStsMode.ENFORCE, maxAge: Duration.days(1) })).toEqual([]);
  });
});

describe('tags and TTL', () => {
  test('tags on the app reach the distribution, the tenant and the shared bucket', () => {
    const app = new App();
    const stack = stackIn('eu-west-1', app);
    mtaSts(stack);
    Tags.of(app).add('team', 'mail');
    const template = Template.fromStack(stack);
    const tagged = { Tags: Match.arrayWith([{ Key: 'team', Value: 'mail' }]) };
    template.hasResourceProperties('AWS::S3::Bucket', tagged);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.anyValue(),
      ...tagged,
    });
    template.hasResourceProperties('AWS::CloudFront::DistributionTenant', tagged);
  });

  test('the record TTL can be chosen', () => {
    const stack = stackIn('eu-west-1');
    mtaSts(stack, { recordTtl: Duration.hours(1) });
    expect(txtRecord(Template.fromStack(stack), '_mta-sts.example.com.')!.TTL).toBe('3600');
  });
});
