import { CustomResource, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ActivateRuleSetFunction } from './activate-rule-set-function';
import { functionLogGroup } from '../../support/function-log-group';

/**
 * Properties for `ActiveReceiptRuleSet`.
 */
export interface ActiveReceiptRuleSetProps {
  /**
   * How long the activation functions' logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A new SES receipt rule set, made the active one of its account and region by a custom resource.
 *
 * An account has one active rule set per region and CloudFormation cannot activate one, so the custom resource
 * does. It refuses, failing the deployment with what to do, when another rule set is already active: activating
 * ours would silently switch off someone else's mail receiving. On delete it deactivates the rule set only if it is
 * still the active one.
 *
 * The rule set has no fixed name; CloudFormation names it.
 */
export class ActiveReceiptRuleSet extends Construct {
  /** The rule set, to add receipt rules to. */
  public readonly ruleSet: ses.IReceiptRuleSet;

  /**
   * The custom resource that activates `ruleSet`. Rules can be added to an inactive rule set; depend on this when
   * something must only exist once mail is received.
   */
  public readonly activation: CustomResource;

  constructor(scope: Construct, id: string, props: ActiveReceiptRuleSetProps = {}) {
    super(scope, id);

    const ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet');
    this.ruleSet = ruleSet;

    const onEvent = new ActivateRuleSetFunction(this, 'ActivateFunction', {
      description: 'Activates an SES receipt rule set unless another one is already active',
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(30),
      logGroup: functionLogGroup(this, 'ActivateFunctionLogs', props.logRetention),
    });
    onEvent.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:DescribeActiveReceiptRuleSet', 'ses:SetActiveReceiptRuleSet'],
        // These actions have no resource-level permissions: IAM only accepts '*'.
        resources: ['*'],
      }),
    );

    // The Provider framework turns a thrown error into a FAILED response carrying its message.
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      logGroup: functionLogGroup(this, 'ProviderLogs', props.logRetention),
    });

    this.activation = new CustomResource(this, 'Activation', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SesActiveReceiptRuleSet',
      properties: { RuleSetName: ruleSet.receiptRuleSetName },
    });
  }
}
