import * as https from 'node:https';
import type * as tls from 'node:tls';
import type { LookupFunction } from './dns-client';
import { daysUntil, describeTlsError, trustedContext } from './tls-trust';

/** What the server answered, read up to `maxBytes + 1` bytes. */
export interface HttpsAnswer {
  readonly ok: true;
  readonly status: number;
  readonly location?: string;
  readonly contentType?: string;
  readonly body: Buffer;
  /** More than `maxBytes` came: reading stopped. */
  readonly truncated: boolean;
  readonly tlsVersion?: string;
  readonly certificateDays?: number;
}

export type HttpsOutcome = HttpsAnswer | { readonly ok: false; readonly problem: string };

// The DNS client's own deadline is the timeout plus 250 ms; leave it room to report first.
const LOOKUP_GRACE_MS = 1000;

export interface HttpsGetOptions {
  readonly lookup: LookupFunction;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly port?: number;
  readonly now?: () => Date;
}

/**
 * One GET with full certificate validation, no redirects followed (RFC 8461 §3.3), no proxy, no cache, a deadline
 * over the whole exchange and a size cap. Never rejects: every failure is an outcome.
 */
export function httpsGet(host: string, path: string, options: HttpsGetOptions): Promise<HttpsOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: HttpsOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(outcome);
    };
    // https hands these options to tls.connect, which takes a secureContext; the https typings omit it.
    const requestOptions: https.RequestOptions & { secureContext: tls.SecureContext } = {
      host,
      port: options.port ?? 443,
      path,
      method: 'GET',
      servername: host,
      secureContext: trustedContext(),
      rejectUnauthorized: true,
      lookup: options.lookup,
      agent: false,
      headers: { 'user-agent': 'cdk-mta-sts-check', accept: 'text/plain', 'cache-control': 'no-cache' },
    };
    const request = https.request(requestOptions);
    const expire = () => finish({ ok: false, problem: `no complete answer within ${options.timeoutMs / 1000} s` });
    // The DNS client bounds the lookup itself; the HTTPS deadline starts once the address is known.
    let timer = setTimeout(expire, options.timeoutMs + LOOKUP_GRACE_MS);
    request.on('socket', (socket) =>
      socket.once('lookup', () => {
        clearTimeout(timer);
        timer = setTimeout(expire, options.timeoutMs);
      }),
    );
    request.on('error', (error) => finish({ ok: false, problem: describeRequestError(error, host) }));
    request.on('response', (response) => {
      const socket = response.socket as tls.TLSSocket;
      const tlsVersion = socket.getProtocol?.() ?? undefined;
      const validTo = socket.getPeerCertificate?.()?.valid_to;
      const chunks: Buffer[] = [];
      let size = 0;
      const answer = (truncated: boolean) =>
        finish({
          ok: true,
          status: response.statusCode ?? 0,
          location: header(response.headers.location),
          contentType: header(response.headers['content-type']),
          body: Buffer.concat(chunks),
          truncated,
          tlsVersion,
          certificateDays: validTo ? daysUntil(validTo, (options.now ?? (() => new Date()))()) : undefined,
        });
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size > options.maxBytes) answer(true);
      });
      response.on('end', () => answer(false));
      response.on('error', (error) => finish({ ok: false, problem: `the answer broke off: ${error.message}` }));
    });
    request.end();
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function describeRequestError(error: Error, host: string): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (error.name === 'DnsError' || code === 'ENOTFOUND') return `cannot resolve ${host}: ${error.message}`;
  if (code === 'ECONNREFUSED') return `cannot connect to ${host} port 443 (connection refused)`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `cannot reach ${host} (${code})`;
  if (code === 'ECONNRESET') return `${host} closed the connection (ECONNRESET)`;
  return describeTlsError(error, host);
}
