import { DkimSignatureResult, TxtResolver, verifyDkimSignatures } from './dkim';
import { fieldValue, fromDomain, splitMail } from './mail-headers';
import { normalizeHost } from '../../policy/host-name';

/**
 * Who sent a report mail, as far as DKIM proves it (RFC 8460 §3: reports without a valid signature by the
 * reporting domain are ignored).
 *
 * A signature counts only when it verifies and is aligned with the From address: its `d=` is the From domain or a
 * parent of it (`d=google.com` for `noreply@google.com` or `x@mail.google.com`). That is DMARC's relaxed alignment
 * without the Public Suffix List, which is too large for the Lambda bundle: a subdomain cannot sign for its parent,
 * and `d=` can be a suffix such as `co.uk` only if the suffix's own DNS holds the key, which no sender controls.
 */
export type Authentication =
  | {
      readonly authenticated: true;
      /** The verified, aligned `d=`: the report's signer. */
      readonly signingDomain: string;
      readonly selector: string;
      /** The From domain it is aligned with. */
      readonly fromDomain: string;
      /** What a reader should know (e.g. a `TLS-Report-Submitter` that names someone else). */
      readonly warnings: string[];
    }
  | {
      readonly authenticated: false;
      readonly reason: string;
      /** True when an aligned signature could not be checked for now (a DNS failure): try again later. */
      readonly temporary?: boolean;
    };

export interface AuthenticateOptions {
  readonly resolveTxt: TxtResolver;
  /**
   * When not empty, only signers that are one of these domains or a subdomain of one are accepted.
   */
  readonly trustedReporters?: readonly string[];
  readonly now?: Date;
}

/**
 * Header fields that may appear only once (RFC 5322 §3.6, RFC 2045, RFC 8460 §5.3): with two, DKIM signs the last
 * while a mail parser may read the first, so what was verified would not be what is read.
 */
const SINGLE_FIELDS = [
  'from',
  'content-type',
  'content-transfer-encoding',
  'mime-version',
  'tls-report-domain',
  'tls-report-submitter',
];

/** True when `name` is `domain` or a subdomain of it. */
export function isWithin(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

function describe(results: readonly DkimSignatureResult[]): string {
  return results
    .slice(0, 3)
    .map((r) => `d=${r.domain ?? '?'} ${r.result}${r.reason ? ` (${r.reason})` : ''}`)
    .join('; ');
}

/** Verifies a raw mail's DKIM signatures and From alignment. Never throws on hostile input. */
export async function authenticateMail(raw: Uint8Array, options: AuthenticateOptions): Promise<Authentication> {
  const mail = splitMail(raw);
  if (!mail) return { authenticated: false, reason: 'dkim: header section too large' };
  if (mail.malformedLines > 0) {
    return { authenticated: false, reason: `dkim: ${mail.malformedLines} malformed header lines` };
  }
  for (const key of SINGLE_FIELDS) {
    const count = mail.headers.filter((field) => field.key === key).length;
    if (count > 1 || (key === 'from' && count === 0)) {
      const name = key
        .replace(/(^|-)[a-z]/g, (c) => c.toUpperCase())
        .replace('Tls-', 'TLS-')
        .replace('Mime', 'MIME');
      return {
        authenticated: false,
        reason: `dkim: ${count} ${name} fields, expected ${key === 'from' ? 1 : 'at most 1'}`,
      };
    }
  }
  const from = fromDomain(fieldValue(mail.headers.find((field) => field.key === 'from')!));
  if (!from) return { authenticated: false, reason: 'dkim: From has no single usable address' };

  const results = await verifyDkimSignatures(mail, options.resolveTxt, options.now);
  if (results.length === 0) return { authenticated: false, reason: 'dkim: mail is not signed' };
  const aligned = results.find((r) => r.result === 'pass' && r.domain !== null && isWithin(from, r.domain));
  if (!aligned || aligned.domain === null || aligned.selector === null) {
    const temporary = results.some((r) => r.result === 'temperror' && r.domain !== null && isWithin(from, r.domain));
    return {
      authenticated: false,
      reason: `dkim: no valid signature aligned with From domain ${from}: ${describe(results)}`,
      ...(temporary ? { temporary } : {}),
    };
  }
  const signer = aligned.domain;
  const trusted = options.trustedReporters ?? [];
  if (trusted.length > 0 && !trusted.some((domain) => isWithin(signer, domain))) {
    return { authenticated: false, reason: `dkim: signer ${signer} is not one of the trusted reporters` };
  }

  const warnings: string[] = [];
  const submitterField = mail.headers.find((field) => field.key === 'tls-report-submitter');
  if (submitterField) {
    const submitter = normalizeHost(fieldValue(submitterField));
    // mail.ru says `mail.ru` and signs as `corp.mail.ru`: related names agree.
    if (!isWithin(submitter, signer) && !isWithin(signer, submitter)) {
      warnings.push(
        `TLS-Report-Submitter ${JSON.stringify(submitter.slice(0, 100))} does not match the DKIM signer ${signer}`,
      );
    }
  }
  return { authenticated: true, signingDomain: signer, selector: aligned.selector, fromDomain: from, warnings };
}
