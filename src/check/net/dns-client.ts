import type { LookupAddress, LookupOptions } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { queryTlsaCount } from './tlsa-query';
import { normalizeHost } from '../../policy/host-name';

/** A DNS failure worth reporting (timeout, SERVFAIL, refused): not "no such record", which is an empty answer. */
export class DnsError extends Error {
  public override readonly name = 'DnsError';
}

/** The DNS the checks use: one resolver for TXT, MX and the addresses every connection goes to. */
export interface DnsClient {
  /** A `lookup` for net/tls/https that resolves through this client instead of the system's getaddrinfo. */
  readonly lookup: LookupFunction;
  /** TXT records, each as its strings; [] when the name or the type does not exist. */
  txt(name: string): Promise<string[][]>;
  /** MX exchange names, lower case without the trailing dot, by preference; `''` is a null MX. */
  mx(name: string): Promise<string[]>;
  /** IPv4 then IPv6 addresses. */
  addresses(name: string): Promise<string[]>;
  /** How many TLSA records the name has. */
  tlsa(name: string): Promise<number>;
}

export type LookupFunction = (
  hostname: string,
  options: LookupOptions,
  callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
) => void;

const NO_DATA = new Set(['ENODATA', 'ENOTFOUND']);
// Bounds what a hostile or broken zone can make us process.
const MAX_RECORDS = 50;

/**
 * Parses `--resolver`: `IP` or `IP:PORT`, IPv6 as `[IP]:PORT`. Returns the form `Resolver.setServers` takes, or
 * undefined when the text is not one.
 */
export function parseResolverAddress(text: string): string | undefined {
  let address = text;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::([0-9]{1,5}))?$/.exec(text);
  if (bracketed) {
    [, address, port] = bracketed;
    if (isIP(address) !== 6) return undefined;
  } else if (isIP(text) === 0) {
    const withPort = /^([0-9.]+):([0-9]{1,5})$/.exec(text);
    if (!withPort || isIP(withPort[1]) !== 4) return undefined;
    [, address, port] = withPort;
  }
  if (port === undefined) return address;
  if (!(Number(port) >= 1 && Number(port) <= 65535)) return undefined;
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * A client over c-ares: the system's resolvers (`/etc/resolv.conf`), or `servers` when given. One try per query,
 * bounded by `timeoutMs` also when c-ares would wait longer.
 */
export function createDnsClient(options: {
  readonly servers?: readonly string[];
  readonly timeoutMs: number;
}): DnsClient {
  const resolver = new Resolver({ timeout: options.timeoutMs, tries: 1 });
  if (options.servers && options.servers.length > 0) resolver.setServers([...options.servers]);
  const seconds = `${options.timeoutMs / 1000} s`;

  const query = async <T>(what: string, run: () => Promise<T>, empty: T): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DnsError(`${what}: no answer within ${seconds}`)), options.timeoutMs + 250);
    });
    try {
      return await Promise.race([run(), deadline]);
    } catch (error) {
      if (error instanceof DnsError) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (NO_DATA.has(code)) return empty;
      throw new DnsError(`${what}: ${describeDnsCode(code, seconds)}`);
    } finally {
      clearTimeout(timer);
    }
  };

  const addresses = async (name: string): Promise<string[]> => {
    const v4 = await query(`A lookup of ${name}`, () => resolver.resolve4(name), [] as string[]);
    const v6 =
      v4.length > 0 ? [] : await query(`AAAA lookup of ${name}`, () => resolver.resolve6(name), [] as string[]);
    return [...v4, ...v6].slice(0, MAX_RECORDS);
  };

  return {
    txt: async (name) =>
      (await query(`TXT lookup of ${name}`, () => resolver.resolveTxt(name), [])).slice(0, MAX_RECORDS),
    mx: async (name) => {
      const records = await query(`MX lookup of ${name}`, () => resolver.resolveMx(name), []);
      return records
        .slice(0, MAX_RECORDS)
        .sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange))
        .map((record) => normalizeExchange(record.exchange));
    },
    addresses,
    tlsa: async (name) => {
      const withTlsa = resolver as unknown as { resolveTlsa?: (name: string) => Promise<unknown[]> };
      if (typeof withTlsa.resolveTlsa === 'function') {
        return (await query(`TLSA lookup of ${name}`, () => withTlsa.resolveTlsa!(name), [] as unknown[])).length;
      }
      // Before Node.js 22.15 c-ares cannot be asked for TLSA: one plain UDP query to the first resolver instead.
      const server = resolver.getServers()[0];
      if (server === undefined) throw new DnsError(`TLSA lookup of ${name}: no resolver configured`);
      try {
        return await queryTlsaCount(name, server, options.timeoutMs);
      } catch (error) {
        throw new DnsError(`TLSA lookup of ${name}: ${(error as Error).message}`);
      }
    },
    lookup: (hostname, lookupOptions, callback) => {
      addresses(hostname).then(
        (found) => {
          if (found.length === 0) {
            callback(Object.assign(new DnsError(`${hostname} has no A or AAAA record`), { code: 'ENOTFOUND' }), '');
          } else if (lookupOptions.all) {
            callback(
              null,
              found.map((address) => ({ address, family: isIP(address) })),
            );
          } else {
            callback(null, found[0], isIP(found[0]));
          }
        },
        (error: Error) => callback(error, ''),
      );
    },
  };
}

/** The exchange host, normalized; `''` for a null MX (`.`, RFC 7505). */
function normalizeExchange(exchange: string): string {
  return normalizeHost(exchange);
}

function describeDnsCode(code: string, seconds: string): string {
  switch (code) {
    case 'ETIMEOUT':
      return `no answer within ${seconds}`;
    case 'ESERVFAIL':
      return 'the resolver answered SERVFAIL';
    case 'EREFUSED':
      return 'the resolver refused the query';
    case 'ECONNREFUSED':
      return 'cannot reach the resolver (connection refused)';
    case 'EBADRESP':
    case 'EFORMERR':
      return 'malformed answer';
    default:
      return `failed (${code || 'unknown error'})`;
  }
}
