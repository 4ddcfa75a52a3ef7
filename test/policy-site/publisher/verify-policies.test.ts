import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { CloudFrontClient, GetManagedCertificateDetailsCommand } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { FakePolicyHost, HostAnswer, mintCa, MintedCa, startPolicyHost } from './tls-fixture';
import { fetchPolicy, FetchPolicyOptions } from '../../../src/policy-site/publisher/fetch-policy';
import { sha256, VerifyItem } from '../../../src/policy-site/publisher/publisher-properties';
import { VerifyEvent, verifyPolicies } from '../../../src/policy-site/publisher/verify-policies';

const cloudfront = mockClient(CloudFrontClient);
const client = new CloudFrontClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

const POLICY = 'version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmax_age: 604800\r\n';
const OLD_POLICY = 'version: STSv1\r\nmode: none\r\nmx: mx1.example.com\r\nmax_age: 86400\r\n';
const ENDPOINT = 'd1234abcd.cloudfront.net';
const NOW = Date.parse('2026-11-26T10:00:00Z');

let ca: MintedCa;
let host: FakePolicyHost;
let wrongNameHost: FakePolicyHost;
let foreignCaHost: FakePolicyHost;
let connections: FetchPolicyOptions[];

beforeAll(async () => {
  ca = mintCa();
  host = await startPolicyHost(ca.leaf('mta-sts.example.com'));
  wrongNameHost = await startPolicyHost(ca.leaf('mta-sts.example.org'));
  const otherCa = mintCa();
  foreignCaHost = await startPolicyHost(otherCa.leaf('mta-sts.example.com'));
  otherCa.cleanUp();
});

afterAll(async () => {
  await Promise.all([host.close(), wrongNameHost.close(), foreignCaHost.close()]);
  ca.cleanUp();
  cloudfront.restore();
});

beforeEach(() => {
  cloudfront.reset();
  connections = [];
  host.seen.length = 0;
  host.answer = { status: 200, headers: { 'content-type': 'text/plain' }, body: POLICY };
});

function item(overrides: Partial<VerifyItem> = {}): VerifyItem {
  return {
    Domain: 'example.com',
    TenantId: 'dt_example',
    ManagedCertificate: false,
    Sha256: sha256(POLICY),
    ...overrides,
  };
}

function event(items: VerifyItem[], deadline = NOW + 60_000): VerifyEvent {
  return { RequestType: 'Create', Verify: items, Deadline: deadline, RoutingEndpoint: ENDPOINT };
}

/** The real fetch, reaching `target` on loopback instead of the routing endpoint, trusting only our CA. */
function verify(e: VerifyEvent, target: FakePolicyHost = host, now = NOW, logs: string[] = []) {
  return verifyPolicies(e, {
    cloudfront: client,
    fetchPolicy: (options) => {
      connections.push(options);
      return fetchPolicy({ ...options, connectTo: '127.0.0.1', port: target.port, ca: ca.caCert });
    },
    now: () => now,
    log: (line) => logs.push(line),
  });
}

describe('HTTPS verification through the routing endpoint', () => {
  test('complete when the new bytes are served as text/plain; SNI and Host are mta-sts.<domain>', async () => {
    await expect(verify(event([item()]))).resolves.toEqual({ IsComplete: true });
    expect(connections).toEqual([{ connectTo: ENDPOINT, hostName: 'mta-sts.example.com' }]);
    expect(host.seen).toEqual([
      { servername: 'mta-sts.example.com', host: 'mta-sts.example.com', path: '/.well-known/mta-sts.txt' },
    ]);
  });

  test('live at one edge, but not complete before NotBefore: other edges may still serve their cached copy', async () => {
    // Before, one edge serving the new bytes completed the update at once.
    const logs: string[] = [];
    const waiting = { ...event([item()]), NotBefore: NOW + 300_000 };
    await expect(verify(waiting, host, NOW, logs)).resolves.toEqual({ IsComplete: false });
    expect(JSON.parse(logs[0])).toEqual({ live: 1, notLive: [], waitingForCachesUntil: '2026-11-26T10:05:00.000Z' });
    await expect(verify(waiting, host, NOW + 299_999)).resolves.toEqual({ IsComplete: false });
    await expect(verify(waiting, host, NOW + 300_000)).resolves.toEqual({ IsComplete: true });
  });

  test('text/plain with a charset is accepted', async () => {
    host.answer = { ...host.answer, headers: { 'content-type': 'text/plain; charset=utf-8' } };
    await expect(verify(event([item()]))).resolves.toEqual({ IsComplete: true });
  });

  test('old bytes: not complete before the deadline, then fails naming what it saw', async () => {
    host.answer = { ...host.answer, body: OLD_POLICY };
    const logs: string[] = [];
    await expect(verify(event([item()]), host, NOW, logs)).resolves.toEqual({ IsComplete: false });
    expect(JSON.parse(logs[0])).toEqual({
      live: 0,
      notLive: [
        {
          domain: 'example.com',
          state: 'waiting',
          saw: `old or other bytes (${OLD_POLICY.length} bytes, sha256 ${sha256(OLD_POLICY).slice(0, 12)}…)`,
        },
      ],
    });
    await expect(verify(event([item()], NOW - 1))).rejects.toThrow(
      `New MTA-STS policies were not live over HTTPS by the deadline, so the _mta-sts records keep their old ids: example.com: old or other bytes (${OLD_POLICY.length} bytes`,
    );
  });

  test.each<[string, HostAnswer, string]>([
    [
      'octet-stream',
      { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: POLICY },
      'Content-Type "application/octet-stream", not text/plain',
    ],
    ['a redirect', { status: 301, headers: { location: 'https://example.com/' } }, 'HTTP 301 to https://example.com/'],
    ['403', { status: 403, body: '<Error>AccessDenied</Error>' }, 'HTTP 403'],
    [
      'over 64 KB',
      { status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.alloc(70_000, 'a') },
      'HTTPS failed: response larger than 65536 bytes',
    ],
  ])('%s is not live', async (_name, answer, saw) => {
    host.answer = answer;
    await expect(verify(event([item()], NOW - 1))).rejects.toThrow(`example.com: ${saw}`);
  });

  test('full certificate validation: a certificate for another name is not accepted', async () => {
    await expect(verify(event([item()], NOW - 1), wrongNameHost)).rejects.toThrow(
      /example\.com: HTTPS failed: ERR_TLS_CERT_ALTNAME_INVALID: Hostname\/IP does not match certificate's altnames: Host: mta-sts\.example\.com/,
    );
  });

  test('full certificate validation: a certificate from an untrusted CA is not accepted', async () => {
    await expect(verify(event([item()], NOW - 1), foreignCaHost)).rejects.toThrow(
      /example\.com: HTTPS failed: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/,
    );
  });

  test('a host that accepts the connection but never answers: bounded by the fetch timeout', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const fetched = await fetchPolicy({
        connectTo: '127.0.0.1',
        port,
        hostName: 'mta-sts.example.com',
        timeoutMs: 200,
      });
      expect(fetched).toEqual({ error: 'no complete answer within 200 ms' });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('a host that drips its answer a byte at a time: bounded by the overall deadline, not reset by each byte', async () => {
    // Before, the timeout was an idle timeout: a byte every 150 ms kept a 400 ms fetch waiting for the whole 1.8 s.
    const drip = https.createServer(
      { ...ca.leaf('mta-sts.example.com'), minVersion: 'TLSv1.2' },
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        let sent = 0;
        const timer = setInterval(() => {
          response.write('x');
          if (++sent === 12) {
            clearInterval(timer);
            response.end();
          }
        }, 150);
        response.on('close', () => clearInterval(timer));
      },
    );
    await new Promise<void>((resolve) => drip.listen(0, '127.0.0.1', resolve));
    try {
      const port = (drip.address() as AddressInfo).port;
      const options = { connectTo: '127.0.0.1', port, hostName: 'mta-sts.example.com', ca: ca.caCert, timeoutMs: 400 };
      expect(await fetchPolicy(options)).toEqual({ error: 'no complete answer within 400 ms' });
    } finally {
      drip.closeAllConnections();
      await new Promise((resolve) => drip.close(resolve));
    }
  });

  test('a failure message names five domains and counts the rest', async () => {
    host.answer = { ...host.answer, body: OLD_POLICY };
    const items = Array.from({ length: 8 }, (_, i) => item({ Domain: `d${i}.example.com` }));
    const error = await verify(event(items, NOW - 1)).catch((e: Error) => e);
    expect(String(error)).toContain('d4.example.com: HTTPS failed');
    expect(String(error)).not.toContain('d5.example.com');
    expect(String(error)).toMatch(/; and 3 more \(see the log\)$/);
  });

  test("the failure reason fits CloudFormation's 4 KB reply whatever the hosts answer", async () => {
    host.answer = { status: 302, headers: { location: `https://example.com/${'x'.repeat(5000)}` } };
    const label = 'a'.repeat(63);
    // The first is served (a redirect with a huge Location); the others, with names of 200 characters, fail TLS.
    const items = [
      item(),
      ...Array.from({ length: 7 }, (_, i) => item({ Domain: `${label}.${label}.${label}.d${i}.example` })),
    ];
    const error = (await verify(event(items, NOW - 1)).catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/^New MTA-STS policies were not live/);
    expect(error.message).toContain('example.com: HTTP 302 to https://example.com/xxx');
    expect(error.message).toMatch(/; and 3 more \(see the log\)$/);
    expect(error.message.length).toBeLessThan(2500);
  });

  test('nothing to verify, or a Delete: complete at once', async () => {
    await expect(verify(event([]))).resolves.toEqual({ IsComplete: true });
    await expect(verify({ RequestType: 'Delete' })).resolves.toEqual({ IsComplete: true });
    expect(connections).toEqual([]);
  });
});

describe('CloudFront-managed certificates', () => {
  test('pending validation: waits without fetching', async () => {
    cloudfront
      .on(GetManagedCertificateDetailsCommand, { Identifier: 'dt_example' })
      .resolves({ ManagedCertificateDetails: { CertificateStatus: 'pending-validation' } });
    await expect(verify(event([item({ ManagedCertificate: true })]))).resolves.toEqual({ IsComplete: false });
    expect(connections).toEqual([]);
    await expect(verify(event([item({ ManagedCertificate: true })], NOW - 1))).rejects.toThrow(
      'example.com: certificate pending-validation',
    );
  });

  test('issued: then the policy is fetched', async () => {
    cloudfront
      .on(GetManagedCertificateDetailsCommand)
      .resolves({ ManagedCertificateDetails: { CertificateStatus: 'issued' } });
    await expect(verify(event([item({ ManagedCertificate: true })]))).resolves.toEqual({ IsComplete: true });
    expect(cloudfront.commandCalls(GetManagedCertificateDetailsCommand)[0].args[0].input).toEqual({
      Identifier: 'dt_example',
    });
  });

  test.each(['validation-timed-out', 'failed', 'revoked'] as const)(
    '%s fails at once, before the deadline',
    async (status) => {
      cloudfront
        .on(GetManagedCertificateDetailsCommand)
        .resolves({ ManagedCertificateDetails: { CertificateStatus: status } });
      await expect(verify(event([item({ ManagedCertificate: true })]))).rejects.toThrow(
        `The policy host cannot serve example.com: CloudFront-managed certificate is ${status}: check that mta-sts.example.com is a CNAME to ${ENDPOINT} and no CAA record forbids Amazon`,
      );
    },
  );
});
