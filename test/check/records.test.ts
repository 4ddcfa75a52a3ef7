import { checkStsRecords } from '../../src/check/sts-record';
import { checkTlsRptRecords } from '../../src/check/tlsrpt-record';

const one = (...texts: string[]) => texts.map((text) => [text]);

describe('checkStsRecords (RFC 8461 §3.1)', () => {
  test.each<[string, string[][], string]>([
    ['the form we publish', one('v=STSv1; id=57c0b2e9044f1929fd313349db8c6c5d'), 'id=57c0b2e9044f1929fd313349db8c6c5d'],
    ['no space, trailing delimiter', one('v=STSv1;id=abc;'), 'id=abc'],
    ['tabs and spaces around the delimiter', one('v=STSv1 \t;\t id=abc'), 'id=abc'],
    ['an extension field', one('v=STSv1; id=abc; x-ext=va.lue'), 'id=abc'],
    ['the first of two ids counts', one('v=STSv1; id=first; id=second'), 'id=first'],
    ['strings are joined without spaces', [['v=STSv1; id=', 'abc123']], 'id=abc123'],
    ['32 characters', one(`v=STSv1; id=${'a'.repeat(32)}`), `id=${'a'.repeat(32)}`],
  ])('passes: %s', (_, records, detail) => {
    expect(checkStsRecords(records).result).toEqual({ id: 'sts-record', status: 'pass', detail });
  });

  test('returns the id', () => {
    expect(checkStsRecords(one('v=STSv1; id=abc')).id).toBe('abc');
  });

  test('warns about unrelated TXT records at the name', () => {
    expect(checkStsRecords(one('google-site-verification=x', 'v=STSv1; id=abc'))).toEqual({
      id: 'abc',
      result: {
        id: 'sts-record',
        status: 'warn',
        detail: 'id=abc, but 1 other TXT record at the name; some senders count every TXT record',
      },
    });
  });

  test.each<[string, string[][], string]>([
    ['no record', [], 'no v=STSv1 TXT record: senders see no policy'],
    ['only other records', one('v=spf1 -all'), 'no v=STSv1 TXT record (1 other TXT record): senders see no policy'],
    ['lower-case version', one('v=stsv1; id=abc'), 'no v=STSv1 TXT record (1 other TXT record): senders see no policy'],
    ['a longer version', one('v=STSv10; id=abc'), 'no v=STSv1 TXT record (1 other TXT record): senders see no policy'],
    [
      'two records',
      one('v=STSv1; id=a', 'v=STSv1; id=b'),
      '2 v=STSv1 TXT records ("v=STSv1; id=a", "v=STSv1; id=b"): senders see no policy',
    ],
    ['a version alone', one('v=STSv1'), '"v=STSv1" has no "; " after v=STSv1'],
    ['no id', one('v=STSv1; x=1'), '"v=STSv1; x=1" has no id field'],
    [
      'an id with punctuation',
      one('v=STSv1; id=2024-06-01'),
      '"v=STSv1; id=2024-06-01" has id "2024-06-01": an id is 1 to 32 letters or digits, without punctuation',
    ],
    [
      'an id of 33 characters',
      one(`v=STSv1; id=${'a'.repeat(33)}`),
      `"v=STSv1; id=${'a'.repeat(33)}" has id "${'a'.repeat(33)}": an id is 1 to 32 letters or digits, without punctuation`,
    ],
    [
      'an empty id',
      one('v=STSv1; id='),
      '"v=STSv1; id=" has id "": an id is 1 to 32 letters or digits, without punctuation',
    ],
    ['an empty field', one('v=STSv1;; id=abc'), '"v=STSv1;; id=abc" has an invalid field ""'],
    [
      'a field with a space',
      one('v=STSv1; id=abc def'),
      '"v=STSv1; id=abc def" has id "abc def": an id is 1 to 32 letters or digits, without punctuation',
    ],
    ['an extension with "="', one('v=STSv1; id=abc; x=a=b'), '"v=STSv1; id=abc; x=a=b" has an invalid field "x=a=b"'],
  ])('fails: %s', (_, records, detail) => {
    expect(checkStsRecords(records)).toEqual({ id: null, result: { id: 'sts-record', status: 'fail', detail } });
  });
});

describe('checkTlsRptRecords (RFC 8460 §3)', () => {
  test.each<[string, string[][], string]>([
    ['mailto', one('v=TLSRPTv1; rua=mailto:tlsrpt@example.com'), 'rua=mailto:tlsrpt@example.com'],
    [
      'mailto and https, spaces around the comma',
      one('v=TLSRPTv1;rua=mailto:a@example.com , https://r.example.com/tlsrpt;'),
      'rua=mailto:a@example.com,https://r.example.com/tlsrpt',
    ],
    [
      'an extension and other records',
      one('v=spf1 -all', 'v=TLSRPTv1; x=1; rua=mailto:a@example.com'),
      'rua=mailto:a@example.com',
    ],
  ])('passes: %s', (_, records, detail) => {
    expect(checkTlsRptRecords(records)).toEqual({ id: 'tlsrpt-record', status: 'pass', detail });
  });

  test('warns when there is no record', () => {
    expect(checkTlsRptRecords(one('v=spf1 -all'))).toEqual({
      id: 'tlsrpt-record',
      status: 'warn',
      detail: 'no v=TLSRPTv1 TXT record: senders send no TLS reports, so failures go unseen',
    });
  });

  test.each<[string, string[][], RegExp]>([
    [
      'two records',
      one('v=TLSRPTv1; rua=mailto:a@example.com', 'v=TLSRPTv1; rua=mailto:b@example.com'),
      /^2 v=TLSRPTv1 TXT records/,
    ],
    [
      'no rua',
      one('v=TLSRPTv1; ruf=mailto:a@example.com'),
      /^"v=TLSRPTv1; ruf=mailto:a@example.com" has no rua field$/,
    ],
    [
      'an http: rua',
      one('v=TLSRPTv1; rua=http://r.example.com/'),
      /^Invalid rua "http:\/\/r\.example\.com\/": uses "http:"; TLS-RPT allows only "mailto:" and "https:"/,
    ],
    ['a bare address', one('v=TLSRPTv1; rua=a@example.com'), /^Invalid rua "a@example.com": is a bare email address/],
    ['a DMARC size limit', one('v=TLSRPTv1; rua=mailto:a@example.com!10m'), /DMARC-style size limit/],
    ['no delimiter', one('v=TLSRPTv1 rua=mailto:a@example.com'), /has no "; " after v=TLSRPTv1$/],
  ])('fails: %s', (_, records, detail) => {
    expect(checkTlsRptRecords(records)).toEqual({
      id: 'tlsrpt-record',
      status: 'fail',
      detail: expect.stringMatching(detail),
    });
  });
});
