import { normalizeHost } from './host-name';
import { mxPatternMatches } from './mx-pattern';

/** `<preference> <host>`, as Route 53 returns an MX value: a 16-bit preference has at most 5 digits. */
const MX_VALUE = /^\s*[0-9]{1,5}\s+(\S+)\s*$/;

/** The exchange host of an MX record value, as written (`"10 mx1.example.com."` gives `mx1.example.com.`). */
export function mxValueHost(value: string): string | undefined {
  return MX_VALUE.exec(value)?.[1];
}

/**
 * The exchange host of an MX record value as Route 53 returns it (`"10 mx1.example.com."`), normalized; `''` for
 * a null MX (`"0 ."`, RFC 7505), which names no host. Throws on anything else.
 */
export function mxRecordHost(value: string): string {
  const host = mxValueHost(value);
  if (host === undefined) throw new Error(`unexpected MX record value ${JSON.stringify(value)}`);
  return normalizeHost(host);
}

/**
 * The hosts, normalized, sorted and without duplicates, that no pattern covers (RFC 8461 §4.1: exact name, or
 * `*.` standing for exactly one left-most label; case and trailing dots ignored).
 */
export function uncoveredHosts(hosts: readonly string[], patterns: readonly string[]): string[] {
  const unique = [...new Set(hosts.map(normalizeHost))].sort();
  return unique.filter((host) => !patterns.some((pattern) => mxPatternMatches(pattern, host)));
}
