import * as net from 'node:net';
import * as tls from 'node:tls';
import type { LookupFunction } from './dns-client';
import { daysUntil, describeTlsError, trustedContext } from './tls-trust';

/**
 * - `unreachable`: no TCP connection (refused, unreachable, timed out): often outbound port 25 is blocked;
 * - `failed`: connected, but the host offers no STARTTLS, the handshake or the certificate failed, or it stalled;
 * - `ok`: a validated TLS session for the MX name.
 */
export type StartTlsOutcome =
  | { readonly kind: 'unreachable'; readonly problem: string }
  | { readonly kind: 'failed'; readonly problem: string }
  | { readonly kind: 'ok'; readonly tlsVersion: string; readonly certificateDays?: number };

export interface StartTlsOptions {
  readonly port: number;
  readonly lookup: LookupFunction;
  readonly timeoutMs: number;
  /** The name we give in EHLO. */
  readonly ehloName?: string;
  readonly now?: () => Date;
}

// RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; allow slack, but bound lines and replies.
const MAX_LINE = 2048;
const MAX_REPLY_LINES = 64;
const REPLY_LINE = /^([2-5][0-9]{2})([ -])(.*)$/;

/**
 * Does what an MTA-STS sender does with an MX host (RFC 8461 §4.2): connect, EHLO, STARTTLS, then a TLS handshake
 * that validates the chain and the MX name (SNI is the MX name). Then QUIT. One deadline for the TCP connection,
 * another for the dialogue. Never rejects.
 */
export function probeStartTls(host: string, options: StartTlsOptions): Promise<StartTlsOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let tlsSocket: tls.TLSSocket | undefined;
    let buffered = '';
    let replyLines: string[] = [];
    let onReply: ((code: number, lines: string[]) => void) | undefined;
    const seconds = `${options.timeoutMs / 1000} s`;

    const finish = (outcome: StartTlsOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      tlsSocket?.destroy();
      socket.destroy();
      resolve(outcome);
    };
    const failed = (problem: string) => finish({ kind: 'failed', problem });

    const socket = net.connect({ host, port: options.port, lookup: options.lookup });
    let connected = false;
    let timer = setTimeout(
      () => finish({ kind: 'unreachable', problem: `no TCP connection to port ${options.port} within ${seconds}` }),
      options.timeoutMs,
    );
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // An MX name without an address is broken DNS, not a blocked port.
      const unresolved = error.name === 'DnsError' || error.code === 'ENOTFOUND';
      if (connected) failed(`connection error: ${error.code ?? error.message}`);
      else if (unresolved) failed(`cannot resolve the host: ${error.message}`);
      else finish({ kind: 'unreachable', problem: describeConnectError(error, options.port) });
    });
    socket.on('close', () => failed('the server closed the connection'));
    socket.on('connect', () => {
      connected = true;
      clearTimeout(timer);
      timer = setTimeout(() => failed(`the SMTP dialogue did not finish within ${seconds}`), options.timeoutMs);
    });

    socket.setEncoding('latin1');
    const onData = (data: string) => {
      buffered += data;
      let end: number;
      while ((end = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, end).replace(/\r$/, '');
        buffered = buffered.slice(end + 1);
        const match = REPLY_LINE.exec(line);
        if (!match) return failed(`not an SMTP reply: ${JSON.stringify(line.slice(0, 80))}`);
        replyLines.push(match[3]);
        if (replyLines.length > MAX_REPLY_LINES) return failed('SMTP reply too long');
        if (match[2] === ' ') {
          const lines = replyLines;
          replyLines = [];
          const handler = onReply;
          onReply = undefined;
          if (!handler) return failed(`unexpected SMTP reply ${match[1]}`);
          handler(Number(match[1]), lines);
        }
      }
      if (buffered.length > MAX_LINE) failed('SMTP reply line too long');
    };
    socket.on('data', onData);

    const expect = (wanted: number, after: string, next: (lines: string[]) => void) => {
      onReply = (code, lines) => {
        if (code !== wanted) return failed(`${after}: ${code} ${lines[lines.length - 1] ?? ''}`.trim());
        next(lines);
      };
    };

    expect(220, 'greeting', () => {
      socket.write(`EHLO ${options.ehloName ?? 'cdk-mta-sts-check.invalid'}\r\n`);
      expect(250, 'EHLO', (lines) => {
        if (!lines.slice(1).some((line) => /^STARTTLS\b/i.test(line))) {
          socket.write('QUIT\r\n');
          return failed('no STARTTLS: the EHLO reply does not offer it');
        }
        socket.write('STARTTLS\r\n');
        expect(220, 'STARTTLS', () => startTls());
      });
    });

    const startTls = () => {
      socket.removeListener('data', onData);
      socket.removeAllListeners('close');
      tlsSocket = tls.connect({
        socket,
        servername: host,
        secureContext: trustedContext('TLSv1'),
        rejectUnauthorized: true,
      });
      tlsSocket.on('error', (error) => failed(describeTlsError(error, host)));
      tlsSocket.on('secureConnect', () => {
        const validTo = tlsSocket!.getPeerCertificate()?.valid_to;
        const now = (options.now ?? (() => new Date()))();
        const outcome: StartTlsOutcome = {
          kind: 'ok',
          tlsVersion: tlsSocket!.getProtocol() ?? 'unknown',
          certificateDays: validTo ? daysUntil(validTo, now) : undefined,
        };
        tlsSocket!.end('QUIT\r\n');
        finish(outcome);
      });
    };
  });
}

function describeConnectError(error: NodeJS.ErrnoException, port: number): string {
  if (error.code === 'ECONNREFUSED') return `connection to port ${port} refused`;
  return `cannot connect to port ${port} (${error.code ?? error.message})`;
}
