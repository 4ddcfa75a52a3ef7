import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TLSSocket } from 'node:tls';

/** A throwaway CA and certificates it signed, minted with the openssl command line (a Debian package in CI). */
export interface MintedCa {
  readonly caCert: string;
  /** A server certificate and key for `dnsName`, signed by this CA. */
  leaf(dnsName: string): { cert: string; key: string };
  cleanUp(): void;
}

export function mintCa(): MintedCa {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-mta-sts-tls-'));
  const f = (name: string) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  // Missing openssl must fail the test, not skip it: execFileSync throws ENOENT.
  execFileSync('openssl', [
    'req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2',
    '-subj', '/CN=cdk-mta-sts test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ], { stdio: 'pipe' }); // prettier-ignore
  let serial = 1;
  return {
    caCert: fs.readFileSync(f('ca.crt'), 'utf8'),
    leaf(dnsName) {
      serial += 1;
      const name = `leaf${serial}`;
      execFileSync('openssl', ['req', '-new', ...ec, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${dnsName}`], { stdio: 'pipe' }); // prettier-ignore
      fs.writeFileSync(
        f(`${name}.ext`),
        `subjectAltName=DNS:${dnsName}\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n`,
      );
      execFileSync('openssl', [
        'x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'),
        '-set_serial', String(serial), '-days', '2', '-extfile', f(`${name}.ext`), '-out', f(`${name}.crt`),
      ], { stdio: 'pipe' }); // prettier-ignore
      return { cert: fs.readFileSync(f(`${name}.crt`), 'utf8'), key: fs.readFileSync(f(`${name}.key`), 'utf8') };
    },
    cleanUp() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the fake policy host answers. */
export interface HostAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

/** One request the fake host saw: the SNI name the client sent, its Host header and path. */
export interface SeenRequest {
  readonly servername: string | false | null;
  readonly host: string | undefined;
  readonly path: string | undefined;
}

/** A real HTTPS server on loopback standing in for CloudFront's routing endpoint. */
export interface FakePolicyHost {
  readonly port: number;
  answer: HostAnswer;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startPolicyHost(credentials: { cert: string; key: string }): Promise<FakePolicyHost> {
  const host: { answer: HostAnswer; seen: SeenRequest[] } = { answer: { status: 200 }, seen: [] };
  const server = https.createServer({ ...credentials, minVersion: 'TLSv1.2' }, (request, response) => {
    host.seen.push({
      servername: (request.socket as TLSSocket).servername,
      host: request.headers.host,
      path: request.url,
    });
    response.writeHead(host.answer.status, host.answer.headers);
    response.end(host.answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(host, {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
