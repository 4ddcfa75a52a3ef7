import { Aws, CfnRule, Fn, Stack, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { SES_RECEIVING_REGIONS } from './ses-receiving-regions';

/**
 * Where an ingestion may receive mail. With the region known at synth time, another region is a synth-time error;
 * in an environment-agnostic stack, a CloudFormation rule fails the deployment before any resource is created in a
 * region where SES does not receive mail.
 */
export function guardReceivingRegion(scope: Construct): void {
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(region)) {
    if (!SES_RECEIVING_REGIONS.includes(region)) {
      throw new Error(
        `TlsReportIngestion cannot receive mail in ${region}: Amazon SES receives mail only in ${SES_RECEIVING_REGIONS.join(', ')}. ` +
          'Put the ingestion in a stack in one of those regions.',
      );
    }
    return;
  }
  new CfnRule(scope, 'SesReceivingRegion', {
    assertions: [
      {
        assert: Fn.conditionContains([...SES_RECEIVING_REGIONS], Aws.REGION),
        assertDescription: `TlsReportIngestion needs a region where Amazon SES receives mail: ${SES_RECEIVING_REGIONS.join(', ')}`,
      },
    ],
  });
}

// Per app (construct tree root): account/region -> path of the ingestion that activates a rule set there.
const activations = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Claims the one receipt-rule-set activation of the scope's account and region in this app. SES has one active rule
 * set per account and region, so a second ingestion that activates its own would fail at deploy time (or, without
 * our check, switch off the first one's mail): it is a synth-time error saying what to do instead. Stacks without an
 * account or region count as one environment, since they may be deployed to the same one.
 */
export function claimRuleSetActivation(scope: Construct): void {
  const stack = Stack.of(scope);
  const environment = `${stack.account}/${stack.region}`;
  let claimed = activations.get(scope.node.root);
  if (!claimed) activations.set(scope.node.root, (claimed = new Map()));
  const first = claimed.get(environment);
  if (first !== undefined) {
    const where = Token.isUnresolved(stack.region) ? 'an environment-agnostic stack' : `region ${stack.region}`;
    throw new Error(
      `TlsReportIngestion ${scope.node.path} would activate a second SES receipt rule set in ${where}, where ${first} ` +
        'already activates one (an account has one active rule set per region). Pass `receiptRuleSet: ' +
        'first.receiptRuleSet` (the first ingestion) to this one, or your own active rule set to both.',
    );
  }
  claimed.set(environment, scope.node.path);
}
