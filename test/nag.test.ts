import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { buildExampleApp } from '../examples/app';

/**
 * Findings we accept, each with its reason. They are scoped to the example app's paths; users get the same
 * list from the README.
 */
function suppress(app: App): void {
  for (const stack of app.node.children.filter((c): c is Stack => c instanceof Stack)) {
    NagSuppressions.addStackSuppressions(stack, [
      {
        id: 'AwsSolutions-S1',
        reason:
          'The bucket holds only public MTA-STS policy files, read through CloudFront; its access logs would add cost and no security signal.',
      },
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Senders worldwide must fetch the policy; geo restriction would break delivery from those regions.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution serves one small static public file; a WAF adds cost, and bot challenges would block MTAs.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Access logs of a public policy file carry no security signal; TLS-RPT reports say whether senders fetched it.',
      },
      {
        id: 'AwsSolutions-IAM4',
        reason:
          'AWSLambdaBasicExecutionRole on CDK-provided handlers (BucketDeployment, cross-region references) only grants CloudWatch Logs.',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'BucketDeployment needs object-level wildcards on its asset and policy buckets, and CloudFront invalidation has no resource-level scope.',
      },
      {
        id: 'AwsSolutions-L1',
        reason:
          'The runtimes of CDK-provided handlers (BucketDeployment, cross-region references) are chosen by aws-cdk-lib.',
      },
    ]);
  }
}

test('the example app has no unsuppressed AwsSolutions findings', () => {
  const { app } = buildExampleApp();
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  suppress(app);
  app.synth();
  for (const stack of app.node.children.filter((c): c is Stack => c instanceof Stack)) {
    const annotations = Annotations.fromStack(stack);
    const errors = annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    const warnings = annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect([...errors, ...warnings].map((f) => `${f.id}: ${String(f.entry.data)}`)).toEqual([]);
  }
});
