import { positiveIntegerEnv, requireEnv } from '../../src/runtime/env';

describe('env', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('requireEnv returns the trimmed value and throws when unset or blank', () => {
    process.env.X_TEST = ' bucket-1 ';
    expect(requireEnv('X_TEST')).toBe('bucket-1');
    process.env.X_TEST = '  ';
    expect(() => requireEnv('X_TEST')).toThrow('environment variable X_TEST is not set');
    delete process.env.X_TEST;
    expect(() => requireEnv('X_TEST')).toThrow('environment variable X_TEST is not set');
  });

  test.each([
    [undefined, 5],
    ['', 5],
    ['1048576', 1048576],
  ])('positiveIntegerEnv(%j) is %d', (value, expected) => {
    if (value === undefined) delete process.env.X_TEST;
    else process.env.X_TEST = value;
    expect(positiveIntegerEnv('X_TEST', 5)).toBe(expected);
  });

  test.each(['0', '-1', '1.5', '10MB'])('positiveIntegerEnv rejects %j', (value) => {
    process.env.X_TEST = value;
    expect(() => positiveIntegerEnv('X_TEST', 5)).toThrow(
      `environment variable X_TEST must be a positive integer, got ${JSON.stringify(value)}`,
    );
  });
});
