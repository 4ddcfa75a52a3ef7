import {
  groupByPolicyDomain,
  policyDomainSegment,
  rejectionKey,
  reportKey,
  storedDedupKey,
} from '../../../src/reporting/handlers/report-keys';
import { dedupKey } from '../../../src/reporting/parser';

describe('policyDomainSegment', () => {
  test.each([
    ['example.com', 'example.com'],
    ['mx1.mail.example.co.uk', 'mx1.mail.example.co.uk'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['Example.COM.', 'example.com'],
    [null, 'unknown'],
    // Not host names: hashed, so never a `/` and never another domain's segment.
    ['unknown', 'invalid-b23a6a8439c0dde5'],
    ['../evil', 'invalid-2d6afc710923ce47'],
    ['a/b.example', 'invalid-fa2ffc7ef7394f05'],
    ['-bad.example', 'invalid-2c7985306bdaeb27'],
    [`${'a'.repeat(64)}.example`, 'invalid-fdeeb40dffc11e15'],
  ])('%j -> %s', (domain, segment) => {
    expect(policyDomainSegment(domain)).toBe(segment);
  });
});

describe('keys', () => {
  test('reportKey partitions by policy domain and UTC start date', () => {
    expect(reportKey('example.com', '2024-01-09T00:00:00Z', 'abc')).toBe(
      'reports/policy-domain=example.com/date=2024-01-09/abc.json',
    );
  });

  test('a start date outside years 0000-9999 is filed under date=unknown', () => {
    expect(reportKey('example.com', '+010000-01-01T00:00:00Z', 'abc')).toBe(
      'reports/policy-domain=example.com/date=unknown/abc.json',
    );
  });

  test('rejectionKey partitions by the day of receipt', () => {
    expect(rejectionKey('2024-09-04T23:59:59.999Z', 'msg1')).toBe('rejected/date=2024-09-04/msg1.json');
  });
});

describe('storedDedupKey', () => {
  const report = {
    organizationName: 'Google Inc.',
    reportId: '2024-09-03T00:00:00Z_example.com',
    contactInfo: null,
    dateRange: { startDatetime: '2024-09-03T00:00:00Z', endDatetime: '2024-09-03T23:59:59Z' },
    policies: [],
    warnings: [],
  };

  test('mail reports are keyed by the report and its verified signer: another signer never shares the key', () => {
    const google = storedDedupKey(report, { channel: 'mail', identity: 'google.com' });
    expect(google).toMatch(/^[0-9a-f]{32}$/);
    expect(google).not.toBe(dedupKey(report));
    expect(storedDedupKey(report, { channel: 'mail', identity: 'Google.com' })).toBe(google);
    expect(storedDedupKey(report, { channel: 'mail', identity: 'attacker.example' })).not.toBe(google);
  });

  test('HTTPS reports are keyed by the body hash, under their own prefix', () => {
    const sha = 'ab'.repeat(32);
    expect(storedDedupKey(report, { channel: 'https', identity: sha })).toBe(sha);
    expect(reportKey('example.com', report.dateRange.startDatetime, sha, 'https')).toBe(
      `https-reports/policy-domain=example.com/date=2024-09-03/${sha}.json`,
    );
  });
});

describe('groupByPolicyDomain', () => {
  const policy = (policyDomain: string | null) => ({
    policyType: 'sts',
    policyDomain,
    policyStrings: [],
    mxHosts: [],
    totalSuccessfulSessionCount: 1,
    totalFailureSessionCount: 0,
    failureDetails: [],
  });
  const report = (policies: ReturnType<typeof policy>[]) => ({
    organizationName: 'o',
    reportId: 'r',
    contactInfo: null,
    dateRange: { startDatetime: '2024-01-09T00:00:00Z', endDatetime: '2024-01-09T23:59:59Z' },
    policies,
    warnings: [],
  });

  test('keeps first-seen domain order and policy order; merges names that share a segment', () => {
    const a = policy('a.example');
    const b = policy('b.example');
    const a2 = policy('a.example.');
    expect([...groupByPolicyDomain(report([a, b, a2]))]).toEqual([
      ['a.example', [a, a2]],
      ['b.example', [b]],
    ]);
  });

  test('a report without policies is kept, as unknown', () => {
    expect([...groupByPolicyDomain(report([]))]).toEqual([['unknown', []]]);
  });

  test('with published domains, every other domain goes into one other group (DANE hosts under them excepted)', () => {
    const a = policy('a.example');
    const mx = { ...policy('mx1.a.example'), policyType: 'tlsa' };
    const strangers = Array.from({ length: 5 }, (_, i) => policy(`s${i}.example.org`));
    expect([...groupByPolicyDomain(report([a, ...strangers, mx, policy(null)]), ['a.example'])]).toEqual([
      ['a.example', [a]],
      ['other', [...strangers, policy(null)]],
      ['mx1.a.example', [mx]],
    ]);
  });
});
