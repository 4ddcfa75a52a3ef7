import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';

/**
 * Receipt rule actions that let SES in only for this account's rules in this rule set, as the SES Developer Guide's
 * "Giving permissions to Amazon SES for email receiving" asks: `aws:SourceAccount` and `aws:SourceArn`. The actions
 * of aws-cdk-lib grant by `aws:Referer` or account alone, depending on the release.
 *
 * The source ARN names every rule of the rule set, not the report rule: SES checks these permissions when the rule
 * is created, so the rule depends on them and cannot be named in them without a cycle.
 */
function receiptRuleArns(ruleSet: ses.IReceiptRuleSet): string {
  return Stack.of(ruleSet).formatArn({
    service: 'ses',
    resource: 'receipt-rule-set',
    resourceName: `${ruleSet.receiptRuleSetName}:receipt-rule/*`,
  });
}

/** Stores the raw mail under a prefix of the bucket. */
export class StoreMailAction implements ses.IReceiptRuleAction {
  constructor(
    private readonly bucket: s3.IBucket,
    private readonly prefix: string,
    private readonly ruleSet: ses.IReceiptRuleSet,
  ) {}

  public bind(rule: ses.IReceiptRule): ses.ReceiptRuleActionConfig {
    const grant = this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${this.prefix}*`)],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': receiptRuleArns(this.ruleSet) },
        },
      }),
    );
    // SES tries a test write when the rule is created.
    if (grant.policyDependable) rule.node.addDependency(grant.policyDependable);
    return { s3Action: { bucketName: this.bucket.bucketName, objectKeyPrefix: this.prefix } };
  }
}

/** Invokes a function asynchronously with the SES event. */
export class InvokeFunctionAction implements ses.IReceiptRuleAction {
  constructor(
    private readonly fn: lambda.IFunction,
    private readonly ruleSet: ses.IReceiptRuleSet,
  ) {}

  public bind(rule: ses.IReceiptRule): ses.ReceiptRuleActionConfig {
    this.fn.addPermission('AllowSes', {
      principal: new iam.ServicePrincipal('ses.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceAccount: Aws.ACCOUNT_ID,
      sourceArn: receiptRuleArns(this.ruleSet),
    });
    // SES checks that it may invoke the function when the rule is created.
    const permission = this.fn.node.tryFindChild('AllowSes');
    if (permission) rule.node.addDependency(permission);
    return { lambdaAction: { functionArn: this.fn.functionArn, invocationType: 'Event' } };
  }
}

/** Stops evaluating later rules of the rule set, so catch-all rules of the user's set do not also act on reports. */
export class StopRuleSetAction implements ses.IReceiptRuleAction {
  public bind(_rule: ses.IReceiptRule): ses.ReceiptRuleActionConfig {
    return { stopAction: { scope: 'RuleSet' } };
  }
}
