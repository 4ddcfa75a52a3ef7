import * as dgram from 'node:dgram';
import { countTlsaAnswers, queryTlsaCount } from '../../src/check/net/tlsa-query';

/** A response header: id 0x1234, QR set, the given rcode, one question, `answers` answers. */
function header(rcode: number, answers: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(0x1234, 0);
  h.writeUInt16BE(0x8180 + rcode, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(answers, 6);
  return h;
}
const QUESTION = Buffer.concat([
  Buffer.from('\x03_25\x04_tcp\x02mx\x07example\x00', 'latin1'),
  Buffer.from([0, 52, 0, 1]),
]);
function record(type: number, rdata: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2);
  fixed.writeUInt32BE(300, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([Buffer.from([0xc0, 12]), fixed, rdata]);
}
const TLSA_RDATA = Buffer.concat([Buffer.from([3, 1, 1]), Buffer.alloc(32, 0xab)]);

describe('countTlsaAnswers', () => {
  test.each<[string, Buffer, number]>([
    ['two TLSA records', Buffer.concat([header(0, 2), QUESTION, record(52, TLSA_RDATA), record(52, TLSA_RDATA)]), 2],
    [
      'a CNAME then a TLSA record',
      Buffer.concat([header(0, 2), QUESTION, record(5, Buffer.from([0xc0, 12])), record(52, TLSA_RDATA)]),
      1,
    ],
    ['NODATA', Buffer.concat([header(0, 0), QUESTION]), 0],
    ['NXDOMAIN', Buffer.concat([header(3, 0), QUESTION]), 0],
  ])('%s', (_, message, count) => {
    expect(countTlsaAnswers(message)).toBe(count);
  });

  test.each<[string, Buffer, string]>([
    ['SERVFAIL', Buffer.concat([header(2, 0), QUESTION]), 'the resolver answered with code 2'],
    [
      'a record past the end',
      Buffer.concat([header(0, 1), QUESTION, record(52, TLSA_RDATA).subarray(0, 20)]),
      'malformed answer (truncated record)',
    ],
    [
      'more answers than present',
      Buffer.concat([header(0, 3), QUESTION, record(52, TLSA_RDATA)]),
      'malformed answer (bad name)',
    ],
    ['a query, not a response', Buffer.concat([Buffer.alloc(12), QUESTION]), 'malformed answer (not a response)'],
  ])('refuses %s', (_, message, error) => {
    expect(() => countTlsaAnswers(message)).toThrow(error);
  });
});

test('queryTlsaCount asks a real UDP server once and times out when it does not answer', async () => {
  const server = dgram.createSocket('udp4');
  let queries = 0;
  server.on('message', (query, peer) => {
    queries++;
    if (queries > 1) return; // the second query goes unanswered
    const answer = Buffer.concat([header(0, 1), query.subarray(12), record(52, TLSA_RDATA)]);
    answer.writeUInt16BE(query.readUInt16BE(0), 0);
    server.send(answer, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${server.address().port}`;
  try {
    await expect(queryTlsaCount('_25._tcp.mx.example', address, 1000)).resolves.toBe(1);
    await expect(queryTlsaCount('_25._tcp.mx.example', address, 300)).rejects.toThrow('no answer within 0.3 s');
  } finally {
    server.close();
  }
});
