import { createGzip, gzipSync } from 'node:zlib';
import { parseReportFile, parseReportJson, parseReportMail, ReportRejectedError } from '../../../src/reporting/parser';
import { garbage, gzipJson, reportMail, reportObject, reportWithPolicy } from '../mail-builder';

const MiB = 1024 * 1024;

/** Runs `parse` and returns the rejection reason; fails the test if it did not reject as expected. */
async function reasonOf(parse: () => unknown): Promise<string> {
  try {
    await parse();
  } catch (e) {
    expect(e).toBeInstanceOf(ReportRejectedError);
    expect(e).toBeInstanceOf(Error);
    return (e as ReportRejectedError).reason;
  }
  throw new Error('expected a ReportRejectedError, but the input was accepted');
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** 1 GiB of zeros, gzipped in a stream (about 1 MiB) so the test never holds the inflated data. */
function gzipBomb(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gzip = createGzip({ level: 9 });
    const out: Buffer[] = [];
    gzip.on('data', (chunk: Buffer) => out.push(chunk));
    gzip.on('end', () => resolve(Buffer.concat(out)));
    gzip.on('error', reject);
    const zeros = Buffer.alloc(MiB);
    let written = 0;
    const pump = () => {
      while (written < 1024) {
        written++;
        if (!gzip.write(zeros)) {
          gzip.once('drain', pump);
          return;
        }
      }
      gzip.end();
    };
    pump();
  });
}

describe('gzip bomb', () => {
  let bomb: Buffer;
  beforeAll(async () => {
    bomb = await gzipBomb();
  }, 120_000);

  test('is small on the wire', () => {
    expect(bomb.length).toBeLessThan(2 * MiB);
  });

  test('is rejected at the default 20 MiB cap without inflating past it', () => {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    let reason = '';
    try {
      parseReportJson(bomb);
    } catch (e) {
      reason = (e as ReportRejectedError).reason;
    }
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    const peakGrowth = process.resourceUsage().maxRSS * 1024 - peakBefore;
    expect(reason).toBe('decompressed report exceeds the 20971520-byte limit');
    // Inflating it all would take 1 GiB; the cap allows 20 MiB plus zlib's working buffers.
    expect(rssGrowth).toBeLessThan(100 * MiB);
    expect(peakGrowth).toBeLessThan(100 * MiB);
  });

  test('is rejected at a configured cap', async () => {
    expect(await reasonOf(() => parseReportJson(bomb, { maxDecompressedBytes: MiB }))).toBe(
      'decompressed report exceeds the 1048576-byte limit',
    );
  });

  test('inside a mail is rejected with the cap reason', async () => {
    const mail = reportMail([{ contentType: 'application/tlsrpt+gzip', filename: 'bomb.json.gz', body: bomb }]);
    expect(await reasonOf(() => parseReportMail(mail))).toBe('decompressed report exceeds the 20971520-byte limit');
  });
});

describe('mails with many report parts', () => {
  const part = (i: number, body: Buffer | string = gzipJson(reportObject({ 'report-id': `report-${i}` }))) => ({
    contentType: 'application/tlsrpt+gzip',
    filename: `r${i}.json.gz`,
    body,
  });
  const parts = (count: number, body?: Buffer) => Array.from({ length: count }, (_, i) => part(i + 1, body));
  /** A valid report that inflates to `size` bytes (padded with spaces, which gzip squeezes to almost nothing). */
  const paddedReport = (size: number) => {
    const text = JSON.stringify(reportObject());
    return gzipSync(text + ' '.repeat(size - text.length));
  };

  test('up to 10 report parts are accepted', async () => {
    const reports = await parseReportMail(reportMail(parts(10)));
    expect(reports.map((r) => r.reportId)).toEqual(Array.from({ length: 10 }, (_, i) => `report-${i + 1}`));
  });

  test('11 report parts are rejected before any is decompressed', async () => {
    // Gzip magic and garbage: decompressing any part would give "gzip data is corrupt".
    const corrupt = Buffer.concat([Buffer.from([0x1f, 0x8b]), garbage(50)]);
    expect(await reasonOf(() => parseReportMail(reportMail(parts(11, corrupt))))).toBe(
      'mail has 11 report parts, over the limit of 10',
    );
  });

  test('a mail with 2,000 tiny report parts is rejected by count', async () => {
    const mail = reportMail(parts(2000, gzipSync('{}')));
    expect(await reasonOf(() => parseReportMail(mail))).toBe('mail has 2000 report parts, over the limit of 10');
  });

  test('the part limit can be configured', async () => {
    expect(await reasonOf(() => parseReportMail(reportMail(parts(3)), { maxReportParts: 2 }))).toBe(
      'mail has 3 report parts, over the limit of 2',
    );
    expect(await parseReportMail(reportMail(parts(3)), { maxReportParts: 3 })).toHaveLength(3);
  });

  test('parts each under the decompression cap but together over it are rejected', async () => {
    const options = { maxDecompressedBytes: MiB };
    const body = paddedReport(300 * 1024);
    // Each part alone is fine, and so are three (900 KiB in all).
    expect(parseReportJson(body, options).reportId).toBe('report-1');
    expect(await parseReportMail(reportMail(parts(3, body)), options)).toHaveLength(3);
    // A fourth takes the mail to 1200 KiB.
    expect(await reasonOf(() => parseReportMail(reportMail(parts(4, body)), options))).toBe(
      'decompressed report parts exceed the 1048576-byte limit in total',
    );
  });

  test('at the default cap: ten parts of 8 MiB each cannot inflate to 80 MiB', async () => {
    const body = paddedReport(8 * MiB);
    expect(parseReportJson(body).reportId).toBe('report-1');
    expect(await reasonOf(() => parseReportMail(reportMail(parts(10, body))))).toBe(
      'decompressed report parts exceed the 20971520-byte limit in total',
    );
  });

  test('a first part over the cap on its own gets the per-part reason, with its name', async () => {
    const big = paddedReport(2 * MiB);
    expect(
      await reasonOf(() => parseReportMail(reportMail([part(1, big), part(2)]), { maxDecompressedBytes: MiB })),
    ).toBe('r1.json.gz: decompressed report exceeds the 1048576-byte limit');
    // Later, it is the mail's total that is exceeded first.
    expect(
      await reasonOf(() => parseReportMail(reportMail([part(1), part(2, big)]), { maxDecompressedBytes: MiB })),
    ).toBe('decompressed report parts exceed the 1048576-byte limit in total');
  });

  test('plain JSON parts do not use up the decompression budget (the mail size bounds them)', async () => {
    const plain = JSON.stringify(reportObject()) + ' '.repeat(600 * 1024);
    const mail = reportMail([
      { contentType: 'application/tlsrpt+json', filename: 'plain.json', body: plain },
      part(2, paddedReport(600 * 1024)),
    ]);
    expect(await parseReportMail(mail, { maxDecompressedBytes: MiB })).toHaveLength(2);
  });
});

describe('hostile and broken input is rejected, never a crash', () => {
  const gzipped = gzipJson(reportObject());

  test('truncated gzip', async () => {
    expect(await reasonOf(() => parseReportJson(gzipped.subarray(0, gzipped.length - 4)))).toBe(
      'gzip data is truncated',
    );
    expect(await reasonOf(() => parseReportJson(gzipped.subarray(0, 20)))).toBe('gzip data is truncated');
  });

  test('gzip magic followed by garbage', async () => {
    expect(await reasonOf(() => parseReportJson(Buffer.concat([Buffer.from([0x1f, 0x8b]), garbage(200)])))).toBe(
      'gzip data is corrupt (unknown compression method)',
    );
  });

  test('a gzip cap also bounds a report that is merely too big', async () => {
    expect(await reasonOf(() => parseReportJson(gzipped, { maxDecompressedBytes: 100 }))).toBe(
      'decompressed report exceeds the 100-byte limit',
    );
  });

  test('input over the size limit is refused before parsing', async () => {
    expect(await reasonOf(() => parseReportJson(json(reportObject()), { maxInputBytes: 100 }))).toMatch(
      /^report is \d+ bytes, over the 100-byte limit$/,
    );
    expect(await reasonOf(() => parseReportMail(garbage(2000), { maxInputBytes: 1000 }))).toBe(
      'mail is 2000 bytes, over the 1000-byte limit',
    );
  });

  test('invalid JSON', async () => {
    expect(await reasonOf(() => parseReportJson(Buffer.from('{"organization-name": ')))).toMatch(/^not JSON \(.+\)$/);
    expect(await reasonOf(() => parseReportJson(gzipSync('{"policies": [}')))).toMatch(/^not JSON \(.+\)$/);
  });

  test('deeply nested JSON: 100k unclosed brackets is refused before JSON.parse', async () => {
    expect(await reasonOf(() => parseReportJson(Buffer.from('['.repeat(100_000))))).toBe(
      'JSON nests deeper than 64 levels',
    );
  });

  test('deeply nested JSON: 100k balanced brackets is refused before JSON.parse', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(await reasonOf(() => parseReportJson(Buffer.from(deep)))).toBe('JSON nests deeper than 64 levels');
  });

  test('deeply nested JSON inside report fields is refused before JSON.parse', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const inName = JSON.stringify(reportObject()).replace('"Example Sender"', deep);
    expect(await reasonOf(() => parseReportJson(Buffer.from(inName)))).toBe('JSON nests deeper than 64 levels');
    const inPolicies = JSON.stringify(reportObject({ policies: [] })).replace('"policies":[]', `"policies":[${deep}]`);
    expect(await reasonOf(() => parseReportJson(Buffer.from(inPolicies)))).toBe('JSON nests deeper than 64 levels');
  });

  test('nesting up to 64 levels is left to the report checks', async () => {
    const deep = '['.repeat(62) + ']'.repeat(62); // inside the report object and its "organization-name"
    const inName = JSON.stringify(reportObject()).replace('"Example Sender"', deep);
    expect(await reasonOf(() => parseReportJson(Buffer.from(inName)))).toBe(
      'organization-name must be a string, got a list',
    );
    const tooDeep = JSON.stringify(reportObject()).replace('"Example Sender"', '['.repeat(64) + ']'.repeat(64));
    expect(await reasonOf(() => parseReportJson(Buffer.from(tooDeep)))).toBe('JSON nests deeper than 64 levels');
  });

  test('brackets inside strings do not count as nesting', async () => {
    const name = '['.repeat(1000) + '\\"{'.repeat(100);
    const report = reportObject({ 'organization-name': name });
    expect(parseReportJson(json(report)).organizationName).toBe(name);
    // A string ends at a quote after an escaped backslash: the nesting that follows it counts.
    const backslash = JSON.stringify(reportObject({ 'organization-name': 'a\\' }));
    const nested = backslash.replace('"a\\\\"', `"a\\\\","x":${'['.repeat(64)}${']'.repeat(64)}`);
    expect(nested).not.toBe(backslash);
    expect(await reasonOf(() => parseReportJson(Buffer.from(nested)))).toBe('JSON nests deeper than 64 levels');
  });

  test('binary garbage', async () => {
    const bytes = garbage(64 * 1024);
    expect(await reasonOf(() => parseReportMail(bytes))).toBe('mail has no TLS report part');
    expect(await reasonOf(() => parseReportFile('garbage.eml', bytes))).toBe('mail has no TLS report part');
    expect(await reasonOf(() => parseReportFile('garbage.json', bytes))).toMatch(/^not JSON \(.+\)$/);
  });

  test('mail with no report part, whatever its Subject says', async () => {
    const mail = reportMail([{ contentType: 'text/plain', body: JSON.stringify(reportObject()), encoding: '7bit' }]);
    expect(await reasonOf(() => parseReportMail(mail))).toBe('mail has no TLS report part');
  });

  test('empty input and empty attachments', async () => {
    expect(await reasonOf(() => parseReportJson(Buffer.alloc(0)))).toBe('report is empty');
    expect(await reasonOf(() => parseReportJson(Buffer.from(' \r\n\t')))).toBe('report is empty');
    expect(await reasonOf(() => parseReportJson(gzipSync('')))).toBe('report is empty');
    expect(await reasonOf(() => parseReportMail(Buffer.alloc(0)))).toBe('mail is empty');
    const mail = reportMail([{ contentType: 'application/tlsrpt+gzip', filename: 'r.json.gz', body: '' }]);
    expect(await reasonOf(() => parseReportMail(mail))).toBe('report attachment r.json.gz is empty');
  });

  test('JSON that is not a report', async () => {
    expect(await reasonOf(() => parseReportJson(json([reportObject()])))).toBe(
      'not a TLS-RPT report: the JSON is not an object',
    );
    expect(await reasonOf(() => parseReportJson(json('report')))).toBe(
      'not a TLS-RPT report: the JSON is not an object',
    );
    expect(await reasonOf(() => parseReportJson(json({ feedback: { version: 1 } })))).toBe(
      'not a TLS-RPT report: "policies" is missing',
    );
  });

  test('policies not a list', async () => {
    const policy = (reportObject().policies as unknown[])[0];
    expect(await reasonOf(() => parseReportJson(json(reportObject({ policies: policy }))))).toBe(
      'policies is not a list',
    );
    expect(await reasonOf(() => parseReportJson(json(reportObject({ policies: 'sts' }))))).toBe(
      'policies is not a list',
    );
    expect(await reasonOf(() => parseReportJson(json(reportObject({ policies: null }))))).toBe(
      'policies is not a list',
    );
  });

  test.each([
    [-1, 'policies[0].summary.total-failure-session-count must be a non-negative integer, got -1'],
    [1.5, 'policies[0].summary.total-failure-session-count must be a non-negative integer, got 1.5'],
    ['2', 'policies[0].summary.total-failure-session-count must be a non-negative integer, got "2"'],
    [1e20, 'policies[0].summary.total-failure-session-count must be a non-negative integer, got 100000000000000000000'],
    [true, 'policies[0].summary.total-failure-session-count must be a non-negative integer, got true'],
  ])('summary count %p', async (value, reason) => {
    const report = reportWithPolicy({
      summary: { 'total-successful-session-count': 1, 'total-failure-session-count': value },
    });
    expect(await reasonOf(() => parseReportJson(json(report)))).toBe(reason);
  });

  test.each([
    [-3, 'policies[0].failure-details[0].failed-session-count must be a non-negative integer, got -3'],
    [0.25, 'policies[0].failure-details[0].failed-session-count must be a non-negative integer, got 0.25'],
  ])('failed-session-count %p', async (value, reason) => {
    const report = reportWithPolicy({
      'failure-details': [{ 'result-type': 'certificate-expired', 'failed-session-count': value }],
    });
    expect(await reasonOf(() => parseReportJson(json(report)))).toBe(reason);
  });

  test('missing or malformed required members', async () => {
    expect(await reasonOf(() => parseReportJson(json(reportObject({ 'report-id': undefined }))))).toBe(
      'report-id is missing',
    );
    expect(await reasonOf(() => parseReportJson(json(reportObject({ 'report-id': 42 }))))).toBe(
      'report-id must be a string, got 42',
    );
    expect(await reasonOf(() => parseReportJson(json(reportObject({ 'date-range': undefined }))))).toBe(
      'date-range is missing or not an object',
    );
    const badDate = { 'start-datetime': '2023-02-30T00:00:00Z', 'end-datetime': '2023-03-01T00:00:00Z' };
    expect(await reasonOf(() => parseReportJson(json(reportObject({ 'date-range': badDate }))))).toBe(
      'date-range.start-datetime is not an RFC 3339 date-time: "2023-02-30T00:00:00Z"',
    );
    const words = { 'start-datetime': 'yesterday', 'end-datetime': 'today' };
    expect(await reasonOf(() => parseReportJson(json(reportObject({ 'date-range': words }))))).toBe(
      'date-range.start-datetime is not an RFC 3339 date-time: "yesterday"',
    );
    expect(await reasonOf(() => parseReportJson(json(reportWithPolicy({ policy: undefined }))))).toBe(
      'policies[0].policy is missing or not an object',
    );
    expect(
      await reasonOf(() => parseReportJson(json(reportWithPolicy({ policy: { 'policy-domain': 'example.com' } })))),
    ).toBe('policies[0].policy.policy-type is missing');
    expect(await reasonOf(() => parseReportJson(json(reportWithPolicy({ 'failure-details': {} }))))).toBe(
      'policies[0].failure-details is not a list',
    );
    expect(
      await reasonOf(() =>
        parseReportJson(json(reportWithPolicy({ 'failure-details': [{ 'failed-session-count': 1 }] }))),
      ),
    ).toBe('policies[0].failure-details[0].result-type is missing');
    expect(
      await reasonOf(() =>
        parseReportJson(
          json(reportWithPolicy({ 'failure-details': [{ 'result-type': 'x', 'sending-mta-ip': 3232235777 }] })),
        ),
      ),
    ).toBe('policies[0].failure-details[0].sending-mta-ip must be a string, got 3232235777');
  });

  test('a mail is rejected as a whole when one of its report parts is bad', async () => {
    const mail = reportMail([
      { contentType: 'application/tlsrpt+gzip', filename: 'good.json.gz', body: gzipJson(reportObject()) },
      { contentType: 'application/tlsrpt+gzip', filename: 'bad.json.gz', body: gzipJson({ policies: 1 }) },
    ]);
    expect(await reasonOf(() => parseReportMail(mail))).toBe('bad.json.gz: policies is not a list');
  });

  test('very long strings are cut in reasons', async () => {
    const reason = await reasonOf(() => parseReportJson(json(reportObject({ 'report-id': 7, 'contact-info': 'x' }))));
    expect(reason).toBe('report-id must be a string, got 7');
    const long = { 'start-datetime': 'x'.repeat(10_000), 'end-datetime': '2025-01-01T00:00:00Z' };
    expect(await reasonOf(() => parseReportJson(json(reportObject({ 'date-range': long }))))).toBe(
      `date-range.start-datetime is not an RFC 3339 date-time: "${'x'.repeat(56)}...`,
    );
  });
});
