import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PUBLISHED_DOMAINS_KEY } from './env';
import { normalizeHost } from '../../policy/host-name';
import { parseConfigJson } from '../../runtime/config-json';

/** Largest configuration object read, and most domains in it. */
const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_DOMAINS = 10_000;

/** How long a Lambda container uses the list it read before it asks S3 again (a conditional GET). */
export const PUBLISHED_DOMAINS_MAX_AGE_MS = 5 * 60 * 1000;

/**
 * The published domains from the report bucket's configuration object, or undefined when there is none. See
 * {@link PublishedDomainsCache} for reading it in a Lambda.
 */
export async function readPublishedDomains(s3: S3Client, bucket: string): Promise<string[] | undefined> {
  const read = await readConfig(s3, bucket);
  // Without an ETag to compare, the answer is never 'unchanged'.
  return typeof read === 'string' ? undefined : read.domains;
}

interface ConfigRead {
  readonly domains: string[];
  readonly etag: string | undefined;
}

/** `unchanged` only when `etag` is given and S3 answers 304 Not Modified. */
async function readConfig(s3: S3Client, bucket: string, etag?: string): Promise<ConfigRead | 'missing' | 'unchanged'> {
  let text: string;
  let current: string | undefined;
  try {
    const response = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: PUBLISHED_DOMAINS_KEY, ...(etag ? { IfNoneMatch: etag } : {}) }),
    );
    current = response.ETag;
    if ((response.ContentLength ?? 0) > MAX_CONFIG_BYTES) {
      // Release the connection without reading the body.
      response.Body?.transformToWebStream()
        .cancel()
        .catch(() => undefined);
      throw new Error(`configuration object ${PUBLISHED_DOMAINS_KEY} is over ${MAX_CONFIG_BYTES} bytes`);
    }
    text = await response.Body!.transformToString();
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return 'missing';
    if (etag && (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 304) {
      return 'unchanged';
    }
    throw error;
  }
  return { domains: parsePublishedDomainsConfig(text), etag: current };
}

/**
 * The published domains for a Lambda container. The policy publisher rewrites the object at deployment without
 * touching the functions, so a container that kept its first read forever would miss domains added later, or, at
 * the first deployment, the object written after the function started. So the list is re-read at most every
 * {@link PUBLISHED_DOMAINS_MAX_AGE_MS} (a conditional GET on its ETag, cheap when unchanged), and a missing object
 * or a failed read is never kept: the next invocation asks again. The same array is returned while the list is
 * unchanged, so callers can tell a change by identity.
 */
export class PublishedDomainsCache {
  private cached?: ConfigRead & { readonly readAt: number };

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The list, or undefined while the object is missing. Read errors are thrown, not cached. */
  async get(): Promise<string[] | undefined> {
    const now = this.now();
    if (this.cached && now - this.cached.readAt < PUBLISHED_DOMAINS_MAX_AGE_MS) return this.cached.domains;
    const read = await readConfig(this.s3, this.bucket, this.cached?.etag);
    if (read === 'missing') {
      this.cached = undefined;
      return undefined;
    }
    if (read === 'unchanged') {
      this.cached = { ...this.cached!, readAt: now };
      return this.cached.domains;
    }
    const same = this.cached && this.cached.domains.join(',') === read.domains.join(',');
    this.cached = { domains: same ? this.cached!.domains : read.domains, etag: read.etag, readAt: now };
    return this.cached.domains;
  }
}

/** `{ "policyDomains": [string, …] }`, normalized like {@link parsePolicyDomains}. */
export function parsePublishedDomainsConfig(text: string): string[] {
  const parsed = parseConfigJson(text, PUBLISHED_DOMAINS_KEY);
  const domains = (parsed as { policyDomains?: unknown } | null)?.policyDomains;
  if (!Array.isArray(domains) || domains.length > MAX_DOMAINS || !domains.every((d) => typeof d === 'string')) {
    throw new Error(
      `configuration object ${PUBLISHED_DOMAINS_KEY} must be { "policyDomains": [string, …] } with at most ${MAX_DOMAINS} domains`,
    );
  }
  return parsePolicyDomains(domains.join(','));
}

/** The policy domains in a comma-separated list: lower-cased, without a trailing dot, blanks dropped. */
export function parsePolicyDomains(value: string): string[] {
  return value
    .split(',')
    .map((domain) => normalizeHost(domain.trim()))
    .filter((domain) => domain !== '');
}

/**
 * True when `domain` is one of `published` or a subdomain of one: DANE (`tlsa`) reports name the TLSA base
 * domain, i.e. an MX host such as `mx1.example.com`, rather than the recipient domain.
 */
export function isPublishedDomain(domain: string | null, published: readonly string[]): boolean {
  if (domain === null) return false;
  const name = normalizeHost(domain);
  return published.some((p) => name === p || name.endsWith(`.${p}`));
}
