import { Duration, Lazy } from 'aws-cdk-lib';
import { MtaStsMode } from '../../src/policy/mode';
import { MtaStsPolicy } from '../../src/policy/mta-sts-policy';

describe('MtaStsPolicy', () => {
  test('defaults max age to seven days and exposes the rendered policy', () => {
    const policy = new MtaStsPolicy({ mode: MtaStsMode.ENFORCE, mx: ['Mail.Example.com.', 'mail.example.com'] });
    expect(policy.mode).toBe(MtaStsMode.ENFORCE);
    expect(policy.mx).toEqual(['mail.example.com']);
    expect(policy.maxAge.toSeconds()).toBe(604800);
    expect(policy.maxAgeSeconds).toBe(604800);
    expect(policy.text).toBe('version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n');
    expect(policy.id).toBe('a5963b31a082635c6ec668171482b14f');
  });

  test('converts a Duration to whole seconds', () => {
    const policy = new MtaStsPolicy({ mode: MtaStsMode.TESTING, mx: ['mail.example.com'], maxAge: Duration.days(1) });
    expect(policy.maxAgeSeconds).toBe(86400);
    expect(policy.text).toBe('version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 86400\r\n');
  });

  test.each<[string, Duration, string]>([
    [
      'a fraction of a second',
      Duration.millis(1500),
      'Invalid maxAge 1.5 seconds: must be a whole number of seconds from 1 to 31557600',
    ],
    ['zero', Duration.seconds(0), 'Invalid maxAge 0 seconds: must be a whole number of seconds from 1 to 31557600'],
    [
      'more than a year',
      Duration.days(366),
      'Invalid maxAge 31622400 seconds: must be a whole number of seconds from 1 to 31557600',
    ],
    [
      'a token',
      Duration.seconds(Lazy.number({ produce: () => 86400 })),
      'Invalid maxAge: must be known at synth time (got a token)',
    ],
  ])('rejects a max age of %s', (_what, maxAge, message) => {
    expect(() => new MtaStsPolicy({ mode: MtaStsMode.ENFORCE, mx: ['mail.example.com'], maxAge })).toThrow(
      new Error(message),
    );
  });

  test('rejects an mx that is a token', () => {
    const mx = [Lazy.string({ produce: () => 'mail.example.com' })];
    expect(() => new MtaStsPolicy({ mode: MtaStsMode.ENFORCE, mx })).toThrow(
      new Error('Invalid mx: must be known at synth time (got a token)'),
    );
  });

  test('rejects a mode that is a token', () => {
    const mode = Lazy.string({ produce: () => 'enforce' }) as MtaStsMode;
    expect(() => new MtaStsPolicy({ mode, mx: ['mail.example.com'] })).toThrow(
      new Error('Invalid mode: must be known at synth time (got a token)'),
    );
  });

  test('rejects an invalid mx with the library message', () => {
    expect(() => new MtaStsPolicy({ mode: MtaStsMode.ENFORCE, mx: ['*.*.example.com'] })).toThrow(
      new Error(
        'Invalid mx "*.*.example.com": a wildcard is allowed only as the whole left-most label ("*.example.com")',
      ),
    );
  });

  test('gives advice for the policy domain', () => {
    const policy = new MtaStsPolicy({ mode: MtaStsMode.ENFORCE, mx: ['*.example.com'], maxAge: Duration.hours(1) });
    expect(policy.advice('example.com').map((advice) => advice.code)).toEqual([
      'cdk-mta-sts:wildcardPolicyDomain',
      'cdk-mta-sts:shortMaxAge',
    ]);
  });
});
