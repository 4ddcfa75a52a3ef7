import * as env from '../../../src/reporting/handlers/env';
import { isPublishedDomain, parsePolicyDomains } from '../../../src/reporting/handlers/published-domains';

describe('env', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('names and key prefixes the construct relies on', () => {
    expect({ ...env, requireEnv: undefined, positiveIntegerEnv: undefined }).toEqual({
      REPORT_BUCKET: 'REPORT_BUCKET',
      MAX_DECOMPRESSED_BYTES: 'MAX_DECOMPRESSED_BYTES',
      PUBLISHED_DOMAINS_KEY: '_cdk-mta-sts/published-domains.json',
      RAW_MAIL_PREFIX: 'raw/',
      RAW_HTTPS_PREFIX: 'raw/https/',
      REPORTS_PREFIX: 'reports/',
      HTTPS_REPORTS_PREFIX: 'https-reports/',
      HTTPS_COUNTS: 'HTTPS_COUNTS',
      TRUSTED_REPORTERS: 'TRUSTED_REPORTERS',
      REJECTED_PREFIX: 'rejected/',
      requireEnv: undefined,
      positiveIntegerEnv: undefined,
    });
  });
});

describe('published domains', () => {
  test('parsePolicyDomains lower-cases, trims, drops trailing dots and blanks', () => {
    expect(parsePolicyDomains(' Example.com, ,mail.example.org.,')).toEqual(['example.com', 'mail.example.org']);
  });

  test.each([
    ['example.com', true],
    ['EXAMPLE.com.', true],
    ['mx1.example.com', true],
    ['badexample.com', false],
    ['example.com.evil.net', false],
    [null, false],
  ])('isPublishedDomain(%j) is %s', (domain, expected) => {
    expect(isPublishedDomain(domain, ['example.com'])).toBe(expected);
  });
});
