import { DescribeActiveReceiptRuleSetCommand, SESClient, SetActiveReceiptRuleSetCommand } from '@aws-sdk/client-ses';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../src/reporting/receipt-rule-set/activate-rule-set.lambda';

const sesMock = mockClient(SESClient);

const REFUSAL =
  'SES receipt rule set "their-set" is already active in eu-west-1; cdk-mta-sts will not replace it. ' +
  'Pass it as `receiptRuleSet` so the report rule is added to it, or deactivate it first.';

const BASE = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provider',
  ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/response',
  StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/reports/1',
  RequestId: 'request-1',
  LogicalResourceId: 'Activation',
  ResourceType: 'Custom::SesActiveReceiptRuleSet',
};

function props(ruleSetName: string) {
  return { ServiceToken: BASE.ServiceToken, RuleSetName: ruleSetName };
}

function create(ruleSetName: string): CloudFormationCustomResourceCreateEvent {
  return { ...BASE, RequestType: 'Create', ResourceProperties: props(ruleSetName) };
}

function update(ruleSetName: string, physicalId: string): CloudFormationCustomResourceUpdateEvent {
  return {
    ...BASE,
    RequestType: 'Update',
    PhysicalResourceId: physicalId,
    ResourceProperties: props(ruleSetName),
    OldResourceProperties: props(physicalId),
  };
}

function remove(physicalId: string): CloudFormationCustomResourceDeleteEvent {
  return { ...BASE, RequestType: 'Delete', PhysicalResourceId: physicalId, ResourceProperties: props(physicalId) };
}

function active(name: string | undefined): void {
  sesMock
    .on(DescribeActiveReceiptRuleSetCommand)
    .resolves(name === undefined ? {} : { Metadata: { Name: name, CreatedTimestamp: new Date(0) }, Rules: [] });
}

/** Every command the handler sent, in order, with its exact input. */
function sent(): Array<[string, unknown]> {
  return sesMock.calls().map((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: unknown };
    return [command.constructor.name, command.input];
  });
}

const DESCRIBE: [string, unknown] = ['DescribeActiveReceiptRuleSetCommand', {}];

let region: string | undefined;
beforeAll(() => {
  region = process.env.AWS_REGION;
  process.env.AWS_REGION = 'eu-west-1';
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterAll(() => {
  if (region === undefined) delete process.env.AWS_REGION;
  else process.env.AWS_REGION = region;
});
beforeEach(() => {
  sesMock.reset();
  sesMock.on(SetActiveReceiptRuleSetCommand).resolves({});
});

describe('Create', () => {
  test('activates ours when none is active', async () => {
    active(undefined);
    await expect(handler(create('ours'))).resolves.toEqual({ PhysicalResourceId: 'ours' });
    expect(sesMock).toHaveReceivedCommandWith(SetActiveReceiptRuleSetCommand, { RuleSetName: 'ours' });
    expect(sent()).toEqual([DESCRIBE, ['SetActiveReceiptRuleSetCommand', { RuleSetName: 'ours' }]]);
  });

  test('does nothing when ours is already active', async () => {
    active('ours');
    await expect(handler(create('ours'))).resolves.toEqual({ PhysicalResourceId: 'ours' });
    expect(sesMock).not.toHaveReceivedCommand(SetActiveReceiptRuleSetCommand);
    expect(sent()).toEqual([DESCRIBE]);
  });

  test('refuses to replace another active rule set', async () => {
    active('their-set');
    await expect(handler(create('ours'))).rejects.toThrow(new Error(REFUSAL));
    expect(sesMock).not.toHaveReceivedCommand(SetActiveReceiptRuleSetCommand);
    expect(sent()).toEqual([DESCRIBE]);
  });

  test('rejects a missing rule set name without calling SES', async () => {
    const event = create('ours');
    await expect(handler({ ...event, ResourceProperties: { ServiceToken: BASE.ServiceToken } })).rejects.toThrow(
      new Error('RuleSetName must be a non-empty string'),
    );
    expect(sent()).toEqual([]);
  });
});

describe('Update', () => {
  test('to a new name replaces our previous active rule set', async () => {
    active('old-ours');
    await expect(handler(update('ours', 'old-ours'))).resolves.toEqual({ PhysicalResourceId: 'ours' });
    expect(sent()).toEqual([DESCRIBE, ['SetActiveReceiptRuleSetCommand', { RuleSetName: 'ours' }]]);
  });

  test('to a new name activates it when none is active', async () => {
    active(undefined);
    await expect(handler(update('ours', 'old-ours'))).resolves.toEqual({ PhysicalResourceId: 'ours' });
    expect(sent()).toEqual([DESCRIBE, ['SetActiveReceiptRuleSetCommand', { RuleSetName: 'ours' }]]);
  });

  test('to a new name refuses to replace another active rule set', async () => {
    active('their-set');
    await expect(handler(update('ours', 'old-ours'))).rejects.toThrow(new Error(REFUSAL));
    expect(sent()).toEqual([DESCRIBE]);
  });

  test('keeping the name leaves another active rule set alone and succeeds (rollback of a refused rename)', async () => {
    active('their-set');
    await expect(handler(update('ours', 'ours'))).resolves.toEqual({ PhysicalResourceId: 'ours' });
    expect(sent()).toEqual([DESCRIBE]);
  });
});

describe('Delete', () => {
  test('deactivates ours when it is active', async () => {
    active('ours');
    await expect(handler(remove('ours'))).resolves.toEqual({ PhysicalResourceId: 'ours' });
    expect(sesMock).toHaveReceivedCommandTimes(SetActiveReceiptRuleSetCommand, 1);
    expect(sent()).toEqual([DESCRIBE, ['SetActiveReceiptRuleSetCommand', {}]]);
  });

  test('leaves another active rule set alone', async () => {
    active('their-set');
    await expect(handler(remove('ours'))).resolves.toEqual({ PhysicalResourceId: 'ours' });
    expect(sent()).toEqual([DESCRIBE]);
  });

  test('does nothing when none is active', async () => {
    active(undefined);
    await expect(handler(remove('ours'))).resolves.toEqual({ PhysicalResourceId: 'ours' });
    expect(sent()).toEqual([DESCRIBE]);
  });
});

test('an SES error propagates, so the Provider answers FAILED with it', async () => {
  sesMock.on(DescribeActiveReceiptRuleSetCommand).rejects(new Error('Rate exceeded'));
  await expect(handler(create('ours'))).rejects.toThrow('Rate exceeded');
});
