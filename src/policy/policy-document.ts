import { createHash } from 'node:crypto';
import { isWithinZone, normalizeDomainName, normalizeMxPattern } from './domain-name';
import { MAX_MAX_AGE_SECONDS, MAX_POLICY_BYTES, MIN_MAX_AGE_SECONDS, ONE_DAY_SECONDS } from './limits';
import { maxAgeAdvice, PolicyAdvice } from './max-age-advice';
import { MtaStsMode, toMtaStsMode } from './mode';
import { WILDCARD_PREFIX } from './mx-pattern';

export { MAX_MAX_AGE_SECONDS, MAX_POLICY_BYTES, MIN_MAX_AGE_SECONDS, ONE_DAY_SECONDS };
export { maxAgeAdvice };
export type { PolicyAdvice };

const ID_LENGTH = 32;
const LINE_END = '\r\n';

export interface PolicyDocumentInput {
  readonly mode: MtaStsMode;
  /** MX host patterns; normalized, and duplicates dropped. */
  readonly mx: readonly string[];
  readonly maxAgeSeconds: number;
}

export interface PolicyDocument {
  readonly mode: MtaStsMode;
  /** Normalized patterns in first-seen order, without duplicates. */
  readonly mx: readonly string[];
  readonly maxAgeSeconds: number;
  /** The exact bytes to serve: ASCII, CRLF after every line. */
  readonly text: string;
  /** 32 hex characters derived from `text`, for the `_mta-sts` TXT record. */
  readonly id: string;
}

/**
 * Validates the policy fields and renders the conservative form every surveyed sender parses the same way:
 * `version` first, one `mx` line per pattern (also in mode `none`), one space after each colon, CRLF line ends.
 */
export function renderPolicyDocument(input: PolicyDocumentInput): PolicyDocument {
  const mode = toMtaStsMode(input.mode, 'mode');
  const mx = normalizeMxPatterns(input.mx);
  const maxAgeSeconds = validateMaxAge(input.maxAgeSeconds);
  const lines = [
    'version: STSv1',
    `mode: ${mode}`,
    ...mx.map((pattern) => `mx: ${pattern}`),
    `max_age: ${maxAgeSeconds}`,
  ];
  const text = lines.map((line) => line + LINE_END).join('');

  if (!/^[\x00-\x7f]*$/.test(text)) throw new Error('Policy text must be ASCII; this is a bug in cdk-mta-sts');
  const bytes = Buffer.byteLength(text, 'ascii');
  if (bytes >= MAX_POLICY_BYTES) {
    throw new Error(
      `Invalid mx (${mx.length} patterns): the policy file would be ${bytes} bytes; it must stay under ${MAX_POLICY_BYTES} (RFC 8461 §3.3)`,
    );
  }
  const id = createHash('sha256').update(text, 'ascii').digest('hex').slice(0, ID_LENGTH);
  return { mode, mx, maxAgeSeconds, text, id };
}

/** Warnings for a valid policy: broad wildcards (RFC 8461 §10.4) and short caching in `enforce`. */
export function policyAdvice(doc: PolicyDocument, policyDomain: string): PolicyAdvice[] {
  const domain = normalizeDomainName(policyDomain, 'domain');
  const advice: PolicyAdvice[] = [];
  for (const pattern of doc.mx) {
    const base = pattern.startsWith(WILDCARD_PREFIX) ? pattern.slice(WILDCARD_PREFIX.length) : undefined;
    if (base !== undefined && isWithinZone(domain, base)) {
      advice.push({
        code: 'cdk-mta-sts:wildcardPolicyDomain',
        message:
          `mx "${pattern}" lets any host with a certificate for a name under ${base} receive mail for ${domain} ` +
          '(RFC 8461 §10.4); list the MX hosts instead',
      });
    }
  }
  return [...advice, ...maxAgeAdvice(doc.mode, doc.maxAgeSeconds)];
}

function normalizeMxPatterns(patterns: readonly string[]): string[] {
  if (!Array.isArray(patterns) || patterns.length === 0) {
    throw new Error(
      'Invalid mx []: at least one MX host pattern is required, also in mode "none" (some senders reject a policy without one)',
    );
  }
  return [...new Set(patterns.map((pattern) => normalizeMxPattern(pattern, 'mx')))];
}

function validateMaxAge(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < MIN_MAX_AGE_SECONDS || seconds > MAX_MAX_AGE_SECONDS) {
    throw new Error(
      `Invalid maxAge ${typeof seconds === 'number' ? `${seconds} seconds` : String(JSON.stringify(seconds))}: must be a whole number of seconds from ${MIN_MAX_AGE_SECONDS} to ${MAX_MAX_AGE_SECONDS}`,
    );
  }
  return seconds;
}
