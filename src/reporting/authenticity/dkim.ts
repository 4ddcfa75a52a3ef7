import { createHash, createPublicKey, KeyObject, verify } from 'node:crypto';
import { hostName, RawHeaderField, RawMail } from './mail-headers';

/**
 * DKIM signature verification (RFC 6376), only as much as TLS-RPT needs (RFC 8460 §3): `rsa-sha256` (RFC 8301
 * forbids `rsa-sha1`) and `ed25519-sha256` (RFC 8463), `simple` and `relaxed` canonicalization, keys from DNS.
 * Signatures with `l=` are refused (RFC 8460 §3). Written against RFC 6376 and checked against the `mailauth`
 * library in the tests: mailauth's verifier brings about 1.2 MB (minified) into the Lambda bundle, whose budget is
 * 150 KB.
 */

/** TXT lookup: the records at `name`, each as its character strings (like `dns.promises.resolveTxt`). */
export type TxtResolver = (name: string) => Promise<string[][]>;

export type DkimResult = 'pass' | 'fail' | 'neutral' | 'temperror' | 'permerror';

export interface DkimSignatureResult {
  readonly result: DkimResult;
  /** `d=`, lower-cased; null when missing or not a host name. */
  readonly domain: string | null;
  readonly selector: string | null;
  /** Why it did not pass; empty when it did. */
  readonly reason: string;
}

/** Signatures checked per mail; any beyond are ignored (each may cost a DNS lookup). */
export const MAX_SIGNATURES = 5;
/** Entries accepted in a signature's `h=` list. */
const MAX_SIGNED_HEADERS = 100;
/** RFC 8301 §3.2: verifiers must not accept RSA keys under 1024 bits. */
const MIN_RSA_BITS = 1024;
/** An RSA key above this is refused: verifying with it costs more than any real signer needs. */
const MAX_RSA_BITS = 8192;
// DER prefix of an Ed25519 SubjectPublicKeyInfo, before the 32 raw key bytes (RFC 8410).
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const SELECTOR = /^[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*$/i;

/** `tag=value` pairs of a DKIM tag list (RFC 6376 §3.2); null when malformed or a tag repeats. */
export function parseTagList(text: string): Map<string, string> | null {
  const tags = new Map<string, string>();
  for (const spec of text.split(';')) {
    if (spec.trim() === '') continue;
    const eq = spec.indexOf('=');
    if (eq < 0) return null;
    const name = spec.slice(0, eq).trim();
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || tags.has(name)) return null;
    tags.set(
      name,
      spec
        .slice(eq + 1)
        .replace(/\r\n/g, '')
        .trim(),
    );
  }
  return tags;
}

/** RFC 6376 §3.4.2: lower-case name, unfolded, runs of whitespace as one space, none around the colon or at the end. */
function relaxedHeader(raw: string): string {
  const colon = raw.indexOf(':');
  const name = raw.slice(0, colon).trim().toLowerCase();
  const value = raw
    .slice(colon + 1)
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}`;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const TAB = 0x09;
const CHUNK = 64 * 1024;

/**
 * RFC 6376 §3.4.3/§3.4.4: the canonical body, handed to `write` in chunks of bytes, so that hashing a large body
 * costs no copy of it and no string per line. One pass over the characters: blanks and line ends are held back until
 * something follows them, which drops trailing blanks (relaxed) and trailing empty lines (both).
 *
 * @param body the body, one character per byte (`latin1`); a line ends at LF, with or without CR before it (a mail
 * stored by an MTA may have either; signatures are computed over CRLF)
 */
function writeCanonicalBody(body: string, relaxed: boolean, write: (chunk: Uint8Array) => void): void {
  const out = Buffer.allocUnsafe(CHUNK);
  let used = 0;
  const put = (byte: number) => {
    if (used === CHUNK) {
      write(out.subarray(0, used));
      used = 0;
    }
    out[used++] = byte;
  };
  let heldLineEnds = 0;
  let heldBlank = false;
  let wroteAny = false;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === LF || (c === CR && body.charCodeAt(i + 1) === LF)) {
      if (c === CR) i++;
      heldLineEnds++;
      heldBlank = false;
      continue;
    }
    if (relaxed && (c === SP || c === TAB)) {
      heldBlank = true;
      continue;
    }
    for (; heldLineEnds > 0; heldLineEnds--) {
      put(CR);
      put(LF);
    }
    if (heldBlank) put(SP);
    heldBlank = false;
    put(c);
    wroteAny = true;
  }
  // A body that is not empty ends in exactly one CRLF; an empty one is CRLF (simple) or nothing (relaxed).
  if (wroteAny || !relaxed) {
    put(CR);
    put(LF);
  }
  write(out.subarray(0, used));
}

/** The canonical body as one string (for tests; verification hashes it as it goes). */
export function canonicalBody(body: string, relaxed: boolean): string {
  const chunks: Buffer[] = [];
  writeCanonicalBody(body, relaxed, (chunk) => chunks.push(Buffer.from(chunk)));
  return Buffer.concat(chunks).toString('latin1');
}

/** The header fields `h=` names, each the last one not yet used (RFC 6376 §5.4.2); missing ones add nothing. */
function signedFields(headers: readonly RawHeaderField[], names: readonly string[], above: number): RawHeaderField[] {
  const used = new Set<number>();
  const fields: RawHeaderField[] = [];
  for (const name of names) {
    const key = name.trim().toLowerCase();
    for (let i = headers.length - 1; i >= 0; i--) {
      if (i === above || used.has(i) || headers[i].key !== key) continue;
      used.add(i);
      fields.push(headers[i]);
      break;
    }
  }
  return fields;
}

/** The signature field with its `b=` value emptied, everything else as sent (RFC 6376 §3.7). */
function withoutSignatureValue(raw: string): string {
  const colon = raw.indexOf(':');
  const value = raw.slice(colon + 1).replace(/(^|;)([ \t\r\n]*b[ \t\r\n]*=)[^;]*/, '$1$2');
  return `${raw.slice(0, colon + 1)}${value}`;
}

interface KeyRecord {
  readonly key: KeyObject;
  readonly algorithm: 'rsa' | 'ed25519';
  readonly strict: boolean;
}

async function fetchKey(resolveTxt: TxtResolver, name: string): Promise<KeyRecord | DkimSignatureResult['reason']> {
  let records: string[][];
  try {
    records = await resolveTxt(name);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return `permerror: no key at ${name}`;
    return `temperror: key lookup for ${name} failed (${code ?? (e as Error).message})`;
  }
  const keys = records.map((strings) => strings.join('')).filter((text) => /(^|;)\s*p\s*=/.test(text));
  if (keys.length !== 1) return `permerror: ${keys.length} key records at ${name}`;
  const tags = parseTagList(keys[0]);
  if (!tags) return `permerror: malformed key record at ${name}`;
  if (tags.has('v') && tags.get('v') !== 'DKIM1') return `permerror: key record version ${tags.get('v')}`;
  const p = (tags.get('p') ?? '').replace(/\s/g, '');
  if (p === '') return 'permerror: key revoked';
  const services = (tags.get('s') ?? '*').split(':').map((s) => s.trim());
  if (!services.some((s) => s === '*' || s === 'email' || s === 'tlsrpt')) return 'permerror: key not for email';
  const hashes = tags
    .get('h')
    ?.split(':')
    .map((h) => h.trim());
  if (hashes && !hashes.includes('sha256')) return 'permerror: key does not allow sha256';
  const type = tags.get('k') ?? 'rsa';
  const der = Buffer.from(p, 'base64');
  try {
    if (type === 'ed25519') {
      if (der.length !== 32) return 'permerror: bad ed25519 key';
      const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, der]), format: 'der', type: 'spki' });
      return { key, algorithm: 'ed25519', strict: /(^|:)\s*s\s*(:|$)/.test(tags.get('t') ?? '') };
    }
    if (type !== 'rsa') return `permerror: unknown key type ${type.slice(0, 20)}`;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    } catch {
      key = createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
    }
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (key.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
      return `permerror: RSA key of ${bits} bits`;
    }
    return { key, algorithm: 'rsa', strict: /(^|:)\s*s\s*(:|$)/.test(tags.get('t') ?? '') };
  } catch {
    return 'permerror: unreadable key';
  }
}

function failure(result: DkimResult, domain: string | null, selector: string | null, reason: string) {
  return { result, domain, selector, reason };
}

async function verifyOne(
  mail: RawMail,
  index: number,
  resolveTxt: TxtResolver,
  bodyHashes: Map<string, string>,
  now: Date,
): Promise<DkimSignatureResult> {
  const field = mail.headers[index];
  const tags = parseTagList(field.raw.slice(field.raw.indexOf(':') + 1));
  if (!tags) return failure('permerror', null, null, 'malformed signature');
  const domain = hostName(tags.get('d') ?? '');
  const selectorTag = tags.get('s') ?? '';
  const selector = SELECTOR.test(selectorTag) ? selectorTag.toLowerCase() : null;
  const fail = (result: DkimResult, reason: string) => failure(result, domain, selector, reason);
  if (tags.get('v') !== '1') return fail('permerror', 'not a v=1 signature');
  if (!domain || !selector) return fail('permerror', 'bad d= or s=');
  const algorithm = tags.get('a');
  if (algorithm !== 'rsa-sha256' && algorithm !== 'ed25519-sha256') {
    return fail('permerror', `algorithm ${String(algorithm).slice(0, 20)} not accepted`);
  }
  if (tags.has('l')) return fail('permerror', 'l= (partial body) not accepted (RFC 8460 §3)');
  if ((tags.get('q') ?? 'dns/txt') !== 'dns/txt') return fail('permerror', 'key query method not dns/txt');
  const [headerCanon, bodyCanon = 'simple'] = (tags.get('c') ?? 'simple/simple').toLowerCase().split('/');
  if (![headerCanon, bodyCanon].every((c) => c === 'simple' || c === 'relaxed')) {
    return fail('permerror', 'unknown canonicalization');
  }
  const names = (tags.get('h') ?? '').split(':').filter((name) => name.trim() !== '');
  if (names.length === 0 || names.length > MAX_SIGNED_HEADERS) return fail('permerror', 'bad h= list');
  if (!names.some((name) => name.trim().toLowerCase() === 'from')) return fail('permerror', 'From not signed');
  const identity = tags.get('i');
  const identityDomain = identity === undefined ? domain : hostName(identity.slice(identity.lastIndexOf('@') + 1));
  if (!identityDomain || (identityDomain !== domain && !identityDomain.endsWith(`.${domain}`))) {
    return fail('permerror', 'i= not within d=');
  }
  const expires = tags.get('x');
  if (expires !== undefined && /^\d+$/.test(expires) && Number(expires) * 1000 < now.getTime()) {
    return fail('fail', 'signature expired');
  }

  const bodyKey = `${algorithm}/${bodyCanon}`;
  let bodyHash = bodyHashes.get(bodyKey);
  if (bodyHash === undefined) {
    const hash = createHash('sha256');
    writeCanonicalBody(mail.body, bodyCanon === 'relaxed', (chunk) => hash.update(chunk));
    bodyHash = hash.digest('base64');
    bodyHashes.set(bodyKey, bodyHash);
  }
  if ((tags.get('bh') ?? '').replace(/\s/g, '') !== bodyHash) return fail('fail', 'body hash mismatch');

  const relaxed = headerCanon === 'relaxed';
  const canon = (raw: string) => (relaxed ? relaxedHeader(raw) : raw);
  const signed = signedFields(mail.headers, names, index)
    .map((f) => `${canon(f.raw)}\r\n`)
    .join('');
  const data = Buffer.from(`${signed}${canon(withoutSignatureValue(field.raw))}`, 'latin1');
  const signature = Buffer.from((tags.get('b') ?? '').replace(/\s/g, ''), 'base64');
  if (signature.length === 0) return fail('permerror', 'empty signature');

  const key = await fetchKey(resolveTxt, `${selector}._domainkey.${domain}`);
  if (typeof key === 'string') {
    const [result, ...rest] = key.split(': ');
    return fail(result as DkimResult, rest.join(': '));
  }
  if ((algorithm === 'rsa-sha256') !== (key.algorithm === 'rsa')) return fail('permerror', 'key type mismatch');
  if (key.strict && identityDomain !== domain) return fail('permerror', 'key requires i= domain equal to d=');
  const ok =
    key.algorithm === 'rsa'
      ? verify('sha256', data, key.key, signature)
      : verify(null, createHash('sha256').update(data).digest(), key.key, signature);
  return ok ? fail('pass', '') : fail('fail', 'signature does not verify');
}

/**
 * Checks the mail's DKIM signatures, top to bottom, at most {@link MAX_SIGNATURES}. Never throws on hostile input:
 * every problem is a result.
 */
export async function verifyDkimSignatures(
  mail: RawMail,
  resolveTxt: TxtResolver,
  now: Date = new Date(),
): Promise<DkimSignatureResult[]> {
  const indexes = mail.headers.flatMap((field, i) => (field.key === 'dkim-signature' ? [i] : []));
  const bodyHashes = new Map<string, string>();
  const results: DkimSignatureResult[] = [];
  for (const index of indexes.slice(0, MAX_SIGNATURES)) {
    results.push(await verifyOne(mail, index, resolveTxt, bodyHashes, now));
  }
  return results;
}
