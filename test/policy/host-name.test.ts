import { normalizeHost, withoutTrailingDot } from '../../src/policy/host-name';

test.each([
  ['MX1.Example.COM.', 'mx1.example.com'],
  ['mx1.example.com', 'mx1.example.com'],
  ['.', ''],
  ['example.com..', 'example.com.'],
])('normalizeHost(%j) is %j', (name, expected) => {
  expect(normalizeHost(name)).toBe(expected);
});

test('withoutTrailingDot keeps the case', () => {
  expect(withoutTrailingDot('Example.com.')).toBe('Example.com');
});
