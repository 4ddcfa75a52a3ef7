import { runtimeViolations } from './allowed-runtimes';
import { VARIANTS, resourcesOfType, synthesize } from './variants';

describe.each(Object.keys(VARIANTS))('variant %s', (variant) => {
  test('every Lambda function uses a runtime Lambda still creates', () => {
    const stacks = synthesize(variant);
    expect(stacks.flatMap((stack) => resourcesOfType(stack.template, 'AWS::Lambda::Function')).length).toBeGreaterThan(
      0,
    );
    expect(stacks.flatMap(runtimeViolations)).toEqual([]);
  });
});

test('the check names a provider function on a blocked runtime', () => {
  const stack = {
    variant: 'old',
    stackName: 'S',
    region: 'eu-west-1',
    template: {
      Resources: {
        Handler: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x' } },
        ProviderframeworkonEvent: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs20.x' } },
        NoRuntime: { Type: 'AWS::Lambda::Function', Properties: {} },
        Image: { Type: 'AWS::Lambda::Function', Properties: { PackageType: 'Image' } },
      },
    },
  };
  expect(runtimeViolations(stack)).toEqual([
    'old/S/ProviderframeworkonEvent: "nodejs20.x"',
    'old/S/NoRuntime: undefined',
  ]);
});

test('a per-region runtime map counts in every region the stack may deploy to', () => {
  const fromMap = { 'Fn::FindInMap': ['LatestNodeRuntimeMap', { Ref: 'AWS::Region' }, 'value'] };
  const template = (rules?: Record<string, any>) => ({
    Mappings: {
      LatestNodeRuntimeMap: { 'eu-west-1': { value: 'nodejs22.x' }, 'us-iso-east-1': { value: 'nodejs18.x' } },
    },
    ...(rules && { Rules: rules }),
    Resources: { Provider: { Type: 'AWS::Lambda::Function', Properties: { Runtime: fromMap } } },
  });
  const stack = (rules?: Record<string, any>) => ({
    variant: 'agnostic',
    stackName: 'S',
    region: 'unknown-region',
    template: template(rules),
  });
  expect(runtimeViolations(stack())).toEqual([`agnostic/S/Provider: ${JSON.stringify(fromMap)}`]);
  const onlyEuWest1 = {
    Region: { Assertions: [{ Assert: { 'Fn::Contains': [['eu-west-1'], { Ref: 'AWS::Region' }] } }] },
  };
  expect(runtimeViolations(stack(onlyEuWest1))).toEqual([]);
});
