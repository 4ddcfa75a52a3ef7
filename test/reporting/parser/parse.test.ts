// parseReportFileNow gives a result without waiting whenever postal-mime is not needed, and the same result as
// parseReportFile either way.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseReportFile, parseReportFileNow, ReportRejectedError } from '../../../src/reporting/parser';
import { FIXTURES, gzipJson, gzipReportMail, reportObject } from '../mail-builder';

const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

describe('parseReportFileNow', () => {
  test.each(['mox-google.eml', 'parsedmarc-google.com.eml', 'cryinc-google.json'])(
    '%s (a canonical mail or a JSON file) is parsed at once, as parseReportFile parses it',
    async (name) => {
      const now = parseReportFileNow(name, fixture(name));
      expect(Array.isArray(now)).toBe(true);
      expect(now).toStrictEqual(await parseReportFile(name, fixture(name)));
    },
  );

  test('a gzipped report file is parsed at once', () => {
    const reports = parseReportFileNow('r.json.gz', gzipJson(reportObject()));
    expect(Array.isArray(reports)).toBe(true);
    expect((reports as { reportId: string }[]).map((r) => r.reportId)).toStrictEqual(['report-1']);
  });

  test('a mail only postal-mime reads gives a promise of the same result', async () => {
    const name = 'mail-auth-rpt02-plain-json.eml';
    const later = parseReportFileNow(name, fixture(name));
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toStrictEqual(await parseReportFile(name, fixture(name)));
  });

  test('a canonical mail with a bad report is refused at once, not through a promise', () => {
    const mail = gzipReportMail(reportObject({ 'report-id': undefined }));
    expect(() => parseReportFileNow('bad.eml', mail)).toThrow(ReportRejectedError);
    expect(() => parseReportFileNow('bad.eml', mail)).toThrow('report-id is missing');
  });

  test('an empty mail is refused at once', () => {
    expect(() => parseReportFileNow('empty.eml', Buffer.alloc(0))).toThrow('mail is empty');
  });
});
