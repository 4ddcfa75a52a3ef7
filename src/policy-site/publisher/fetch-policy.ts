import * as https from 'node:https';
import * as tls from 'node:tls';
import { POLICY_PATH } from '../../policy/policy-object';

/** What one HTTPS GET of a policy file saw. */
export interface PolicyFetch {
  readonly status?: number;
  readonly contentType?: string;
  readonly location?: string;
  readonly body?: Buffer;
  /** Set when no response arrived (TLS, certificate, connection, timeout) or it was too large. */
  readonly error?: string;
}

export interface FetchPolicyOptions {
  /** Where to connect: the connection group's routing endpoint, not the policy host, so DNS caches cannot fool us. */
  readonly connectTo: string;
  /** The policy host `mta-sts.<domain>`: SNI, Host header and the name the certificate must carry. */
  readonly hostName: string;
  readonly port?: number;
  /** Extra trusted CAs (tests); the system's roots otherwise. */
  readonly ca?: string | Buffer;
  /** Overall deadline for connecting, the TLS handshake and the whole answer; default 5 s. */
  readonly timeoutMs?: number;
}

/** RFC 8461 §3.2 lets senders stop at 64 KB; read no more than that. */
const MAX_POLICY_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * GETs `https://<hostName>/.well-known/mta-sts.txt` from `connectTo` with full certificate validation (a trusted
 * chain, valid now, naming `hostName`) and TLS 1.2 or newer, as MTA-STS senders do (RFC 8461 §3.3). Never follows
 * redirects. Resolves with what it saw; never rejects.
 */
export function fetchPolicy(options: FetchPolicyOptions): Promise<PolicyFetch> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const done = (result: PolicyFetch) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = https.get(
      {
        host: options.connectTo,
        port: options.port ?? 443,
        path: POLICY_PATH,
        servername: options.hostName,
        headers: { host: options.hostName, 'user-agent': 'cdk-mta-sts-publisher' },
        ca: options.ca,
        minVersion: 'TLSv1.2',
        rejectUnauthorized: true,
        checkServerIdentity: (_host, certificate) => tls.checkServerIdentity(options.hostName, certificate),
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_POLICY_BYTES) {
            response.destroy();
            done({ status: response.statusCode, error: `response larger than ${MAX_POLICY_BYTES} bytes` });
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          done({
            status: response.statusCode,
            contentType: response.headers['content-type'],
            location: response.headers.location,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', (error) => done({ status: response.statusCode, error: describe(error) }));
      },
    );
    // A deadline for the whole exchange, not an idle timeout: a host dripping a byte a second would reset that forever.
    timer = setTimeout(() => {
      done({ error: `no complete answer within ${timeoutMs} ms` });
      request.destroy();
    }, timeoutMs);
    request.on('error', (error) => done({ error: describe(error) }));
  });
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code}: ${error.message}` : error.message;
}
