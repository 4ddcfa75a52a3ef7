// Matching only, with no public-suffix list: Lambda handlers that compare MX hosts import this without tldts.

/** The only wildcard form RFC 8461 allows: a whole left-most label. */
export const WILDCARD_PREFIX = '*.';

/** RFC 8461 §4.1: exact, or `*.` covers exactly one left-most label; case-insensitive; trailing dots ignored. */
export function mxPatternMatches(pattern: string, host: string): boolean {
  const wanted = withoutTrailingDot(pattern).toLowerCase();
  const candidate = withoutTrailingDot(host).toLowerCase();
  if (!wanted.startsWith(WILDCARD_PREFIX)) return candidate === wanted;
  const suffix = wanted.slice(WILDCARD_PREFIX.length - 1);
  if (!candidate.endsWith(suffix)) return false;
  const firstLabel = candidate.slice(0, -suffix.length);
  return firstLabel.length > 0 && !firstLabel.includes('.');
}

export function withoutTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}
