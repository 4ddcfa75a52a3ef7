import { stsRecordValue, tlsRptRecordValue } from '../../src/policy/records';

describe('stsRecordValue', () => {
  test.each([
    ['20240601T000000Z', 'v=STSv1; id=20240601T000000Z'],
    ['a', 'v=STSv1; id=a'],
    ['0123456789abcdef0123456789ABCDEF', 'v=STSv1; id=0123456789abcdef0123456789ABCDEF'],
  ])('renders id %j', (id, expected) => {
    expect(stsRecordValue(id)).toBe(expected);
  });

  test.each(['', '0123456789abcdef0123456789abcdef0', '2024-06-01', 'v1.2', 'a_b', 'a b', 'ü'])(
    'rejects id %j',
    (id) => {
      expect(() => stsRecordValue(id)).toThrow(
        new Error(`Invalid id ${JSON.stringify(id)}: must be 1 to 32 letters or digits (RFC 8461 §3.1)`),
      );
    },
  );
});

describe('tlsRptRecordValue', () => {
  test('renders one URI', () => {
    expect(tlsRptRecordValue(['mailto:tlsrpt@example.com'])).toBe('v=TLSRPTv1; rua=mailto:tlsrpt@example.com');
  });

  test('joins URIs with commas and no spaces, dropping duplicates in first-seen order', () => {
    expect(
      tlsRptRecordValue([
        'https://reports.example.com/tlsrpt',
        'mailto:tlsrpt@example.com',
        'MAILTO:tlsrpt@example.com',
        'https://reports.example.com/tlsrpt',
      ]),
    ).toBe('v=TLSRPTv1; rua=https://reports.example.com/tlsrpt,mailto:tlsrpt@example.com');
  });

  test('rejects an empty list', () => {
    expect(() => tlsRptRecordValue([])).toThrow(
      new Error('Invalid rua []: at least one reporting URI is required (RFC 8460 §3)'),
    );
  });

  test('rejects an invalid URI', () => {
    expect(() => tlsRptRecordValue(['mailto:tlsrpt@example.com', 'http://reports.example.com/'])).toThrow(
      new Error(
        'Invalid rua "http://reports.example.com/": uses "http:"; TLS-RPT allows only "mailto:" and "https:" (RFC 8460 §3)',
      ),
    );
  });

  test('rejects a record longer than one DNS string', () => {
    const uris = ['a', 'b', 'c', 'd'].map((name) => `https://reports.example.com/${name.repeat(40)}`);
    expect(() => tlsRptRecordValue(uris)).toThrow(
      new Error(
        `Invalid rua ${JSON.stringify(uris)}: the record would be 291 characters; ` +
          'keep it within one 255-character DNS string (fewer or shorter URIs)',
      ),
    );
  });
});

describe('tlsRptRecordValue with deploy-time values', () => {
  const TOKEN = '${Token[TOKEN.1]}';
  const isToken = (uri: string) => uri === TOKEN;

  test('passes them through unchecked, after the resolved ones are normalised', () => {
    expect(tlsRptRecordValue(['MAILTO:a@example.com', TOKEN], isToken)).toBe(
      `v=TLSRPTv1; rua=mailto:a@example.com,${TOKEN}`,
    );
  });

  test('still rejects them without the predicate', () => {
    expect(() => tlsRptRecordValue([TOKEN])).toThrow(`Invalid rua "${TOKEN}"`);
  });

  test('counts them at the longest a function URL can be', () => {
    // 16 + 159 + 1 + 80 = 256 characters with the token budgeted at 80: one too many.
    const long = `mailto:${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(14)}.example.com`;
    expect(long).toHaveLength(159);
    expect(() => tlsRptRecordValue([long, TOKEN], isToken)).toThrow(/the record would be 256 characters/);
    const shorter = long.replace('aa', 'a');
    expect(tlsRptRecordValue([shorter, TOKEN], isToken)).toBe(`v=TLSRPTv1; rua=${shorter},${TOKEN}`);
  });
});

describe('stsRecordValue with a deploy-time id', () => {
  const TOKEN = '${Token[TOKEN.2]}';

  test('passes it through unchecked', () => {
    expect(stsRecordValue(TOKEN, (id) => id === TOKEN)).toBe(`v=STSv1; id=${TOKEN}`);
  });

  test('still rejects it without the predicate', () => {
    expect(() => stsRecordValue(TOKEN)).toThrow(`Invalid id "${TOKEN}"`);
  });
});
