import {
  ActivationPlan,
  ActivationRequestType,
  planActivation,
  refusalMessage,
} from '../../../src/reporting/receipt-rule-set/activation-plan';

const REFUSAL =
  'SES receipt rule set "their-set" is already active in eu-west-1; cdk-mta-sts will not replace it. ' +
  'Pass it as `receiptRuleSet` so the report rule is added to it, or deactivate it first.';

const ACTIVATE_OURS: ActivationPlan = { action: 'activate', ruleSetName: 'ours' };
const NONE: ActivationPlan = { action: 'none' };
const DEACTIVATE: ActivationPlan = { action: 'deactivate' };
const REFUSE: ActivationPlan = { action: 'refuse', reason: REFUSAL };

// requestType, ruleSetName, previousRuleSetName, activeRuleSetName, expected
const CASES: Array<[ActivationRequestType, string, string | undefined, string | undefined, ActivationPlan]> = [
  // Create
  ['Create', 'ours', undefined, undefined, ACTIVATE_OURS],
  ['Create', 'ours', undefined, 'ours', NONE],
  ['Create', 'ours', undefined, 'their-set', REFUSE],
  // Update to a new name: the previous one counts as ours
  ['Update', 'ours', 'old-ours', undefined, ACTIVATE_OURS],
  ['Update', 'ours', 'old-ours', 'ours', NONE],
  ['Update', 'ours', 'old-ours', 'old-ours', ACTIVATE_OURS],
  ['Update', 'ours', 'old-ours', 'their-set', REFUSE],
  // Update keeping the name (also the rollback of a refused rename)
  ['Update', 'ours', 'ours', undefined, ACTIVATE_OURS],
  ['Update', 'ours', 'ours', 'ours', NONE],
  ['Update', 'ours', 'ours', 'their-set', NONE],
  // Update without a previous name behaves as Create
  ['Update', 'ours', undefined, undefined, ACTIVATE_OURS],
  ['Update', 'ours', undefined, 'their-set', REFUSE],
  // Delete: the name is the physical id being deleted
  ['Delete', 'ours', undefined, undefined, NONE],
  ['Delete', 'ours', undefined, 'ours', DEACTIVATE],
  ['Delete', 'ours', undefined, 'their-set', NONE],
];

test.each(CASES)(
  '%s of %p (previously %p) while %p is active: %p',
  (requestType, ruleSetName, prev, active, expected) => {
    expect(
      planActivation({
        requestType,
        ruleSetName,
        previousRuleSetName: prev,
        activeRuleSetName: active,
        region: 'eu-west-1',
      }),
    ).toEqual(expected);
  },
);

test('the refusal names the active rule set, the region and what to do', () => {
  expect(refusalMessage('their-set', 'eu-west-1')).toBe(REFUSAL);
});
