/** The CloudFormation request types the activation custom resource answers. */
export type ActivationRequestType = 'Create' | 'Update' | 'Delete';

/** What the handler knows when it decides. */
export interface ActivationInput {
  readonly requestType: ActivationRequestType;
  /**
   * Our rule set: the one to activate on Create and Update, the one being removed (the physical id) on Delete.
   */
  readonly ruleSetName: string;
  /** On Update, the rule set this resource managed until now (its previous physical id). */
  readonly previousRuleSetName?: string;
  /** The rule set active in the account and region now, if any. */
  readonly activeRuleSetName?: string;
  /** The region, for the refusal message. */
  readonly region: string;
}

/** What the handler does: one SES call at most, or a refusal that fails the deployment. */
export type ActivationPlan =
  | { readonly action: 'activate'; readonly ruleSetName: string }
  | { readonly action: 'deactivate' }
  | { readonly action: 'none' }
  | { readonly action: 'refuse'; readonly reason: string };

/** The message a refused activation fails the deployment with. */
export function refusalMessage(activeRuleSetName: string, region: string): string {
  return (
    `SES receipt rule set "${activeRuleSetName}" is already active in ${region}; cdk-mta-sts will not replace it. ` +
    'Pass it as `receiptRuleSet` so the report rule is added to it, or deactivate it first.'
  );
}

/**
 * Decides how to activate or deactivate our receipt rule set without ever replacing someone else's: an account has
 * one active rule set per region, so activating ours would silently switch off their mail receiving.
 */
export function planActivation(input: ActivationInput): ActivationPlan {
  const { requestType, ruleSetName, previousRuleSetName, activeRuleSetName, region } = input;

  if (requestType === 'Delete') {
    // Only switch receiving off when it is ours that is on.
    return activeRuleSetName === ruleSetName ? { action: 'deactivate' } : { action: 'none' };
  }

  if (activeRuleSetName === ruleSetName) return { action: 'none' };
  if (activeRuleSetName === undefined) return { action: 'activate', ruleSetName };

  if (requestType === 'Update' && previousRuleSetName !== undefined) {
    // Our previous rule set is ours to replace.
    if (activeRuleSetName === previousRuleSetName) return { action: 'activate', ruleSetName };
    // Same name: nothing about activation is being asked for. This is also the rollback of a refused rename, so
    // refusing here would leave the stack in UPDATE_ROLLBACK_FAILED; leave their rule set alone instead.
    if (previousRuleSetName === ruleSetName) return { action: 'none' };
  }

  return { action: 'refuse', reason: refusalMessage(activeRuleSetName, region) };
}
