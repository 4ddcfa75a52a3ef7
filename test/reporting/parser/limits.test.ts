// The memory findings of issue 8, each refused with a reason before it can cost memory. The peak RSS of each case
// is measured by `npm run bench` (bench/hostile-bench.ts), not here.
import { gzipSync } from 'node:zlib';
import { parseReportJson, parseReportMail, ReportRejectedError } from '../../../src/reporting/parser';
import { MAX_JSON_VALUES } from '../../../src/reporting/parser/json-shape';
import { MAX_MAIL_LINES, MAX_MIME_NESTING_DEPTH } from '../../../src/reporting/parser/mime';
import { gzipJson, reportMail, reportObject, reportWithPolicy } from '../mail-builder';

const MiB = 1024 * 1024;

async function reasonOf(parse: () => unknown): Promise<string> {
  try {
    await parse();
  } catch (e) {
    expect(e).toBeInstanceOf(ReportRejectedError);
    return (e as ReportRejectedError).reason;
  }
  throw new Error('expected a ReportRejectedError, but the input was accepted');
}

const reportPart = { contentType: 'application/tlsrpt+gzip', filename: 'r.json.gz', body: gzipJson(reportObject()) };

describe('line count, before MIME parsing', () => {
  test('a valid report mail with 400,000 short lines (1.2 MB) is refused', async () => {
    const mail = reportMail([
      { contentType: 'text/plain', body: 'a\r\n'.repeat(400_000), encoding: '7bit' },
      reportPart,
    ]);
    expect(mail.length).toBeLessThan(1.3 * MiB);
    expect(await reasonOf(() => parseReportMail(mail))).toBe('mail has more than 25000 lines');
  });

  test('a mail just under the line limit is read', async () => {
    const mail = reportMail([reportPart]);
    const lines = mail.toString('latin1').split('\n').length;
    const padded = reportMail([
      { contentType: 'text/plain', body: 'a\r\n'.repeat(MAX_MAIL_LINES - lines - 8), encoding: '7bit' },
      reportPart,
    ]);
    expect(padded.toString('latin1').split('\n').length).toBeLessThanOrEqual(MAX_MAIL_LINES);
    expect((await parseReportMail(padded)).map((r) => r.reportId)).toEqual(['report-1']);
  });
});

describe('MIME nesting', () => {
  /** `depth` multiparts, each holding the next; the report part is in the innermost. */
  function nestedMultipart(depth: number): Buffer {
    const lines = ['From: reporter@sender.example', 'Subject: nested'];
    for (let i = 0; i < depth; i++) lines.push(`Content-Type: multipart/mixed; boundary="b${i}"`, '', `--b${i}`);
    lines.push('Content-Type: application/tlsrpt+json', '', JSON.stringify(reportObject()));
    for (let i = depth - 1; i >= 0; i--) lines.push(`--b${i}--`);
    return Buffer.from(lines.join('\r\n') + '\r\n');
  }

  /** A report mail wrapped `depth` times in message/rfc822 parts. */
  function nestedRfc822(depth: number): Buffer {
    let mail = reportMail([reportPart]).toString('latin1');
    for (let i = 0; i < depth; i++) {
      mail = [
        `Subject: forward ${i}`,
        `Content-Type: multipart/mixed; boundary="f${i}"`,
        '',
        `--f${i}`,
        'Content-Type: message/rfc822',
        '',
        mail,
        `--f${i}--`,
        '',
      ].join('\r\n');
    }
    return Buffer.from(mail, 'latin1');
  }

  test('multipart nesting deeper than the limit is refused', async () => {
    expect(await parseReportMail(nestedMultipart(MAX_MIME_NESTING_DEPTH - 1))).toHaveLength(1);
    expect(await reasonOf(() => parseReportMail(nestedMultipart(MAX_MIME_NESTING_DEPTH + 1)))).toBe(
      'not a readable mail (Maximum MIME nesting depth of 8 levels exceeded)',
    );
    expect(await reasonOf(() => parseReportMail(nestedMultipart(5_000)))).toBe(
      'not a readable mail (Maximum MIME nesting depth of 8 levels exceeded)',
    );
    // Deeper still, the line count refuses it first.
    expect(await reasonOf(() => parseReportMail(nestedMultipart(10_000)))).toBe('mail has more than 25000 lines');
  });

  test('message/rfc822 parts are never parsed: a forwarded report is not read', async () => {
    // postal-mime parsed inline message/rfc822 parts recursively; 10,000 levels took 66 s and 1.6 GB.
    expect(await reasonOf(() => parseReportMail(nestedRfc822(1)))).toBe('mail has no TLS report part');
    expect(await reasonOf(() => parseReportMail(nestedRfc822(2_000)))).toBe('mail has no TLS report part');
  });
});

describe('JSON shape, before JSON.parse', () => {
  test('20 KB of gzip expanding to deeply nested JSON is refused', async () => {
    const deep = gzipSync('['.repeat(10 * MiB) + ']'.repeat(10 * MiB), { level: 9 });
    expect(deep.length).toBeLessThan(40 * 1024);
    expect(await reasonOf(() => parseReportJson(deep))).toBe('JSON nests deeper than 64 levels');
    const mail = reportMail([{ contentType: 'application/tlsrpt+gzip', filename: 'r.json.gz', body: deep }]);
    expect(await reasonOf(() => parseReportMail(mail))).toBe('JSON nests deeper than 64 levels');
  });

  test('millions of tiny values are refused', async () => {
    const wide = gzipSync(`{"policies":[${'{},'.repeat(3_000_000)}{}]}`);
    expect(await reasonOf(() => parseReportJson(wide))).toBe(`JSON has more than ${MAX_JSON_VALUES} values`);
  });
});

describe('normalized size', () => {
  /** `rows` failure rows of only a result type: normalizing gives each eight fields. */
  function sparseRows(rows: number): Buffer {
    const report = JSON.stringify(
      reportWithPolicy({ 'failure-details': [{ 'result-type': 'starttls-not-supported' }] }),
    );
    const row = '{"result-type":"starttls-not-supported"}';
    return Buffer.from(report.replace(`[${row}]`, `[${Array(rows).fill(row).join(',')}]`));
  }

  test('a 20 KB gzip of sparse failure rows cannot become an object of tens of MB', async () => {
    const body = gzipSync(sparseRows(500_000), { level: 9 });
    expect(body.length).toBeLessThan(64 * 1024);
    expect(await reasonOf(() => parseReportJson(body))).toBe('normalized report exceeds the 20971520-byte limit');
  });

  test('the cap is the configured report size, and counts at most the JSON size', () => {
    const input = sparseRows(1_000);
    const report = parseReportJson(input);
    const size = JSON.stringify(report).length;
    // The measure is a lower bound of the JSON, so a report exactly at the cap is accepted.
    expect(parseReportJson(input, { maxDecompressedBytes: size }).policies[0].failureDetails).toHaveLength(1_000);
    expect(() => parseReportJson(input, { maxDecompressedBytes: Math.floor(size * 0.9) })).toThrow(
      `normalized report exceeds the ${Math.floor(size * 0.9)}-byte limit`,
    );
  });
});
