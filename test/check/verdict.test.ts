import { CheckReport, CheckResult } from '../../src/check/check-result';
import { formatCheckReport } from '../../src/check/format';
import { parseResolverAddress } from '../../src/check/net/dns-client';
import { explainVerdict, verdictOf } from '../../src/check/verdict';

const row = (id: string, status: CheckResult['status'], detail = `${id} ${status}`): CheckResult => ({
  id,
  status,
  detail,
});
const PASSING = [row('sts-record', 'pass'), row('policy-fetch', 'pass'), row('mx-tls:mx1.example.com', 'pass')];

describe('verdictOf', () => {
  test.each<[string, CheckResult[], string]>([
    ['all pass', PASSING, 'pass'],
    ['dane is information only', [...PASSING, row('dane', 'skip')], 'pass'],
    ['a warning', [...PASSING, row('tlsrpt-record', 'warn')], 'warn'],
    ['an MX not probed', [row('sts-record', 'pass'), row('mx-tls:mx1.example.com', 'skip')], 'warn'],
    [
      'a failure beats warnings',
      [row('sts-record', 'fail'), row('mx-tls:mx1.example.com', 'skip'), row('tlsrpt-record', 'warn')],
      'fail',
    ],
  ])('%s', (_, checks, verdict) => {
    expect(verdictOf(checks)).toBe(verdict);
  });
});

describe('explainVerdict', () => {
  test('safe', () => {
    expect(explainVerdict(PASSING)).toEqual([
      'Safe to enforce today: the policy is valid and every MX host is covered and presents a valid certificate.',
    ]);
  });
  test('not safe lists the failures only', () => {
    expect(explainVerdict([row('sts-record', 'fail', 'no record'), row('tlsrpt-record', 'warn')])).toEqual([
      'NOT safe to enforce today. Senders enforcing this policy would fail because:',
      '  - sts-record: no record',
    ]);
  });
  test('skipped checks keep it from saying safe', () => {
    expect(
      explainVerdict([
        row('mx-tls:a.example.com', 'skip', 'port 25 blocked'),
        row('tlsrpt-record', 'warn', 'no record'),
      ]),
    ).toEqual([
      'Cannot say that enforce is safe: these checks did not run, so certificate or coverage problems may hide:',
      '  - mx-tls:a.example.com: port 25 blocked',
      'Also review:',
      '  - tlsrpt-record: no record',
    ]);
  });
  test('warnings only', () => {
    expect(explainVerdict([...PASSING, row('policy-syntax', 'warn', 'LF')])).toEqual([
      'Enforce would work today, but review:',
      '  - policy-syntax: LF',
    ]);
  });
});

test('formatCheckReport aligns the table and neutralizes control characters from servers', () => {
  const report: CheckReport = {
    domain: 'example.com',
    verdict: 'fail',
    checks: [
      row('sts-record', 'pass', 'id=abc'),
      row('mx-tls:mx1.example.com', 'fail', 'not an SMTP reply: "\u001b[31mred"'),
    ],
    policy: null,
  };
  expect(formatCheckReport(report)).toBe(
    [
      'MTA-STS check of example.com',
      '',
      'PASS  sts-record              id=abc',
      'FAIL  mx-tls:mx1.example.com  not an SMTP reply: "?[31mred"',
      '',
      'Verdict: fail',
      'NOT safe to enforce today. Senders enforcing this policy would fail because:',
      '  - mx-tls:mx1.example.com: not an SMTP reply: "?[31mred"',
      '',
    ].join('\n'),
  );
});

describe('parseResolverAddress', () => {
  test.each<[string, string | undefined]>([
    ['192.0.2.1', '192.0.2.1'],
    ['192.0.2.1:5353', '192.0.2.1:5353'],
    ['2001:db8::1', '2001:db8::1'],
    ['[2001:db8::1]:53', '[2001:db8::1]:53'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['192.0.2.1:0', undefined],
    ['192.0.2.1:65536', undefined],
    ['[192.0.2.1]:53', undefined],
    ['dns.example.com', undefined],
    ['999.0.2.1', undefined],
    ['', undefined],
  ])('%j', (text, expected) => {
    expect(parseResolverAddress(text)).toBe(expected);
  });
});
