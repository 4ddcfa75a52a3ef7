/**
 * The STARTTLS probe against real local TCP servers that misbehave: what a hostile or broken MX can send must end
 * as a result within the deadline, never as an exception or a hang.
 */
import * as net from 'node:net';
import type { LookupFunction } from '../../src/check/net/dns-client';
import { probeStartTls } from '../../src/check/net/smtp-starttls';

const toLoopback: LookupFunction = (_host, options, callback) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

async function withServer<T>(
  onConnection: (socket: net.Socket) => void,
  run: (port: number) => Promise<T>,
): Promise<T> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await run((server.address() as net.AddressInfo).port);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

const probe = (port: number, timeoutMs = 2000) =>
  probeStartTls('mx.example.com', { port, lookup: toLoopback, timeoutMs });

test.each<[string, (socket: net.Socket) => void, object]>([
  [
    'a refusing greeting',
    (s) => s.write('554 no service here\r\n'),
    { kind: 'failed', problem: 'greeting: 554 no service here' },
  ],
  [
    'not SMTP',
    (s) => s.write('SSH-2.0-OpenSSH_9.2\r\n'),
    { kind: 'failed', problem: 'not an SMTP reply: "SSH-2.0-OpenSSH_9.2"' },
  ],
  [
    'an endless line',
    (s) => s.write('220 ' + 'x'.repeat(5000)),
    { kind: 'failed', problem: 'SMTP reply line too long' },
  ],
  ['an endless reply', (s) => s.write('220-x\r\n'.repeat(100)), { kind: 'failed', problem: 'SMTP reply too long' }],
  [
    'STARTTLS refused',
    (s) => {
      s.write('220 hi\r\n');
      s.on('data', (d: Buffer) => {
        if (d.toString().startsWith('EHLO')) s.write('250-mx\r\n250 STARTTLS\r\n');
        else if (d.toString().startsWith('STARTTLS')) s.write('454 TLS not available\r\n');
      });
    },
    { kind: 'failed', problem: 'STARTTLS: 454 TLS not available' },
  ],
  ['a server that hangs up', (s) => s.end(), { kind: 'failed', problem: 'the server closed the connection' }],
  [
    'a server that never speaks',
    () => undefined,
    { kind: 'failed', problem: 'the SMTP dialogue did not finish within 0.5 s' },
  ],
])('%s', async (name, behave, outcome) => {
  const timeoutMs = name === 'a server that never speaks' ? 500 : 2000;
  await expect(withServer(behave, (port) => probe(port, timeoutMs))).resolves.toEqual(outcome);
});

test('a closed port is unreachable, not a failure', async () => {
  const port = await withServer(
    () => undefined,
    async (p) => p,
  ); // closed once withServer returns
  await expect(probe(port)).resolves.toEqual({ kind: 'unreachable', problem: `connection to port ${port} refused` });
});
