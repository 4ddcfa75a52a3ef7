import { randomInt } from 'node:crypto';
import * as dgram from 'node:dgram';
import { isIP } from 'node:net';

const TLSA = 52;
const CLASS_IN = 1;
const HEADER_LENGTH = 12;
const NXDOMAIN = 3;
// A UDP answer without EDNS is at most 512 bytes; a larger one is not for us.
const MAX_ANSWER_BYTES = 4096;

/**
 * Counts the TLSA records at `name` with one UDP query to `server` (`IP`, `IP:PORT` or `[IPv6]:PORT`), for Node.js
 * releases whose resolver has no `resolveTlsa` (before 22.15). Resolves to 0 for NXDOMAIN and NODATA; rejects with
 * a one-line reason on timeout, a failure code or a malformed answer.
 */
export function queryTlsaCount(name: string, server: string, timeoutMs: number): Promise<number> {
  const { address, port } = splitServer(server);
  const id = randomInt(0, 0x10000);
  const query = buildQuery(id, name);
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    const done = (error: Error | undefined, count?: number) => {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(count!);
    };
    const timer = setTimeout(() => done(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    socket.on('error', (error) => done(error));
    socket.on('message', (message) => {
      if (message.length > MAX_ANSWER_BYTES || message.length < HEADER_LENGTH || message.readUInt16BE(0) !== id) return;
      try {
        done(undefined, countTlsaAnswers(message));
      } catch (error) {
        done(error as Error);
      }
    });
    socket.send(query, port, address);
  });
}

function splitServer(server: string): { address: string; port: number } {
  const bracketed = /^\[(.+)\]:([0-9]+)$/.exec(server);
  if (bracketed) return { address: bracketed[1], port: Number(bracketed[2]) };
  const v4 = /^([0-9.]+):([0-9]+)$/.exec(server);
  if (v4) return { address: v4[1], port: Number(v4[2]) };
  return { address: server, port: 53 };
}

function buildQuery(id: number, name: string): Buffer {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .map((label) => Buffer.from(label, 'ascii'));
  if (labels.some((label) => label.length === 0 || label.length > 63)) throw new Error(`cannot query ${name}`);
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // recursion desired
  header.writeUInt16BE(1, 4); // one question
  const question = Buffer.alloc(4);
  question.writeUInt16BE(TLSA, 0);
  question.writeUInt16BE(CLASS_IN, 2);
  const qname = Buffer.concat([...labels.flatMap((label) => [Buffer.from([label.length]), label]), Buffer.from([0])]);
  return Buffer.concat([header, qname, question]);
}

/** RFC 1035 §4.1: skips the question, then counts answer records of type TLSA. */
export function countTlsaAnswers(message: Buffer): number {
  const flags = message.readUInt16BE(2);
  if (flags < 0x8000) throw new Error('malformed answer (not a response)');
  const rcode = flags % 16; // the low four bits
  if (rcode === NXDOMAIN) return 0;
  if (rcode !== 0) throw new Error(`the resolver answered with code ${rcode}`);
  const questions = message.readUInt16BE(4);
  const answers = message.readUInt16BE(6);
  let offset = HEADER_LENGTH;
  for (let i = 0; i < questions; i++) offset = skipName(message, offset) + 4;
  let count = 0;
  for (let i = 0; i < answers; i++) {
    offset = skipName(message, offset);
    if (offset + 10 > message.length) throw new Error('malformed answer (truncated record)');
    if (message.readUInt16BE(offset) === TLSA) count++;
    offset += 10 + message.readUInt16BE(offset + 8);
    if (offset > message.length) throw new Error('malformed answer (truncated record)');
  }
  return count;
}

function skipName(message: Buffer, start: number): number {
  let offset = start;
  for (let labels = 0; labels < 128; labels++) {
    if (offset >= message.length) break;
    const length = message[offset];
    if (length === 0) return offset + 1;
    if (length >= 0xc0) return offset + 2; // a compression pointer ends the name
    offset += 1 + length;
  }
  throw new Error('malformed answer (bad name)');
}
