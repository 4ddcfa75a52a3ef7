import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SESEvent, SESReceiptStatus } from 'aws-lambda';

/** The TLS-RPT fixtures kept in the repository (sources and licences in their README). */
export const FIXTURES = path.resolve(__dirname, '../../fixtures/tlsrpt');

export function fixture(name: string): Buffer {
  return readFileSync(path.join(FIXTURES, name));
}

export const NOW = new Date('2024-09-05T08:00:00Z');
export const RECEIVED_AT = '2024-09-04T10:53:21.412Z';

/** An SES receipt event for the Lambda action, as SES sends it after the S3 action stored the mail. */
export function sesEvent(
  messageId: string,
  dkim: SESReceiptStatus['status'] = 'PASS',
  timestamp: string = RECEIVED_AT,
  virus: SESReceiptStatus['status'] = 'PASS',
): SESEvent {
  const verdict = (status: SESReceiptStatus['status']): SESReceiptStatus => ({ status });
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp,
            source: 'noreply-smtp-tls-reporting@google.com',
            messageId,
            destination: ['tlsrpt@reports.example.com'],
            headersTruncated: false,
            headers: [{ name: 'From', value: 'noreply-smtp-tls-reporting@google.com' }],
            commonHeaders: {
              returnPath: 'noreply-smtp-tls-reporting@google.com',
              from: ['noreply-smtp-tls-reporting@google.com'],
              date: 'Wed, 04 Sep 2024 03:53:20 -0700',
              to: ['tlsrpt@reports.example.com'],
              messageId: '<66d83c20.050a0220.a0566.1e8dtls@google.com>',
              subject: 'Report Domain: cardinalhealth.ca Submitter: google.com',
            },
          },
          receipt: {
            timestamp,
            processingTimeMillis: 512,
            recipients: ['tlsrpt@reports.example.com'],
            spamVerdict: verdict('PASS'),
            virusVerdict: verdict(virus),
            spfVerdict: verdict('PASS'),
            dkimVerdict: verdict(dkim),
            dmarcVerdict: verdict('PASS'),
            action: {
              type: 'Lambda',
              functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:report-processor',
              invocationType: 'Event',
            },
          },
        },
      },
    ],
  };
}

export interface ReportMailOptions {
  /** The attachment: JSON text, or bytes used as they are. */
  readonly report: string | Buffer;
  readonly gzip?: boolean;
  /** `TLS-Report-Domain` header; omitted when undefined. */
  readonly reportDomain?: string;
}

/** A report mail shaped like RFC 8460 §5.3 (CRLF, base64 attachment wrapped at 76 columns). */
export function reportMail(options: ReportMailOptions): Buffer {
  const gzip = options.gzip ?? true;
  const content = typeof options.report === 'string' ? Buffer.from(options.report, 'utf8') : options.report;
  const attachment = gzip && typeof options.report === 'string' ? gzipSync(content) : content;
  const base64 = attachment.toString('base64').replace(/.{76}/g, '$&\r\n');
  const lines = [
    'From: TLS Reports <tlsrpt@mail.sender.example>',
    'To: tlsrpt@reports.example.com',
    'Subject: Report Domain: example.com Submitter: mail.sender.example Report-ID: <r1@mail.sender.example>',
    'Date: Thu, 05 Sep 2024 01:02:03 +0000',
    'Message-ID: <r1@mail.sender.example>',
    ...(options.reportDomain !== undefined ? [`TLS-Report-Domain: ${options.reportDomain}`] : []),
    'TLS-Report-Submitter: mail.sender.example',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type="tlsrpt"; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'This is an aggregate TLS report from mail.sender.example.',
    '',
    '--b1',
    `Content-Type: application/tlsrpt+${gzip ? 'gzip' : 'json'}`,
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment; filename="mail.sender.example!example.com!1725408000!1725494399.json${gzip ? '.gz' : ''}"`,
    '',
    base64,
    '--b1--',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/** A plain mail that is not a report (a human reply, a bounce, spam). */
export const NOT_A_REPORT = Buffer.from(
  [
    'From: Someone <someone@example.org>',
    'To: tlsrpt@reports.example.com',
    'Subject: Re: your TLS reports',
    'Message-ID: <human@example.org>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Please stop sending me these.',
    '',
  ].join('\r\n'),
);

/** A report with four policy domains, one of them twice and non-adjacent, one missing, one not a host name. */
export const MULTI_DOMAIN_REPORT = {
  'organization-name': 'Sender Org',
  'date-range': { 'start-datetime': '2024-09-04T00:00:00Z', 'end-datetime': '2024-09-04T23:59:59Z' },
  'contact-info': 'tlsrpt@mail.sender.example',
  'report-id': 'multi-2024-09-04',
  policies: [
    {
      policy: { 'policy-type': 'sts', 'policy-domain': 'example.com', 'mx-host': ['mx1.example.com'] },
      summary: { 'total-successful-session-count': 10, 'total-failure-session-count': 2 },
      'failure-details': [{ 'result-type': 'certificate-expired', 'failed-session-count': 2 }],
    },
    {
      policy: { 'policy-type': 'tlsa', 'policy-domain': 'mx1.example.net' },
      summary: { 'total-successful-session-count': 5, 'total-failure-session-count': 1 },
      'failure-details': [
        { 'result-type': 'tlsa-invalid', 'failed-session-count': 1 },
        { 'result-type': 'made-up-type', 'failed-session-count': 1 },
      ],
    },
    {
      policy: { 'policy-type': 'no-policy-found' },
      summary: { 'total-successful-session-count': 1, 'total-failure-session-count': 0 },
    },
    {
      policy: { 'policy-type': 'sts', 'policy-domain': 'Example.COM' },
      summary: { 'total-successful-session-count': 3, 'total-failure-session-count': 0 },
    },
    {
      policy: { 'policy-type': 'sts', 'policy-domain': '../evil' },
      summary: { 'total-successful-session-count': 0, 'total-failure-session-count': 0 },
    },
  ],
};

/** Captures what the handlers write: EMF lines on stdout, outcome lines on console.log. */
export function captureOutput(): { emf: () => unknown[]; logs: () => unknown[]; rawEmf: () => string } {
  const stdout: string[] = [];
  const logs: unknown[] = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  jest.spyOn(console, 'log').mockImplementation((line: string) => {
    logs.push(JSON.parse(line));
  });
  const rawEmf = () => stdout.join('');
  return {
    rawEmf,
    emf: () =>
      rawEmf()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line)),
    logs: () => logs,
  };
}

const COUNT = 'Count';

/** The EMF document expected for one stored report object. */
export function domainMetrics(policyDomain: string, successful: number, failed: number, namespace = 'MtaSts') {
  return {
    _aws: {
      Timestamp: NOW.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [['PolicyDomain']],
          Metrics: [
            { Name: 'ReportsReceived', Unit: COUNT },
            { Name: 'SuccessfulSessions', Unit: COUNT },
            { Name: 'FailedSessions', Unit: COUNT },
          ],
        },
      ],
    },
    PolicyDomain: policyDomain,
    ReportsReceived: 1,
    SuccessfulSessions: successful,
    FailedSessions: failed,
  };
}

export function resultTypeMetrics(resultType: string, failed: number) {
  return {
    _aws: {
      Timestamp: NOW.getTime(),
      CloudWatchMetrics: [
        { Namespace: 'MtaSts', Dimensions: [['ResultType']], Metrics: [{ Name: 'FailedSessions', Unit: COUNT }] },
      ],
    },
    ResultType: resultType,
    FailedSessions: failed,
  };
}

/**
 * The metrics of the RFC 8460 Appendix B example report (fixture parsedmarc-rfc8460.json), whichever channel
 * brought it: 5326 successful and 303 failed sessions for company-y.example, in three result types.
 */
export const RFC8460_APPENDIX_B_METRICS = [
  domainMetrics('company-y.example', 5326, 303),
  resultTypeMetrics('certificate-expired', 100),
  resultTypeMetrics('starttls-not-supported', 200),
  resultTypeMetrics('validation-failure', 3),
];

export const REJECTED_METRICS = {
  _aws: {
    Timestamp: NOW.getTime(),
    CloudWatchMetrics: [{ Namespace: 'MtaSts', Dimensions: [[]], Metrics: [{ Name: 'ReportsRejected', Unit: COUNT }] }],
  },
  ReportsRejected: 1,
};
