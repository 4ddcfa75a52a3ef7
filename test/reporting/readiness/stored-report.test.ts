import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { dedupKey, FailureDetail, NormalisedPolicy, parseReportJson } from '../../../src/reporting/parser';
import {
  formatReadiness,
  parseStoredReport,
  StoredReportError,
  assessReadiness,
} from '../../../src/reporting/readiness';
import { FIXTURES } from '../mail-builder';

/** An object as the ingestion Lambda writes it: the normalised report, its dedup key and origin, one JSON line. */
function storedObject(fixture: string): string {
  const report = parseReportJson(readFileSync(path.join(FIXTURES, fixture)));
  const content = { dedupKey: dedupKey(report), source: 'raw/abc', receivedAt: '2025-05-24T19:20:00.000Z', ...report };
  return `${JSON.stringify(content)}\n`;
}

const KEPT_ROW_FIELDS = ['resultType', 'failedSessionCount', 'receivingMxHostname'];

describe('parseStoredReport', () => {
  test.each([
    'cryinc-google.json',
    'cryinc-microsoft.json',
    'cryinc-no_ip_and_mx.json',
    'parsedmarc-mail.ru.json',
    'parsedmarc-rfc8460.json',
  ])('reads what the ingestion stores for %s', (fixture) => {
    const text = storedObject(fixture);
    const stored = JSON.parse(text);
    const read = parseStoredReport(text);
    // Failure rows keep only what the assessment counts: sessions per result type and MX host.
    const sessionsByTypeAndHost = (rows: FailureDetail[]) =>
      rows.map((row) => [row.resultType, row.receivingMxHostname, row.failedSessionCount]);
    expect(read).toEqual({
      dedupKey: stored.dedupKey,
      receivedAt: stored.receivedAt,
      signer: null,
      dateRange: stored.dateRange,
      policies: stored.policies.map((policy: NormalisedPolicy, i: number) => ({
        ...policy,
        failureDetails: read.policies[i].failureDetails,
      })),
    });
    for (const [i, policy] of (stored.policies as NormalisedPolicy[]).entries()) {
      const rows = read.policies[i].failureDetails;
      const total = (list: FailureDetail[]) => list.reduce((sum, row) => sum + row.failedSessionCount, 0);
      expect(total(rows)).toBe(total(policy.failureDetails));
      expect(new Set(rows.map((row) => JSON.stringify([row.resultType, row.receivingMxHostname]))).size).toBe(
        rows.length,
      );
      for (const row of rows) {
        expect(Object.keys(row).filter((key) => !KEPT_ROW_FIELDS.includes(key))).toEqual([]);
        const same = policy.failureDetails.filter(
          (r) => r.resultType === row.resultType && r.receivingMxHostname === row.receivingMxHostname,
        );
        expect(sessionsByTypeAndHost([row])).toEqual([[row.resultType, row.receivingMxHostname, total(same)]]);
      }
    }
  });

  test('100,000 sparse failure rows become one row per result type and host', () => {
    // Such an object made readiness read 1.95 GB when every row was kept. Objects stored before rows left absent
    // strings out have them as null; both forms are read.
    const row = { resultType: 'starttls-not-supported', receivingMxHostname: 'mx.example.com', failedSessionCount: 2 };
    const other = { ...row, receivingMxHostname: null, failedSessionCount: 1 };
    const noHost = { resultType: row.resultType, failedSessionCount: 1 };
    const rows = Array.from({ length: 100_000 }, (_, i) => (i % 4 === 3 ? other : i % 4 === 2 ? noHost : row));
    const text = JSON.stringify({
      dateRange: { startDatetime: '2026-11-01T00:00:00Z', endDatetime: '2026-11-01T23:59:59Z' },
      policies: [
        {
          policyType: 'sts',
          policyDomain: 'example.com',
          totalSuccessfulSessionCount: 0,
          totalFailureSessionCount: 150_000,
          failureDetails: rows,
        },
      ],
    });
    expect(parseStoredReport(text).policies[0].failureDetails).toEqual([
      {
        ...row,
        failedSessionCount: 100_000,
      },
      {
        resultType: row.resultType,
        failedSessionCount: 50_000,
      },
    ]);
  });

  test.each<[string, string]>([
    ['{"dedupKey":"trunc', 'not JSON'],
    ['[]', 'the object is not an object'],
    ['{"policies":[]}', 'dateRange is not an object'],
    ['{"dateRange":{"startDatetime":"2026-11-01T00:00:00Z"},"policies":[]}', 'dateRange.endDatetime is not a string'],
    ['{"dateRange":{"startDatetime":"a","endDatetime":"b"},"policies":{}}', 'policies is not a list'],
    [
      '{"dateRange":{"startDatetime":"a","endDatetime":"b"},"policies":[{"policyType":"sts"}]}',
      'policies[0].totalSuccessfulSessionCount is not a non-negative integer',
    ],
    [
      '{"dateRange":{"startDatetime":"a","endDatetime":"b"},"policies":[{"policyType":"sts","totalSuccessfulSessionCount":1,"totalFailureSessionCount":-1}]}',
      'policies[0].totalFailureSessionCount is not a non-negative integer',
    ],
    [
      '{"dateRange":{"startDatetime":"a","endDatetime":"b"},"policies":[{"policyType":"sts","totalSuccessfulSessionCount":1,"totalFailureSessionCount":1,"failureDetails":[{"resultType":"x","failedSessionCount":"1"}]}]}',
      'policies[0].failureDetails[0].failedSessionCount is not a non-negative integer',
    ],
    [
      '{"dateRange":{"startDatetime":"a","endDatetime":"b"},"policies":[{"policyType":"sts","mxHosts":[1],"totalSuccessfulSessionCount":1,"totalFailureSessionCount":0}]}',
      'policies[0].mxHosts[0] is not a string',
    ],
    ['{"dedupKey":7,"dateRange":{"startDatetime":"a","endDatetime":"b"},"policies":[]}', 'dedupKey is not a string'],
  ])('refuses %s: %s', (text, reason) => {
    expect(() => parseStoredReport(text)).toThrow(new StoredReportError(reason));
  });

  test('missing optional members take their normalised defaults', () => {
    expect(
      parseStoredReport(
        '{"dateRange":{"startDatetime":"a","endDatetime":"b"},"policies":[{"policyType":"sts","policyDomain":"example.com","totalSuccessfulSessionCount":1,"totalFailureSessionCount":0}]}',
      ),
    ).toEqual({
      dedupKey: undefined,
      receivedAt: undefined,
      signer: null,
      dateRange: { startDatetime: 'a', endDatetime: 'b' },
      policies: [
        {
          policyType: 'sts',
          policyDomain: 'example.com',
          policyStrings: [],
          mxHosts: [],
          totalSuccessfulSessionCount: 1,
          totalFailureSessionCount: 0,
          failureDetails: [],
        },
      ],
    });
  });
});

describe('formatReadiness', () => {
  test('keeps terminal control sequences from reports out of the output', () => {
    const report = parseStoredReport(
      JSON.stringify({
        organizationName: 'Evil Org',
        channel: 'mail',
        mail: { from: 'x@evil.example', dkimDomain: 'Evil\u001b[2J.example' },
        dateRange: { startDatetime: '2026-11-20T00:00:00Z', endDatetime: '2026-11-20T23:59:59Z' },
        policies: [
          {
            policyType: 'sts',
            policyDomain: 'example.com',
            policyStrings: ['mode: testing\u0007', 'mx: mx1.example.com'],
            totalSuccessfulSessionCount: 1,
            totalFailureSessionCount: 1,
            failureDetails: [
              {
                resultType: 'bad\u009btype',
                receivingMxHostname: 'x\u001b]0;pwned\u0007.example',
                failedSessionCount: 1,
              },
            ],
          },
        ],
      }),
    );
    const text = formatReadiness(
      assessReadiness([report], { domain: 'example.com', days: 14, now: new Date('2026-11-23T00:00:00Z') }),
    );
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain('Reports      1, signed by evil?[2j.example; any DKIM signer counts');
    expect(text).toContain(
      'Policy       mode testing?; mx mx1.example.com (reported by evil?[2j.example for 2026-11-20)',
    );
    expect(text).toContain(
      '  - MX hosts not covered by the policy (mx: mx1.example.com): x?]0;pwned?.example (1 failed session); under enforce senders would not deliver to them',
    );
    expect(text).toContain('bad?type                   1');
  });
});
