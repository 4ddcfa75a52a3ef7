import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AwsSolutionsChecks, NagPackSuppression, NagSuppressions } from 'cdk-nag';
import { buildExampleApp } from '../examples/app';
import { MtaSts, MtaStsMode } from '../src';

const BASIC_EXECUTION_ROLE = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
const LOGS_ONLY: NagPackSuppression = {
  id: 'AwsSolutions-IAM4',
  reason: 'AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch Logs.',
  appliesTo: [BASIC_EXECUTION_ROLE],
};

/**
 * Our handlers run on nodejs22.x, which Lambda creates until its deprecation in 2027; newer cdk-nag releases
 * flag anything but the newest runtime. test/deploy checks every runtime against Lambda's creatable list.
 */
const OUR_RUNTIME: NagPackSuppression = {
  id: 'AwsSolutions-L1',
  reason:
    'nodejs22.x is a runtime Lambda still creates (checked by test/deploy); handlers move with the projen setting.',
};
const AWS_CUSTOM_RESOURCE = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * The findings we accept, each scoped to the resources it concerns and with its reason. The README lists the
 * same ones for users who run cdk-nag on their own apps.
 */
function suppress(stack: Stack): void {
  const at = (path: string, suppressions: NagPackSuppression[], applyToChildren = true) =>
    NagSuppressions.addResourceSuppressionsByPath(stack, `/${stack.stackName}/${path}`, suppressions, applyToChildren);
  const has = (id: string) => stack.node.tryFindChild(id) !== undefined;

  // The policy site.
  at('MtaStsPolicyHost/Bucket/Resource', [
    {
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds only public MTA-STS policy files read through CloudFront; access logs add cost, no signal.',
    },
  ]);
  at('MtaStsPolicyHost/Distribution/Resource', [
    {
      id: 'AwsSolutions-CFR1',
      reason: 'Senders worldwide must fetch the policy: geo restriction would break delivery.',
    },
    {
      id: 'AwsSolutions-CFR2',
      reason: 'One small static public file: a WAF adds cost, and bot challenges would block sending MTAs.',
    },
    {
      id: 'AwsSolutions-CFR4',
      reason:
        'A multi-tenant distribution has no certificate of its own, so its ViewerCertificate cannot name a TLS minimum; each tenant serves its own (CloudFront-managed or your) certificate. See the README, "What was verified only by synthesis".',
    },
    {
      id: 'AwsSolutions-CFR3',
      reason:
        'Access logs of a public policy file carry no security signal; TLS-RPT reports show whether senders fetch it.',
    },
  ]);
  if (has('MtaStsPolicyPublisher')) {
    at('MtaStsPolicyPublisher', [
      LOGS_ONLY,
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "The custom resource framework invokes any version of its functions (ARN with ':*'), and its waiter state machine's log delivery actions have no resource-level permissions.",
        appliesTo: [{ regex: '/^Resource::<MtaStsPolicyPublisher[A-Za-z0-9]+\\.Arn>:\\*$/g' }, 'Resource::*'],
      },
      { id: 'AwsSolutions-L1', reason: "The custom resource framework's runtimes are chosen by aws-cdk-lib." },
      {
        id: 'AwsSolutions-SF1',
        reason:
          "aws-cdk-lib's Provider waiter only polls whether the new policies are live; it logs errors to its own log group, and failures reach CloudFormation.",
      },
      {
        id: 'AwsSolutions-SF2',
        reason: "X-Ray adds cost and nothing to aws-cdk-lib's Provider waiter of a few polls.",
      },
    ]);
  }
  const policyFiles: NagPackSuppression = {
    id: 'AwsSolutions-IAM5',
    reason:
      'Only policy files, <domain>/.well-known/mta-sts.txt, of any domain the stack publishes: one statement, whatever the domain count.',
    appliesTo: [
      { regex: '/^Resource::<MtaStsPolicyHostBucket[0-9A-F]+\\.Arn>\\/\\*\\/\\.well-known\\/mta-sts\\.txt$/g' },
    ],
  };
  if (has('MtaStsPolicyPublisher')) {
    at('MtaStsPolicyPublisher/PublishFunction/ServiceRole', [policyFiles]);
    at('MtaStsPolicyPublisher/VerifyFunction/ServiceRole', [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "Reads the managed-certificate status of this account's distribution tenants; tenant ids are known only after they are created.",
        appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:cloudfront::[0-9]+:distribution-tenant\\/\\*$/g' }],
      },
    ]);
  }
  if (has('MtaStsMxDriftCheck')) {
    at('MtaStsMxDriftCheck/Function/ServiceRole', [LOGS_ONLY, policyFiles]);
    at('MtaStsMxDriftCheck/Function/Resource', [OUR_RUNTIME]);
  }
  // aws-cdk-lib's AwsCustomResource function (one per stack) that runs the drift check once at deploy time.
  if (has(AWS_CUSTOM_RESOURCE)) {
    at(AWS_CUSTOM_RESOURCE, [
      LOGS_ONLY,
      { id: 'AwsSolutions-L1', reason: "The AwsCustomResource function's runtime is chosen by aws-cdk-lib." },
    ]);
  }
  if (has('MtaStsCanary')) {
    at('MtaStsCanary/Function/ServiceRole', [LOGS_ONLY]);
    at('MtaStsCanary/Function/Resource', [OUR_RUNTIME]);
  }
  if (!has('TlsReports')) return;
  for (const fn of ['Processor', 'FailureRecorder', 'HttpsEndpoint/Function', 'ReceiptRuleSet/ActivateFunction']) {
    if (stack.node.tryFindChild('TlsReports')?.node.tryFindChild(fn.split('/')[0])) {
      at(`TlsReports/${fn}/Resource`, [OUR_RUNTIME]);
    }
  }

  // The report ingestion.
  at('TlsReports/Bucket/Resource', [
    {
      id: 'AwsSolutions-S1',
      reason: 'Only SES and the ingestion functions write here; CloudTrail data events are the audit trail if needed.',
    },
  ]);
  for (const handler of ['Processor', 'HttpsEndpoint/Function', 'FailureRecorder']) {
    at(`TlsReports/${handler}/ServiceRole`, [
      LOGS_ONLY,
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Object wildcards are scoped to the prefixes the handler owns: raw/ (or raw/https/), reports/ (or ' +
          'https-reports/), rejected/; and the OnFailure destination may be any version of the failure recorder.',
        appliesTo: [
          {
            regex:
              '/^Resource::<TlsReportsBucket[0-9A-F]+\\.Arn>\\/(raw|raw\\/https|reports|https-reports|rejected)\\/\\*$/g',
          },
          { regex: '/^Resource::<TlsReportsFailureRecorder[0-9A-F]+\\.Arn>:\\*$/g' },
        ],
      },
    ]);
  }
  at('TlsReports/ReceiptRuleSet/ActivateFunction/ServiceRole', [
    LOGS_ONLY,
    {
      id: 'AwsSolutions-IAM5',
      reason: 'ses:DescribeActiveReceiptRuleSet and ses:SetActiveReceiptRuleSet have no resource-level permissions.',
      appliesTo: ['Resource::*'],
    },
  ]);
  at('TlsReports/ReceiptRuleSet/Provider/framework-onEvent', [
    LOGS_ONLY,
    {
      id: 'AwsSolutions-IAM5',
      reason: "The custom resource framework may invoke any version of the activation function (its ARN with ':*').",
      appliesTo: [{ regex: '/^Resource::<TlsReportsReceiptRuleSetActivateFunction[0-9A-F]+\\.Arn>:\\*$/g' }],
    },
    { id: 'AwsSolutions-L1', reason: "The custom resource framework's runtime is chosen by aws-cdk-lib." },
  ]);
}

function unsuppressedFindings(app: App): string[] {
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  app.synth();
  const findings: string[] = [];
  for (const each of app.node.children.filter((c): c is Stack => c instanceof Stack)) {
    const annotations = Annotations.fromStack(each);
    const errors = annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    const warnings = annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    findings.push(...[...errors, ...warnings].map((f) => `${f.id}: ${String(f.entry.data)}`));
  }
  return findings;
}

test('the example app has no unsuppressed AwsSolutions findings', () => {
  const { app, stack } = buildExampleApp();
  suppress(stack);
  expect(app.node.children.filter((c) => c instanceof Stack)).toHaveLength(1);
  expect(unsuppressedFindings(app)).toEqual([]);
});

test('a policy read from the zone at deploy time has no unsuppressed AwsSolutions findings', () => {
  const app = new App();
  const stack = new Stack(app, 'Discovered', { env: { account: '111111111111', region: 'us-east-1' } });
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
    hostedZoneId: 'Z0EXAMPLE',
    zoneName: 'example.com',
  });
  new MtaSts(stack, 'MtaSts', { hostedZone, mode: MtaStsMode.TESTING, reportUris: ['mailto:tlsrpt@example.com'] });
  suppress(stack);
  expect(unsuppressedFindings(app)).toEqual([]);
});
