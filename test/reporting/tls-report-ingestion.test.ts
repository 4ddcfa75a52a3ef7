import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MtaSts, MtaStsMode, TlsReportIngestion, TlsReportIngestionProps } from '../../src';

function stackIn(region = 'eu-west-1'): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region } });
}

function ingestion(stack: Stack, props: Partial<TlsReportIngestionProps> = {}): TlsReportIngestion {
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
    hostedZoneId: 'Z0EXAMPLE',
    zoneName: 'example.com',
  });
  return new TlsReportIngestion(stack, 'Reports', { hostedZone, ...props });
}

function onlyResource(template: Template, type: string): { [key: string]: any } {
  const resources = Object.values(template.findResources(type));
  expect(resources).toHaveLength(1);
  return resources[0];
}

describe('TlsReportIngestion defaults', () => {
  let stack: Stack;
  let reports: TlsReportIngestion;
  let template: Template;

  beforeEach(() => {
    stack = stackIn();
    reports = ingestion(stack);
    template = Template.fromStack(stack);
  });

  test('receives at reports@tlsrpt.<zone> and offers it as a mailto: destination', () => {
    expect(reports.domainName).toBe('tlsrpt.example.com');
    expect(reports.reportAddress).toBe('reports@tlsrpt.example.com');
    expect(reports.reportUris).toEqual(['mailto:reports@tlsrpt.example.com']);
    expect(reports.httpsEndpoint).toBeUndefined();
  });

  test('MX record points the reporting domain at SES in the stack region', () => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'tlsrpt.example.com.',
      Type: 'MX',
      HostedZoneId: 'Z0EXAMPLE',
      ResourceRecords: ['10 inbound-smtp.eu-west-1.amazonaws.com'],
    });
  });

  test('SES domain identity verified through three DKIM CNAME records in the zone', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'tlsrpt.example.com' });
    const identityId = Object.keys(template.findResources('AWS::SES::EmailIdentity'))[0];
    const cnames = Object.values(template.findResources('AWS::Route53::RecordSet', { Properties: { Type: 'CNAME' } }));
    expect(cnames.map((r) => [r.Properties.Name, r.Properties.ResourceRecords])).toEqual(
      [1, 2, 3].map((n) => [
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [identityId, `DkimDNSTokenName${n}`] }, '.']] },
        [{ 'Fn::GetAtt': [identityId, `DkimDNSTokenValue${n}`] }],
      ]),
    );
  });

  test('the MX record is published only once the receipt rule and the rule set activation exist', () => {
    const [mxId] = Object.keys(template.findResources('AWS::Route53::RecordSet', { Properties: { Type: 'MX' } }));
    const [ruleId] = Object.keys(template.findResources('AWS::SES::ReceiptRule'));
    const [activationId] = Object.keys(template.findResources('Custom::SesActiveReceiptRuleSet'));
    expect(template.toJSON().Resources[mxId].DependsOn).toEqual(expect.arrayContaining([ruleId, activationId]));
  });

  test('receipt rule: the report address only, TLS required, scanning on, store, invoke, then stop', () => {
    const rule = onlyResource(template, 'AWS::SES::ReceiptRule');
    expect(rule.Properties.Rule).toMatchObject({
      Enabled: true,
      Recipients: ['reports@tlsrpt.example.com'],
      TlsPolicy: 'Require',
      ScanEnabled: true,
    });
    const actions = rule.Properties.Rule.Actions;
    expect(actions).toHaveLength(3);
    expect(actions[0].S3Action).toEqual({
      BucketName: { Ref: expect.stringMatching(/^ReportsBucket/) },
      ObjectKeyPrefix: 'raw/',
    });
    expect(actions[1].LambdaAction).toEqual({
      FunctionArn: { 'Fn::GetAtt': [expect.stringMatching(/^ReportsProcessor/), 'Arn'] },
      InvocationType: 'Event',
    });
    expect(actions[2]).toEqual({ StopAction: { Scope: 'RuleSet' } });
  });

  test('creates a rule set and activates it through the refusing custom resource', () => {
    template.resourceCountIs('AWS::SES::ReceiptRuleSet', 1);
    const ruleSetId = Object.keys(template.findResources('AWS::SES::ReceiptRuleSet'))[0];
    template.hasResourceProperties('Custom::SesActiveReceiptRuleSet', { RuleSetName: { Ref: ruleSetId } });
    template.hasResourceProperties('AWS::SES::ReceiptRule', { RuleSetName: { Ref: ruleSetId } });
  });

  test('parser Lambda: Node 22 on arm64, retries then an encrypted dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'cdk-mta-sts: parses TLS-RPT report mail',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 60,
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReportsDeadLetterQueue'), 'Arn'] } },
      Environment: {
        Variables: {
          REPORT_BUCKET: { Ref: Match.stringLikeRegexp('^ReportsBucket') },
          MAX_DECOMPRESSED_BYTES: String(20 * 1024 * 1024),
          METRIC_NAMESPACE: 'MtaSts',
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^ReportsProcessor') },
      MaximumRetryAttempts: 2,
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
      },
    });
  });

  test("SES may invoke the parser only from this account's rules in the rule set", () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'ses.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: sesRuleArns({ Ref: Match.stringLikeRegexp('^ReportsReceiptRuleSet') }),
    });
  });

  test('parser role: read raw/, write reports/ and rejected/, read reports/ for duplicates, and nothing else', () => {
    const processor = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Description: 'cdk-mta-sts: parses TLS-RPT report mail' },
      }),
    );
    expect(processor).toHaveLength(1);
    const roleRef = processor[0].Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleRef }] } }),
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement;
    const bucketArn = { 'Fn::GetAtt': [expect.stringMatching(/^ReportsBucket/), 'Arn'] };
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [bucketArn, `/${prefix}*`]] });
    const recorderArn = { 'Fn::GetAtt': [expect.stringMatching(/^ReportsFailureRecorder/), 'Arn'] };
    expect(statements).toEqual([
      {
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ReportsDeadLetterQueue/), 'Arn'] },
      },
      {
        // The OnFailure destination.
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: [recorderArn, { 'Fn::Join': ['', [recorderArn, ':*']] }],
      },
      { Action: 's3:GetObject', Effect: 'Allow', Resource: objects('raw/') },
      { Action: ['s3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: objects('reports/') },
      { Action: 's3:PutObject', Effect: 'Allow', Resource: objects('rejected/') },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: bucketArn },
      // The published domains, from the configuration object the policy publisher writes.
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [bucketArn, '/_cdk-mta-sts/published-domains.json']] },
      },
    ]);
  });

  test('bucket: private, encrypted, TLS only, raw mail expires, retained; SES may write raw/ only', () => {
    const bucket = onlyResource(template, 'AWS::S3::Bucket');
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.LifecycleConfiguration).toEqual({
      Rules: [
        { ExpirationInDays: 400, Prefix: 'raw/', Status: 'Enabled' },
        { ExpirationInDays: 90, Prefix: 'rejected/', Status: 'Enabled' },
        // Before, reports/ never expired.
        { ExpirationInDays: 800, Prefix: 'reports/', Status: 'Enabled' },
        { ExpirationInDays: 800, Prefix: 'https-reports/', Status: 'Enabled' },
      ],
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:PutObject',
            Principal: { Service: 'ses.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': sesRuleArns({ Ref: Match.stringLikeRegexp('^ReportsReceiptRuleSet') }) },
            },
            Resource: {
              'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^ReportsBucket'), 'Arn'] }, '/raw/*']],
            },
          }),
        ]),
      },
    });
  });

  test('no HTTPS endpoint unless asked', () => {
    template.resourceCountIs('AWS::Lambda::Url', 0);
  });
});

/** Every receipt rule of a rule set, as the SES grants name them. */
function sesRuleArns(ruleSetName: unknown) {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':ses:eu-west-1:111111111111:receipt-rule-set/',
        ruleSetName,
        ':receipt-rule/*',
      ],
    ],
  };
}

describe('TlsReportIngestion options', () => {
  test('adds its rule to an existing rule set and activates nothing', () => {
    const stack = stackIn();
    const receiptRuleSet = ses.ReceiptRuleSet.fromReceiptRuleSetName(stack, 'Existing', 'their-rules');
    const reports = ingestion(stack, { receiptRuleSet });
    const template = Template.fromStack(stack);
    expect(reports.receiptRuleSet).toBe(receiptRuleSet);
    template.resourceCountIs('AWS::SES::ReceiptRuleSet', 0);
    template.resourceCountIs('Custom::SesActiveReceiptRuleSet', 0);
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      RuleSetName: 'their-rules',
      // First in their set (no `After`), and the last action stops their later rules from also taking report mail.
      Rule: { After: Match.absent(), Actions: Match.arrayWith([{ StopAction: { Scope: 'RuleSet' } }]) },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'ses.amazonaws.com',
      SourceArn: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':ses:eu-west-1:111111111111:receipt-rule-set/their-rules:receipt-rule/*',
          ],
        ],
      },
    });
  });

  test('custom domain, recipient, size cap, retention and namespace', () => {
    const stack = stackIn('us-east-1');
    const reports = ingestion(stack, {
      domainName: 'Reports.Mail.example.com.',
      recipient: 'tls',
      maxReportSize: Size.mebibytes(5),
      rawRetention: Duration.days(30),
      reportRetention: Duration.days(400),
      rejectedRetention: Duration.days(7),
      logRetention: logs.RetentionDays.ONE_MONTH,
      trustedReporters: ['Google.com', 'microsoft.com.'],
      metricNamespace: 'Mail/TlsRpt',
    });
    expect(reports.reportAddress).toBe('tls@reports.mail.example.com');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'reports.mail.example.com.',
      Type: 'MX',
      ResourceRecords: ['10 inbound-smtp.us-east-1.amazonaws.com'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          MAX_DECOMPRESSED_BYTES: String(5 * 1024 * 1024),
          METRIC_NAMESPACE: 'Mail/TlsRpt',
        }),
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          { ExpirationInDays: 30, Prefix: 'raw/', Status: 'Enabled' },
          { ExpirationInDays: 7, Prefix: 'rejected/', Status: 'Enabled' },
          { ExpirationInDays: 400, Prefix: 'reports/', Status: 'Enabled' },
          { ExpirationInDays: 400, Prefix: 'https-reports/', Status: 'Enabled' },
        ],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'cdk-mta-sts: parses TLS-RPT report mail',
      Environment: { Variables: Match.objectLike({ TRUSTED_REPORTERS: 'google.com,microsoft.com' }) },
    });
    // The ingestion's own log groups (the stack's policy publisher, which writes its configuration, keeps its own).
    const groups = Object.entries(template.findResources('AWS::Logs::LogGroup')).filter(([id]) =>
      id.startsWith('Reports'),
    );
    // Processor, failure recorder, rule set activation and its provider framework.
    expect(groups.map(([, group]) => group.Properties.RetentionInDays)).toEqual([30, 30, 30, 30]);
  });

  test('https: a public function URL that accepts reports only about registered policy domains', () => {
    const stack = stackIn();
    const reports = ingestion(stack, { https: true });
    reports.addPolicyDomain('Example.COM');
    reports.addPolicyDomain('example.org.');
    const receiver = Object.values(
      Template.fromStack(stack).findResources('AWS::Lambda::Function', {
        Properties: { Description: 'cdk-mta-sts: accepts TLS-RPT reports over HTTPS' },
      }),
    )[0];
    const receiverPolicy = Object.values(
      Template.fromStack(stack).findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: receiver.Properties.Role['Fn::GetAtt'][0] }] },
      }),
    )[0];
    const bucketArn = { 'Fn::GetAtt': [expect.stringMatching(/^ReportsBucket/), 'Arn'] };
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [bucketArn, `/${prefix}*`]] });
    // Refusals are logged, not stored: no rejected/ grant; and never the mail reports' prefix.
    expect(receiverPolicy.Properties.PolicyDocument.Statement).toEqual([
      { Action: 's3:PutObject', Effect: 'Allow', Resource: objects('raw/https/') },
      { Action: ['s3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: objects('https-reports/') },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: bucketArn },
      // The published domains, from the configuration object the policy publisher writes.
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [bucketArn, '/_cdk-mta-sts/published-domains.json']] },
      },
    ]);
    expect(receiver.Properties.ReservedConcurrentExecutions).toBe(5);
    expect(receiver.Properties.Environment.Variables.HTTPS_COUNTS).toBe('false');
    expect(reports.reportUris).toHaveLength(2);
    expect(reports.reportUris[0]).toBe('mailto:reports@tlsrpt.example.com');
    const template = Template.fromStack(stack);
    // Since October 2025 a public URL needs both grants, the second only for calls through the URL.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      Principal: '*',
      FunctionUrlAuthType: 'NONE',
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: '*',
      InvokedViaFunctionUrl: true,
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReportsHttpsEndpointFunction'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReportsHttpsEndpointFunction'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'cdk-mta-sts: accepts TLS-RPT reports over HTTPS',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
    });
    expect(publishedDomainsBody(template)).toBe('{"policyDomains":["example.com","example.org"]}');
    expect(stack.resolve(reports.httpsEndpoint)).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^ReportsHttpsEndpointFunctionFunctionUrl/), 'FunctionUrl'],
    });
  });
});

test('fails to synthesize an HTTPS endpoint with no registered policy domain', () => {
  const stack = stackIn();
  ingestion(stack, { https: true });
  expect(() => Template.fromStack(stack)).toThrow(
    'TlsReportIngestion with `https` accepts reports only about registered policy domains, and none is registered: pass it as `reporting` to an MtaSts, or call addPolicyDomain()',
  );
});

describe('TlsReportIngestion with MtaSts', () => {
  test('one ingestion serves several domains: each _smtp._tls record lists its destinations after reportUris', () => {
    const stack = stackIn('us-east-1');
    const reports = ingestion(stack, { https: true });
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone2', {
      hostedZoneId: 'Z0EXAMPLE',
      zoneName: 'example.com',
    });
    new MtaSts(stack, 'Apex', {
      hostedZone: zone,
      mode: MtaStsMode.TESTING,
      mx: ['mx.example.com'],
      reportUris: ['mailto:security@example.com'],
      reporting: reports,
    });
    new MtaSts(stack, 'Sub', {
      hostedZone: zone,
      domainName: 'eu.example.com',
      mode: MtaStsMode.TESTING,
      mx: ['mx.example.com'],
      reporting: reports,
    });
    const template = Template.fromStack(stack);
    const urlAttr = {
      'Fn::GetAtt': [expect.stringMatching(/^ReportsHttpsEndpointFunctionFunctionUrl/), 'FunctionUrl'],
    };
    const txt = (name: string) =>
      Object.values(template.findResources('AWS::Route53::RecordSetGroup'))
        .flatMap((group) => group.Properties.RecordSets)
        .find((set: any) => set.Name === name);
    expect(txt('_smtp._tls.example.com.')).toMatchObject({
      ResourceRecords: [
        {
          'Fn::Join': [
            '',
            ['"v=TLSRPTv1; rua=mailto:security@example.com,mailto:reports@tlsrpt.example.com,', urlAttr, '"'],
          ],
        },
      ],
    });
    expect(txt('_smtp._tls.eu.example.com.')).toMatchObject({
      ResourceRecords: [{ 'Fn::Join': ['', ['"v=TLSRPTv1; rua=mailto:reports@tlsrpt.example.com,', urlAttr, '"']] }],
    });
    expect(publishedDomainsBody(template)).toBe('{"policyDomains":["eu.example.com","example.com"]}');
  });
});

describe('TlsReportIngestion validation', () => {
  /** Synthesizes, so the ingestion's validation errors surface under its path. */
  const synth = (stack: Stack) => () => Template.fromStack(stack);

  test('fails in a region where SES does not receive mail, listing the regions', () => {
    const stack = stackIn('eu-north-1');
    ingestion(stack);
    expect(synth(stack)).toThrow(
      '[Stack/Reports] ' +
        'TlsReportIngestion cannot receive mail in eu-north-1: Amazon SES receives mail only in us-east-1, us-east-2, us-west-2, ca-central-1, eu-central-1, eu-west-1, eu-west-2, ap-northeast-1, ap-southeast-1, ap-southeast-2, ap-southeast-3. Put the ingestion in a stack in one of those regions.',
    );
  });

  test.each([
    [
      { domainName: 'tlsrpt.example.org' },
      'Invalid domainName "tlsrpt.example.org": must be the hosted zone apex (example.com) or a name inside it',
    ],
    [
      { recipient: 'two words' },
      'Invalid recipient "two words": must be the local part of an address (before the @), at most 64 characters',
    ],
    [
      { recipient: 'a@b' },
      'Invalid recipient "a@b": must be the local part of an address (before the @), at most 64 characters',
    ],
    [
      { maxReportSize: Size.bytes(10) },
      'Invalid maxReportSize 10 bytes: must be a whole number of bytes from 1 KiB to 100 MiB',
    ],
    [
      { maxReportSize: Size.gibibytes(1) },
      'Invalid maxReportSize 1073741824 bytes: must be a whole number of bytes from 1 KiB to 100 MiB',
    ],
  ])('fails for %j', (props, message) => {
    const stack = stackIn();
    ingestion(stack, props as Partial<TlsReportIngestionProps>);
    expect(synth(stack)).toThrow(`[Stack/Reports] ${message}`);
  });

  test('reports every invalid prop in one synth', () => {
    const stack = stackIn('eu-north-1');
    ingestion(stack, { recipient: 'two words', maxReportSize: Size.bytes(10), daysWithoutReports: 9 });
    expect(synth(stack)).toThrow(
      [
        'Validation failed with the following errors:',
        '  [Stack/Reports] TlsReportIngestion cannot receive mail in eu-north-1: Amazon SES receives mail only in us-east-1, us-east-2, us-west-2, ca-central-1, eu-central-1, eu-west-1, eu-west-2, ap-northeast-1, ap-southeast-1, ap-southeast-2, ap-southeast-3. Put the ingestion in a stack in one of those regions.',
        '  [Stack/Reports] Invalid recipient "two words": must be the local part of an address (before the @), at most 64 characters',
        '  [Stack/Reports] Invalid maxReportSize 10 bytes: must be a whole number of bytes from 1 KiB to 100 MiB',
        '  [Stack/Reports] Invalid daysWithoutReports 9: must be a whole number from 1 to 7',
      ].join('\n'),
    );
  });
});

describe('failure paths, logs and the HTTPS endpoint bounds', () => {
  test('every function of the ingestion logs to its own log group, kept one year by default', () => {
    const stack = stackIn();
    const reports = ingestion(stack, { https: true });
    reports.addPolicyDomain('example.com');
    const template = Template.fromStack(stack);
    // Processor, failure recorder, HTTPS receiver, rule set activation and its provider framework; the stack's
    // policy publisher, which writes the ingestion's published-domains object, is tested with the policy site.
    const functions = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) =>
      id.startsWith('Reports'),
    );
    expect(functions).toHaveLength(5);
    const groups = template.findResources('AWS::Logs::LogGroup');
    for (const [id, fn] of functions) {
      const group = fn.Properties.LoggingConfig?.LogGroup?.Ref;
      expect([id, group in groups]).toEqual([id, true]);
      expect([id, groups[group].Properties.RetentionInDays]).toEqual([id, 365]);
    }
  });

  test('after the last retry, the OnFailure destination records the mail under rejected/', () => {
    const stack = stackIn();
    ingestion(stack);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^ReportsProcessor') },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReportsFailureRecorder'), 'Arn'] } },
      },
    });
    const recorder = Object.entries(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Description: 'cdk-mta-sts: records report mail that failed processing under rejected/' },
      }),
    );
    expect(recorder).toHaveLength(1);
    // It may only record rejections.
    const [policy] = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: recorder[0][1].Properties.Role['Fn::GetAtt'][0] }] },
      }),
    );
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: 's3:PutObject',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ReportsBucket/), 'Arn'] }, '/rejected/*']],
        },
      },
    ]);
  });

  test('the HTTPS receiver has reserved concurrency and an alarm on errors and throttles, sent to the alarm topic', () => {
    const stack = stackIn();
    const reports = ingestion(stack, { https: true, httpsReservedConcurrency: 3, httpsCounts: true });
    reports.addPolicyDomain('example.com');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'cdk-mta-sts: accepts TLS-RPT reports over HTTPS',
      ReservedConcurrentExecutions: 3,
      Environment: { Variables: Match.objectLike({ HTTPS_COUNTS: 'true' }) },
    });
    const topic = stack.resolve((reports.alarmTopic.node.defaultChild as never as { ref: string }).ref);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [topic],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(errors, 0) + FILL(throttles, 0)' }),
        Match.objectLike({
          Id: 'errors',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'Errors' }) }),
        }),
        Match.objectLike({
          Id: 'throttles',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'Throttles' }) }),
        }),
      ]),
    });
    expect(reports.httpsAlarm).toBeDefined();
  });

  test('refuses retentions that are not whole days', () => {
    expect(() => ingestion(stackIn(), { reportRetention: Duration.hours(36) })).toThrow(
      'Invalid retention of reports/: 1 day 12 hours; must be whole days, at least 1',
    );
  });

  test.each([0, 1.5, 1001])('refuses httpsReservedConcurrency %s', (value) => {
    expect(() => ingestion(stackIn(), { https: true, httpsReservedConcurrency: value })).toThrow(
      `Invalid httpsReservedConcurrency ${value}: must be a whole number from 1 to 1000`,
    );
  });
});

describe('one receipt rule set activation per account and region', () => {
  const zone = (stack: Stack) =>
    route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0EXAMPLE', zoneName: 'example.com' });

  test('a second ingestion without receiptRuleSet in the same account and region is a synth-time error', () => {
    const app = new App();
    const env = { account: '111111111111', region: 'eu-west-1' };
    const first = new Stack(app, 'First', { env });
    new TlsReportIngestion(first, 'Reports', { hostedZone: zone(first) });
    const second = new Stack(app, 'Second', { env });
    new TlsReportIngestion(second, 'Reports', { hostedZone: zone(second), domainName: 'r2.example.com' });
    expect(() => app.synth()).toThrow(
      '[Second/Reports] TlsReportIngestion Second/Reports would activate a second SES receipt rule set in region eu-west-1, where ' +
        'First/Reports already activates one (an account has one active rule set per region). Pass `receiptRuleSet: ' +
        'first.receiptRuleSet` (the first ingestion) to this one, or your own active rule set to both.',
    );
  });

  test("sharing the first one's rule set, or another region or account, is fine", () => {
    const app = new App();
    const first = new Stack(app, 'First', { env: { account: '111111111111', region: 'eu-west-1' } });
    const hostedZone = zone(first);
    const reports = new TlsReportIngestion(first, 'Reports', { hostedZone });
    new TlsReportIngestion(first, 'More', {
      hostedZone,
      domainName: 'more.example.com',
      receiptRuleSet: reports.receiptRuleSet,
    });
    const other = new Stack(app, 'Other', { env: { account: '111111111111', region: 'us-east-1' } });
    new TlsReportIngestion(other, 'Reports', { hostedZone: zone(other) });
    const account = new Stack(app, 'Account', { env: { account: '222222222222', region: 'eu-west-1' } });
    expect(() => new TlsReportIngestion(account, 'Reports', { hostedZone: zone(account) })).not.toThrow();
    Template.fromStack(first).resourceCountIs('Custom::SesActiveReceiptRuleSet', 1);
    Template.fromStack(first).resourceCountIs('AWS::SES::ReceiptRule', 2);
  });
});

test('in a stack without a region, a CloudFormation rule fails the deployment where SES cannot receive mail', () => {
  const stack = new Stack(new App(), 'Agnostic');
  ingestion(stack);
  const rules = Template.fromStack(stack).toJSON().Rules;
  const rule = Object.entries(rules).find(([id]) => id.startsWith('ReportsSesReceivingRegion'))?.[1] as {
    Assertions: { Assert: unknown; AssertDescription: string }[];
  };
  expect(rule.Assertions).toEqual([
    {
      Assert: {
        'Fn::Contains': [
          [
            'us-east-1',
            'us-east-2',
            'us-west-2',
            'ca-central-1',
            'eu-central-1',
            'eu-west-1',
            'eu-west-2',
            'ap-northeast-1',
            'ap-southeast-1',
            'ap-southeast-2',
            'ap-southeast-3',
          ],
          { Ref: 'AWS::Region' },
        ],
      },
      AssertDescription: expect.stringContaining('TlsReportIngestion needs a region where Amazon SES receives mail'),
    },
  ]);
});

/** The published-domains configuration object's body, as the stack's policy publisher will write it. */
function publishedDomainsBody(template: Template): unknown {
  const [publisher] = Object.values(template.findResources('Custom::MtaStsPolicies'));
  return publisher.Properties.Configs.find((c: any) => c.Key === '_cdk-mta-sts/published-domains.json').Body;
}
test('every function of the ingestion logs to a log group kept for logRetention (default one year)', () => {
  const retentions = (props: Partial<TlsReportIngestionProps>) => {
    const stack = stackIn();
    ingestion(stack, { https: true, ...props }).addPolicyDomain('example.com');
    const template = Template.fromStack(stack).toJSON();
    // Only the ingestion's own resources (logical ids under `Reports`): the stack's policy publisher, which writes
    // the published-domains object, has its own functions and log groups.
    const own = (type: string) =>
      Object.entries<any>(template.Resources).filter(([id, r]) => r.Type === type && id.startsWith('Reports'));
    const groups = own('AWS::Logs::LogGroup');
    const functions = own('AWS::Lambda::Function');
    // Each function names its own group: parser, HTTPS receiver, failure recorder, rule set activation and its
    // provider framework.
    expect(functions.map(([, f]) => f.Properties.LoggingConfig.LogGroup.Ref).sort()).toEqual(
      groups.map(([id]) => id).sort(),
    );
    return groups.map(([, g]) => g.Properties.RetentionInDays);
  };
  expect(retentions({})).toEqual([365, 365, 365, 365, 365]);
  expect(retentions({ logRetention: logs.RetentionDays.ONE_MONTH })).toEqual([30, 30, 30, 30, 30]);
});

describe('addAlarm', () => {
  test('routes any alarm of the app, a composite one too, to the alarm topic', () => {
    const stack = stackIn();
    const reports = ingestion(stack);
    const metricAlarm = new cloudwatch.Alarm(stack, 'Mine', {
      metric: new cloudwatch.Metric({ namespace: 'Mine', metricName: 'Errors' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    const composite = new cloudwatch.CompositeAlarm(stack, 'Composite', {
      alarmRule: cloudwatch.AlarmRule.anyOf(metricAlarm),
    });
    reports.addAlarm(metricAlarm);
    reports.addAlarm(composite);
    reports.addAlarm(composite);
    const template = Template.fromStack(stack);
    const topic = { Ref: stack.getLogicalId(reports.alarmTopic.node.defaultChild as sns.CfnTopic) };
    expect(onlyResource(template, 'AWS::CloudWatch::CompositeAlarm').Properties.AlarmActions).toEqual([topic]);
    const mine = template.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'Mine' } });
    expect(Object.values(mine).map((alarm) => alarm.Properties.AlarmActions)).toEqual([[topic]]);
  });

  test('refuses an imported alarm, which cannot take actions, by its path', () => {
    const stack = stackIn();
    const reports = ingestion(stack);
    const imported = cloudwatch.Alarm.fromAlarmArn(
      stack,
      'Imported',
      'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:Elsewhere',
    );
    expect(() => reports.addAlarm(imported)).toThrow(
      'Invalid alarm "Stack/Imported": addAlarm needs an alarm defined in this app (Alarm or CompositeAlarm), ' +
        'not an imported one, to add the alarm topic as its action',
    );
  });
});
