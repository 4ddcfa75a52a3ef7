import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  dedupKey,
  NormalisedPolicy,
  parseReportFile,
  parseReportJson,
  parseReportMail,
} from '../../../src/reporting/parser';
import { toUtcIso } from '../../../src/reporting/parser/datetime';
import { FIXTURES, gzipJson, gzipReportMail, reportMail, reportObject, reportWithPolicy } from '../mail-builder';

function parse(value: unknown) {
  return parseReportJson(Buffer.from(JSON.stringify(value)));
}

function onlyPolicy(value: unknown): NormalisedPolicy {
  const report = parse(value);
  expect(report.policies).toHaveLength(1);
  return report.policies[0];
}

const MAIL = {
  tlsReportDomain: 'example.com',
  tlsReportSubmitter: 'sender.example',
  messageId: '<abc123@sender.example>',
  from: 'noreply-smtp-tls-reporting@sender.example',
  subject: 'Report Domain: example.com Submitter: sender.example Report-ID: <report-1@sender.example>',
};

describe('date-times', () => {
  test.each([
    ['2023-01-10T00:00:00', '2023-01-10T00:00:00Z'], // Microsoft 2023: no zone means UTC
    ['2023-01-10T23:59:59Z', '2023-01-10T23:59:59Z'],
    ['2023-01-10t23:59:59z', '2023-01-10T23:59:59Z'],
    ['2023-01-10 12:00:00Z', '2023-01-10T12:00:00Z'],
    ['2023-01-10T02:00:00+02:00', '2023-01-10T00:00:00Z'],
    ['2023-01-10T00:00:00-0130', '2023-01-10T01:30:00Z'],
    ['2023-01-10T00:00:00.250Z', '2023-01-10T00:00:00.250Z'],
    ['2016-12-31T23:59:60Z', '2017-01-01T00:00:00Z'],
    ['0050-06-01T00:00:00Z', '0050-06-01T00:00:00Z'],
    [' 2024-02-29T00:00:00Z ', '2024-02-29T00:00:00Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00Z'],
    ['2024-02-28T23:59:59Z', '2024-02-28T23:59:59Z'],
    ['2024-12-31T23:59:59Z', '2024-12-31T23:59:59Z'],
  ])('%s -> %s', (input, expected) => {
    expect(toUtcIso(input)).toBe(expected);
  });

  test.each([
    '2023-02-29T00:00:00Z',
    '2023-04-31T00:00:00Z',
    '2023-13-01T00:00:00Z',
    '2023-00-01T00:00:00Z',
    '2023-01-00T00:00:00Z',
    '2023-01-10T24:00:00Z',
    '2023-01-10T23:60:00Z',
    '2023-01-10T23:00:61Z',
    '2023-01-10',
    '1673308800',
    '',
  ])('%p is not a date-time', (input) => {
    expect(toUtcIso(input)).toBeUndefined();
  });

  test('a zone-less range is read as UTC', () => {
    const report = parse(
      reportObject({
        'date-range': { 'start-datetime': '2023-01-10T00:00:00', 'end-datetime': '2023-01-10T23:59:59' },
      }),
    );
    expect(report.dateRange).toStrictEqual({
      startDatetime: '2023-01-10T00:00:00Z',
      endDatetime: '2023-01-10T23:59:59Z',
    });
    expect(report.warnings).toStrictEqual([]);
  });

  test('a range ending before it starts is kept, with a warning', () => {
    const report = parse(
      reportObject({
        'date-range': { 'start-datetime': '2023-01-11T00:00:00Z', 'end-datetime': '2023-01-10T00:00:00Z' },
      }),
    );
    expect(report.dateRange).toStrictEqual({
      startDatetime: '2023-01-11T00:00:00Z',
      endDatetime: '2023-01-10T00:00:00Z',
    });
    expect(report.warnings).toStrictEqual(['date-range.start-datetime is after date-range.end-datetime']);
  });
});

describe('policy quirks', () => {
  test('mx-host given as a string becomes a list', () => {
    const policy = onlyPolicy(
      reportWithPolicy({
        policy: { 'policy-type': 'sts', 'policy-domain': 'example.com', 'mx-host': '*.mx.example.com' },
      }),
    );
    expect(policy.mxHosts).toStrictEqual(['*.mx.example.com']);
  });

  test('an "mx: " prefix in mx-host is dropped', () => {
    const policy = onlyPolicy(
      reportWithPolicy({
        policy: {
          'policy-type': 'sts',
          'policy-domain': 'example.com',
          'mx-host': ['mx: a.example.com', 'MX:b.example.com'],
        },
      }),
    );
    expect(policy.mxHosts).toStrictEqual(['a.example.com', 'b.example.com']);
  });

  test('a TLSA policy-string packed as one JSON-encoded array is unpacked', () => {
    const policy = onlyPolicy(
      reportWithPolicy({
        policy: {
          'policy-type': 'tlsa',
          'policy-domain': 'mx.example.com',
          'policy-string': ['["3 1 1 AAAA","3 1 1 BBBB"]'],
        },
      }),
    );
    expect(policy.policyStrings).toStrictEqual(['3 1 1 AAAA', '3 1 1 BBBB']);
    expect(policy.policyDomain).toBe('mx.example.com');
  });

  test('a policy-string element that only looks like JSON is kept as sent', () => {
    const policy = onlyPolicy(
      reportWithPolicy({
        policy: { 'policy-type': 'tlsa', 'policy-domain': 'd.example', 'policy-string': ['[3 1 1 AAAA'] },
      }),
    );
    expect(policy.policyStrings).toStrictEqual(['[3 1 1 AAAA']);
  });

  test('empty strings become null (failure rows leave them out), empty list entries are dropped', () => {
    const report = parse(
      reportWithPolicy({
        policy: { 'policy-type': 'sts', 'policy-domain': '', 'policy-string': ['version: STSv1', ''], 'mx-host': [''] },
        'failure-details': [
          {
            'result-type': 'validation-failure',
            'sending-mta-ip': '',
            'receiving-mx-hostname': ' ',
            'receiving-ip': '',
            'failed-session-count': 2,
            'failure-reason-code': '',
          },
        ],
      }),
    );
    expect(report.policies[0]).toStrictEqual({
      policyType: 'sts',
      policyDomain: null,
      policyStrings: ['version: STSv1'],
      mxHosts: [],
      totalSuccessfulSessionCount: 10,
      totalFailureSessionCount: 2,
      failureDetails: [
        {
          resultType: 'validation-failure',
          failedSessionCount: 2,
        },
      ],
    });
  });

  test('missing or null failure-details is []', () => {
    expect(onlyPolicy(reportWithPolicy({ 'failure-details': undefined })).failureDetails).toStrictEqual([]);
    expect(onlyPolicy(reportWithPolicy({ 'failure-details': null })).failureDetails).toStrictEqual([]);
  });

  test('missing policy-domain is null in a bare report', () => {
    const report = parse(reportWithPolicy({ policy: { 'policy-type': 'no-policy-found' } }));
    expect(report.policies[0].policyDomain).toBeNull();
    expect(report.warnings).toStrictEqual([]);
  });

  test('missing policy-domain is taken from the TLS-Report-Domain header of the mail, with a warning', async () => {
    const reports = await parseReportMail(
      gzipReportMail(reportWithPolicy({ policy: { 'policy-type': 'no-policy-found' } })),
    );
    expect(reports).toHaveLength(1);
    expect(reports[0].policies[0].policyDomain).toBe('example.com');
    expect(reports[0].warnings).toStrictEqual([
      'policies[0].policy.policy-domain is missing; taken from the TLS-Report-Domain header',
    ]);
  });

  test('policy-domain is lower-cased; the body wins over the header', async () => {
    const report = reportWithPolicy({ policy: { 'policy-type': 'sts', 'policy-domain': 'Other.EXAMPLE' } });
    const [parsed] = await parseReportMail(gzipReportMail(report));
    expect(parsed.policies[0].policyDomain).toBe('other.example');
    expect(parsed.mail?.tlsReportDomain).toBe('example.com');
  });

  test('contact-info may be null', () => {
    expect(parse(reportObject({ 'contact-info': null })).contactInfo).toBeNull();
    expect(parse(reportObject({ 'contact-info': undefined })).contactInfo).toBeNull();
    expect(parse(reportObject({ 'organization-name': '' })).organizationName).toBeNull();
  });

  test('counts are kept as sent when the summary disagrees with the rows, with a warning', () => {
    const report = parse(
      reportWithPolicy({
        summary: { 'total-successful-session-count': 0, 'total-failure-session-count': 5 },
        'failure-details': [
          { 'result-type': 'certificate-expired', 'failed-session-count': 1 },
          { 'result-type': 'starttls-not-supported', 'failed-session-count': 2 },
        ],
      }),
    );
    expect(report.policies[0].totalFailureSessionCount).toBe(5);
    expect(report.policies[0].failureDetails.map((row) => row.failedSessionCount)).toStrictEqual([1, 2]);
    expect(report.warnings).toStrictEqual([
      'policies[0]: total-failure-session-count is 5 but failure-details add up to 3',
    ]);
  });

  test('missing counts are 0, with warnings', () => {
    const report = parse(
      reportWithPolicy({ summary: undefined, 'failure-details': [{ 'result-type': 'certificate-expired' }] }),
    );
    expect(report.policies[0].totalSuccessfulSessionCount).toBe(0);
    expect(report.policies[0].totalFailureSessionCount).toBe(0);
    expect(report.policies[0].failureDetails[0].failedSessionCount).toBe(0);
    expect(report.warnings).toStrictEqual([
      'policies[0].summary.total-successful-session-count is missing; counted as 0',
      'policies[0].summary.total-failure-session-count is missing; counted as 0',
      'policies[0].failure-details: 1 row(s) without failed-session-count, counted as 0',
    ]);
  });

  test('unregistered result types are kept and reported once', () => {
    const report = parse(
      reportWithPolicy({
        summary: { 'total-successful-session-count': 0, 'total-failure-session-count': 2 },
        'failure-details': [
          { 'result-type': 'tls-too-old', 'failed-session-count': 1 },
          { 'result-type': 'tls-too-old', 'failed-session-count': 1 },
        ],
      }),
    );
    expect(report.policies[0].failureDetails.map((row) => row.resultType)).toStrictEqual([
      'tls-too-old',
      'tls-too-old',
    ]);
    expect(report.warnings).toStrictEqual(['result-type "tls-too-old" is not a registered result type']);
  });

  test('an empty policies list is a report, with a warning', () => {
    const report = parse(reportObject({ policies: [] }));
    expect(report.policies).toStrictEqual([]);
    expect(report.warnings).toStrictEqual(['policies is empty']);
  });
});

describe('mail handling', () => {
  const report = reportObject();

  test('a Google-style mail: the mail fields are filled in', async () => {
    const reports = await parseReportMail(gzipReportMail(report));
    expect(reports).toStrictEqual([{ ...parse(report), mail: MAIL }]);
  });

  test('a contact-info outside the submitter domain is a warning', async () => {
    const [parsed] = await parseReportMail(
      gzipReportMail(reportObject({ 'contact-info': 'reports@elsewhere.example' })),
    );
    expect(parsed.warnings).toStrictEqual([
      'contact-info domain elsewhere.example does not match the TLS-Report-Submitter header sender.example',
    ]);
  });

  test('a contact-info in a subdomain of the submitter is accepted (mail.ru)', async () => {
    const [parsed] = await parseReportMail(gzipReportMail(reportObject({ 'contact-info': 'tls@corp.sender.example' })));
    expect(parsed.warnings).toStrictEqual([]);
  });

  test('plain JSON in an application/tlsrpt+gzip part is read by its content', async () => {
    const mail = reportMail([
      { contentType: 'application/tlsrpt+gzip', filename: 'r.json.gz', body: JSON.stringify(report) },
    ]);
    expect((await parseReportMail(mail))[0].reportId).toBe('report-1');
  });

  test('an application/tlsrpt+json part, base64-encoded', async () => {
    const mail = reportMail([{ contentType: 'application/tlsrpt+json', body: JSON.stringify(report) }]);
    expect((await parseReportMail(mail))[0].reportId).toBe('report-1');
  });

  test('without a report media type, the part is chosen by file name', async () => {
    const mail = reportMail([
      { contentType: 'application/octet-stream', filename: 'logo.png', body: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
      { contentType: 'application/octet-stream', filename: 'sender!example.com!1!2.json.gz', body: gzipJson(report) },
    ]);
    expect((await parseReportMail(mail)).map((r) => r.reportId)).toStrictEqual(['report-1']);
  });

  test('without a report media type or file name, the part is chosen by gzip magic bytes', async () => {
    const mail = reportMail([
      { contentType: 'application/pdf', body: Buffer.from('%PDF-1.4') },
      { contentType: 'application/octet-stream', body: gzipJson(report) },
    ]);
    expect((await parseReportMail(mail)).map((r) => r.reportId)).toStrictEqual(['report-1']);
  });

  test('a report media type outranks a .json file name', async () => {
    const mail = reportMail([
      { contentType: 'application/octet-stream', filename: 'notes.json', body: '{"not": "a report"}' },
      { contentType: 'application/tlsrpt+gzip', body: gzipJson(report) },
    ]);
    expect((await parseReportMail(mail)).map((r) => r.reportId)).toStrictEqual(['report-1']);
  });

  test('several report parts give several reports, in mail order', async () => {
    const mail = reportMail([
      { contentType: 'application/tlsrpt+gzip', body: gzipJson(reportObject({ 'report-id': 'first' })) },
      { contentType: 'application/tlsrpt+json', body: JSON.stringify(reportObject({ 'report-id': 'second' })) },
    ]);
    expect((await parseReportMail(mail)).map((r) => r.reportId)).toStrictEqual(['first', 'second']);
  });

  test('a single-part mail whose body is the report', async () => {
    const body = gzipJson(report).toString('base64');
    const mail = Buffer.from(
      `From: a@sender.example\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}\r\n`,
    );
    const [parsed] = await parseReportMail(mail);
    expect(parsed.reportId).toBe('report-1');
    expect(parsed.mail).toStrictEqual({
      tlsReportDomain: null,
      tlsReportSubmitter: null,
      messageId: null,
      from: 'a@sender.example',
    });
  });

  test('LF-only line endings', async () => {
    const mail = Buffer.from(gzipReportMail(report).toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    expect((await parseReportMail(mail))[0]).toStrictEqual({ ...parse(report), mail: MAIL });
  });
});

describe('parseReportFile', () => {
  const report = reportObject();

  test('chooses by extension, then by content', async () => {
    const expected = [parse(report)];
    expect(await parseReportFile('r.json', Buffer.from(JSON.stringify(report)))).toStrictEqual(expected);
    expect(await parseReportFile('r.json.gz', gzipJson(report))).toStrictEqual(expected);
    expect(await parseReportFile('R.GZ', gzipJson(report))).toStrictEqual(expected);
    expect(await parseReportFile('report.bin', gzipJson(report))).toStrictEqual(expected);
    expect(await parseReportFile('report', Buffer.from(`\n ${JSON.stringify(report)}`))).toStrictEqual(expected);
    expect((await parseReportFile('message', gzipReportMail(report)))[0].mail).toStrictEqual(MAIL);
    expect((await parseReportFile('message.EML', gzipReportMail(report)))[0].mail).toStrictEqual(MAIL);
  });

  test('a gzipped fixture', async () => {
    const bytes = gzipSync(fs.readFileSync(path.join(FIXTURES, 'parsedmarc-rfc8460.json')));
    const [parsed] = await parseReportFile('rfc.json.gz', bytes);
    expect(parsed.reportId).toBe('5065427c-23d3-47ca-b6e0-946ea0e8c4be');
  });
});

describe('dedupKey', () => {
  const base = parse(reportObject());

  test('is 32 lower-case hex digits and stable', () => {
    // sha256('["example sender","report-1","2025-02-01T00:00:00Z","2025-02-01T23:59:59Z"]'), checked with sha256sum
    expect(dedupKey(base)).toBe('5594588337799041514ff84253076971');
    expect(dedupKey(parse(reportObject()))).toBe(dedupKey(base));
  });

  test('ignores what the mail said and the policies', async () => {
    const [fromMail] = await parseReportMail(gzipReportMail(reportObject({ policies: [] })));
    expect(dedupKey(fromMail)).toBe(dedupKey(base));
  });

  test('differs by organisation, report-id and date range', () => {
    const keys = new Set([
      dedupKey(base),
      dedupKey(parse(reportObject({ 'organization-name': 'Other Sender' }))),
      dedupKey(parse(reportObject({ 'report-id': 'report-2' }))),
      dedupKey(
        parse(
          reportObject({
            'date-range': { 'start-datetime': '2025-02-02T00:00:00Z', 'end-datetime': '2025-02-02T23:59:59Z' },
          }),
        ),
      ),
    ]);
    expect(keys.size).toBe(4);
  });

  test('falls back to contact-info when there is no organisation', () => {
    const anonymous = parse(reportObject({ 'organization-name': null }));
    const other = parse(reportObject({ 'organization-name': null, 'contact-info': 'x@other.example' }));
    expect(dedupKey(anonymous)).toMatch(/^[0-9a-f]{32}$/);
    expect(dedupKey(anonymous)).not.toBe(dedupKey(other));
  });

  test('the same report from a mail and from its decoded JSON has the same key', async () => {
    const [fromMail] = await parseReportFile('mox-google.eml', fs.readFileSync(path.join(FIXTURES, 'mox-google.eml')));
    const [fromJson] = await parseReportFile(
      'mox-google.decoded.json',
      fs.readFileSync(path.join(FIXTURES, 'mox-google.decoded.json')),
    );
    expect(dedupKey(fromMail)).toBe(dedupKey(fromJson));
    expect(dedupKey(fromMail)).toBe('5567c140e3b1a0d2ab9521dbf904baa3');
  });
});
