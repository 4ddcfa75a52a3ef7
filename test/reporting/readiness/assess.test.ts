import type { FailureDetail, NormalisedPolicy } from '../../../src/reporting/parser/model';
import {
  assessReadiness,
  minDaysWithReports,
  ReadinessOptions,
  ReadinessReport,
  windowDates,
} from '../../../src/reporting/readiness';

const NOW = new Date('2026-11-23T10:00:00Z');
const DOMAIN = 'example.com';
const MX = ['mx1.example.com', '*.mail.example.com'];
const POLICY_STRINGS = ['version: STSv1', 'mode: testing', ...MX.map((mx) => `mx: ${mx}`), 'max_age: 604800'];
/** The 14 days of the default window, oldest first. */
const DAYS = windowDates(NOW, 14);

function detail(
  resultType: string,
  failedSessionCount: number,
  host: string | null = 'mx1.example.com',
): FailureDetail {
  return {
    resultType,
    sendingMtaIp: '192.0.2.1',
    ...(host === null ? {} : { receivingMxHostname: host }),
    receivingIp: '198.51.100.1',
    failedSessionCount,
  };
}

function policy(overrides: Partial<NormalisedPolicy> = {}): NormalisedPolicy {
  const failureDetails = overrides.failureDetails ?? [];
  return {
    policyType: 'sts',
    policyDomain: DOMAIN,
    policyStrings: POLICY_STRINGS,
    mxHosts: MX,
    totalSuccessfulSessionCount: 10,
    totalFailureSessionCount: failureDetails.reduce((n, row) => n + row.failedSessionCount, 0),
    ...overrides,
    failureDetails,
  };
}

let serial = 0;
function report(date: string, policies: NormalisedPolicy[], overrides: Partial<ReadinessReport> = {}): ReadinessReport {
  return {
    dedupKey: `key-${serial++}`,
    receivedAt: `${date}T12:00:00Z`,
    signer: 'google.com',
    dateRange: { startDatetime: `${date}T00:00:00Z`, endDatetime: `${date}T23:59:59Z` },
    policies,
    ...overrides,
  };
}

/** One clean report a day for the first `days` days of the window, `sessions` sessions each. */
function daily(days = 14, sessions = 10): ReadinessReport[] {
  return DAYS.slice(0, days).map((date) => report(date, [policy({ totalSuccessfulSessionCount: sessions })]));
}

function assess(reports: ReadinessReport[], options: Partial<ReadinessOptions> = {}) {
  return assessReadiness(reports, { domain: DOMAIN, days: 14, now: NOW, ...options });
}

describe('window', () => {
  test('is the given number of UTC days before today', () => {
    expect(DAYS[0]).toBe('2026-11-09');
    expect(DAYS[13]).toBe('2026-11-22');
    expect(DAYS).toHaveLength(14);
    expect(windowDates(new Date('2026-03-01T00:00:00Z'), 2)).toEqual(['2026-02-27', '2026-02-28']);
    expect(windowDates(new Date('2026-03-01T23:59:59.999Z'), 1)).toEqual(['2026-02-28']);
  });

  test.each([
    [7, 7],
    [13, 7],
    [14, 7],
    [15, 8],
    [20, 10],
    [30, 15],
  ])('%i days need reports on %i of them', (days, needed) => {
    expect(minDaysWithReports(days)).toBe(needed);
  });

  test('a window of no days is refused', () => {
    expect(() => assess([], { days: 0 })).toThrow('days must be a positive whole number, got 0');
    expect(() => assess([], { days: 1.5 })).toThrow(RangeError);
  });
});

describe('ready', () => {
  test('14 clean days, 140 sessions, every host covered', () => {
    const a = assess(daily());
    expect(a).toMatchObject({
      ready: true,
      reasons: [],
      daysWithReports: 14,
      reports: 14,
      sessions: 140,
      failures: 0,
      failureRatePercent: 0,
      mxPatterns: MX,
      mxPatternsFrom: 'reports',
      reportedPolicy: { mode: 'testing', mx: MX, signer: 'google.com', date: '2026-11-22' },
    });
  });

  test('nothing at all: the full assessment', () => {
    expect(assess([])).toStrictEqual({
      domain: DOMAIN,
      ready: false,
      reasons: [
        'reports on 0 of the 14 days from 2026-11-09 to 2026-11-22; at least 7 needed',
        '0 sessions reported; at least 100 needed',
        'no report shows the sts policy of example.com: senders did not find it (check the _mta-sts TXT record and the policy file)',
      ],
      window: { from: '2026-11-09', to: '2026-11-22', days: 14 },
      criteria: { minDaysWithReports: 7, minSessions: 100, maxFailureRatePercent: 1 },
      daysWithReports: 0,
      reports: 0,
      signers: [],
      unsignedReports: 0,
      trustedReporters: null,
      untrustedReports: 0,
      sessions: 0,
      failures: 0,
      failureRatePercent: null,
      byResultType: [],
      byMxHost: [],
      uncoveredMxHosts: [],
      mxPatterns: null,
      mxPatternsFrom: null,
      reportedPolicy: null,
      ignoredPolicies: [],
      unreadableReports: 0,
    });
  });
});

/** Each case changes the clean baseline so that exactly one criterion fails, or sits right at its limit. */
describe.each<[string, () => ReadinessReport[], Partial<ReadinessOptions>, string[]]>([
  ['reports on 7 of 14 days', () => daily(7, 20), {}, []],
  [
    'reports on 6 of 14 days',
    () => daily(6, 20),
    {},
    ['reports on 6 of the 14 days from 2026-11-09 to 2026-11-22; at least 7 needed'],
  ],
  [
    'reports on 9 of 20 days',
    () =>
      windowDates(NOW, 20)
        .slice(0, 9)
        .map((d) => report(d, [policy({ totalSuccessfulSessionCount: 20 })])),
    { days: 20 },
    ['reports on 9 of the 20 days from 2026-11-03 to 2026-11-22; at least 10 needed'],
  ],
  [
    'reports on 10 of 20 days',
    () =>
      windowDates(NOW, 20)
        .slice(0, 10)
        .map((d) => report(d, [policy({ totalSuccessfulSessionCount: 20 })])),
    { days: 20 },
    [],
  ],
  [
    'several reports on one day count as one day',
    () => [...daily(6, 20), report(DAYS[0], [policy()]), report(DAYS[0], [policy()])],
    {},
    ['reports on 6 of the 14 days from 2026-11-09 to 2026-11-22; at least 7 needed'],
  ],
  [
    'exactly 100 sessions',
    () => [...daily(13, 7), report(DAYS[13], [policy({ totalSuccessfulSessionCount: 9 })])],
    {},
    [],
  ],
  [
    '99 sessions',
    () => [...daily(13, 7), report(DAYS[13], [policy({ totalSuccessfulSessionCount: 8 })])],
    {},
    ['99 sessions reported; at least 100 needed'],
  ],
  [
    '1 session with --min-sessions 2',
    () => daily(7, 0).concat(report(DAYS[8], [policy({ totalSuccessfulSessionCount: 1 })])),
    { minSessions: 2 },
    ['1 session reported; at least 2 needed'],
  ],
  ['0 sessions with --min-sessions 0', () => daily(7, 0), { minSessions: 0 }, []],
  [
    '1 failure in 101 sessions is below 1%',
    () => [
      ...daily(10, 10),
      report(DAYS[10], [policy({ totalSuccessfulSessionCount: 0, totalFailureSessionCount: 1 })]),
    ],
    {},
    [],
  ],
  [
    '1 failure in 100 sessions is not below 1%',
    () => [
      ...daily(9, 11),
      report(DAYS[10], [policy({ totalSuccessfulSessionCount: 0, totalFailureSessionCount: 1 })]),
    ],
    {},
    ['failure rate 1.00% (1 of 100 sessions); must be below 1%'],
  ],
  [
    '1 failure in 199 sessions with --max-failure-rate 0.5',
    () => [
      ...daily(9, 22),
      report(DAYS[10], [policy({ totalSuccessfulSessionCount: 0, totalFailureSessionCount: 1 })]),
    ],
    { maxFailureRatePercent: 0.5 },
    ['failure rate 0.50% (1 of 199 sessions); must be below 0.5%'],
  ],
  [
    '1 failure in 201 sessions with --max-failure-rate 0.5',
    () => [
      ...daily(10, 20),
      report(DAYS[10], [policy({ totalSuccessfulSessionCount: 0, totalFailureSessionCount: 1 })]),
    ],
    { maxFailureRatePercent: 0.5 },
    [],
  ],
  [
    'MTA-STS policy errors (Microsoft: no host, no policy string)',
    () => [
      ...daily(14, 100),
      report(DAYS[3], [
        policy({
          policyStrings: [],
          mxHosts: [],
          totalSuccessfulSessionCount: 0,
          failureDetails: [detail('sts-policy-fetch-error', 3, null)],
        }),
      ]),
      report(DAYS[4], [
        policy({ failureDetails: [detail('sts-webpki-invalid', 1, null), detail('sts-policy-invalid', 5, null)] }),
      ]),
    ],
    {},
    [
      'MTA-STS policy errors in 9 failed sessions (sts-policy-invalid: 5, sts-policy-fetch-error: 3, sts-webpki-invalid: 1): senders could not fetch or validate the policy',
    ],
  ],
  [
    'one MTA-STS policy error',
    () => [...daily(14, 100), report(DAYS[4], [policy({ failureDetails: [detail('sts-webpki-invalid', 1, null)] })])],
    {},
    [
      'MTA-STS policy errors in 1 failed session (sts-webpki-invalid: 1): senders could not fetch or validate the policy',
    ],
  ],
  [
    'TLS failures on hosts in the policy, or on no named host',
    () => [
      ...daily(14, 100),
      report(DAYS[5], [
        policy({
          failureDetails: [
            detail('certificate-expired', 2, 'MX1.example.com.'),
            detail('starttls-not-supported', 1, null),
            detail('certificate-host-mismatch', 3, 'a.mail.example.com'),
            detail('dnssec-invalid', 1, 'a.mail.example.com'),
          ],
        }),
      ]),
    ],
    {},
    [
      'TLS failures on MX hosts in the policy in 6 failed sessions (a.mail.example.com certificate-host-mismatch: 3, mx1.example.com certificate-expired: 2, (unnamed host) starttls-not-supported: 1): under enforce these deliveries would fail',
    ],
  ],
  [
    'every negotiation failure type counts',
    () => [
      ...daily(14, 1000),
      report(DAYS[5], [
        policy({
          failureDetails: [
            detail('starttls-not-supported', 1),
            detail('certificate-host-mismatch', 1),
            detail('certificate-expired', 1),
            detail('certificate-not-trusted', 1),
            detail('validation-failure', 1),
            detail('validation-failure', 0, 'b.mail.example.com'),
          ],
        }),
      ]),
    ],
    {},
    [
      'TLS failures on MX hosts in the policy in 5 failed sessions (mx1.example.com certificate-expired: 1, mx1.example.com certificate-host-mismatch: 1, mx1.example.com certificate-not-trusted: 1, mx1.example.com starttls-not-supported: 1, mx1.example.com validation-failure: 1): under enforce these deliveries would fail',
    ],
  ],
  [
    'failures of other types on policy hosts only count towards the rate',
    () => [
      ...daily(14, 100),
      report(DAYS[5], [policy({ failureDetails: [detail('dane-required', 2), detail('tlsa-invalid', 1)] })]),
    ],
    {},
    [],
  ],
  [
    'MX hosts the policy does not cover (a wildcard covers one label only)',
    () => [
      ...daily(14, 100),
      report(DAYS[6], [
        policy({
          failureDetails: [
            detail('validation-failure', 4, 'mx2.example.com'),
            detail('certificate-expired', 1, 'a.b.mail.example.com'),
            detail('validation-failure', 4, 'mail.example.com'),
          ],
        }),
      ]),
    ],
    {},
    [
      'MX hosts not covered by the policy (mx: mx1.example.com, *.mail.example.com): mail.example.com (4 failed sessions), mx2.example.com (4 failed sessions), a.b.mail.example.com (1 failed session); under enforce senders would not deliver to them',
    ],
  ],
  [
    'more than five uncovered hosts',
    () => [
      ...daily(14, 1000),
      report(DAYS[6], [
        policy({
          failureDetails: [1, 2, 3, 4, 5, 6, 7].map((n) => detail('validation-failure', n, `h${n}.other.example`)),
        }),
      ]),
    ],
    {},
    [
      'MX hosts not covered by the policy (mx: mx1.example.com, *.mail.example.com): h7.other.example (7 failed sessions), h6.other.example (6 failed sessions), h5.other.example (5 failed sessions), h4.other.example (4 failed sessions), h3.other.example (3 failed sessions) and 2 more; under enforce senders would not deliver to them',
    ],
  ],
  [
    'only no-policy-found: senders never saw the policy',
    () =>
      daily(14, 100).map((r) => ({
        ...r,
        policies: r.policies.map((p) => ({ ...p, policyType: 'no-policy-found', policyStrings: [], mxHosts: [] })),
      })),
    {},
    [
      'no report shows the sts policy of example.com: senders did not find it (check the _mta-sts TXT record and the policy file)',
    ],
  ],
  [
    'only no-policy-found, with --mx',
    () =>
      daily(14, 100).map((r) => ({
        ...r,
        policies: [
          policy({
            policyType: 'no-policy-found',
            policyStrings: [],
            mxHosts: [],
            totalSuccessfulSessionCount: 2000,
            failureDetails: [detail('certificate-expired', 1, 'mx9.example.com')],
          }),
        ],
      })),
    { mxPatterns: ['mx9.example.com'] },
    [
      'TLS failures on MX hosts in the policy in 14 failed sessions (mx9.example.com certificate-expired: 14): under enforce these deliveries would fail',
      'no report shows the sts policy of example.com: senders did not find it (check the _mta-sts TXT record and the policy file)',
    ],
  ],
  [
    'sts policies without their mx lines (Microsoft omits mx-host)',
    () =>
      daily(14, 100).map((r) => ({
        ...r,
        policies: [policy({ policyStrings: [], mxHosts: [], totalSuccessfulSessionCount: 100 })],
      })),
    {},
    ["the reports do not show the policy's mx lines: give the mx patterns (--mx) to check MX host coverage"],
  ],
  [
    'an unreadable stored report',
    () => daily(14, 100),
    { unreadableReports: 1 },
    ['1 stored report could not be read'],
  ],
  [
    'two unreadable stored reports',
    () => daily(14, 100),
    { unreadableReports: 2 },
    ['2 stored reports could not be read'],
  ],
])('%s', (_name, reports, options, reasons) => {
  test(reasons.length === 0 ? 'ready' : 'not ready, with exactly these reasons', () => {
    const a = assess(reports(), options);
    expect(a.reasons).toEqual(reasons);
    expect(a.ready).toBe(reasons.length === 0);
  });
});

describe('what counts', () => {
  test('each failing criterion adds its reason, in a fixed order', () => {
    const a = assess(
      [
        report(DAYS[0], [
          policy({
            totalSuccessfulSessionCount: 1,
            failureDetails: [
              detail('sts-policy-fetch-error', 1, null),
              detail('certificate-expired', 1),
              detail('validation-failure', 1, 'mx.elsewhere.example'),
            ],
          }),
        ]),
      ],
      { unreadableReports: 1 },
    );
    expect(a.reasons).toEqual([
      'reports on 1 of the 14 days from 2026-11-09 to 2026-11-22; at least 7 needed',
      '4 sessions reported; at least 100 needed',
      'failure rate 75.00% (3 of 4 sessions); must be below 1%',
      'MTA-STS policy errors in 1 failed session (sts-policy-fetch-error: 1): senders could not fetch or validate the policy',
      'TLS failures on MX hosts in the policy in 1 failed session (mx1.example.com certificate-expired: 1): under enforce these deliveries would fail',
      'MX hosts not covered by the policy (mx: mx1.example.com, *.mail.example.com): mx.elsewhere.example (1 failed session); under enforce senders would not deliver to them',
      '1 stored report could not be read',
    ]);
  });

  test('tlsa rows (the same sessions, judged by DANE) are listed but not counted', () => {
    // Microsoft sends an sts and a tlsa row for the same sessions.
    const microsoft = (date: string) =>
      report(
        date,
        [
          policy({ mxHosts: [], totalSuccessfulSessionCount: 20 }),
          policy({
            policyType: 'tlsa',
            policyStrings: ['3 1 1 6007EEE5'],
            mxHosts: [],
            totalSuccessfulSessionCount: 20,
            failureDetails: [detail('tlsa-invalid', 5)],
          }),
        ],
        { signer: 'microsoft.com' },
      );
    const a = assess(DAYS.slice(0, 7).map(microsoft));
    expect(a).toMatchObject({
      ready: true,
      sessions: 140,
      failures: 0,
      byResultType: [],
      ignoredPolicies: [{ policyType: 'tlsa', count: 7 }],
      signers: ['microsoft.com'],
    });
  });

  test('a report with only tlsa rows is no day with reports', () => {
    const tlsaOnly = DAYS.map((d) => report(d, [policy({ policyType: 'tlsa', totalSuccessfulSessionCount: 100 })]));
    expect(assess(tlsaOnly)).toMatchObject({ daysWithReports: 0, reports: 0, sessions: 0 });
  });

  test("other domains' rows, reports outside the window and duplicates are left out", () => {
    const reports = [
      ...daily(14, 10),
      report(DAYS[0], [policy({ policyDomain: 'other.example', totalSuccessfulSessionCount: 1000 })]),
      report(DAYS[0], [policy({ policyDomain: null, totalSuccessfulSessionCount: 1000 })]),
      report('2026-11-23', [policy({ totalSuccessfulSessionCount: 1000 })]),
      report('2026-11-08', [policy({ totalSuccessfulSessionCount: 1000 })]),
    ];
    const duplicate = { ...reports[0] };
    const a = assess([...reports, duplicate]);
    expect(a).toMatchObject({ reports: 14, sessions: 140, daysWithReports: 14, ignoredPolicies: [] });
    // Upper case and a trailing dot in the policy domain are the same domain.
    expect(assess([report(DAYS[0], [policy({ policyDomain: 'Example.COM.' })])]).sessions).toBe(10);
  });

  test('failures by result type and by MX host, largest first', () => {
    const a = assess([
      report(DAYS[0], [
        policy({
          failureDetails: [
            detail('certificate-expired', 2, 'mx1.example.com'),
            detail('validation-failure', 3, 'mx2.example.com'),
            detail('sts-policy-fetch-error', 3, null),
          ],
        }),
      ]),
      report(DAYS[1], [
        policy({
          policyType: 'no-policy-found',
          failureDetails: [detail('certificate-expired', 4, 'mx1.example.com')],
        }),
      ]),
    ]);
    expect(a.failures).toBe(12);
    // A percentage, like criteria.maxFailureRatePercent.
    expect(a.failureRatePercent).toBe(37.5);
    expect(a.byResultType).toEqual([
      { resultType: 'certificate-expired', failedSessions: 6 },
      { resultType: 'sts-policy-fetch-error', failedSessions: 3 },
      { resultType: 'validation-failure', failedSessions: 3 },
    ]);
    expect(a.byMxHost).toEqual([
      {
        host: 'mx1.example.com',
        inPolicy: true,
        failedSessions: 6,
        byResultType: [{ resultType: 'certificate-expired', failedSessions: 6 }],
      },
      {
        host: 'mx2.example.com',
        inPolicy: false,
        failedSessions: 3,
        byResultType: [{ resultType: 'validation-failure', failedSessions: 3 }],
      },
      {
        host: null,
        inPolicy: null,
        failedSessions: 3,
        byResultType: [{ resultType: 'sts-policy-fetch-error', failedSessions: 3 }],
      },
    ]);
    expect(a.uncoveredMxHosts).toEqual(['mx2.example.com']);
  });
});

describe('the mx patterns', () => {
  const withMx = (date: string, mx: string[], overrides: Partial<ReadinessReport> = {}) =>
    report(
      date,
      [policy({ policyStrings: ['version: STSv1', 'mode: testing', ...mx.map((m) => `mx: ${m}`)], mxHosts: [] })],
      overrides,
    );

  test('come from the most recent sts policy that carries them', () => {
    const a = assess([
      withMx(DAYS[5], ['new.example.com'], { signer: 'microsoft.com' }),
      withMx(DAYS[1], ['old.example.com']),
      // More recent, but a fetch error without the policy (Microsoft).
      report(DAYS[9], [
        policy({ policyStrings: [], mxHosts: [], failureDetails: [detail('sts-policy-fetch-error', 1, null)] }),
      ]),
    ]);
    expect(a.mxPatterns).toEqual(['new.example.com']);
    expect(a.reportedPolicy).toEqual({
      mode: 'testing',
      mx: ['new.example.com'],
      signer: 'microsoft.com',
      date: DAYS[5],
    });
  });

  test('on the same day, the later received report wins, whatever the order', () => {
    const early = withMx(DAYS[5], ['early.example.com'], { receivedAt: `${DAYS[6]}T03:00:00Z` });
    const late = withMx(DAYS[5], ['late.example.com'], { receivedAt: `${DAYS[6]}T19:00:00Z` });
    expect(assess([early, late]).mxPatterns).toEqual(['late.example.com']);
    expect(assess([late, early]).mxPatterns).toEqual(['late.example.com']);
  });

  test('a forged range ending in the year 9999, or longer than a week, cannot be the latest policy', () => {
    // Before, the latest policy was picked by endDatetime alone: one forged report decided the mx patterns.
    const honest = withMx(DAYS[5], ['mx1.example.com']);
    const future = withMx(DAYS[4], ['forged.example'], {
      dateRange: { startDatetime: `${DAYS[4]}T00:00:00Z`, endDatetime: '9999-12-31T23:59:59Z' },
    });
    const long = withMx(DAYS[0], ['forged.example'], {
      dateRange: { startDatetime: `${DAYS[0]}T00:00:00Z`, endDatetime: `${DAYS[13]}T23:59:59Z` },
    });
    expect(assess([future, long, honest]).mxPatterns).toEqual(['mx1.example.com']);
    expect(assess([honest, long, future]).mxPatterns).toEqual(['mx1.example.com']);
  });

  test('are read case-insensitively, and fall back to mx-host when the policy string has no mx line', () => {
    const lines = assess([
      report(DAYS[0], [
        policy({ policyStrings: ['Version: STSv1', 'MODE:enforce', 'MX:  MX.Example.com. '], mxHosts: [] }),
      ]),
    ]);
    expect(lines.reportedPolicy).toMatchObject({ mode: 'enforce', mx: ['mx.example.com'] });
    const hosts = assess([report(DAYS[0], [policy({ policyStrings: [], mxHosts: ['*.Example.com'] })])]);
    expect(hosts.reportedPolicy).toMatchObject({ mode: null, mx: ['*.example.com'] });
    expect(hosts.mxPatternsFrom).toBe('reports');
  });

  test('--mx overrides them', () => {
    const a = assess(
      [
        ...daily(14, 100),
        report(DAYS[0], [policy({ failureDetails: [detail('validation-failure', 1, 'mx3.example.com')] })]),
      ],
      {
        mxPatterns: ['mx3.example.com'],
      },
    );
    expect(a).toMatchObject({ mxPatterns: ['mx3.example.com'], mxPatternsFrom: 'option', uncoveredMxHosts: [] });
    expect(a.reasons).toEqual([
      'TLS failures on MX hosts in the policy in 1 failed session (mx3.example.com validation-failure: 1): under enforce these deliveries would fail',
    ]);
    expect(a.reportedPolicy?.mx).toEqual(MX);
  });
});
