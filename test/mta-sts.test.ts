import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnParameter, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { MtaSts, MtaStsMode, MtaStsProps, TlsReportIngestion } from '../src';

const ACCOUNT = '111111111111';
const CERT_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';

function stackIn(region: string | undefined, app = new App(), id = 'Stack', crossRegionReferences = true): Stack {
  return new Stack(app, id, {
    env: region ? { account: ACCOUNT, region } : undefined,
    crossRegionReferences: region ? crossRegionReferences : undefined,
  });
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

describe('MtaSts in a us-east-1 stack', () => {
  let stack: Stack;
  let construct: MtaSts;
  let template: Template;

  beforeEach(() => {
    stack = stackIn('us-east-1');
    construct = mtaSts(stack);
    template = Template.fromStack(stack);
  });

  test('publishes the exact policy bytes and a 32-character id derived from them', () => {
    expect(construct.policy?.text).toBe(
      'version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmx: *.mx.example.net\r\nmax_age: 604800\r\n',
    );
    expect(construct.policyId).toMatch(/^[0-9a-f]{32}$/);
    expect(construct.policyUrl).toBe('https://mta-sts.example.com/.well-known/mta-sts.txt');
  });

  test('_mta-sts TXT is one record with one string: v=STSv1; id=<id>', () => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: '_mta-sts.example.com.',
      Type: 'TXT',
      TTL: '300',
      HostedZoneId: 'Z0EXAMPLE',
      ResourceRecords: [`"v=STSv1; id=${construct.policyId}"`],
    });
  });

  test('_smtp._tls TXT lists the report destinations without spaces', () => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: '_smtp._tls.example.com.',
      Type: 'TXT',
      TTL: '300',
      ResourceRecords: ['"v=TLSRPTv1; rua=mailto:tlsrpt@example.com"'],
    });
  });

  test('certificate for mta-sts.<domain> is created in this stack and DNS-validated in the zone', () => {
    template.resourceCountIs('AWS::CertificateManager::Certificate', 1);
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'mta-sts.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'mta-sts.example.com', HostedZoneId: 'Z0EXAMPLE' }],
    });
  });

  test('distribution: alias, TLS 1.2 2021, SNI, IPv6, https only, GET/HEAD, no error pages or root object', () => {
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0];
    const config = distribution.Properties.DistributionConfig;
    expect(config.Aliases).toEqual(['mta-sts.example.com']);
    expect(config.ViewerCertificate).toEqual({
      AcmCertificateArn: { Ref: expect.stringMatching(/^MtaStsPolicySiteCertificate/) },
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(config.IPV6Enabled).toBe(true);
    expect(config.PriceClass).toBe('PriceClass_100');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(config.DefaultCacheBehavior.Compress).toBe(false);
    expect(config.CustomErrorResponses).toBeUndefined();
    expect(config.DefaultRootObject).toBeUndefined();
    expect(config.Origins).toHaveLength(1);
    expect(config.Origins[0].OriginPath).toBe('/example.com');
    expect(config.Origins[0].OriginAccessControlId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Id'] });
    expect(config.Origins[0].S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
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

  test('bucket is private, encrypted, TLS-only and not a website', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    const bucket = Object.values(template.findResources('AWS::S3::Bucket'))[0];
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
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
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

  test('uploads the policy as text/plain under the domain prefix and invalidates it', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketKeyPrefix: 'example.com/',
      SystemMetadata: { 'content-type': 'text/plain', 'cache-control': 'max-age=300' },
      Prune: true,
      DistributionPaths: ['/.well-known/mta-sts.txt'],
      DistributionId: { Ref: Match.stringLikeRegexp('^MtaStsPolicySiteDistribution') },
    });
  });

  test('the uploaded asset holds exactly the policy bytes', () => {
    const assembly = (stack.node.root as App).synth();
    const deployment = Object.values(template.findResources('Custom::CDKBucketDeployment'))[0];
    const assetKey: string = deployment.Properties.SourceObjectKeys[0];
    const assetHash = assetKey.replace(/\.zip$/, '');
    const file = path.join(assembly.directory, `asset.${assetHash}`, '.well-known', 'mta-sts.txt');
    expect(fs.readFileSync(file, 'latin1')).toBe(construct.policy?.text);
  });

  test('A and AAAA alias records point mta-sts.<domain> at the distribution', () => {
    for (const type of ['A', 'AAAA']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'mta-sts.example.com.',
        Type: type,
        AliasTarget: {
          DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MtaStsPolicySiteDistribution'), 'DomainName'] },
        },
      });
    }
  });

  test('the _mta-sts record is applied only after the upload (which waits for the invalidation) and the alias records', () => {
    const sts = Object.values(
      template.findResources('AWS::Route53::RecordSet', { Properties: { Name: '_mta-sts.example.com.' } }),
    )[0];
    const [deploymentId] = Object.keys(template.findResources('Custom::CDKBucketDeployment'));
    const aliasIds = Object.keys(
      template.findResources('AWS::Route53::RecordSet', { Properties: { Name: 'mta-sts.example.com.' } }),
    );
    expect(aliasIds).toHaveLength(2);
    expect(sts.DependsOn).toEqual(expect.arrayContaining([deploymentId, ...aliasIds]));
  });

  test('no warnings for a policy with report destinations', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('mx read from the zone at deploy time', () => {
  function discovered(overrides: Partial<MtaStsProps> = {}): { stack: Stack; construct: MtaSts; template: Template } {
    const stack = stackIn('us-east-1');
    const construct = mtaSts(stack, { mx: undefined, ...overrides });
    return { stack, construct, template: Template.fromStack(stack) };
  }

  test('renders, uploads and invalidates through the custom resource instead of a BucketDeployment', () => {
    const { construct, template } = discovered({ mode: MtaStsMode.ENFORCE, maxAge: Duration.days(14) });
    expect(construct.policy).toBeUndefined();
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
    template.hasResourceProperties('Custom::MtaStsDiscoveredPolicy', {
      HostedZoneId: 'Z0EXAMPLE',
      DomainName: 'example.com',
      Mode: 'enforce',
      MaxAgeSeconds: 1209600,
      BucketName: { Ref: Match.stringLikeRegexp('^MtaStsPolicyBucket') },
      KeyPrefix: 'example.com/',
      DistributionId: { Ref: Match.stringLikeRegexp('^MtaStsPolicySiteDistribution') },
    });
  });

  test('the _mta-sts record carries the id the custom resource returns and waits for it', () => {
    const { template } = discovered();
    const [resourceId] = Object.keys(template.findResources('Custom::MtaStsDiscoveredPolicy'));
    const sts = Object.values(
      template.findResources('AWS::Route53::RecordSet', { Properties: { Name: '_mta-sts.example.com.' } }),
    )[0];
    expect(sts.Properties.ResourceRecords).toEqual([
      { 'Fn::Join': ['', ['"v=STSv1; id=', { 'Fn::GetAtt': [resourceId, 'PolicyId'] }, '"']] },
    ]);
    expect(sts.DependsOn).toEqual(expect.arrayContaining([resourceId]));
  });

  test('mxRefreshToken makes a deployment read the MX records again', () => {
    discovered().template.hasResourceProperties('Custom::MtaStsDiscoveredPolicy', { RefreshToken: Match.absent() });
    discovered({ mxRefreshToken: '2026-11-23' }).template.hasResourceProperties('Custom::MtaStsDiscoveredPolicy', {
      RefreshToken: '2026-11-23',
    });
  });

  test('still fails at synth for a bad maxAge', () => {
    expect(() => discovered({ maxAge: Duration.seconds(0) })).toThrow(/^Invalid maxAge 0 seconds/);
  });
});

describe('MX drift check', () => {
  test('one daily check per stack, with an alarm per domain; it can be turned off', () => {
    const stack = stackIn('us-east-1');
    const first = mtaSts(stack);
    const second = mtaSts(stack, { hostedZone: zoneIn(stack, 'example.org') }, 'Second');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' });
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { MetricName: 'UncoveredMxHosts' },
    });
    expect(Object.values(alarms).map((a) => a.Properties.Dimensions)).toEqual([
      [{ Name: 'PolicyDomain', Value: 'example.com' }],
      [{ Name: 'PolicyDomain', Value: 'example.org' }],
    ]);
    expect(first.mxDriftAlarm).toBeDefined();
    expect(second.mxDriftAlarm).not.toBe(first.mxDriftAlarm);

    const without = stackIn('us-east-1');
    expect(mtaSts(without, { mxDriftCheck: false }).mxDriftAlarm).toBeUndefined();
    Template.fromStack(without).resourceCountIs('AWS::Events::Rule', 0);
  });

  test('with reporting, the drift alarms notify its topic', () => {
    const stack = stackIn('eu-west-1');
    const hostedZone = zoneIn(stack);
    const reporting = new TlsReportIngestion(stack, 'Reports', { hostedZone });
    mtaSts(stack, { hostedZone, reporting, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN) });
    const template = Template.fromStack(stack);
    const topic = { Ref: Match.stringLikeRegexp('^ReportsMonitoringAlarmTopic') };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UncoveredMxHosts', AlarmActions: [topic] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DriftCheckErrors', AlarmActions: [topic] });
  });
});

describe('policy id', () => {
  test('is identical across synths of the same input and changes when the policy changes', () => {
    const first = mtaSts(stackIn('us-east-1')).policyId;
    const again = mtaSts(stackIn('us-east-1')).policyId;
    const enforce = mtaSts(stackIn('us-east-1'), { mode: MtaStsMode.ENFORCE }).policyId;
    const longer = mtaSts(stackIn('us-east-1'), { maxAge: Duration.days(14) }).policyId;
    expect(again).toBe(first);
    expect(new Set([first, enforce, longer]).size).toBe(3);
  });
});

describe('MtaSts in a eu-west-1 stack', () => {
  test('puts the certificate in one shared us-east-1 stack and references it across regions', () => {
    const app = new App();
    const stack = stackIn('eu-west-1', app);
    mtaSts(stack);
    mtaSts(stack, { hostedZone: zoneIn(stack, 'example.org') }, 'Second');
    const other = stackIn('eu-central-1', app, 'Other');
    mtaSts(other, { hostedZone: zoneIn(other, 'example.net') });

    const certificateStacks = app.node.children.filter(
      (c) => c instanceof Stack && c.region === 'us-east-1',
    ) as Stack[];
    expect(certificateStacks.map((s) => s.stackName)).toEqual([`MtaStsCertificates-${ACCOUNT}`]);
    const certificates = Template.fromStack(certificateStacks[0]);
    certificates.resourceCountIs('AWS::CertificateManager::Certificate', 3);
    for (const host of ['mta-sts.example.com', 'mta-sts.example.org', 'mta-sts.example.net']) {
      certificates.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: host,
        ValidationMethod: 'DNS',
        DomainValidationOptions: [{ DomainName: host, HostedZoneId: 'Z0EXAMPLE' }],
      });
    }

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourceCountIs('Custom::CrossRegionExportReader', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['mta-sts.example.com'],
        ViewerCertificate: Match.objectLike({
          AcmCertificateArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExportsReader'), Match.anyValue()] },
        }),
      }),
    });
    expect(stack.dependencies).toEqual([certificateStacks[0]]);
  });

  test('fails when the stack does not allow cross-region references', () => {
    const stack = stackIn('eu-west-1', new App(), 'Stack', false);
    expect(() => mtaSts(stack)).toThrow(
      'MtaSts in stack "Stack" (eu-west-1) creates the certificate for mta-sts.example.com in a us-east-1 stack and reads it back across regions: set `crossRegionReferences: true` on the stack, or pass `certificate` (an ACM certificate in us-east-1)',
    );
  });

  test('fails when the hosted zone is created in the same stack', () => {
    const stack = stackIn('eu-west-1');
    const hostedZone = new route53.HostedZone(stack, 'Zone', { zoneName: 'example.com' });
    expect(() => mtaSts(stack, { hostedZone })).toThrow(/the zone must be imported with a literal id/);
  });

  test('uses a supplied us-east-1 certificate and creates no certificate stack', () => {
    const app = new App();
    const stack = stackIn('eu-west-1', app, 'Stack', false);
    const certificate = acm.Certificate.fromCertificateArn(
      stack,
      'Cert',
      'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000',
    );
    const construct = mtaSts(stack, { certificate });
    expect(construct.certificate).toBe(certificate);
    expect(app.node.children).toHaveLength(1);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        ViewerCertificate: Match.objectLike({
          AcmCertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000',
        }),
      }),
    });
  });
});

describe('validation', () => {
  test('fails for an environment-agnostic stack that needs a certificate', () => {
    expect(() => mtaSts(stackIn(undefined))).toThrow(
      'MtaSts needs to know the region of stack "Stack" to place the certificate for mta-sts.example.com in us-east-1: set `env: { account, region }` on the stack, or pass `certificate` (an ACM certificate in us-east-1)',
    );
  });

  test('fails for a supplied certificate outside us-east-1', () => {
    const stack = stackIn('us-east-1');
    const certificate = acm.Certificate.fromCertificateArn(
      stack,
      'Cert',
      'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000',
    );
    expect(() => mtaSts(stack, { certificate })).toThrow(
      'Invalid certificate "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000": CloudFront needs a certificate in us-east-1, this one is in eu-west-1',
    );
  });

  test('accepts an imported certificate whose ARN is known only at deploy time', () => {
    const stack = stackIn('eu-west-1', new App(), 'Stack', false);
    const arn = new CfnParameter(stack, 'CertificateArn').valueAsString;
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', arn);
    expect(mtaSts(stack, { certificate }).certificate).toBe(certificate);
  });

  test('fails for a certificate created in a stack outside us-east-1', () => {
    const app = new App();
    const stack = stackIn('us-east-1', app);
    const elsewhere = stackIn('eu-west-1', app, 'Elsewhere');
    const certificate = new acm.Certificate(elsewhere, 'Cert', { domainName: 'mta-sts.example.com' });
    expect(() => mtaSts(stack, { certificate })).toThrow(
      'Invalid certificate "Elsewhere/Cert": CloudFront needs a certificate in us-east-1, this one is in eu-west-1',
    );
  });

  test.each([
    ['example.org', 'Invalid domainName "example.org": must be the hosted zone apex (example.com) or a name inside it'],
    [
      'notexample.com',
      'Invalid domainName "notexample.com": must be the hosted zone apex (example.com) or a name inside it',
    ],
  ])('fails for domainName %s outside the zone', (domainName, message) => {
    expect(() => mtaSts(stackIn('us-east-1'), { domainName })).toThrow(message);
  });

  test('fails for a policy domain too long for the _smtp._tls record', () => {
    const label = 'a'.repeat(60);
    const domainName = `${label}.${label}.${label}.${'b'.repeat(48)}.example.com`;
    expect(domainName.length).toBe(243);
    expect(() => mtaSts(stackIn('us-east-1'), { domainName })).toThrow(
      `Invalid domainName "${domainName}": is 243 characters long; "_smtp._tls.<domain>" must fit in 253 characters, so at most 242`,
    );
  });

  test('accepts a subdomain, normalising case, trailing dot and U-labels', () => {
    const stack = stackIn('us-east-1');
    const construct = mtaSts(stack, { domainName: 'Mail.BÜCHER.example.com.' });
    expect(construct.domainName).toBe('mail.xn--bcher-kva.example.com');
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::RecordSet', {
      Name: '_mta-sts.mail.xn--bcher-kva.example.com.',
      Type: 'TXT',
    });
  });

  test('fails naming mx, maxAge and reportUris with the bad value', () => {
    expect(() => mtaSts(stackIn('us-east-1'), { mx: [] })).toThrow(/^Invalid mx/);
    expect(() => mtaSts(stackIn('us-east-1'), { mx: ['*.*.example.com'] })).toThrow(
      /^Invalid mx "\*\.\*\.example\.com"/,
    );
    expect(() => mtaSts(stackIn('us-east-1'), { maxAge: Duration.seconds(0) })).toThrow(/^Invalid maxAge 0/);
    expect(() => mtaSts(stackIn('us-east-1'), { reportUris: ['mailto:a@example.com!10m'] })).toThrow(
      /^Invalid reportUris "mailto:a@example.com!10m"/,
    );
  });
});

describe('warnings', () => {
  function warnings(overrides: Partial<MtaStsProps>): string[] {
    const stack = stackIn('us-east-1');
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

describe('many domains', () => {
  test('share one bucket, origin access control, cache policy and upload function per stack', () => {
    const stack = stackIn('us-east-1');
    const domains = ['example.com', 'example.org', 'example.net'];
    domains.forEach((zoneName, i) => mtaSts(stack, { hostedZone: zoneIn(stack, zoneName) }, `MtaSts${i}`));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.resourceCountIs('AWS::CloudFront::CachePolicy', 1);
    // The BucketDeployment handler, the MX drift check and the function that runs it at deploy time, one per stack.
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.resourceCountIs('AWS::CloudFront::Distribution', 3);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 3);
    template.resourceCountIs('Custom::CDKBucketDeployment', 3);
    for (const domain of domains) {
      template.hasResourceProperties('Custom::CDKBucketDeployment', { DestinationBucketKeyPrefix: `${domain}/` });
      template.hasResourceProperties('AWS::Route53::RecordSet', { Name: `_mta-sts.${domain}.`, Type: 'TXT' });
    }
  });

  test('tags on the app reach the distribution, the shared bucket and the us-east-1 certificate', () => {
    const app = new App();
    const stack = stackIn('eu-west-1', app);
    mtaSts(stack);
    Tags.of(app).add('team', 'mail');
    const certificateStack = app.node.findChild(`MtaStsCertificates-${ACCOUNT}`) as Stack;
    const tagged = { Tags: Match.arrayWith([{ Key: 'team', Value: 'mail' }]) };
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', tagged);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.anyValue(),
      ...tagged,
    });
    Template.fromStack(certificateStack).hasResourceProperties('AWS::CertificateManager::Certificate', tagged);
  });

  test('a price class and record TTL can be chosen', () => {
    const stack = stackIn('us-east-1');
    mtaSts(stack, { priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL, recordTtl: Duration.hours(1) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ PriceClass: 'PriceClass_All' }),
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: '_mta-sts.example.com.', TTL: '3600' });
  });
});
