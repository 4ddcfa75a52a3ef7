import { checkDomainName } from './domain-name';

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
// RFC 5322 dot-atom: the only local-part form we accept (quoted local parts are legal but not worth the risk).
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const MAX_LOCAL_PART_LENGTH = 64;
const MAX_PORT = 65535;
// RFC 8460 §3: these separate URIs and fields in the record, so inside a URI they must be percent-encoded.
const RESERVED_IN_RECORD = /[!,;]/;
const DMARC_SIZE_LIMIT = /![0-9]+[kmgt]?$/i;

/**
 * Validates a TLS-RPT `rua` URI (RFC 8460 §3): `mailto:` with one address, or an `https://` URL with a host.
 * Returns the URI unchanged except for a lower-case scheme.
 *
 * @param field names the value in error messages, e.g. `rua`
 */
export function normalizeReportUri(value: string, field: string): string {
  const reason = describeProblem(value);
  if (reason) throw new Error(`Invalid ${field} ${String(JSON.stringify(value))}: ${reason}`);
  const scheme = SCHEME.exec(value)![1];
  return scheme.toLowerCase() + value.slice(scheme.length);
}

function describeProblem(value: string): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value === '') return 'must not be empty';
  if (/\s/.test(value)) return 'contains whitespace';
  if (/[^\x21-\x7e]/.test(value)) {
    return 'contains a non-ASCII character; TXT records are US-ASCII, so use A-labels ("xn--…") and percent-encoding';
  }
  if (DMARC_SIZE_LIMIT.test(value)) {
    return `ends in a DMARC-style size limit ${JSON.stringify(DMARC_SIZE_LIMIT.exec(value)![0])}, which TLS-RPT does not support`;
  }
  const reserved = RESERVED_IN_RECORD.exec(value);
  if (reserved) {
    return `contains an unencoded ${JSON.stringify(reserved[0])}; give one URI per entry and percent-encode "!", "," and ";" (RFC 8460 §3)`;
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(value)) return 'has a malformed percent-encoding';

  const scheme = SCHEME.exec(value)?.[1].toLowerCase();
  if (scheme === undefined) {
    return value.includes('@')
      ? `is a bare email address; write ${JSON.stringify('mailto:' + value)}`
      : 'must start with "mailto:" or "https://"';
  }
  const rest = value.slice(scheme.length + 1);
  if (scheme === 'mailto') return describeMailtoProblem(rest);
  if (scheme === 'https') return describeHttpsProblem(rest);
  return `uses "${scheme}:"; TLS-RPT allows only "mailto:" and "https:" (RFC 8460 §3)`;
}

function describeMailtoProblem(address: string): string | undefined {
  if (address === '') return 'has no address after "mailto:"';
  if (address.includes('?')) return 'must be a single address without "?" header fields';
  const at = address.lastIndexOf('@');
  if (at === -1) return 'has no "@" in the address';
  const localPart = percentDecode(address.slice(0, at));
  const domain = address.slice(at + 1);
  if (localPart === undefined) return 'has a malformed percent-encoding';
  if (localPart === '') return 'has no local part before "@"';
  if (!DOT_ATOM.test(localPart) || localPart.length > MAX_LOCAL_PART_LENGTH) {
    return `has an invalid local part ${JSON.stringify(address.slice(0, at))}`;
  }
  if (domain === '') return 'has no domain after "@"';
  if (domain.endsWith('.')) return `has a domain ending in a dot ${JSON.stringify(domain)}`;
  const check = checkDomainName(domain);
  return check.ok ? undefined : `the domain ${JSON.stringify(domain)} ${check.problem}`;
}

function describeHttpsProblem(rest: string): string | undefined {
  if (!rest.startsWith('//')) return 'must be an absolute "https://" URL with a host';
  const authority = rest.slice(2).split(/[/?#]/)[0];
  if (authority === '') return 'has no host';
  if (authority.includes('@')) return 'must not contain a user name or password';
  const port = /:([0-9]*)$/.exec(authority);
  if (port && !(Number(port[1]) >= 1 && Number(port[1]) <= MAX_PORT)) {
    return `has an invalid port ${JSON.stringify(port[1])}`;
  }
  const host = port ? authority.slice(0, port.index) : authority;
  if (host.endsWith('.')) return `has a host ending in a dot ${JSON.stringify(host)}`;
  const check = checkDomainName(host);
  if (!check.ok) return `the host ${JSON.stringify(host)} ${check.problem}`;
  return URL.canParse('https:' + rest) ? undefined : 'is not a valid URL';
}

function percentDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined; // not UTF-8, e.g. "%FF"
  }
}
