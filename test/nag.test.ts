import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NagPackSuppression, NagSuppressions } from 'cdk-nag';
import { buildExampleApp } from '../examples/app';

const BASIC_EXECUTION_ROLE = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
const LOGS_ONLY: NagPackSuppression = {
  id: 'AwsSolutions-IAM4',
  reason: 'AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch Logs.',
  appliesTo: [BASIC_EXECUTION_ROLE],
};

/**
 * The findings we accept, each scoped to the resources it concerns and with its reason. The README lists the
 * same ones for users who run cdk-nag on their own apps.
 */
function suppress(app: App, stack: Stack): void {
  const at = (path: string, suppressions: NagPackSuppression[], applyToChildren = true) =>
    NagSuppressions.addResourceSuppressionsByPath(stack, `/${stack.stackName}/${path}`, suppressions, applyToChildren);

  // The policy site.
  at('MtaStsPolicyBucket/Resource', [
    {
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds only public MTA-STS policy files read through CloudFront; access logs add cost, no signal.',
    },
  ]);
  at('MtaSts/PolicySite/Distribution/Resource', [
    {
      id: 'AwsSolutions-CFR1',
      reason: 'Senders worldwide must fetch the policy: geo restriction would break delivery.',
    },
    {
      id: 'AwsSolutions-CFR2',
      reason: 'One small static public file: a WAF adds cost, and bot challenges would block sending MTAs.',
    },
    {
      id: 'AwsSolutions-CFR3',
      reason:
        'Access logs of a public policy file carry no security signal; TLS-RPT reports show whether senders fetch it.',
    },
  ]);
  const bucketDeployment = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  at(bucketDeployment!.node.id, [
    LOGS_ONLY,
    {
      id: 'AwsSolutions-IAM5',
      reason:
        "aws-cdk-lib's BucketDeployment handler syncs whole prefixes (object wildcards) and invalidates CloudFront, which has no resource-level permissions.",
    },
    { id: 'AwsSolutions-L1', reason: "The BucketDeployment handler's runtime is chosen by aws-cdk-lib." },
  ]);

  at('MtaStsMxDriftCheck/Function/ServiceRole', [LOGS_ONLY]);

  // The report ingestion.
  at('TlsReports/Bucket/Resource', [
    {
      id: 'AwsSolutions-S1',
      reason: 'Only SES and the ingestion functions write here; CloudTrail data events are the audit trail if needed.',
    },
  ]);
  for (const handler of ['Processor', 'HttpsReceiver']) {
    at(`TlsReports/${handler}/ServiceRole`, [
      LOGS_ONLY,
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Object wildcards are scoped to the prefixes the handler owns: raw/ (or raw/https/), reports/, rejected/.',
        appliesTo: [
          { regex: '/^Resource::<TlsReportsBucket[0-9A-F]+\\.Arn>\\/(raw|raw\\/https|reports|rejected)\\/\\*$/g' },
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

test('the example app has no unsuppressed AwsSolutions findings', () => {
  const { app, stack } = buildExampleApp();
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  suppress(app, stack);
  app.synth();
  const stacks = app.node.children.filter((c): c is Stack => c instanceof Stack);
  expect(stacks).toHaveLength(2);
  for (const each of stacks) {
    const annotations = Annotations.fromStack(each);
    const errors = annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    const warnings = annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect([...errors, ...warnings].map((f) => `${f.id}: ${String(f.entry.data)}`)).toEqual([]);
  }
});
