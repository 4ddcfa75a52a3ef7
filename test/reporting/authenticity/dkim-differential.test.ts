import { dkimVerify } from 'mailauth/lib/dkim/verify';
import { verifyDkimSignatures } from '../../../src/reporting/authenticity';
import { splitMail } from '../../../src/reporting/authenticity/mail-headers';
import { signMail, testResolver, testSigner } from '../dkim-signer';

/**
 * Our verifier against mailauth's on generated mails and mutations of them: both must agree on whether the
 * signature passes. Seeded, so a failure is reproducible.
 *
 * Every mail and mutation ends in CRLF and has no bare CR, as mail delivered over SMTP does. On a body whose last
 * line lacks its CRLF, RFC 6376 §3.4.4 leaves open whether trailing blanks go before the CRLF is added; mailauth
 * keeps a single one (but not two), we drop them: there our verifier fails closed.
 */

const NOW = new Date('2024-09-05T08:00:00Z');
const SIGNER = testSigner('sender.example');
const ED_SIGNER = testSigner('sender.example', { algorithm: 'ed25519-sha256', selector: 'ed' });
const RESOLVE = testResolver([SIGNER, ED_SIGNER]);
const CASES = 300;

/** A linear congruential generator: seeded, so that a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648;
  };
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)];
}

const PIECES = ['word', ' ', '  ', '\t', 'x=1;', '"q"', '\u00e9', '', 'tlsrpt', '{"a":1}'];

function line(next: () => number): string {
  return Array.from({ length: Math.floor(next() * 6) }, () => pick(next, PIECES)).join('');
}

function generatedMail(next: () => number): Buffer {
  const headers = [
    `From: Reports <r${Math.floor(next() * 100)}@sender.example>`,
    'To: tlsrpt@reports.example.com',
    `Subject: ${line(next)}x`,
  ];
  if (next() < 0.5) headers.push(`X-Folded: a${line(next)}\r\n ${line(next)}b\r\n\t${line(next)}c`);
  if (next() < 0.3) headers.push(`X-Trailing: v${pick(next, [' ', '  ', '\t'])}`);
  headers.push('MIME-Version: 1.0', 'Content-Type: text/plain');
  const body = Array.from({ length: Math.floor(next() * 8) }, () => line(next));
  const trailing = '\r\n'.repeat(1 + Math.floor(next() * 3));
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body.join('\r\n')}${trailing}`, 'latin1');
}

function mutate(mail: Buffer, next: () => number): Buffer {
  const text = mail.toString('latin1');
  const at = Math.floor(next() * text.length);
  switch (Math.floor(next() * 4)) {
    case 0:
      // Inside a line end, only a whole line end.
      return Buffer.from(
        text.slice(0, at) + (text[at - 1] === '\r' ? '\n\r' : pick(next, [' ', '\t', 'Z', '\r\n'])) + text.slice(at),
        'latin1',
      );
    case 1:
      // Never half a line end.
      return /[\r\n]/.test(text[at]) ? mail : Buffer.from(text.slice(0, at) + text.slice(at + 1), 'latin1');
    case 2:
      return Buffer.from(text.replace(/\r\n/g, '\n'), 'latin1');
    default:
      return Buffer.from(`${text}${pick(next, ['\r\n', '  \r\n', 'tail\r\n'])}`, 'latin1');
  }
}

async function ours(mail: Buffer): Promise<boolean> {
  const split = splitMail(mail);
  if (!split) return false;
  const [result] = await verifyDkimSignatures(split, RESOLVE, NOW);
  return result?.result === 'pass';
}

async function mailauths(mail: Buffer): Promise<boolean> {
  const verdict = await dkimVerify(mail, {
    resolver: async (name: string) => RESOLVE(name),
    curTime: NOW,
  } as Parameters<typeof dkimVerify>[1]);
  return verdict.results[0]?.status.result === 'pass';
}

test(`${CASES} generated mails and their mutations: both verifiers agree`, async () => {
  const next = random(8460);
  const disagreements: string[] = [];
  let passes = 0;
  for (let i = 0; i < CASES; i++) {
    const canonicalization = pick(next, ['relaxed/relaxed', 'simple/simple', 'relaxed/simple', 'simple/relaxed']);
    const signer = next() < 0.2 ? ED_SIGNER : SIGNER;
    const signed = await signMail(generatedMail(next), signer, { canonicalization });
    for (const mail of [signed, mutate(signed, next)]) {
      const [a, b] = [await ours(mail), await mailauths(mail)];
      if (a) passes++;
      if (a !== b) {
        disagreements.push(
          `case ${i} (${canonicalization}): ours ${a}, mailauth ${b}: ${JSON.stringify(mail.toString('latin1'))}`,
        );
      }
    }
  }
  expect(disagreements).toEqual([]);
  // Every unmutated mail passes, and so do some mutations (whitespace that relaxed canonicalization absorbs).
  expect(passes).toBeGreaterThan(CASES);
});
