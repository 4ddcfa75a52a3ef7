import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

/** Deterministic PRNG (Park-Miller) so every run benchmarks the same corpus. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

const RESULT_TYPES = [
  'certificate-expired',
  'certificate-host-mismatch',
  'certificate-not-trusted',
  'starttls-not-supported',
  'validation-failure',
  'sts-policy-fetch-error',
];

const CRLF = '\r\n';

/**
 * Writes `count` report mails shaped like Google's and Microsoft's (DKIM/ARC/Received header blocks,
 * a text part, a base64 `application/tlsrpt+gzip` attachment wrapped at 76 columns). Most carry a few
 * failure rows; one in twenty carries hundreds. Returns the file names, relative to `dir`.
 */
export function writeCorpus(dir: string, count: number): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const { file, mail } of corpusMails(count)) {
    fs.writeFileSync(path.join(dir, file), mail);
    files.push(file);
  }
  return files;
}

/** The corpus mails, in memory (the differential test reads them too). */
export function* corpusMails(count: number): Generator<{ readonly file: string; readonly mail: string }> {
  const random = prng(8460);
  const int = (max: number) => Math.floor(random() * max);
  const pick = <T>(items: T[]) => items[int(items.length)];
  const token = (length: number) => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[int(64)];
    return text;
  };
  const ip = () => `${int(223) + 1}.${int(256)}.${int(256)}.${int(256)}`;
  const wrap = (text: string, width: number) => text.match(new RegExp(`.{1,${width}}`, 'g'))!.join(CRLF);

  for (let n = 0; n < count; n++) {
    const microsoft = n % 3 === 2;
    const domain = `example${n % 97}.org`;
    const day = new Date(Date.UTC(2025, 0, 1) + (n % 365) * 86_400_000).toISOString().slice(0, 10);
    const start = Date.parse(`${day}T00:00:00Z`) / 1000;
    const rows = n % 20 === 7 ? 100 + int(400) : int(6);
    const mxHosts = [`mx1.${domain}`, `mx2.${domain}`];
    const report = {
      'organization-name': microsoft ? 'Microsoft Corporation' : 'Google Inc.',
      'date-range': { 'start-datetime': `${day}T00:00:00Z`, 'end-datetime': `${day}T23:59:59Z` },
      'contact-info': microsoft ? 'tlsrpt-noreply@microsoft.com' : 'smtp-tls-reporting@google.com',
      'report-id': microsoft ? `1338${String(n).padStart(14, '0')}+${domain}` : `${day}T00:00:00Z_${domain}`,
      policies: [
        {
          policy: {
            'policy-type': 'sts',
            'policy-string': [
              'version: STSv1',
              'mode: enforce',
              ...mxHosts.map((mx) => `mx: ${mx}`),
              'max_age: 604800',
            ],
            'policy-domain': domain,
            ...(microsoft ? {} : { 'mx-host': mxHosts }),
          },
          summary: {
            'total-successful-session-count': int(5000),
            'total-failure-session-count': rows === 0 ? 0 : rows * 3,
          },
          ...(rows === 0
            ? {}
            : {
                'failure-details': Array.from({ length: rows }, () => ({
                  'result-type': pick(RESULT_TYPES),
                  'sending-mta-ip': ip(),
                  'receiving-mx-hostname': pick(mxHosts),
                  'receiving-ip': ip(),
                  'failed-session-count': 1 + int(5),
                  ...(random() < 0.3 ? { 'failure-reason-code': `X509_V_ERR_${token(12).toUpperCase()}` } : {}),
                })),
              }),
        },
      ],
    };
    const submitter = microsoft ? 'microsoft.com' : 'google.com';
    const fileName = `${submitter}!${domain}!${start}!${start + 86399}!${microsoft ? report['report-id'].slice(0, 18) : '001'}.json.gz`;
    const attachment = wrap(gzipSync(JSON.stringify(report)).toString('base64'), 76);
    const boundary = microsoft
      ? `_${token(8)}-0000-4000-8000-${n}_`
      : `0000000000${String(n).padStart(8, '0')}062148fba9`;
    const signature = (name: string, domainTag: string) =>
      [
        `${name}: v=1; a=rsa-sha256; c=relaxed/relaxed;`,
        `        d=${domainTag}; s=20230601; t=${start + 90000}; x=${start + 690000};`,
        '        h=to:from:subject:message-id:tls-report-submitter:tls-report-domain',
        '         :date:mime-version:from:to:cc:subject:date:message-id:reply-to;',
        `        bh=${token(43)}=;`,
        `        b=${wrap(token(342), 66).split(CRLF).join(`${CRLF}         `)}==`,
      ].join(CRLF);
    const headers = microsoft
      ? [
          `Received: from ${token(10)}.outbound.protection.outlook.com (${ip()}) by mx1.${domain} with ESMTPS; ${day}`,
          `ARC-Seal: i=1; a=rsa-sha256; s=arcselector9901; d=microsoft.com; cv=none;${CRLF} b=${wrap(token(340), 76).split(CRLF).join(`${CRLF} `)}`,
          signature('ARC-Message-Signature', 'microsoft.com'),
          signature('DKIM-Signature', 'microsoft.com'),
          ...Array.from({ length: 24 }, (_, i) => `X-MS-Exchange-Header-${i}: ${token(20 + int(60))}`),
          `From: <tlsrpt-noreply@microsoft.com>`,
          `To: <tlsrpt@${domain}>`,
          `Date: Fri, 3 Jan 2025 05:09:22 +0000`,
          `Subject: Report Domain: ${domain} Submitter: microsoft.com Report-ID:${CRLF} ${report['report-id']}`,
          `TLS-Report-Domain: ${domain}`,
          `TLS-Report-Submitter: microsoft.com`,
          `Message-ID: <${report['report-id']}@${domain}>`,
          `Content-Type: multipart/report;${CRLF}\tboundary="${boundary}";${CRLF}\treport-type=tlsrpt`,
          'MIME-Version: 1.0',
        ]
      : [
          `Return-Path: <${token(40).replace(/[+/]/g, 'x')}@smtp-tls-reporting.bounces.google.com>`,
          `Received: from mail-${token(8).replace(/[+/]/g, 'x')}.google.com (${ip()}) by mx1.${domain}; ${day}`,
          signature('DKIM-Signature', 'google.com'),
          signature('X-Google-DKIM-Signature', '1e100.net'),
          `X-Gm-Message-State: ${token(60)}${CRLF}\t${token(70)}`,
          `X-Google-Smtp-Source: ${token(100)}=`,
          `Date: Wed, 04 Sep 2024 03:53:20 -0700`,
          `TLS-Report-Domain: ${domain}`,
          'TLS-Report-Submitter: google.com',
          `Message-ID: <${token(20).replace(/[+/]/g, 'x')}tls@google.com>`,
          `Subject: Report Domain: ${domain} Submitter: google.com Report-ID: <${day}T00.00.00Z+${domain}@google.com>`,
          'From: noreply-smtp-tls-reporting@google.com',
          `To: tlsrpt@${domain}`,
          `Content-Type: multipart/report; boundary="${boundary}"; report-type=tlsrpt`,
          'MIME-Version: 1.0',
        ];
    const mail = [
      ...headers,
      '',
      `--${boundary}`,
      microsoft
        ? 'Content-Type: text/plain; charset="us-ascii"'
        : 'Content-Type: text/plain; charset="UTF-8"; format=flowed; delsp=yes',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      `This is an aggregate TLS report from ${submitter}`,
      '',
      `--${boundary}`,
      microsoft
        ? 'Content-Type: application/tlsrpt+gzip'
        : `Content-Type: application/tlsrpt+gzip; ${CRLF}\tname="${fileName}"`,
      ...(microsoft ? [`Content-Description:${CRLF} ${fileName}`] : []),
      `Content-Disposition: attachment; ${CRLF}\tfilename="${fileName}"`,
      'Content-Transfer-Encoding: base64',
      '',
      attachment,
      `--${boundary}--`,
      '',
    ].join(CRLF);
    yield { file: `report-${String(n).padStart(4, '0')}.eml`, mail };
  }
}
