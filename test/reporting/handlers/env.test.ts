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
      METRIC_NAMESPACE: 'METRIC_NAMESPACE',
      PUBLISHED_DOMAINS_KEY: '_cdk-mta-sts/published-domains.json',
      RAW_MAIL_PREFIX: 'raw/',
      RAW_HTTPS_PREFIX: 'raw/https/',
      REPORTS_PREFIX: 'reports/',
      HTTPS_REPORTS_PREFIX: 'https-reports/',
      HTTPS_COUNTS: 'HTTPS_COUNTS',
      TRUSTED_REPORTERS: 'TRUSTED_REPORTERS',
      REJECTED_PREFIX: 'rejected/',
      DEFAULT_METRIC_NAMESPACE: 'MtaSts',
      requireEnv: undefined,
      positiveIntegerEnv: undefined,
    });
  });

  test('requireEnv returns the trimmed value and throws when unset or blank', () => {
    process.env.X_TEST = ' bucket-1 ';
    expect(env.requireEnv('X_TEST')).toBe('bucket-1');
    process.env.X_TEST = '  ';
    expect(() => env.requireEnv('X_TEST')).toThrow('environment variable X_TEST is not set');
    delete process.env.X_TEST;
    expect(() => env.requireEnv('X_TEST')).toThrow('environment variable X_TEST is not set');
  });

  test.each([
    [undefined, 5],
    ['', 5],
    ['1048576', 1048576],
  ])('positiveIntegerEnv(%j) is %d', (value, expected) => {
    if (value === undefined) delete process.env.X_TEST;
    else process.env.X_TEST = value;
    expect(env.positiveIntegerEnv('X_TEST', 5)).toBe(expected);
  });

  test.each(['0', '-1', '1.5', '10MB'])('positiveIntegerEnv rejects %j', (value) => {
    process.env.X_TEST = value;
    expect(() => env.positiveIntegerEnv('X_TEST', 5)).toThrow(
      `environment variable X_TEST must be a positive integer, got ${JSON.stringify(value)}`,
    );
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
