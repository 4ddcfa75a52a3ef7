// Reading a domain's stored reports for `cdk-mta-sts readiness`: bounded listing and streaming from S3.
import { GetObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { HTTPS_REPORTS_PREFIX } from '../reporting/handlers/env';
import { parseStoredReport, ReadinessReport, StoredReportError } from '../reporting/readiness';

const PREFIXES_IN_FLIGHT = 4;
const OBJECTS_IN_FLIGHT = 8;
// Objects are streamed: at most this many bytes of them are read at once (one larger object is read alone), and
// each is reduced to what the assessment counts before the next is read.
const BYTES_IN_FLIGHT = 24 * 1024 * 1024;
// Stored reports are capped at the report size (20 MiB by default) plus a small envelope; larger is not one of ours.
const MAX_OBJECT_BYTES = 32 * 1024 * 1024;

/** An S3 failure: no verdict can be given. */
export class ReadError extends Error {}

/**
 * A client from the default provider chain. The SDK reads AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL itself; such
 * endpoints (S3-compatible servers, local emulators) rarely resolve `<bucket>.<host>`, hence path-style requests.
 */
export async function s3Client(): Promise<S3Client> {
  // The SDK we bundle is fixed at packaging time, so its notice about future SDK releases and Node 20 does not apply.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const endpointSet =
    process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS !== 'true' &&
    Boolean(process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL);
  // Redirects let any region reach the bucket, so a missing region need not be an error.
  const config = { forcePathStyle: endpointSet, followRegionRedirects: true };
  const client = new S3Client(config);
  try {
    await client.config.region();
    return client;
  } catch {
    client.destroy();
    return new S3Client({ ...config, region: 'us-east-1' });
  }
}

function describeError(error: unknown): string {
  const err = error as Error & { $metadata?: { httpStatusCode?: number } };
  const name = err.name && err.name !== 'Error' ? `${err.name}: ` : '';
  const status = err.$metadata?.httpStatusCode;
  return `${name}${err.message || 'no message'}${status !== undefined ? ` (HTTP ${status})` : ''}`;
}

/**
 * Runs `task` over `items` with at most `limit` in flight, keeping the results in order. After a failure no new task
 * starts; once the running ones end, the failure of the earliest item is thrown, so the message does not depend on
 * timing.
 */
async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const failures = new Map<number, unknown>();
  let next = 0;
  const worker = async () => {
    while (next < items.length && failures.size === 0) {
      const i = next++;
      try {
        results[i] = await task(items[i]);
      } catch (e) {
        failures.set(i, e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.size > 0) throw failures.get(Math.min(...failures.keys()));
  return results;
}

/**
 * HTTPS reports stored under `reports/` by earlier versions, as `<key>.https.json`: unauthenticated, so they count
 * only with `--include-https`, like those under `https-reports/`.
 */
const LEGACY_HTTPS_REPORT = /\.https\.json$/;

interface Listed {
  readonly key: string;
  readonly size: number;
}

/**
 * One LIST per day of the window and prefix (never a bucket scan), then one GET per stored report, streamed: a few
 * objects at a time within {@link BYTES_IN_FLIGHT}, each reduced to what the assessment reads before it is kept.
 */
export async function readReports(s3: S3Client, bucket: string, domain: string, dates: string[], prefixes: string[]) {
  const includeHttps = prefixes.includes(HTTPS_REPORTS_PREFIX);
  const dayPrefixes = prefixes.flatMap((p) => dates.map((date) => `${p}policy-domain=${domain}/date=${date}/`));
  try {
    const keysByDay = await mapLimit(dayPrefixes, PREFIXES_IN_FLIGHT, async (prefix) => {
      const keys: Listed[] = [];
      try {
        for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
          for (const { Key: key, Size: size } of page.Contents ?? []) {
            if (key?.endsWith('.json') && (includeHttps || !LEGACY_HTTPS_REPORT.test(key))) {
              keys.push({ key, size: size ?? 0 });
            }
          }
        }
      } catch (e) {
        throw new ReadError(`cannot list s3://${bucket}/${prefix}: ${describeError(e)}`);
      }
      return keys;
    });
    const objects = await mapWithinBudget(keysByDay.flat(), async ({ key, size }) => {
      if (size > MAX_OBJECT_BYTES) {
        return { key, reason: `object is ${size} bytes, over the ${MAX_OBJECT_BYTES}-byte limit` };
      }
      try {
        return { key, ...(await readReport(s3, bucket, key)) };
      } catch (e) {
        if (e instanceof StoredReportError) return { key, reason: e.message };
        throw new ReadError(`cannot read s3://${bucket}/${key}: ${describeError(e)}`);
      }
    });
    const reports: ReadinessReport[] = [];
    const unreadable: { key: string; reason: string }[] = [];
    for (const object of objects) {
      if ('report' in object) reports.push(object.report);
      else unreadable.push(object);
    }
    return { reports, unreadable };
  } finally {
    s3.destroy();
  }
}

/**
 * Like {@link mapLimit}, but also holds the listed bytes of the objects in flight within {@link BYTES_IN_FLIGHT}: a
 * task starts only when its object fits, or when nothing else is running.
 */
async function mapWithinBudget<R>(items: readonly Listed[], task: (item: Listed) => Promise<R>): Promise<R[]> {
  let bytes = 0;
  let running = 0;
  const waiting: (() => void)[] = [];
  const fits = (size: number) => running === 0 || bytes + size <= BYTES_IN_FLIGHT;
  return mapLimit(items, OBJECTS_IN_FLIGHT, async (item) => {
    const size = Math.min(item.size, MAX_OBJECT_BYTES + 1);
    while (!fits(size)) await new Promise<void>((resolve) => waiting.push(resolve));
    bytes += size;
    running++;
    try {
      return await task(item);
    } finally {
      bytes -= size;
      running--;
      waiting.splice(0).forEach((wake) => wake());
    }
  });
}

async function readReport(s3: S3Client, bucket: string, key: string): Promise<{ report: ReadinessReport }> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const size = response.ContentLength ?? 0;
  if (size > MAX_OBJECT_BYTES || !response.Body) {
    (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
    throw new StoredReportError(
      response.Body ? `object is ${size} bytes, over the ${MAX_OBJECT_BYTES}-byte limit` : 'object has no body',
    );
  }
  return { report: parseStoredReport(await response.Body.transformToString('utf-8')) };
}
