/** The policy domains in a `POLICY_DOMAINS` value: lower-cased, without a trailing dot, blanks dropped. */
export function parsePolicyDomains(value: string): string[] {
  return value
    .split(',')
    .map((domain) => domain.trim().toLowerCase().replace(/\.$/, ''))
    .filter((domain) => domain !== '');
}

/**
 * True when `domain` is one of `published` or a subdomain of one: DANE (`tlsa`) reports name the TLSA base
 * domain, i.e. an MX host such as `mx1.example.com`, rather than the recipient domain.
 */
export function isPublishedDomain(domain: string | null, published: readonly string[]): boolean {
  if (domain === null) return false;
  const name = domain.toLowerCase().replace(/\.$/, '');
  return published.some((p) => name === p || name.endsWith(`.${p}`));
}
