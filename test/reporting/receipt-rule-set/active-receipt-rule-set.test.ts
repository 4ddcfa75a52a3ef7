import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ActiveReceiptRuleSet } from '../../../src/reporting/receipt-rule-set/active-receipt-rule-set';

function synth() {
  const stack = new Stack(undefined, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const active = new ActiveReceiptRuleSet(stack, 'Reports', { logRetention: RetentionDays.ONE_MONTH });
  return { stack, active, template: Template.fromStack(stack) };
}

test('creates one rule set without a fixed name', () => {
  const { template } = synth();
  template.resourceCountIs('AWS::SES::ReceiptRuleSet', 1);
  template.hasResource('AWS::SES::ReceiptRuleSet', { Properties: Match.absent() });
});

test('activates the rule set through the custom resource, by name', () => {
  const { stack, active, template } = synth();
  const ruleSetId = stack.getLogicalId(active.ruleSet.node.defaultChild as never);
  template.resourceCountIs('Custom::SesActiveReceiptRuleSet', 1);
  template.hasResourceProperties('Custom::SesActiveReceiptRuleSet', {
    ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReportsProviderframeworkonEvent'), 'Arn'] },
    RuleSetName: { Ref: ruleSetId },
  });
});

test('the handler runs on Node 22, arm64', () => {
  const { template } = synth();
  template.hasResourceProperties('AWS::Lambda::Function', {
    Handler: 'index.handler',
    Runtime: 'nodejs22.x',
    Architectures: ['arm64'],
  });
});

test('the handler may only read and set the active rule set', () => {
  const { template } = synth();
  const handlers = template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } });
  const [handler] = Object.values(handlers);
  const roleId = (handler.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  template.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: roleId }],
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['ses:DescribeActiveReceiptRuleSet', 'ses:SetActiveReceiptRuleSet'],
          Resource: '*',
        },
      ],
    },
  });
  // Besides it, only the basic execution role (CloudWatch Logs).
  expect(template.toJSON().Resources[roleId].Properties.ManagedPolicyArns).toEqual([
    {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      ],
    },
  ]);
  const rolePolicies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  expect(Object.keys(rolePolicies)).toHaveLength(1);
});

test('the activation function and its provider log with the given retention', () => {
  const { template } = synth();
  template.resourceCountIs('AWS::Logs::LogGroup', 2);
  template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
});
