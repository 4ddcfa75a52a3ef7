import { checkMxCoverage } from '../../src/check/mx-coverage';
import { checkMxTls } from '../../src/check/mx-tls';
import type { HttpsOutcome } from '../../src/check/net/https-get';
import { checkPolicyFetch } from '../../src/check/policy-fetch';
import { checkPolicySyntax } from '../../src/check/policy-syntax';
import { MtaStsMode } from '../../src/policy/mode';
import { readPolicyFile } from '../../src/policy/policy-file';

const CRLF = '\r\n';
const file = (...lines: string[]) => lines.map((line) => line + CRLF).join('');
const GOOD = file('version: STSv1', 'mode: enforce', 'mx: mx1.example.com', 'mx: *.mx.example.net', 'max_age: 604800');
const URL = 'https://mta-sts.example.com/.well-known/mta-sts.txt';

describe('readPolicyFile: how the file is written', () => {
  test.each<[string, string, object]>([
    ['CRLF', GOOD, { lineEnds: 'crlf', versionFirst: true, nonAscii: false }],
    ['LF only', GOOD.replace(/\r\n/g, '\n'), { lineEnds: 'lf', versionFirst: true, nonAscii: false }],
    ['mixed', GOOD.replace('\r\n', '\n'), { lineEnds: 'mixed', versionFirst: true, nonAscii: false }],
    [
      'no end on the last line',
      'version: STSv1\r\nmode: none\r\nmax_age: 1',
      { lineEnds: 'crlf', versionFirst: true, nonAscii: false },
    ],
    [
      'mode first',
      file('mode: none', 'version: STSv1', 'max_age: 1'),
      { lineEnds: 'crlf', versionFirst: false, nonAscii: false },
    ],
    ['UTF-8 in an extension', GOOD + 'x-note: grüße\r\n', { lineEnds: 'crlf', versionFirst: true, nonAscii: true }],
  ])('%s', (_, text, style) => {
    expect(readPolicyFile(text)).toMatchObject({ ok: true, style });
  });
});

describe('checkPolicySyntax (RFC 8461 §3.2)', () => {
  test('passes our rendering and returns the policy', () => {
    expect(checkPolicySyntax(GOOD)).toEqual({
      result: { id: 'policy-syntax', status: 'pass', detail: 'mode enforce, 2 mx, max_age 604800' },
      policy: { mode: MtaStsMode.ENFORCE, mx: ['mx1.example.com', '*.mx.example.net'], maxAgeSeconds: 604800 },
    });
  });

  test('mode none needs no mx', () => {
    expect(checkPolicySyntax(file('version: STSv1', 'mode: none', 'max_age: 86400')).result.status).toBe('pass');
  });

  test.each<[string, string, string]>([
    [
      'LF-only line ends',
      GOOD.replace(/\r\n/g, '\n'),
      'mode enforce, 2 mx, max_age 604800; lines end in LF only; RFC 8461 §3.2 prose says CRLF and some checkers require it',
    ],
    [
      'mixed line ends',
      GOOD.replace('\r\n', '\n'),
      'mode enforce, 2 mx, max_age 604800; line ends mix LF and CRLF; RFC 8461 §3.2 prose says CRLF and some checkers require it',
    ],
    [
      'non-ASCII text',
      GOOD + 'x-note: grüße\r\n',
      'mode enforce, 2 mx, max_age 604800; non-ASCII text; some senders read the policy as ASCII only',
    ],
    [
      'max_age under a day in enforce',
      GOOD.replace('604800', '3600'),
      'mode enforce, 2 mx, max_age 3600; max_age 3600 is under one day (86400 seconds) in mode "enforce"; senders re-fetch the policy often and a short cache weakens protection (RFC 8461 §10.2 suggests weeks)',
    ],
    [
      'max_age over a year',
      GOOD.replace('604800', '31557601'),
      'mode enforce, 2 mx, max_age 31557601; max_age 31557601 is over one year (31557600, the RFC 8461 maximum); senders clamp or reject it',
    ],
  ])('warns: %s', (_, text, detail) => {
    expect(checkPolicySyntax(text).result).toEqual({ id: 'policy-syntax', status: 'warn', detail });
  });

  test('max_age under a day in testing is fine', () => {
    expect(checkPolicySyntax(GOOD.replace('enforce', 'testing').replace('604800', '3600')).result.status).toBe('pass');
  });

  test.each<[string, string, string]>([
    [
      'version not first',
      file('mode: enforce', 'version: STSv1', 'mx: mx1.example.com', 'max_age: 86400'),
      'the first line is not "version: STSv1"',
    ],
    [
      'an unknown mode',
      GOOD.replace('enforce', 'report'),
      'the policy has mode "report", not one of none, testing, enforce',
    ],
    ['no max_age', file('version: STSv1', 'mode: enforce', 'mx: mx1.example.com'), 'the policy has no max_age field'],
    [
      'an invalid max_age',
      GOOD.replace('604800', '1w'),
      'the policy has max_age "1w", not a whole number of seconds up to 31557600',
    ],
    [
      'no mx in enforce',
      file('version: STSv1', 'mode: enforce', 'max_age: 86400'),
      'mode enforce without an mx line: no MX host can receive mail',
    ],
    [
      'no mx in testing',
      file('version: STSv1', 'mode: testing', 'max_age: 86400'),
      'mode testing without an mx line: no MX host can receive mail',
    ],
    ['a blank line', GOOD + CRLF, 'the policy line 6 is not a "key: value" field: ""'],
    ['a byte-order mark', '\ufeff' + GOOD, 'the policy line 1 is not a "key: value" field: "\ufeffversion: STSv1"'],
    ['an HTML page', '<html></html>', 'the policy line 1 is not a "key: value" field: "<html></html>"'],
  ])('fails: %s', (_, text, detail) => {
    expect(checkPolicySyntax(text)).toEqual({ result: { id: 'policy-syntax', status: 'fail', detail } });
  });
});

describe('checkPolicyFetch (RFC 8461 §3.3)', () => {
  const answer = (overrides: Partial<Extract<HttpsOutcome, { ok: true }>> = {}): HttpsOutcome => ({
    ok: true,
    status: 200,
    contentType: 'text/plain',
    body: Buffer.from(GOOD),
    truncated: false,
    tlsVersion: 'TLSv1.3',
    certificateDays: 60,
    ...overrides,
  });

  test.each<[string, HttpsOutcome, string]>([
    ['text/plain', answer(), `HTTP 200, text/plain, ${GOOD.length} bytes, TLSv1.3, certificate expires in 60 days`],
    [
      'parameters and case',
      answer({ contentType: 'Text/Plain; charset=utf-8' }),
      `HTTP 200, text/plain, ${GOOD.length} bytes, TLSv1.3, certificate expires in 60 days`,
    ],
  ])('passes: %s', (_, outcome, detail) => {
    expect(checkPolicyFetch(URL, outcome)).toEqual({
      result: { id: 'policy-fetch', status: 'pass', detail },
      text: GOOD,
    });
  });

  test('warns when the certificate expires within 14 days', () => {
    expect(checkPolicyFetch(URL, answer({ certificateDays: 13 })).result).toEqual({
      id: 'policy-fetch',
      status: 'warn',
      detail: `HTTP 200, text/plain, ${GOOD.length} bytes, TLSv1.3, certificate expires in 13 days: renew the certificate`,
    });
  });

  test.each<[string, HttpsOutcome, string]>([
    [
      'a network problem',
      { ok: false, problem: 'certificate expired (CERT_HAS_EXPIRED)' },
      `${URL}: certificate expired (CERT_HAS_EXPIRED)`,
    ],
    [
      'a redirect',
      answer({ status: 302, location: 'https://example.com/' }),
      'HTTP 302 redirect to https://example.com/: senders do not follow redirects',
    ],
    ['a redirect without Location', answer({ status: 307 }), 'HTTP 307 redirect: senders do not follow redirects'],
    ['404', answer({ status: 404 }), 'HTTP 404: senders need 200'],
    [
      'application/octet-stream',
      answer({ contentType: 'application/octet-stream' }),
      'Content-Type application/octet-stream: senders require text/plain',
    ],
    [
      'text/html',
      answer({ contentType: 'text/html; charset=utf-8' }),
      'Content-Type text/html; charset=utf-8: senders require text/plain',
    ],
    ['no Content-Type', answer({ contentType: undefined }), 'no Content-Type: senders require text/plain'],
    [
      'a body over 64 KB',
      answer({ body: Buffer.alloc(64001), truncated: true }),
      'body of 64000 bytes or more: senders stop reading',
    ],
    [
      'a body of 64000 bytes',
      answer({ body: Buffer.alloc(64000) }),
      'body of 64000 bytes or more: senders stop reading',
    ],
    ['not UTF-8', answer({ body: Buffer.from([0x76, 0xff, 0xfe]) }), 'the body is not UTF-8 text'],
  ])('fails: %s', (_, outcome, detail) => {
    expect(checkPolicyFetch(URL, outcome)).toEqual({ result: { id: 'policy-fetch', status: 'fail', detail } });
  });
});

describe('checkMxCoverage (RFC 8461 §4.1)', () => {
  const policy = { mode: MtaStsMode.ENFORCE, mx: ['mx1.example.com', '*.mx.example.net'], maxAgeSeconds: 86400 };
  test.each<[string, Parameters<typeof checkMxCoverage>[0], typeof policy | undefined, string, string]>([
    [
      'exact and one-label wildcard',
      { ok: true, hosts: ['mx1.example.com', 'a.mx.example.net'] },
      policy,
      'pass',
      '2 MX hosts covered: mx1.example.com, a.mx.example.net',
    ],
    [
      'a deeper name is not covered',
      { ok: true, hosts: ['a.b.mx.example.net'] },
      policy,
      'fail',
      'not covered by any mx pattern: a.b.mx.example.net (patterns: mx1.example.com, *.mx.example.net)',
    ],
    [
      'the wildcard base is not covered',
      { ok: true, hosts: ['mx.example.net', 'mx1.example.com'] },
      policy,
      'fail',
      'not covered by any mx pattern: mx.example.net (patterns: mx1.example.com, *.mx.example.net)',
    ],
    ['a null MX', { ok: true, hosts: [''] }, policy, 'fail', 'null MX (RFC 7505): the domain accepts no mail'],
    ['no MX', { ok: true, hosts: [] }, policy, 'fail', 'no MX records'],
    [
      'a failed lookup',
      { ok: false, problem: 'MX lookup of example.com: no answer within 1 s' },
      policy,
      'fail',
      'MX lookup failed: MX lookup of example.com: no answer within 1 s',
    ],
    [
      'no policy',
      { ok: true, hosts: ['mx1.example.com'] },
      undefined,
      'skip',
      'no valid policy to compare the MX hosts with',
    ],
    [
      'a policy without mx',
      { ok: true, hosts: ['mx1.example.com'] },
      { ...policy, mx: [] },
      'fail',
      'not covered by any mx pattern: mx1.example.com (patterns: none)',
    ],
  ])('%s', (_, mx, published, status, detail) => {
    expect(checkMxCoverage(mx, published)).toEqual({ id: 'mx-covered', status, detail });
  });
});

describe('checkMxTls (RFC 8461 §4.2)', () => {
  test.each<[string, Parameters<typeof checkMxTls>[2], string, string]>([
    [
      'a valid session',
      { kind: 'ok', tlsVersion: 'TLSv1.3', certificateDays: 80 },
      'pass',
      'STARTTLS, TLSv1.3, certificate expires in 80 days',
    ],
    [
      'expiry in 13 days',
      { kind: 'ok', tlsVersion: 'TLSv1.2', certificateDays: 13 },
      'warn',
      'STARTTLS, TLSv1.2, certificate expires in 13 days: renew the certificate',
    ],
    [
      'TLS 1.1',
      { kind: 'ok', tlsVersion: 'TLSv1.1', certificateDays: 1 },
      'warn',
      'STARTTLS, TLSv1.1, certificate expires in 1 day: TLSv1.1 is below TLS 1.2 (RFC 8461 §7.2); renew the certificate',
    ],
    [
      'unreachable',
      { kind: 'unreachable', problem: 'no TCP connection to port 25 within 10 s' },
      'skip',
      'no TCP connection to port 25 within 10 s; outbound port 25 may be blocked on this network',
    ],
    [
      'a failure',
      { kind: 'failed', problem: 'no STARTTLS: the EHLO reply does not offer it' },
      'fail',
      'no STARTTLS: the EHLO reply does not offer it',
    ],
  ])('%s', (_, outcome, status, detail) => {
    expect(checkMxTls('MX1.Example.com', 25, outcome)).toEqual({ id: 'mx-tls:mx1.example.com', status, detail });
  });
});
