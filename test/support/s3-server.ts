import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export const BUCKET = 'reports';
export const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface StoredBody {
  readonly bytes: Buffer;
  /** The bytes as UTF-8. */
  readonly body: string;
  readonly contentType: string | undefined;
}

/** A real S3 API (s3rver) on loopback, with one bucket, `reports`, emptied by {@link reset}. */
export interface S3Server {
  readonly endpoint: string;
  /** A client for it; no retries, so an injected failure is seen once. */
  readonly client: S3Client;
  reset(): Promise<void>;
  put(key: string, body: Uint8Array | string): Promise<void>;
  get(key: string): Promise<StoredBody>;
  /** Every key in the bucket, sorted. */
  keys(): Promise<string[]>;
  /** Makes the next PUT of a key matching `pattern` fail, by default with 500 InternalError. */
  failNextPut(pattern: RegExp, status?: number, code?: string): void;
  /** Holds HEAD requests until `count` of them have arrived, to line up a race between two writers. */
  holdHeads(count: number): void;
  close(): Promise<void>;
}

function xmlError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

function bucketAndKey(urlPath: string): [string, string] {
  const [, bucket, ...key] = urlPath.split('/');
  return [bucket, decodeURIComponent(key.join('/'))];
}

export async function startS3Server(): Promise<S3Server> {
  const directory = mkdtempSync(path.join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: BUCKET }],
  });

  let failPut: { pattern: RegExp; status: number; code: string } | undefined;
  let heldHeads: { count: number; waiting: (() => void)[] } | undefined;
  let putQueue = Promise.resolve();

  // s3rver ignores If-None-Match on PUT; S3 answers 412 when the key exists. PUTs are serialised so that the check
  // and the write are atomic, as they are in S3.
  server.middleware.unshift(async (ctx, next) => {
    const [bucket, key] = bucketAndKey(ctx.path);
    if (ctx.method === 'HEAD' && heldHeads) {
      const gate = heldHeads;
      await new Promise<void>((resolve) => {
        gate.waiting.push(resolve);
        if (gate.waiting.length >= gate.count) gate.waiting.forEach((release) => release());
      });
      heldHeads = undefined;
    }
    if (ctx.method !== 'PUT' || key === '') return next();
    if (failPut?.pattern.test(key)) {
      ctx.status = failPut.status;
      ctx.type = 'application/xml';
      ctx.body = xmlError(failPut.code, 'injected failure');
      failPut = undefined;
      return;
    }
    const turn = putQueue.then(async () => {
      if (ctx.headers['if-none-match'] === '*' && (await server.store.existsObject(bucket, key))) {
        ctx.status = 412;
        ctx.type = 'application/xml';
        ctx.body = xmlError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
        return;
      }
      await next();
    });
    putQueue = turn.catch(() => undefined);
    return turn;
  });

  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });

  return {
    endpoint,
    client,
    async reset() {
      server.reset();
      await server.configureBuckets();
      failPut = undefined;
      heldHeads = undefined;
    },
    async put(key, body) {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    },
    async get(key) {
      const response = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      const bytes = Buffer.from(await response.Body!.transformToByteArray());
      return { bytes, body: bytes.toString('utf8'), contentType: response.ContentType };
    },
    async keys() {
      const response = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
      return (response.Contents ?? []).map((object) => object.Key!).sort();
    },
    failNextPut(pattern, status = 500, code = 'InternalError') {
      failPut = { pattern, status, code };
    },
    holdHeads(count) {
      heldHeads = { count, waiting: [] };
    },
    async close() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * One s3rver for the suite (or the `describe` it is called in), started before its first test, emptied before each
 * test and closed after the last. The object it returns stands for the running server.
 */
export function useS3Server(): S3Server {
  let server: S3Server | undefined;
  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(async () => {
    await server?.reset();
  });
  return new Proxy({} as S3Server, {
    get: (_, property) => {
      if (!server) throw new Error('the S3 server starts before the first test: use it inside hooks and tests');
      const value = Reflect.get(server, property);
      return typeof value === 'function' ? value.bind(server) : value;
    },
  });
}
