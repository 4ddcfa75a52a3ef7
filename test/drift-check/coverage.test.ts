import { compareToPolicy } from '../../src/drift-check/drift-check';
import { MtaStsMode } from '../../src/policy/mode';
import { mxRecordHost, uncoveredHosts } from '../../src/policy/mx-coverage';
import { PolicyFileCheck } from '../../src/policy/policy-file';

describe('uncoveredHosts (RFC 8461 §4.1)', () => {
  test.each<[string[], string[], string[]]>([
    // Exact names.
    [['mail.example.com'], ['mail.example.com'], []],
    [['mail.example.com'], ['mx.example.com'], ['mail.example.com']],
    [['smail.example.com', 'mx.mail.example.com'], ['mail.example.com'], ['mx.mail.example.com', 'smail.example.com']],
    // A wildcard stands for exactly one left-most label.
    [['mail.example.com'], ['*.example.com'], []],
    [['example.com'], ['*.example.com'], ['example.com']],
    [['a.b.example.com'], ['*.example.com'], ['a.b.example.com']],
    [
      ['mailexample.com', 'mail.example.com.evil.test'],
      ['*.example.com'],
      ['mail.example.com.evil.test', 'mailexample.com'],
    ],
    // Case and trailing dots, as Route 53 and users write them.
    [['ASPMX.L.GOOGLE.COM.', 'Alt1.Aspmx.L.Google.Com.'], ['aspmx.l.google.com', '*.aspmx.l.google.com'], []],
    [['mail.example.com.'], ['MAIL.Example.COM'], []],
    [['MX2.EXAMPLE.COM.'], ['mx1.example.com'], ['mx2.example.com']],
    // Normalised, sorted, each host once.
    [['mx2.example.com.', 'MX1.example.com', 'mx2.example.com'], [], ['mx1.example.com', 'mx2.example.com']],
    // Any one pattern suffices; nothing to cover is nothing uncovered.
    [
      ['mx1.example.com', 'example-com.mail.protection.outlook.com'],
      ['mx1.example.com', '*.mail.protection.outlook.com'],
      [],
    ],
    [[], ['mx1.example.com'], []],
  ])('%j under %j leaves %j', (hosts, patterns, expected) => {
    expect(uncoveredHosts(hosts, patterns)).toEqual(expected);
  });
});

describe('mxRecordHost', () => {
  test.each([
    ['10 mx1.example.com.', 'mx1.example.com'],
    ['0 Example-com.Mail.Protection.Outlook.COM.', 'example-com.mail.protection.outlook.com'],
    ['65535 mx.example.net', 'mx.example.net'],
    ['0 .', ''],
  ])('%j is %j', (value, host) => {
    expect(mxRecordHost(value)).toBe(host);
  });

  test.each(['mx1.example.com.', '10', '10 mx1.example.com. extra', 'ten mx1.example.com.', ''])(
    '%j throws',
    (value) => {
      expect(() => mxRecordHost(value)).toThrow(`unexpected MX record value ${JSON.stringify(value)}`);
    },
  );
});

describe('compareToPolicy', () => {
  const policy = (mode: MtaStsMode, ...mx: string[]): PolicyFileCheck => ({
    ok: true,
    policy: { mode, mx, maxAgeSeconds: 604800 },
  });
  const missing: PolicyFileCheck = { ok: false, problem: 'is missing (S3 NoSuchKey)' };
  const live = (...hosts: string[]) => ({ hosts, nullMx: false });

  test.each([
    [
      'covered',
      live('mx1.example.com', 'mx2.example.com'),
      policy(MtaStsMode.ENFORCE, '*.example.com'),
      { status: 'covered', uncovered: [], mode: 'enforce', mx: ['*.example.com'] },
    ],
    [
      'uncovered after a provider move',
      live('example-com.mail.protection.outlook.com'),
      policy(MtaStsMode.ENFORCE, 'aspmx.l.google.com', '*.aspmx.l.google.com'),
      {
        status: 'uncovered',
        uncovered: ['example-com.mail.protection.outlook.com'],
        mode: 'enforce',
        mx: ['aspmx.l.google.com', '*.aspmx.l.google.com'],
      },
    ],
    [
      'policy missing: every live host counts',
      live('mx1.example.com', 'mx2.example.com'),
      missing,
      {
        status: 'policy-problem',
        uncovered: ['mx1.example.com', 'mx2.example.com'],
        mode: null,
        mx: null,
        reason: 'the policy file is missing (S3 NoSuchKey)',
      },
    ],
    [
      'no MX',
      live(),
      policy(MtaStsMode.TESTING, 'mx1.example.com'),
      {
        status: 'no-mx',
        uncovered: [],
        mode: 'testing',
        mx: ['mx1.example.com'],
        reason: 'no MX record set in the zone',
      },
    ],
    [
      'null MX and no policy',
      { hosts: [], nullMx: true },
      missing,
      {
        status: 'no-mx',
        uncovered: [],
        mode: null,
        mx: null,
        reason: 'only a null MX (RFC 7505): the domain accepts no mail; the policy file is missing (S3 NoSuchKey)',
      },
    ],
  ])('%s', (_, liveMx, check, expected) => {
    expect(compareToPolicy('example.com', liveMx, check)).toEqual({
      policyDomain: 'example.com',
      liveMx: liveMx.hosts,
      ...expected,
    });
  });
});
