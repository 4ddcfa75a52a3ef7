import * as fs from 'node:fs';
import * as path from 'node:path';
import { NormalisedReport, parseReportFile, ReportMail } from '../../../src/reporting/parser';
import { FIXTURES } from '../mail-builder';

const GOOGLE = { organizationName: 'Google Inc.', contactInfo: 'smtp-tls-reporting@google.com' };
const MICROSOFT = { organizationName: 'Microsoft Corporation', contactInfo: 'tlsrpt-noreply@microsoft.com' };

const moxGoogle: NormalisedReport = {
  ...GOOGLE,
  reportId: '2022-09-15T00:00:00Z_test.xmox.nl',
  dateRange: { startDatetime: '2022-09-15T00:00:00Z', endDatetime: '2022-09-15T23:59:59Z' },
  policies: [
    {
      policyType: 'sts',
      policyDomain: 'test.xmox.nl',
      policyStrings: ['version: STSv1', 'mode: enforce', 'max_age: 86400', 'mx: komijn.test.xmox.nl'],
      mxHosts: ['komijn.test.xmox.nl'],
      totalSuccessfulSessionCount: 3,
      totalFailureSessionCount: 0,
      failureDetails: [],
    },
  ],
  warnings: [],
};

// Microsoft 2023: date-times without a zone, read as UTC; no mx-host.
const moxMicrosoft: NormalisedReport = {
  ...MICROSOFT,
  reportId: '133198585438131172+test.xmox.nl',
  dateRange: { startDatetime: '2023-01-10T00:00:00Z', endDatetime: '2023-01-10T23:59:59Z' },
  policies: [
    {
      policyType: 'sts',
      policyDomain: 'test.xmox.nl',
      policyStrings: ['version: STSv1', 'mode: enforce', 'mx: komijn.test.xmox.nl', 'max_age: 86400'],
      mxHosts: [],
      totalSuccessfulSessionCount: 2,
      totalFailureSessionCount: 0,
      failureDetails: [],
    },
  ],
  warnings: [],
};

const parsedmarcGoogle: NormalisedReport = {
  ...GOOGLE,
  reportId: '2024-09-03T00:00:00Z_cardinalhealth.ca',
  dateRange: { startDatetime: '2024-09-03T00:00:00Z', endDatetime: '2024-09-03T23:59:59Z' },
  policies: [
    {
      policyType: 'no-policy-found',
      policyDomain: 'cardinalhealth.ca',
      policyStrings: [],
      mxHosts: [],
      totalSuccessfulSessionCount: 48,
      totalFailureSessionCount: 0,
      failureDetails: [],
    },
  ],
  warnings: [],
};

function withMail(report: NormalisedReport, mail: ReportMail): NormalisedReport {
  return { ...report, mail };
}

/** Every fixture file and exactly what it must parse to. */
const EXPECTED: Record<string, NormalisedReport[]> = {
  'cryinc-google.json': [
    {
      ...GOOGLE,
      reportId: '2025-05-22T00:00:00Z_foo-bar.io',
      dateRange: { startDatetime: '2025-05-22T00:00:00Z', endDatetime: '2025-05-22T23:59:59Z' },
      policies: [
        {
          policyType: 'sts',
          policyDomain: 'foo-bar.io',
          policyStrings: ['version: STSv1', 'mode: enforce', 'mx: *.foo-bar.io', 'max_age: 2592000'],
          mxHosts: ['*.foo-bar.io'],
          totalSuccessfulSessionCount: 1,
          totalFailureSessionCount: 0,
          failureDetails: [],
        },
      ],
      warnings: [],
    },
  ],
  // sts and tlsa policies for one domain; the TLSA policy-string is one element holding a JSON array.
  'cryinc-microsoft.json': [
    {
      ...MICROSOFT,
      reportId: '133925885310113267+random.net',
      dateRange: { startDatetime: '2025-05-23T00:00:00Z', endDatetime: '2025-05-23T23:59:59Z' },
      policies: [
        {
          policyType: 'sts',
          policyDomain: 'random.net',
          policyStrings: ['version: STSv1', 'mode: enforce', 'mx: *.random.net', 'max_age: 2592000'],
          mxHosts: [],
          totalSuccessfulSessionCount: 2,
          totalFailureSessionCount: 0,
          failureDetails: [],
        },
        {
          policyType: 'tlsa',
          policyDomain: 'random.net',
          policyStrings: [
            '3 1 1 6007EEE553E85D8DF007A845D19EC343283D4E416E9A33F9EF3040C8B7C285BC',
            '3 1 1 837C773D54C2E2BD71871A3FC352BE8214D5646CBAE5E3091401A7274717998B',
          ],
          mxHosts: [],
          totalSuccessfulSessionCount: 2,
          totalFailureSessionCount: 0,
          failureDetails: [],
        },
      ],
      warnings: [],
    },
  ],
  // contact-info null, end of range = next day 00:00, mx-host carrying an "mx: " prefix.
  'cryinc-no-contact.json': [
    {
      organizationName: 'server.com',
      reportId: '123_456',
      contactInfo: null,
      dateRange: { startDatetime: '2026-01-11T00:00:00Z', endDatetime: '2026-01-12T00:00:00Z' },
      policies: [
        {
          policyType: 'sts',
          policyDomain: 'server.com',
          policyStrings: ['version: STSv1', 'mode: enforce', 'max_age: 86400', 'mx: mx.server.com'],
          mxHosts: ['mx.server.com'],
          totalSuccessfulSessionCount: 1,
          totalFailureSessionCount: 0,
          failureDetails: [],
        },
      ],
      warnings: [],
    },
  ],
  'cryinc-no-policy.json': [
    {
      ...GOOGLE,
      reportId: '2025-03-27T00:00:00Z_foo-bar.io',
      dateRange: { startDatetime: '2025-03-27T00:00:00Z', endDatetime: '2025-03-27T23:59:59Z' },
      policies: [
        {
          policyType: 'no-policy-found',
          policyDomain: 'foo-bar.io',
          policyStrings: [],
          mxHosts: [],
          totalSuccessfulSessionCount: 1,
          totalFailureSessionCount: 0,
          failureDetails: [],
        },
      ],
      warnings: [],
    },
  ],
  'cryinc-no_ip_and_mx.json': [
    {
      ...MICROSOFT,
      reportId: '1234567890+',
      dateRange: { startDatetime: '2025-06-14T00:00:00Z', endDatetime: '2025-06-14T23:59:59Z' },
      policies: [
        {
          policyType: 'sts',
          policyDomain: 'xxxxxxxx.xx',
          policyStrings: [],
          mxHosts: [],
          totalSuccessfulSessionCount: 0,
          totalFailureSessionCount: 3,
          failureDetails: [{ resultType: 'sts-policy-fetch-error', failedSessionCount: 3 }],
        },
      ],
      warnings: [],
    },
  ],
  // Bare application/tlsrpt part with raw JSON; the JSON's policy-domain wins over TLS-Report-Domain.
  'mail-auth-rpt02-plain-json.eml': [
    {
      ...GOOGLE,
      reportId: '2020-01-01T00:00:00Z_example.com',
      dateRange: { startDatetime: '2020-01-01T00:00:00Z', endDatetime: '2020-01-07T23:59:59Z' },
      policies: [
        {
          policyType: 'sts',
          policyDomain: 'example.com',
          policyStrings: ['version: STSv1', 'mode: enforce', 'mx: demo.example.com', 'max_age: 604800'],
          mxHosts: [],
          totalSuccessfulSessionCount: 23,
          totalFailureSessionCount: 1,
          failureDetails: [
            {
              resultType: 'certificate-host-mismatch',
              sendingMtaIp: '123.123.123.123',
              receivingIp: '234.234.234.234',
              receivingMxHostname: 'demo.example.com',
              failedSessionCount: 1,
            },
          ],
        },
      ],
      warnings: [
        'contact-info domain google.com does not match the TLS-Report-Submitter header mail.sender.example.com',
      ],
      mail: {
        tlsReportDomain: 'example.net',
        tlsReportSubmitter: 'mail.sender.example.com',
        messageId: null,
        from: 'tlsrpt@mail.sender.example.com',
        subject:
          'Report Domain: example.net    Submitter: mail.sender.example.com    Report-ID: <735ff.e317+bf22029@example.net>',
      },
    },
  ],
  // No policy-domain, a missing total-failure-session-count, an unregistered policy-type: kept, with warnings.
  'mail-auth-rpt03-invalid-policy-type.json': [
    {
      ...GOOGLE,
      reportId: '2019-04-14T00:00:00Z_example.org',
      dateRange: { startDatetime: '2019-04-14T00:00:00Z', endDatetime: '2019-04-14T23:59:59Z' },
      policies: [
        {
          policyType: 'no-policy-found',
          policyDomain: null,
          policyStrings: [],
          mxHosts: [],
          totalSuccessfulSessionCount: 1,
          totalFailureSessionCount: 0,
          failureDetails: [],
        },
        {
          policyType: 'invalid-policy-type',
          policyDomain: null,
          policyStrings: [],
          mxHosts: [],
          totalSuccessfulSessionCount: 1,
          totalFailureSessionCount: 0,
          failureDetails: [],
        },
      ],
      warnings: [
        'policies[0].summary.total-failure-session-count is missing; counted as 0',
        'policies[1].policy.policy-type "invalid-policy-type" is not a registered policy type',
        'policies[1].summary.total-failure-session-count is missing; counted as 0',
      ],
    },
  ],
  'mox-google.decoded.json': [moxGoogle],
  'mox-google.eml': [
    withMail(moxGoogle, {
      tlsReportDomain: 'test.xmox.nl',
      tlsReportSubmitter: 'google.com',
      messageId: '<000000000000f47cc505e8c8905c@google.com>',
      from: 'noreply-smtp-tls-reporting@google.com',
      subject:
        'Report Domain: test.xmox.nl Submitter: google.com Report-ID: <2022.09.15T00.00.00Z+test.xmox.nl@google.com>',
    }),
  ],
  'mox-microsoft.decoded.json': [moxMicrosoft],
  'mox-microsoft.eml': [
    withMail(moxMicrosoft, {
      tlsReportDomain: 'test.xmox.nl',
      tlsReportSubmitter: 'microsoft.com',
      messageId: '<133198585438131172+test.xmox.nl@test.xmox.nl>',
      from: 'tlsrpt-noreply@microsoft.com',
      subject: 'Report Domain: test.xmox.nl Submitter: microsoft.com Report-ID: 133198585438131172+test.xmox.nl',
    }),
  ],
  'parsedmarc-example-inc.json': [
    {
      organizationName: 'Example Inc.',
      reportId: '2024-01-09T00:00:00Z_example.com',
      contactInfo: 'smtp-tls-reporting@example.com',
      dateRange: { startDatetime: '2024-01-09T00:00:00Z', endDatetime: '2024-01-09T23:59:59Z' },
      policies: [
        {
          policyType: 'sts',
          policyDomain: 'example.com',
          policyStrings: ['version: STSv1', 'mode: testing', 'mx: example.com', 'max_age: 86400'],
          mxHosts: [],
          totalSuccessfulSessionCount: 0,
          totalFailureSessionCount: 3,
          failureDetails: [
            {
              resultType: 'validation-failure',
              sendingMtaIp: '209.85.222.201',
              receivingIp: '173.212.201.41',
              receivingMxHostname: 'example.com',
              failedSessionCount: 2,
            },
            {
              resultType: 'validation-failure',
              sendingMtaIp: '209.85.208.176',
              receivingIp: '173.212.201.41',
              receivingMxHostname: 'example.com',
              failedSessionCount: 1,
            },
          ],
        },
      ],
      warnings: [],
    },
  ],
  'parsedmarc-google.com.decoded.json': [parsedmarcGoogle],
  'parsedmarc-google.com.eml': [
    withMail(parsedmarcGoogle, {
      tlsReportDomain: 'cardinalhealth.ca',
      tlsReportSubmitter: 'google.com',
      messageId: '<66d83c20.050a0220.a0566.1e8dtls@google.com>',
      from: 'noreply-smtp-tls-reporting@google.com',
      subject:
        'Report Domain: cardinalhealth.ca Submitter: google.com Report-ID: <2024.09.03T00.00.00Z+cardinalhealth.ca@google.com>',
    }),
  ],
  // total-failure-session-count 1 while the rows add up to 2: kept as sent, with a warning.
  'parsedmarc-mail.ru.json': [
    {
      organizationName: 'Mail.ru',
      reportId: 'b28254de-7b2e-be36-bb5c-4c3b92da8b25@mail.ru',
      contactInfo: 'tls_support@corp.mail.ru',
      dateRange: { startDatetime: '2024-02-22T00:00:00Z', endDatetime: '2024-02-23T00:00:00Z' },
      policies: [
        {
          policyType: 'sts',
          policyDomain: 'example.com',
          policyStrings: [],
          mxHosts: [],
          totalSuccessfulSessionCount: 0,
          totalFailureSessionCount: 1,
          failureDetails: [
            {
              resultType: 'sts-policy-fetch-error',
              failedSessionCount: 1,
              failureReasonCode: 'bad https response code: 404',
            },
            {
              resultType: 'sts-policy-fetch-error',
              failedSessionCount: 1,
              failureReasonCode: 'bad https response code: 500',
            },
          ],
        },
      ],
      warnings: ['policies[0]: total-failure-session-count is 1 but failure-details add up to 2'],
    },
  ],
  // RFC 8460 Appendix B: mx-host as a bare string.
  'parsedmarc-rfc8460.json': [
    {
      organizationName: 'Company-X',
      reportId: '5065427c-23d3-47ca-b6e0-946ea0e8c4be',
      contactInfo: 'sts-reporting@company-x.example',
      dateRange: { startDatetime: '2016-04-01T00:00:00Z', endDatetime: '2016-04-01T23:59:59Z' },
      policies: [
        {
          policyType: 'sts',
          policyDomain: 'company-y.example',
          policyStrings: ['version: STSv1', 'mode: testing', 'mx: *.mail.company-y.example', 'max_age: 86400'],
          mxHosts: ['*.mail.company-y.example'],
          totalSuccessfulSessionCount: 5326,
          totalFailureSessionCount: 303,
          failureDetails: [
            {
              resultType: 'certificate-expired',
              sendingMtaIp: '2001:db8:abcd:0012::1',
              receivingMxHostname: 'mx1.mail.company-y.example',
              failedSessionCount: 100,
            },
            {
              resultType: 'starttls-not-supported',
              sendingMtaIp: '2001:db8:abcd:0013::1',
              receivingMxHostname: 'mx2.mail.company-y.example',
              receivingIp: '203.0.113.56',
              failedSessionCount: 200,
              additionalInformation:
                'https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported',
            },
            {
              resultType: 'validation-failure',
              sendingMtaIp: '198.51.100.62',
              receivingIp: '203.0.113.58',
              receivingMxHostname: 'mx-backup.mail.company-y.example',
              failedSessionCount: 3,
              failureReasonCode: 'X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED',
            },
          ],
        },
      ],
      warnings: [],
    },
  ],
};

describe('the TLS-RPT fixtures from real reporters', () => {
  test('every fixture file has an expectation', () => {
    const files = fs.readdirSync(FIXTURES).filter((file) => file !== 'README.md');
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test.each(Object.keys(EXPECTED))('%s', async (file) => {
    const reports = await parseReportFile(file, fs.readFileSync(path.join(FIXTURES, file)));
    expect(reports).toStrictEqual(EXPECTED[file]);
  });

  test.each([
    ['mox-google.eml', 'mox-google.decoded.json'],
    ['mox-microsoft.eml', 'mox-microsoft.decoded.json'],
    ['parsedmarc-google.com.eml', 'parsedmarc-google.com.decoded.json'],
  ])('%s carries the same report as %s', async (eml, json) => {
    const [fromMail] = await parseReportFile(eml, fs.readFileSync(path.join(FIXTURES, eml)));
    const [fromJson] = await parseReportFile(json, fs.readFileSync(path.join(FIXTURES, json)));
    const { mail, ...report } = fromMail;
    expect(mail).toBeDefined();
    expect(report).toStrictEqual(fromJson);
  });
});
