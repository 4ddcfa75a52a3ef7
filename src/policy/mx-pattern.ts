// Matching only, with no public-suffix list: Lambda handlers that compare MX hosts import this without tldts.
import { normalizeHost } from './host-name';

/** The only wildcard form RFC 8461 allows: a whole left-most label. */
export const WILDCARD_PREFIX = '*.';

/** RFC 8461 §4.1: exact, or `*.` covers exactly one left-most label; case-insensitive; trailing dots ignored. */
export function mxPatternMatches(pattern: string, host: string): boolean {
  const wanted = normalizeHost(pattern);
  const candidate = normalizeHost(host);
  if (!wanted.startsWith(WILDCARD_PREFIX)) return candidate === wanted;
  const suffix = wanted.slice(WILDCARD_PREFIX.length - 1);
  if (!candidate.endsWith(suffix)) return false;
  const firstLabel = candidate.slice(0, -suffix.length);
  return firstLabel.length > 0 && !firstLabel.includes('.');
}
