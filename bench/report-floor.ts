// The floor: the least work any TLS-RPT mail reader must do. Find the attachment by plain string search
// (only valid for the generated corpus), base64-decode, gunzip, JSON.parse, print one JSON array.
import * as fs from 'node:fs';
import { gunzipSync } from 'node:zlib';

const MARKER = 'Content-Type: application/tlsrpt+gzip';
const reports: unknown[] = [];
for (const file of process.argv.slice(2)) {
  const mail = fs.readFileSync(file, 'latin1');
  const part = mail.indexOf(MARKER);
  const body = mail.indexOf('\r\n\r\n', part) + 4;
  const base64 = mail.slice(body, mail.indexOf('\r\n--', body));
  reports.push(JSON.parse(gunzipSync(Buffer.from(base64, 'base64')).toString('utf8')));
}
process.stdout.write(JSON.stringify(reports) + '\n');
