import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign';
import type { TxtResolver } from '../../src/reporting/authenticity';

/**
 * DKIM signing for tests, with keys generated here and a DNS we control: mailauth (an independent implementation)
 * signs, the code under test verifies.
 */
export interface TestSigner {
  readonly domain: string;
  readonly selector: string;
  readonly privateKey: string;
  /** The TXT record text published at `<selector>._domainkey.<domain>`. */
  readonly record: string;
  readonly algorithm: 'rsa-sha256' | 'ed25519-sha256';
}

const keyCache = new Map<string, { privateKey: string; publicDer: Buffer }>();

function keyPair(type: 'rsa' | 'ed25519', bits: number): { privateKey: string; publicDer: Buffer } {
  const cacheKey = `${type}/${bits}`;
  let pair = keyCache.get(cacheKey);
  if (!pair) {
    const generated =
      type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: bits }) : generateKeyPairSync('ed25519');
    pair = {
      privateKey: generated.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicDer: generated.publicKey.export({ type: 'spki', format: 'der' }),
    };
    keyCache.set(cacheKey, pair);
  }
  return pair;
}

/** A signer for `domain`: one RSA key (or Ed25519) per run, shared by all domains, since DNS decides who owns it. */
export function testSigner(
  domain: string,
  options: { selector?: string; algorithm?: 'rsa-sha256' | 'ed25519-sha256'; bits?: number } = {},
): TestSigner {
  const algorithm = options.algorithm ?? 'rsa-sha256';
  const ed = algorithm === 'ed25519-sha256';
  const { privateKey, publicDer } = keyPair(ed ? 'ed25519' : 'rsa', options.bits ?? 1024);
  const p = (ed ? publicDer.subarray(publicDer.length - 32) : publicDer).toString('base64');
  return {
    domain,
    selector: options.selector ?? 'tlsrpt2024',
    privateKey,
    algorithm,
    record: `v=DKIM1; k=${ed ? 'ed25519' : 'rsa'}; p=${p}`,
  };
}

/** A DNS with exactly these signers' keys (and `extra` TXT records); every other name does not exist. */
export function testResolver(signers: readonly TestSigner[], extra: Record<string, string[]> = {}): TxtResolver {
  const records = new Map<string, string[][]>();
  for (const signer of signers) records.set(`${signer.selector}._domainkey.${signer.domain}`, [[signer.record]]);
  for (const [name, texts] of Object.entries(extra)) {
    records.set(
      name,
      texts.map((text) => [text]),
    );
  }
  return async (name) => {
    const found = records.get(name.toLowerCase());
    if (found) return found;
    throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
}

/** The mail with `signer`'s DKIM-Signature prepended (relaxed/relaxed unless told otherwise). */
export async function signMail(
  mail: Buffer,
  signer: TestSigner,
  options: { canonicalization?: string; headerList?: string[]; signTime?: Date; expires?: Date } = {},
): Promise<Buffer> {
  const { signatures, errors } = (await dkimSign(mail, {
    signatureData: [
      {
        signingDomain: signer.domain,
        selector: signer.selector,
        privateKey: signer.privateKey,
        algorithm: signer.algorithm,
        canonicalization: options.canonicalization ?? 'relaxed/relaxed',
      },
    ],
    ...(options.headerList ? { headerList: options.headerList.join(':') } : {}),
    signTime: options.signTime ?? new Date('2024-09-04T10:53:00Z'),
    ...(options.expires ? { expires: options.expires } : {}),
  } as unknown as Parameters<typeof dkimSign>[1])) as { signatures: string; errors?: unknown[] };
  if (signatures.trim() === '') throw new Error('signing produced no signature');
  if (errors && errors.length > 0) throw new Error(`signing failed: ${JSON.stringify(errors)}`);
  return Buffer.concat([Buffer.from(signatures, 'latin1'), mail]);
}

/**
 * A DNS in which every domain publishes the same test key under selector `tlsrpt2024`, except `unsigned`: any
 * mail signed with {@link signAsFrom} verifies, so each test decides only who signs.
 */
export function everyDomainResolver(): TxtResolver {
  const record = testSigner('any.example').record;
  return async (name) => {
    if (/^tlsrpt2024\._domainkey\.[a-z0-9.-]+$/.test(name)) return [[record]];
    throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
}

/** The mail signed (relaxed/relaxed) by `domain`, by default the domain of its From address. */
export async function signAsFrom(mail: Buffer, domain?: string): Promise<Buffer> {
  const from = /^From:[^\r\n]*@([A-Za-z0-9.-]+)/im.exec(mail.toString('latin1'))?.[1];
  const signer = domain ?? from;
  if (!signer) throw new Error('no From domain to sign as');
  return signMail(mail, testSigner(signer.toLowerCase()));
}
