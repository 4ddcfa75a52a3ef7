import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PUBLISHED_DOMAINS_KEY } from './env';
import { normalizeHost } from '../../policy/host-name';
import { parseConfigJson } from '../../shared/config-json';

/** Largest configuration object read, and most domains in it. */
const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_DOMAINS = 10_000;

/**
 * The published domains from the report bucket's configuration object, or undefined when there is none. Read once
 * per Lambda container: a deployment that changes the list also updates the functions' code or configuration only
 * when those change, so a container may keep the old list until it is recycled (minutes to hours).
 */
export async function readPublishedDomains(s3: S3Client, bucket: string): Promise<string[] | undefined> {
  let text: string;
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: PUBLISHED_DOMAINS_KEY }));
    if ((response.ContentLength ?? 0) > MAX_CONFIG_BYTES) {
      // Release the connection without reading the body.
      response.Body?.transformToWebStream()
        .cancel()
        .catch(() => undefined);
      throw new Error(`configuration object ${PUBLISHED_DOMAINS_KEY} is over ${MAX_CONFIG_BYTES} bytes`);
    }
    text = await response.Body!.transformToString();
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
  return parsePublishedDomainsConfig(text);
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
