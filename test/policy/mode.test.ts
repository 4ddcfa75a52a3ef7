import { MtaStsMode, toMtaStsMode } from '../../src/policy/mode';

test.each([
  ['none', MtaStsMode.NONE],
  ['testing', MtaStsMode.TESTING],
  ['enforce', MtaStsMode.ENFORCE],
])('accepts %j', (text, mode) => {
  expect(toMtaStsMode(text, 'mode')).toBe(mode);
});

test.each(['ENFORCE', 'Testing', ' none', 'report'])('rejects %j', (text) => {
  expect(() => toMtaStsMode(text, '--mode')).toThrow(
    new Error(`Invalid --mode ${JSON.stringify(text)}: must be one of "none", "testing", "enforce" (lower-case)`),
  );
});
