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
