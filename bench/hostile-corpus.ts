import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

const MiB = 1024 * 1024;
const CRLF = '\r\n';

/** One hostile input: a mail (`.eml`, read by the mail handler) or a report body (`.json.gz`, as POSTed). */
export interface HostileCase {
  readonly name: string;
  readonly file: string;
  readonly kind: 'mail' | 'json';
  /** What the input is, for the table. */
  readonly description: string;
}

const report = (policies: unknown[]) => ({
  'organization-name': 'Hostile Sender',
  'date-range': { 'start-datetime': '2026-11-01T00:00:00Z', 'end-datetime': '2026-11-01T23:59:59Z' },
  'contact-info': 'tlsrpt@hostile.example',
  'report-id': 'hostile-1',
  policies,
});

const policy = (domain: string, failureDetails: unknown[] = []) => ({
  policy: { 'policy-type': 'sts', 'policy-string': ['version: STSv1', 'mode: enforce'], 'policy-domain': domain },
  summary: { 'total-successful-session-count': 1, 'total-failure-session-count': failureDetails.length },
  'failure-details': failureDetails,
});

const wrap76 = (base64: string) => base64.replace(/.{76}/g, `$&${CRLF}`);

/**
 * A mail with `before` (raw MIME, may be empty) ahead of one gzipped report part. `topType` is the top-level type:
 * `multipart/report` keeps simple mails on the canonical reader, `multipart/mixed` sends them to postal-mime.
 */
function mail(reportBody: Buffer, before: Buffer | string = '', topType = 'multipart/mixed'): Buffer {
  const head = [
    'From: reports@hostile.example',
    'To: tlsrpt@example.com',
    'Subject: hostile',
    `Content-Type: ${topType}; boundary="b"`,
    '',
    '',
  ].join(CRLF);
  const tail = [
    '',
    '--b',
    'Content-Type: application/tlsrpt+gzip',
    'Content-Disposition: attachment; filename="r.json.gz"',
    'Content-Transfer-Encoding: base64',
    '',
    wrap76(reportBody.toString('base64')),
    '--b--',
    '',
  ].join(CRLF);
  return Buffer.concat([Buffer.from(head), Buffer.from(before), Buffer.from(tail)]);
}

/** A text part of `lines` lines of `width` characters. */
function textPart(lines: number, width: number): Buffer {
  const header = Buffer.from(`--b${CRLF}Content-Type: text/plain${CRLF}${CRLF}`);
  return Buffer.concat([header, Buffer.alloc(lines * (width + 2), `${'a'.repeat(width)}${CRLF}`)]);
}

function nestedRfc822(depth: number): Buffer {
  const inner = mail(gzipSync(JSON.stringify(report([policy('example.com')])))).toString('latin1');
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < depth; i++) {
    open.push(`Subject: forward ${i}`, `Content-Type: multipart/mixed; boundary="f${i}"`, '', `--f${i}`);
    open.push('Content-Type: message/rfc822', '');
    close.push(`--f${depth - 1 - i}--`);
  }
  return Buffer.from([...open, inner, ...close, ''].join(CRLF), 'latin1');
}

function nestedMultipart(depth: number): Buffer {
  const lines = ['From: reports@hostile.example', 'Subject: nested'];
  for (let i = 0; i < depth; i++) lines.push(`Content-Type: multipart/mixed; boundary="n${i}"`, '', `--n${i}`);
  lines.push('Content-Type: text/plain', '', 'deep');
  for (let i = depth - 1; i >= 0; i--) lines.push(`--n${i}--`);
  return Buffer.from(lines.join(CRLF) + CRLF);
}

/** A report of `rows` failure rows each with only a result type: normalizing gives every row eight fields. */
function sparseRows(rows: number): Buffer {
  const row = '{"result-type":"starttls-not-supported"}';
  const text = JSON.stringify(report([policy('example.com', [JSON.parse(row)])]));
  return Buffer.from(text.replace(`[${row}]`, `[${Array(rows).fill(row).join(',')}]`));
}

/** A valid report of about `bytes` of JSON, with full failure rows: the largest honest input. */
function bigReport(bytes: number): Buffer {
  const row = {
    'result-type': 'certificate-expired',
    'sending-mta-ip': '192.0.2.1',
    'receiving-mx-hostname': 'mx.example.com',
    'receiving-ip': '198.51.100.1',
    'failed-session-count': 1,
    'failure-reason-code': 'X509_V_ERR_CERT_HAS_EXPIRED',
  };
  const rows = Math.floor(bytes / (JSON.stringify(row).length + 1));
  return Buffer.from(JSON.stringify(report([policy('example.com', Array(rows).fill(row))])));
}

/** 1 GiB of zeros, gzipped (about 1 MiB). */
function gzipBomb(): Buffer {
  return gzipSync(Buffer.alloc(1024 * MiB), { level: 9 });
}

/** Writes the hostile corpus into `dir`; every input is at most 20 MiB, the ingestion's default cap. */
export function writeHostileCorpus(dir: string): HostileCase[] {
  fs.mkdirSync(dir, { recursive: true });
  const cases: HostileCase[] = [];
  const add = (name: string, kind: HostileCase['kind'], description: string, bytes: Buffer) => {
    if (bytes.length > 20 * MiB) throw new Error(`${name} is ${bytes.length} bytes, over the 20 MiB cap`);
    const file = path.join(dir, `${name}.${kind === 'mail' ? 'eml' : 'json.gz'}`);
    fs.writeFileSync(file, bytes);
    cases.push({ name, file, kind, description });
  };
  const small = gzipSync(JSON.stringify(report([policy('example.com')])));
  const bomb = gzipBomb();
  const deep = gzipSync('['.repeat(10 * MiB) + ']'.repeat(10 * MiB), { level: 9 });
  const wide = gzipSync(`[${'{},'.repeat(6 * MiB)}{}]`, { level: 9 });
  const sparse = gzipSync(sparseRows(500_000), { level: 9 });
  const fanOut = (count: number) =>
    gzipSync(JSON.stringify(report(Array.from({ length: count }, (_, i) => policy(`s${i}.example.com`)))));

  add('short-lines', 'mail', '400,000 short lines (1.2 MB)', mail(small, textPart(400_000, 1)));
  add('short-lines-at-cap', 'mail', '24,900 short lines, postal-mime', mail(small, textPart(24_900, 1)));
  add('long-lines', 'mail', '24,900 lines of 820 characters (20 MiB), postal-mime', mail(small, textPart(24_900, 820)));
  add('one-long-line', 'mail', 'a 20 MB text line, postal-mime', mail(small, textPart(1, 20_000_000)));
  // The largest report whose normalized form (nulls for absent fields) stays under the 20 MiB cap.
  const big = gzipSync(bigReport(14 * MiB));
  add('big-report-mail', 'mail', '14 MiB of report JSON, gzipped, canonical', mail(big, '', 'multipart/report'));
  add('big-report', 'json', '14 MiB of report JSON, gzipped', big);
  add('deep-json', 'json', `${deep.length} B of gzip, JSON nested 10 million deep`, deep);
  add('deep-json-mail', 'mail', 'the same, in a mail', mail(deep, '', 'multipart/report'));
  add('wide-json', 'json', `${wide.length} B of gzip, 6 million empty objects`, wide);
  add('nested-rfc822', 'mail', 'message/rfc822 nested 10,000 deep', nestedRfc822(10_000));
  add('nested-rfc822-3000', 'mail', 'message/rfc822 nested 3,000 deep (under the line cap)', nestedRfc822(3_000));
  add('nested-multipart', 'mail', 'multipart nested 10,000 deep', nestedMultipart(10_000));
  add('nested-multipart-5000', 'mail', 'multipart nested 5,000 deep (under the line cap)', nestedMultipart(5_000));
  add('fan-out-1000', 'json', `${fanOut(1000).length} B, 1,000 subdomain policies`, fanOut(1000));
  add('fan-out-20000', 'json', `${fanOut(20_000).length} B, 20,000 subdomain policies`, fanOut(20_000));
  add('sparse-rows', 'json', `${sparse.length} B of gzip, 500,000 sparse failure rows`, sparse);
  add('sparse-rows-mail', 'mail', 'the same, in a mail', mail(sparse, '', 'multipart/report'));
  add('gzip-bomb', 'json', `${bomb.length} B of gzip, 1 GiB of zeros`, bomb);
  add('gzip-bomb-mail', 'mail', 'the same, in a mail', mail(bomb, '', 'multipart/report'));
  const parts = Array.from({ length: 2000 }, (_, i) =>
    [
      `--b`,
      'Content-Type: application/tlsrpt+gzip',
      `Content-Disposition: attachment; filename="r${i}.json.gz"`,
      'Content-Transfer-Encoding: base64',
      '',
      small.toString('base64'),
      '',
    ].join(CRLF),
  );
  add('many-parts', 'mail', '2,000 report parts', mail(small, parts.join('')));
  return cases;
}
