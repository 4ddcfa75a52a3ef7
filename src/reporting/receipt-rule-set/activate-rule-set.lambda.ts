import { DescribeActiveReceiptRuleSetCommand, SESClient, SetActiveReceiptRuleSetCommand } from '@aws-sdk/client-ses';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { planActivation } from './activation-plan';

const ses = new SESClient({});

/**
 * onEvent handler of the `custom-resources` Provider that activates our SES receipt rule set. A thrown error becomes
 * a FAILED response carrying its message, so a refusal fails the deployment with the reason.
 */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<{ PhysicalResourceId: string }> {
  const ruleSetName =
    event.RequestType === 'Delete' ? event.PhysicalResourceId : requiredName(event.ResourceProperties.RuleSetName);
  const previousRuleSetName = event.RequestType === 'Update' ? event.PhysicalResourceId : undefined;

  const active = await ses.send(new DescribeActiveReceiptRuleSetCommand({}));
  const plan = planActivation({
    requestType: event.RequestType,
    ruleSetName,
    previousRuleSetName,
    activeRuleSetName: active.Metadata?.Name,
    region: process.env.AWS_REGION ?? 'this region',
  });
  console.log(JSON.stringify({ requestType: event.RequestType, ruleSetName, active: active.Metadata?.Name, plan }));

  switch (plan.action) {
    case 'refuse':
      throw new Error(plan.reason);
    case 'activate':
      await ses.send(new SetActiveReceiptRuleSetCommand({ RuleSetName: plan.ruleSetName }));
      break;
    case 'deactivate':
      // No RuleSetName deactivates whichever set is active; the plan checked that it is ours.
      await ses.send(new SetActiveReceiptRuleSetCommand({}));
      break;
    case 'none':
      break;
  }
  return { PhysicalResourceId: ruleSetName };
}

function requiredName(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new Error('RuleSetName must be a non-empty string');
  return value;
}
