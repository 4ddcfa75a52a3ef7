import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildExampleApp } from '../examples/app';

/** Asset hashes change with aws-cdk-lib's bundled handlers; mask them so the snapshot watches our resources. */
function maskAssetHashes(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).replace(/[0-9a-f]{64}/g, '[asset-hash]'));
}

test('the example app matches its snapshot', () => {
  const { app } = buildExampleApp();
  const stacks = app.node.children.filter((c): c is Stack => c instanceof Stack);
  // One stack, in eu-west-1, with everything in it: no us-east-1 certificate stack.
  expect(stacks.map((s) => `${s.stackName} (${s.region})`)).toEqual(['MailSecurity (eu-west-1)']);
  for (const stack of stacks) {
    expect(maskAssetHashes(Template.fromStack(stack).toJSON())).toMatchSnapshot(stack.stackName);
  }
});
