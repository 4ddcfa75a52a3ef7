import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

/** The TLS-RPT fixtures kept in the repository (sources and licences in their README). */
export const FIXTURES = path.resolve(__dirname, '../fixtures/tlsrpt');

/** A small valid RFC 8460 report; `overrides` replace top-level members (undefined removes one). */
export function reportObject(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const report: Record<string, unknown> = {
    'organization-name': 'Example Sender',
    'date-range': { 'start-datetime': '2025-02-01T00:00:00Z', 'end-datetime': '2025-02-01T23:59:59Z' },
    'contact-info': 'tlsrpt@sender.example',
    'report-id': 'report-1',
    policies: [
      {
        policy: {
          'policy-type': 'sts',
          'policy-string': ['version: STSv1', 'mode: enforce', 'mx: mx.example.com', 'max_age: 86400'],
          'policy-domain': 'example.com',
          'mx-host': ['mx.example.com'],
        },
        summary: { 'total-successful-session-count': 10, 'total-failure-session-count': 2 },
        'failure-details': [
          {
            'result-type': 'certificate-expired',
            'sending-mta-ip': '192.0.2.1',
            'receiving-mx-hostname': 'mx.example.com',
            'receiving-ip': '198.51.100.1',
            'failed-session-count': 2,
          },
        ],
      },
    ],
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete report[key];
    else report[key] = value;
  }
  return report;
}

/** A report whose single policy has the given members replaced (undefined removes one). */
export function reportWithPolicy(policyOverrides: Record<string, unknown>): Record<string, unknown> {
  const report = reportObject();
  const item = (report.policies as Record<string, unknown>[])[0];
  for (const [key, value] of Object.entries(policyOverrides)) {
    if (value === undefined) delete item[key];
    else item[key] = value;
  }
  return report;
}

export function gzipJson(value: unknown): Buffer {
  return gzipSync(JSON.stringify(value));
}

export interface MimePart {
  readonly contentType: string;
  readonly filename?: string;
  readonly body: Buffer | string;
  /** base64 by default; '7bit' writes the body as is. */
  readonly encoding?: 'base64' | '7bit';
}

function wrap76(text: string): string {
  return text.replace(/.{76}/g, '$&\r\n');
}

function partLines(part: MimePart): string[] {
  const encoding = part.encoding ?? 'base64';
  const body = Buffer.isBuffer(part.body) ? part.body : Buffer.from(part.body, 'utf8');
  return [
    `Content-Type: ${part.contentType}`,
    ...(part.filename ? [`Content-Disposition: attachment;\r\n\tfilename="${part.filename}"`] : []),
    `Content-Transfer-Encoding: ${encoding}`,
    '',
    encoding === 'base64' ? wrap76(body.toString('base64')) : body.toString('utf8'),
  ];
}

const DEFAULT_HEADERS = [
  'From: TLS Reports <noreply-smtp-tls-reporting@sender.example>',
  'To: tlsrpt@example.com',
  'Subject: Report Domain: example.com Submitter: sender.example Report-ID: <report-1@sender.example>',
  'Message-ID: <abc123@sender.example>',
  'Date: Sun, 02 Feb 2025 03:00:00 -0800',
  'TLS-Report-Domain: example.com',
  'TLS-Report-Submitter: sender.example',
  'MIME-Version: 1.0',
];

/** A multipart/report mail (CRLF) with a text part followed by `parts`. */
export function reportMail(parts: MimePart[], headers: string[] = DEFAULT_HEADERS): Buffer {
  const boundary = '=_boundary_8460';
  const lines = [
    ...headers,
    `Content-Type: multipart/report; report-type="tlsrpt";\r\n\tboundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset="us-ascii"',
    '',
    'This is an aggregate TLS report from sender.example',
    '',
    ...parts.flatMap((part) => [`--${boundary}`, ...partLines(part)]),
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/** A mail carrying `report` gzipped in an `application/tlsrpt+gzip` part, as Google sends it. */
export function gzipReportMail(report: unknown, headers?: string[]): Buffer {
  return reportMail(
    [
      {
        contentType: 'application/tlsrpt+gzip',
        filename: 'sender.example!example.com!1!2!001.json.gz',
        body: gzipJson(report),
      },
    ],
    headers,
  );
}

/** Deterministic pseudo-random bytes (Park-Miller; arithmetic only, the lint forbids bitwise operators). */
export function garbage(length: number, seed = 8460): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 16807) % 2147483647;
    bytes[i] = state % 256;
  }
  return bytes;
}
