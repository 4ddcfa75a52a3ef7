import { createHash } from 'node:crypto';
import { contentHash, mailIdentity, reportKey, storedDedupKey } from '../../../src/reporting/handlers/report-keys';
import { ReportStore } from '../../../src/reporting/handlers/report-store';
import { parseReportJson, ReportRejectedError } from '../../../src/reporting/parser';
import { BUCKET, useS3Server } from '../../support/s3-server';
import { gzipJson, reportWithPolicy } from '../mail-builder';

const NOW_ISO = '2026-11-26T10:00:00.000Z';

describe('ReportStore against S3', () => {
  const s3 = useS3Server();

  test('returns the bytes of an object within the limit', async () => {
    await s3.put('raw/m1', Buffer.alloc(200, 0x61));
    expect(Buffer.from(await new ReportStore(s3.client, BUCKET).read('raw/m1', 200, 'mail'))).toEqual(
      Buffer.alloc(200, 0x61),
    );
  });

  test('rejects an object over the limit from its size', async () => {
    await s3.put('raw/m2', Buffer.alloc(201, 0x61));
    await expect(new ReportStore(s3.client, BUCKET).read('raw/m2', 200, 'mail')).rejects.toEqual(
      new ReportRejectedError('mail is 201 bytes, over the 200-byte limit'),
    );
  });

  test('putIfAbsent writes once and never overwrites', async () => {
    const store = new ReportStore(s3.client, BUCKET);
    expect(await store.putIfAbsent('rejected/date=2024-09-04/m3.json', 'first\n', 'application/json')).toBe(true);
    expect(await store.putIfAbsent('rejected/date=2024-09-04/m3.json', 'second\n', 'application/json')).toBe(false);
    expect(await s3.get('rejected/date=2024-09-04/m3.json')).toMatchObject({
      body: 'first\n',
      contentType: 'application/json',
    });
  });

  test('a 409 ConditionalRequestConflict is retried (S3 answers it to concurrent conditional writes)', async () => {
    // Before, the conflict failed the invocation.
    s3.failNextPut(/^rejected\//, 409, 'ConditionalRequestConflict');
    const store = new ReportStore(s3.client, BUCKET);
    expect(await store.putIfAbsent('rejected/date=2024-09-04/m4.json', 'once\n', 'application/json')).toBe(true);
    expect((await s3.get('rejected/date=2024-09-04/m4.json')).body).toBe('once\n');
  });

  test('other errors are not retried', async () => {
    s3.failNextPut(/^rejected\//, 503, 'SlowDown');
    const send = jest.spyOn(s3.client, 'send');
    const store = new ReportStore(s3.client, BUCKET);
    await expect(
      store.putIfAbsent('rejected/date=2024-09-04/m5.json', 'x\n', 'application/json'),
    ).rejects.toMatchObject({ name: 'SlowDown' });
    expect(send).toHaveBeenCalledTimes(1);
    send.mockRestore();
  });

  describe('a report stored by a version that wrote absent row fields as null', () => {
    // Rows now leave absent strings out; the content hash still reads them as null in the old order. When it did
    // not, a redelivered report looked like other content and was stored (and counted) a second time.
    const report = parseReportJson(
      gzipJson(
        reportWithPolicy({
          'failure-details': [
            {
              'result-type': 'certificate-expired',
              'receiving-mx-hostname': 'mx.example.com',
              'failed-session-count': 2,
            },
          ],
        }),
      ),
    );
    const origin = {
      source: 'raw/m1',
      channel: 'mail' as const,
      receivedAt: NOW_ISO,
      identity: mailIdentity('sender.example', null),
    };
    const key = reportKey('example.com', report.dateRange.startDatetime, storedDedupKey(report, origin));

    /** The object the earlier version stored for `report`, and the hash it recorded, by the earlier formula. */
    function earlierObject() {
      const rows = report.policies[0].failureDetails.map((row) => ({
        resultType: row.resultType,
        sendingMtaIp: row.sendingMtaIp ?? null,
        receivingMxHostname: row.receivingMxHostname ?? null,
        receivingMxHelo: row.receivingMxHelo ?? null,
        receivingIp: row.receivingIp ?? null,
        failedSessionCount: row.failedSessionCount,
        additionalInformation: row.additionalInformation ?? null,
        failureReasonCode: row.failureReasonCode ?? null,
      }));
      const policies = [{ ...report.policies[0], failureDetails: rows }];
      const { organizationName, reportId, contactInfo, dateRange } = report;
      const content = JSON.stringify([organizationName, reportId, contactInfo, dateRange, policies]);
      const body = `${JSON.stringify({ dedupKey: storedDedupKey(report, origin), ...origin, ...report, policies })}\n`;
      return { body, hash: createHash('sha256').update(content, 'utf8').digest('hex') };
    }

    test('hashes as the earlier version did', () => {
      expect(report.policies[0].failureDetails).toStrictEqual([
        { resultType: 'certificate-expired', failedSessionCount: 2, receivingMxHostname: 'mx.example.com' },
      ]);
      expect(contentHash(report)).toBe(earlierObject().hash);
    });

    test.each([true, false])('is a duplicate when delivered again (hash in metadata: %s)', async (withMetadata) => {
      const { body, hash } = earlierObject();
      const store = new ReportStore(s3.client, BUCKET);
      await store.putIfAbsent(key, body, 'application/json', withMetadata ? { 'content-sha256': hash } : undefined);
      const stored = [];
      for await (const object of store.storeReport(report, origin)) stored.push(object);
      expect(stored.map(({ key: k, created }) => ({ key: k, created }))).toStrictEqual([{ key, created: false }]);
      expect(await s3.keys()).toStrictEqual([key]);
    });
  });

  test('createIfAbsent does not overwrite either', async () => {
    const store = new ReportStore(s3.client, BUCKET);
    expect(await store.createIfAbsent('reports/x.json', 'first\n', 'application/json')).toBe(true);
    expect(await store.createIfAbsent('reports/x.json', 'second\n', 'application/json')).toBe(false);
    expect((await s3.get('reports/x.json')).body).toBe('first\n');
  });
});
