import { dkimVerify } from 'mailauth/lib/dkim/verify';
import { authenticateMail, verifyDkimSignatures } from '../../../src/reporting/authenticity';
import { canonicalBody } from '../../../src/reporting/authenticity/dkim';
import { fromDomain, splitMail } from '../../../src/reporting/authenticity/mail-headers';
import { signMail, testResolver, testSigner } from '../dkim-signer';
import { fixture, reportMail } from '../handlers/helpers';

const NOW = new Date('2024-09-05T08:00:00Z');
const SENDER = testSigner('mail.sender.example');

function mail(extraHeaders: string[] = [], body = 'Hello\r\n'): Buffer {
  return Buffer.from(
    [
      'From: TLS Reports <tlsrpt@mail.sender.example>',
      'To: tlsrpt@reports.example.com',
      'Subject: Report',
      ...extraHeaders,
      'MIME-Version: 1.0',
      'Content-Type: text/plain',
      '',
      body,
    ].join('\r\n'),
    'latin1',
  );
}

async function results(raw: Buffer, signers = [SENDER]) {
  const split = splitMail(raw);
  if (!split) throw new Error('unsplittable');
  return verifyDkimSignatures(split, testResolver(signers), NOW);
}

/** mailauth's verdict on the same mail with the same DNS: the oracle. */
async function oracle(raw: Buffer, signers = [SENDER]): Promise<string[]> {
  const resolve = testResolver(signers);
  const verdict = await dkimVerify(raw, {
    resolver: async (name: string) => resolve(name),
    curTime: NOW,
  } as Parameters<typeof dkimVerify>[1]);
  return verdict.results.map((r) => r.status.result);
}

describe('DKIM verification', () => {
  test.each([['relaxed/relaxed'], ['simple/simple'], ['relaxed/simple'], ['simple/relaxed']])(
    'verifies a %s signature made by mailauth, as mailauth does',
    async (canonicalization) => {
      const signed = await signMail(reportMail({ report: '{"a":1}' }), SENDER, { canonicalization });
      expect(await results(signed)).toEqual([
        { result: 'pass', domain: 'mail.sender.example', selector: 'tlsrpt2024', reason: '' },
      ]);
      expect(await oracle(signed)).toEqual(['pass']);
    },
  );

  test('verifies Ed25519 (RFC 8463) signatures', async () => {
    const ed = testSigner('mail.sender.example', { algorithm: 'ed25519-sha256', selector: 'ed' });
    const signed = await signMail(mail(), ed);
    expect((await results(signed, [ed]))[0]).toMatchObject({ result: 'pass', selector: 'ed' });
  });

  test('survives folding, whitespace and trailing empty lines the way mailauth does', async () => {
    const raw = mail(['X-Folded: one\r\n   two\t three  '], 'line  with   blanks  \r\n\r\n\r\n');
    for (const canonicalization of ['relaxed/relaxed', 'simple/simple']) {
      const signed = await signMail(raw, SENDER, { canonicalization, headerList: ['from', 'x-folded', 'subject'] });
      const relaxedCopy = Buffer.from(signed.toString('latin1').replace('two\t three', 'two three'), 'latin1');
      const expected = canonicalization === 'relaxed/relaxed' ? 'pass' : 'fail';
      expect((await results(relaxedCopy))[0].result).toBe(expected);
      expect(await oracle(relaxedCopy)).toEqual([expected]);
    }
  });

  test('verifies a mail stored with bare LF line ends as if it had CRLF', async () => {
    const signed = await signMail(reportMail({ report: '{"a":1}' }), SENDER, { canonicalization: 'simple/simple' });
    const lf = Buffer.from(signed.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    expect((await results(lf))[0]).toMatchObject({ result: 'pass' });
    expect(await oracle(lf)).toEqual(['pass']);
  });

  test('refuses a header section over 256 KiB before checking anything', async () => {
    const huge = mail([`X-Padding: ${'a'.repeat(300 * 1024)}`]);
    expect(await authenticateMail(huge, { resolveTxt: testResolver([SENDER]), now: NOW })).toEqual({
      authenticated: false,
      reason: 'dkim: header section too large',
    });
  });

  test('fails a mail whose body or signed header was changed after signing', async () => {
    const signed = (await signMail(reportMail({ report: '{"a":1}' }), SENDER)).toString('latin1');
    const body = Buffer.from(signed.replace('This is an aggregate', 'This is a forged'), 'latin1');
    expect(await results(body)).toEqual([
      { result: 'fail', domain: 'mail.sender.example', selector: 'tlsrpt2024', reason: 'body hash mismatch' },
    ]);
    const header = Buffer.from(signed.replace('Subject: Report Domain', 'Subject: Forged Domain'), 'latin1');
    expect((await results(header))[0]).toMatchObject({ result: 'fail', reason: 'signature does not verify' });
    expect(await oracle(header)).toEqual(['fail']);
  });

  test('refuses l=, rsa-sha1, short keys, missing and revoked keys', async () => {
    const signed = (await signMail(mail(), SENDER)).toString('latin1');
    const withL = Buffer.from(signed.replace('DKIM-Signature: v=1;', 'DKIM-Signature: v=1; l=5;'), 'latin1');
    expect((await results(withL))[0]).toMatchObject({ result: 'permerror', reason: expect.stringContaining('l=') });
    const sha1 = Buffer.from(signed.replace('a=rsa-sha256', 'a=rsa-sha1'), 'latin1');
    expect((await results(sha1))[0].reason).toBe('algorithm rsa-sha1 not accepted');
    expect((await results(Buffer.from(signed, 'latin1'), []))[0]).toMatchObject({
      result: 'permerror',
      reason: 'no key at tlsrpt2024._domainkey.mail.sender.example',
    });
    const revoked = testResolver([], { 'tlsrpt2024._domainkey.mail.sender.example': ['v=DKIM1; p='] });
    const split = splitMail(Buffer.from(signed, 'latin1'))!;
    expect((await verifyDkimSignatures(split, revoked, NOW))[0].reason).toBe('key revoked');
    const weak = testSigner('mail.sender.example', { bits: 512, selector: 'weak' });
    const weakSigned = await signMail(mail(), weak);
    expect((await results(weakSigned, [weak]))[0]).toMatchObject({
      result: 'permerror',
      reason: 'RSA key of 512 bits',
    });
  });

  test('a DNS failure is a temporary error', async () => {
    const signed = await signMail(mail(), SENDER);
    const failing = async () => {
      throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
    };
    const [result] = await verifyDkimSignatures(splitMail(signed)!, failing, NOW);
    expect(result).toMatchObject({ result: 'temperror' });
  });

  test('refuses an expired signature', async () => {
    const signed = await signMail(mail(), SENDER, {
      signTime: new Date('2024-09-01T00:00:00Z'),
      expires: new Date('2024-09-02T00:00:00Z'),
    });
    expect((await results(signed))[0]).toMatchObject({ result: 'fail', reason: 'signature expired' });
  });

  test('checks at most five signatures, however many a mail carries', async () => {
    let raw = mail();
    for (let i = 0; i < 8; i++) raw = await signMail(raw, testSigner(`s${i}.example`));
    let lookups = 0;
    const counting = async (name: string) => {
      lookups++;
      return testResolver([])(name);
    };
    expect(await verifyDkimSignatures(splitMail(raw)!, counting, NOW)).toHaveLength(5);
    expect(lookups).toBe(5);
  });

  test('canonical bodies follow RFC 6376 §3.4.5', () => {
    expect(canonicalBody('', false)).toBe('\r\n');
    expect(canonicalBody('', true)).toBe('');
    expect(canonicalBody(' C \r\nD \t E\r\n\r\n\r\n', true)).toBe(' C\r\nD E\r\n');
    expect(canonicalBody(' C \r\nD \t E\r\n\r\n\r\n', false)).toBe(' C \r\nD \t E\r\n');
    expect(canonicalBody('x', false)).toBe('x\r\n');
  });
});

describe('From domains', () => {
  test.each([
    ['noreply-smtp-tls-reporting@google.com', 'google.com'],
    ['"TLS Reports" <tlsrpt@Mail.Sender.Example>', 'mail.sender.example'],
    ['"a@evil.example, <x@evil.example>" <r@google.com>', 'google.com'],
    ['r@google.com (comment@evil.example)', 'google.com'],
    ['a@one.example, b@two.example', null],
    ['<a@one.example> <b@two.example>', null],
    ['no address', null],
    ['x@localhost', null],
  ])('%s -> %s', (value, domain) => {
    expect(fromDomain(value)).toBe(domain);
  });
});

describe('authenticateMail', () => {
  const google = testSigner('google.com');
  const attacker = testSigner('attacker.example');

  test('accepts a real Google report mail re-signed with d=google.com, and tells who signed', async () => {
    const signed = await signMail(fixture('parsedmarc-google.com.eml'), google);
    expect(await authenticateMail(signed, { resolveTxt: testResolver([google]), now: NOW })).toEqual({
      authenticated: true,
      signingDomain: 'google.com',
      selector: 'tlsrpt2024',
      fromDomain: 'google.com',
      warnings: [],
    });
  });

  test('refuses a valid signature by another domain than From (the forged Google report)', async () => {
    const signed = await signMail(fixture('parsedmarc-google.com.eml'), attacker);
    expect(await authenticateMail(signed, { resolveTxt: testResolver([google, attacker]), now: NOW })).toEqual({
      authenticated: false,
      reason:
        'dkim: no valid signature aligned with From domain google.com: d=attacker.example pass; ' +
        'd=google.com fail (body hash mismatch)',
    });
  });

  test('refuses unsigned mail and mail with two From fields', async () => {
    expect(await authenticateMail(mail(), { resolveTxt: testResolver([SENDER]), now: NOW })).toEqual({
      authenticated: false,
      reason: 'dkim: mail is not signed',
    });
    const signed = await signMail(mail(), SENDER);
    const twoFroms = Buffer.concat([Buffer.from('From: r@google.com\r\n'), signed]);
    expect(await authenticateMail(twoFroms, { resolveTxt: testResolver([SENDER]), now: NOW })).toEqual({
      authenticated: false,
      reason: 'dkim: 2 From fields, expected 1',
    });
  });

  test.each([
    [
      'a second Content-Type above the signed one',
      'Content-Type: multipart/mixed; boundary=evil\r\n',
      '1 Content-Type',
    ],
    ['a second TLS-Report-Domain', 'TLS-Report-Domain: evil.example\r\n', 'TLS-Report-Domain'],
  ])('refuses %s: DKIM would check one, the parser might read the other', async (_, extra) => {
    const signed = await signMail(mail(['TLS-Report-Domain: example.com']), SENDER);
    const tampered = Buffer.concat([Buffer.from(extra), signed]);
    const result = await authenticateMail(tampered, { resolveTxt: testResolver([SENDER]), now: NOW });
    expect(result).toMatchObject({
      authenticated: false,
      reason: expect.stringMatching(/^dkim: 2 [A-Za-z-]+ fields, expected at most 1$/),
    });
  });

  test('refuses header lines that are blank but for whitespace, or have no colon', async () => {
    const signed = (await signMail(mail(), SENDER)).toString('latin1');
    for (const injected of ['X-A: 1\r\n \r\n', 'not a header\r\n']) {
      const raw = Buffer.from(signed.replace(/^To: /m, `${injected}To: `), 'latin1');
      expect(await authenticateMail(raw, { resolveTxt: testResolver([SENDER]), now: NOW })).toEqual({
        authenticated: false,
        reason: 'dkim: 1 malformed header lines',
      });
    }
  });

  test('a parent domain may sign for its subdomain, a subdomain not for its parent', async () => {
    const parent = testSigner('sender.example');
    const signed = await signMail(mail(), parent);
    expect(await authenticateMail(signed, { resolveTxt: testResolver([parent]), now: NOW })).toMatchObject({
      authenticated: true,
      signingDomain: 'sender.example',
      fromDomain: 'mail.sender.example',
    });
    const child = testSigner('x.mail.sender.example');
    const byChild = await signMail(mail(), child);
    expect(await authenticateMail(byChild, { resolveTxt: testResolver([child]), now: NOW })).toMatchObject({
      authenticated: false,
    });
  });

  test('trustedReporters limits who may sign', async () => {
    const signed = await signMail(mail(), SENDER);
    const resolveTxt = testResolver([SENDER]);
    expect(await authenticateMail(signed, { resolveTxt, trustedReporters: ['google.com'], now: NOW })).toEqual({
      authenticated: false,
      reason: 'dkim: signer mail.sender.example is not one of the trusted reporters',
    });
    expect(
      await authenticateMail(signed, { resolveTxt, trustedReporters: ['sender.example'], now: NOW }),
    ).toMatchObject({ authenticated: true });
  });

  test('warns when TLS-Report-Submitter names someone else than the signer', async () => {
    const signed = await signMail(mail(['TLS-Report-Submitter: microsoft.com']), SENDER);
    expect(await authenticateMail(signed, { resolveTxt: testResolver([SENDER]), now: NOW })).toMatchObject({
      authenticated: true,
      warnings: ['TLS-Report-Submitter "microsoft.com" does not match the DKIM signer mail.sender.example'],
    });
    const related = await signMail(mail(['TLS-Report-Submitter: sender.example']), SENDER);
    expect(await authenticateMail(related, { resolveTxt: testResolver([SENDER]), now: NOW })).toMatchObject({
      warnings: [],
    });
  });
});

describe('real signatures from the fixtures', () => {
  test.each([
    ['mox-google.eml', 'google.com'],
    ['mox-microsoft.eml', 'microsoft.com'],
  ])('%s: body hash and header parsing agree with the real signer (only the 2024 key is missing)', async (name, d) => {
    const [result] = await verifyDkimSignatures(splitMail(fixture(name))!, testResolver([]), NOW);
    expect(result).toMatchObject({ result: 'permerror', domain: d, reason: expect.stringMatching(/^no key at /) });
  });
});
