import { isIP } from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';
import { withoutTrailingDot } from './host-name';
import { WILDCARD_PREFIX } from './mx-pattern';

/** RFC 1035 §2.3.4 limits (in octets of the A-label form). */
export const MAX_DOMAIN_NAME_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;

/** The longest prefix we put in front of a policy domain; the whole record name must still fit in 253. */
const LONGEST_RECORD_PREFIX = '_smtp._tls.';

// UTS 46 treats these full stops like '.', so labels must be split on them before IDNA conversion.
const LABEL_SEPARATORS = /[.\u3002\uff0e\uff61]/;
const LDH_LABEL = /^[a-z0-9-]+$/;
const ASCII_TEXT = /^[\x00-\x7f]*$/;

/** Either the normalized A-label name or why the input is not a usable host name. */
export type DomainNameCheck =
  { readonly ok: true; readonly name: string } | { readonly ok: false; readonly problem: string };

/**
 * Checks a host name and returns its canonical form (lower-case A-labels, no trailing dot) or a problem
 * phrased to follow the value in an error message ("contains an underscore; …").
 */
export function checkDomainName(value: string): DomainNameCheck {
  const shapeProblem = describeShapeProblem(value);
  if (shapeProblem) return problem(shapeProblem);
  const name = withoutTrailingDot(value);
  if (name.includes('*')) return problem('a wildcard is not allowed here; give the exact domain name');
  return checkLabels(name);
}

/**
 * Normalizes a policy or hosted-zone domain: U-labels become A-labels, upper case becomes lower case and one
 * trailing dot is dropped. Wildcards, IP addresses, ports, URLs and single-label names are rejected.
 *
 * @param field names the value in error messages, e.g. `domain`
 */
export function normalizeDomainName(value: string, field: string): string {
  const check = checkDomainName(value);
  if (!check.ok) throw invalid(field, value, check.problem);
  const longestRecordName = LONGEST_RECORD_PREFIX + check.name;
  if (longestRecordName.length > MAX_DOMAIN_NAME_LENGTH) {
    throw invalid(
      field,
      value,
      `is ${check.name.length} characters long; "${LONGEST_RECORD_PREFIX}<domain>" must fit in ${MAX_DOMAIN_NAME_LENGTH} characters, so at most ${MAX_DOMAIN_NAME_LENGTH - LONGEST_RECORD_PREFIX.length}`,
    );
  }
  return check.name;
}

/**
 * Normalizes an MTA-STS `mx` pattern (RFC 8461 §3.2): a host name, or `*.` followed by a host name.
 * A wildcard over a public suffix (`*.com`, `*.github.io`, `*.<unknown TLD>`) is rejected (RFC 8461 §10.4).
 *
 * @param field names the value in error messages, e.g. `mx`
 */
export function normalizeMxPattern(value: string, field: string): string {
  const shapeProblem = describeShapeProblem(value);
  if (shapeProblem) throw invalid(field, value, shapeProblem);
  const pattern = withoutTrailingDot(value);
  if (pattern === '*' || pattern === '*.') {
    throw invalid(field, value, 'a wildcard must be followed by a domain name ("*.example.com")');
  }
  const isWildcard = pattern.startsWith(WILDCARD_PREFIX);
  const base = isWildcard ? pattern.slice(WILDCARD_PREFIX.length) : pattern;
  if (base.includes('*')) {
    throw invalid(field, value, 'a wildcard is allowed only as the whole left-most label ("*.example.com")');
  }
  const check = checkLabels(base, isWildcard);
  if (!check.ok) throw invalid(field, value, check.problem);
  const normalized = isWildcard ? WILDCARD_PREFIX + check.name : check.name;
  if (normalized.length > MAX_DOMAIN_NAME_LENGTH) throw invalid(field, value, tooLong(normalized));
  return normalized;
}

/** True when `name` is `zone` or a subdomain of it; both must already be normalized. */
export function isWithinZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith('.' + zone);
}

/** Mistakes visible in the raw text: other kinds of address, URLs, ports, lists. */
function describeShapeProblem(value: string): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value === '') return 'must not be empty';
  if (value.includes(',')) return 'contains a comma; give one host name per entry';
  if (/\s/.test(value)) return 'contains whitespace';
  if (value.includes('://')) return 'is a URL; give only the host name';
  if (value.includes('@')) return 'is an email address; give only the domain name';
  if (value.startsWith('[')) return 'is an address literal; give a host name';
  if (isIP(value) !== 0 || isIP(withoutTrailingDot(value)) !== 0) return 'is an IP address; give a host name';
  if (/:[0-9]*$/.test(value)) return 'includes a port; give only the host name';
  return undefined;
}

/** Label-level rules (RFC 1035 §2.3.4, RFC 5321 §4.1.2, RFC 5891) on a name without wildcard or trailing dot. */
function checkLabels(name: string, isWildcardBase = false): DomainNameCheck {
  if (name.includes('_')) return problem('contains an underscore; host names allow only letters, digits and hyphens');
  const badCharacter = [...name].find((c) => ASCII_TEXT.test(c) && !/[A-Za-z0-9.-]/.test(c));
  if (badCharacter !== undefined) {
    return problem(`contains ${JSON.stringify(badCharacter)}; host names allow only letters, digits and hyphens`);
  }
  const rawLabels = name.split(LABEL_SEPARATORS);
  if (rawLabels.some((label) => label === '')) return problem('has an empty label');
  if (/^[0-9]+$/.test(rawLabels[rawLabels.length - 1])) {
    return problem('ends in an all-numeric label, which no top-level domain has (is it an IP address?)');
  }

  const labels: string[] = [];
  for (const rawLabel of rawLabels) {
    const label = toALabel(rawLabel);
    if (label === undefined) {
      return problem(
        /^xn--/i.test(rawLabel)
          ? `has an invalid A-label ${JSON.stringify(rawLabel)}`
          : `has a label that is not a valid internationalised name ${JSON.stringify(rawLabel)}`,
      );
    }
    if (label.length > MAX_LABEL_LENGTH) {
      return problem(`has a ${label.length}-character label; labels are at most ${MAX_LABEL_LENGTH} characters`);
    }
    if (label.startsWith('-') || label.endsWith('-')) {
      return problem(`has a label that starts or ends with a hyphen ${JSON.stringify(label)}`);
    }
    labels.push(label);
  }

  const ascii = labels.join('.');
  if (isWildcardBase && publicSuffix(ascii) === ascii) {
    return problem(`${JSON.stringify(ascii)} is a public suffix, so the wildcard would match other owners' hosts`);
  }
  if (labels.length < 2) return problem('must have at least two labels (e.g. "example.com")');
  if (ascii.length > MAX_DOMAIN_NAME_LENGTH) return problem(tooLong(ascii));
  return { ok: true, name: ascii };
}

/** The public suffix of `name`; tldts (the Public Suffix List, 100 KB) loads only when a wildcard needs it. */
function publicSuffix(name: string): string | null {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { getPublicSuffix } = require('tldts') as typeof import('tldts');
  return getPublicSuffix(name, { allowPrivateDomains: true, extractHostname: false });
}

function tooLong(name: string): string {
  return `is ${name.length} characters long; domain names are at most ${MAX_DOMAIN_NAME_LENGTH} characters`;
}

/** The lower-case A-label for one label, or undefined when it is not valid IDNA. */
function toALabel(rawLabel: string): string | undefined {
  const lower = ASCII_TEXT.test(rawLabel) ? rawLabel.toLowerCase() : rawLabel;
  if (ASCII_TEXT.test(lower) && !lower.startsWith('xn--')) return lower;
  const converted = domainToASCII(lower);
  if (!LDH_LABEL.test(converted)) return undefined;
  // Reject A-labels that decode but do not round-trip (e.g. "xn--bcher-kva-" decodes to plain "bcher-kva").
  if (converted.startsWith('xn--') && domainToASCII(domainToUnicode(converted)) !== converted) return undefined;
  return converted;
}

function problem(text: string): DomainNameCheck {
  return { ok: false, problem: text };
}

function invalid(field: string, value: unknown, reason: string): Error {
  return new Error(`Invalid ${field} ${String(JSON.stringify(value))}: ${reason}`);
}
