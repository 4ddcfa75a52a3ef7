import { isWithinZone, normalizeDomainName, normalizeMxPattern } from '../../src/policy/domain-name';
import { mxPatternMatches } from '../../src/policy/mx-pattern';

const LABEL_60 = 'a'.repeat(60);

describe('normalizeMxPattern', () => {
  test.each([
    ['mail.example.com', 'mail.example.com'],
    ['MAIL.Example.COM.', 'mail.example.com'],
    ['*.mail.protection.outlook.com', '*.mail.protection.outlook.com'],
    ['*.Bücher.example', '*.xn--bcher-kva.example'],
    ['XN--BCHER-KVA.example', 'xn--bcher-kva.example'],
    ['mail\u3002example\u3002com', 'mail.example.com'],
    ['mx1.example.co.uk', 'mx1.example.co.uk'],
    ['*.example.co.uk', '*.example.co.uk'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normalizeMxPattern(input, 'mx')).toBe(expected);
  });

  test.each([
    [
      'mail/x.example.com',
      'Invalid mx "mail/x.example.com": contains "/"; host names allow only letters, digits and hyphens',
    ],
    [
      '%41.example.com',
      'Invalid mx "%41.example.com": contains "%"; host names allow only letters, digits and hyphens',
    ],
    ['postmaster@example.com', 'Invalid mx "postmaster@example.com": is an email address; give only the domain name'],
    ['example.com..', 'Invalid mx "example.com..": has an empty label'],
  ])('rejects %j', (input, message) => {
    expect(() => normalizeMxPattern(input, 'mx')).toThrow(new Error(message));
  });

  test('uses the field name it is given', () => {
    expect(() => normalizeMxPattern('*', 'props.mx[2]')).toThrow(
      new Error('Invalid props.mx[2] "*": a wildcard must be followed by a domain name ("*.example.com")'),
    );
  });
});

describe('normalizeDomainName', () => {
  const longest = `${LABEL_60}.${LABEL_60}.${LABEL_60}.${'b'.repeat(55)}.com`;

  test('accepts a 242-character name, the longest that fits "_smtp._tls.<domain>" in 253', () => {
    expect(longest).toHaveLength(242);
    expect(normalizeDomainName(longest, 'domain')).toBe(longest);
  });

  test('accepts a public suffix as the policy domain (gov.uk publishes its own policy)', () => {
    expect(normalizeDomainName('gov.uk', 'domain')).toBe('gov.uk');
  });

  test('rejects a 243-character name', () => {
    const name = 'c' + longest;
    expect(() => normalizeDomainName(name, 'domain')).toThrow(
      new Error(
        `Invalid domain "${name}": is 243 characters long; "_smtp._tls.<domain>" must fit in 253 characters, so at most 242`,
      ),
    );
  });

  test.each([
    ['example.com:443', 'Invalid domain "example.com:443": includes a port; give only the host name'],
    ['https://example.com', 'Invalid domain "https://example.com": is a URL; give only the host name'],
    [
      '_dmarc.example.com',
      'Invalid domain "_dmarc.example.com": contains an underscore; host names allow only letters, digits and hyphens',
    ],
  ])('rejects %j', (input, message) => {
    expect(() => normalizeDomainName(input, 'domain')).toThrow(new Error(message));
  });
});

describe('mxPatternMatches (RFC 8461 §4.1)', () => {
  test.each([
    ['*.example.com', 'mail.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', 'MAIL.EXAMPLE.COM.', true],
    ['*.example.com', 'mailexample.com', false],
    ['*.example.com', '.example.com', false],
    ['*.example.com', 'mail.example.com.evil.test', false],
    ['mail.example.com', 'mail.example.com', true],
    ['mail.example.com', 'Mail.Example.Com.', true],
    ['mail.example.com', 'smail.example.com', false],
    ['mail.example.com', 'mx.mail.example.com', false],
    ['MAIL.example.com.', 'mail.example.com', true],
  ])('%j against %j is %j', (pattern, host, expected) => {
    expect(mxPatternMatches(pattern, host)).toBe(expected);
  });
});

describe('isWithinZone', () => {
  test.each([
    ['example.com', 'example.com', true],
    ['mail.example.com', 'example.com', true],
    ['a.b.example.com', 'example.com', true],
    ['badexample.com', 'example.com', false],
    ['example.com', 'mail.example.com', false],
  ])('%j within %j is %j', (name, zone, expected) => {
    expect(isWithinZone(name, zone)).toBe(expected);
  });
});
