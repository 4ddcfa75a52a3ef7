import { MtaStsMode } from '../../src/policy/mode';
import {
  PolicyDocumentInput,
  policyAdvice,
  renderPolicyDocument,
  maxAgeAdvice,
} from '../../src/policy/policy-document';

const BASE: PolicyDocumentInput = { mode: MtaStsMode.ENFORCE, mx: ['mail.example.com'], maxAgeSeconds: 604800 };

describe('renderPolicyDocument', () => {
  test('renders the conservative byte form', () => {
    expect(renderPolicyDocument(BASE)).toEqual({
      mode: 'enforce',
      mx: ['mail.example.com'],
      maxAgeSeconds: 604800,
      text: 'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n',
      id: 'a5963b31a082635c6ec668171482b14f',
    });
  });

  test('normalises patterns (A-labels, lower case, no trailing dot) and drops duplicates in first-seen order', () => {
    const doc = renderPolicyDocument({
      mode: MtaStsMode.TESTING,
      mx: [
        'MX1.Example.COM.',
        'mail.bücher.example',
        '*.mail.protection.outlook.com',
        'mx1.example.com',
        'mail.xn--bcher-kva.example',
      ],
      maxAgeSeconds: 86400,
    });
    expect(doc.mx).toEqual(['mx1.example.com', 'mail.xn--bcher-kva.example', '*.mail.protection.outlook.com']);
    expect(doc.text).toBe(
      'version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmx: mail.xn--bcher-kva.example\r\n' +
        'mx: *.mail.protection.outlook.com\r\nmax_age: 86400\r\n',
    );
  });

  test('keeps mx lines in mode none', () => {
    const doc = renderPolicyDocument({ mode: MtaStsMode.NONE, mx: ['mail.example.com'], maxAgeSeconds: 86400 });
    expect(doc.text).toBe('version: STSv1\r\nmode: none\r\nmx: mail.example.com\r\nmax_age: 86400\r\n');
  });

  test.each([1, 31557600])('accepts max_age %j', (seconds) => {
    expect(renderPolicyDocument({ ...BASE, maxAgeSeconds: seconds }).text).toBe(
      `version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: ${seconds}\r\n`,
    );
  });

  test('id is 32 lower-case hex characters and the same for the same bytes', () => {
    const first = renderPolicyDocument(BASE);
    const again = renderPolicyDocument({ ...BASE, mx: ['MAIL.example.com.'] });
    expect(first.id).toMatch(/^[0-9a-f]{32}$/);
    expect(again.text).toBe(first.text);
    expect(again.id).toBe(first.id);
  });

  test.each<[string, Partial<PolicyDocumentInput>]>([
    ['mode', { mode: MtaStsMode.TESTING }],
    ['mx', { mx: ['mail2.example.com'] }],
    ['mx order', { mx: ['mail.example.com', 'mail2.example.com'] }],
    ['max_age by one second', { maxAgeSeconds: 604801 }],
  ])('id changes when the %s changes', (_what, change) => {
    const changed = renderPolicyDocument({ ...BASE, ...change });
    expect(changed.text).not.toBe(renderPolicyDocument(BASE).text);
    expect(changed.id).not.toBe(renderPolicyDocument(BASE).id);
  });

  test('rejects a policy of 64000 bytes or more', () => {
    const mx = Array.from({ length: 1000 }, (_, i) => `${'m'.repeat(60)}${i}.example.com`);
    expect(() => renderPolicyDocument({ ...BASE, mx })).toThrow(
      new Error(
        'Invalid mx (1000 patterns): the policy file would be 80938 bytes; it must stay under 64000 (RFC 8461 §3.3)',
      ),
    );
  });
});

describe('policyAdvice', () => {
  test('has nothing to say about exact hosts and a week-long max_age', () => {
    expect(policyAdvice(renderPolicyDocument(BASE), 'example.com')).toEqual([]);
  });

  test('warns about a wildcard over the policy domain (RFC 8461 §10.4)', () => {
    const doc = renderPolicyDocument({ ...BASE, mx: ['*.example.com'] });
    expect(policyAdvice(doc, 'Example.com.')).toEqual([
      {
        code: 'cdk-mta-sts:wildcardPolicyDomain',
        message:
          'mx "*.example.com" lets any host with a certificate for a name under example.com receive mail for ' +
          'example.com (RFC 8461 §10.4); list the MX hosts instead',
      },
    ]);
  });

  test('warns about a wildcard over a parent of the policy domain', () => {
    const doc = renderPolicyDocument({ ...BASE, mx: ['*.example.com'] });
    expect(policyAdvice(doc, 'lists.example.com').map((advice) => advice.code)).toEqual([
      'cdk-mta-sts:wildcardPolicyDomain',
    ]);
  });

  test('does not warn about a provider wildcard outside the policy domain', () => {
    const doc = renderPolicyDocument({ ...BASE, mx: ['*.mail.protection.outlook.com'] });
    expect(policyAdvice(doc, 'example.com')).toEqual([]);
  });

  test('warns about max_age under one day in enforce', () => {
    const doc = renderPolicyDocument({ ...BASE, maxAgeSeconds: 86399 });
    expect(policyAdvice(doc, 'example.com')).toEqual([
      {
        code: 'cdk-mta-sts:shortMaxAge',
        message:
          'max_age 86399 is under one day (86400 seconds) in mode "enforce"; senders re-fetch the policy often ' +
          'and a short cache weakens protection (RFC 8461 §10.2 suggests weeks)',
      },
    ]);
  });

  test.each([MtaStsMode.TESTING, MtaStsMode.NONE])('does not warn about a short max_age in mode %s', (mode) => {
    const doc = renderPolicyDocument({ ...BASE, mode, maxAgeSeconds: 3600 });
    expect(policyAdvice(doc, 'example.com')).toEqual([]);
  });
});

describe('maxAgeAdvice', () => {
  test.each([
    [MtaStsMode.ENFORCE, 86399, ['cdk-mta-sts:shortMaxAge']],
    [MtaStsMode.ENFORCE, 86400, []],
    [MtaStsMode.TESTING, 60, []],
    [MtaStsMode.TESTING, 31557600, []],
    [MtaStsMode.NONE, 86400, []],
    [MtaStsMode.NONE, 86401, ['cdk-mta-sts:longMaxAgeInNone']],
  ])('%s with max_age %d', (mode, seconds, codes) => {
    expect(maxAgeAdvice(mode, seconds).map((a) => a.code)).toEqual(codes);
  });

  test('retiring advice says what to do', () => {
    expect(maxAgeAdvice(MtaStsMode.NONE, 604800)).toEqual([
      {
        code: 'cdk-mta-sts:longMaxAgeInNone',
        message:
          'max_age 604800 is over one day in mode "none"; when retiring MTA-STS (RFC 8461 §8.3) publish "none" with a short max_age such as one day, and keep serving it for the longest max_age you ever published',
      },
    ]);
  });
});
