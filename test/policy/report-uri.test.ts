import { normalizeReportUri } from '../../src/policy/report-uri';

test.each([
  ['mailto:tlsrpt@example.com', 'mailto:tlsrpt@example.com'],
  ['MAILTO:TLSRPT@Example.COM', 'mailto:TLSRPT@Example.COM'],
  ['mailto:tls%2Brpt@example.com', 'mailto:tls%2Brpt@example.com'],
  ['mailto:reports%21@example.com', 'mailto:reports%21@example.com'],
  ['https://reports.example.com/v1/tlsrpt', 'https://reports.example.com/v1/tlsrpt'],
  ['HTTPS://reports.example.com:8443/tlsrpt?site=a', 'https://reports.example.com:8443/tlsrpt?site=a'],
])('accepts %j as %j', (input, expected) => {
  expect(normalizeReportUri(input, 'rua')).toBe(expected);
});

test.each([
  ['mailto:', 'has no address after "mailto:"'],
  ['mailto:@example.com', 'has no local part before "@"'],
  ['mailto:a@', 'has no domain after "@"'],
  ['mailto:a..b@example.com', 'has an invalid local part "a..b"'],
  ['mailto:a%FF@example.com', 'has a malformed percent-encoding'],
  ['mailto:a%zz@example.com', 'has a malformed percent-encoding'],
  ['mailto:a@example.com?subject=tlsrpt', 'must be a single address without "?" header fields'],
  ['mailto:a@example.com.', 'has a domain ending in a dot "example.com."'],
  ['mailto:a@localhost', 'the domain "localhost" must have at least two labels (e.g. "example.com")'],
  ['mailto:a@[192.0.2.1]', 'the domain "[192.0.2.1]" is an address literal; give a host name'],
  [
    'mailto:tlsrpt@bücher.example',
    'contains a non-ASCII character; TXT records are US-ASCII, so use A-labels ("xn--…") and percent-encoding',
  ],
  ['https:reports.example.com', 'must be an absolute "https://" URL with a host'],
  ['https://', 'has no host'],
  ['https://user:secret@reports.example.com/', 'must not contain a user name or password'],
  ['https://reports.example.com:0/', 'has an invalid port "0"'],
  ['https://reports.example.com:70000/', 'has an invalid port "70000"'],
  ['https://192.0.2.1/tlsrpt', 'the host "192.0.2.1" is an IP address; give a host name'],
  ['https://reports.example.com./', 'has a host ending in a dot "reports.example.com."'],
  ['reports.example.com', 'must start with "mailto:" or "https://"'],
  [
    'data:text/plain,x',
    'contains an unencoded ","; give one URI per entry and percent-encode "!", "," and ";" (RFC 8460 §3)',
  ],
  ['javascript:x', 'uses "javascript:"; TLS-RPT allows only "mailto:" and "https:" (RFC 8460 §3)'],
])('rejects %j', (input, reason) => {
  expect(() => normalizeReportUri(input, 'rua')).toThrow(new Error(`Invalid rua ${JSON.stringify(input)}: ${reason}`));
});
