import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  parsePublishedDomainsConfig,
  PUBLISHED_DOMAINS_MAX_AGE_MS,
  PublishedDomainsCache,
  readPublishedDomains,
} from '../../../src/reporting/handlers/published-domains';
import { BUCKET, useS3Server } from '../../support/s3-server';

const KEY = '_cdk-mta-sts/published-domains.json';
const s3 = useS3Server();

describe('readPublishedDomains (the configuration object the policy publisher writes)', () => {
  test('reads and normalizes the list', async () => {
    await s3.put(KEY, JSON.stringify({ policyDomains: ['Example.COM.', ' example.org ', ''] }));
    await expect(readPublishedDomains(s3.client, BUCKET)).resolves.toEqual(['example.com', 'example.org']);
  });

  test('no object yet: undefined, so the caller decides', async () => {
    await expect(readPublishedDomains(s3.client, BUCKET)).resolves.toBeUndefined();
  });

  test('refuses an object over 1 MiB without parsing it', async () => {
    await s3.put(KEY, JSON.stringify({ policyDomains: ['x'.repeat(1024 * 1024)] }));
    await expect(readPublishedDomains(s3.client, BUCKET)).rejects.toThrow(
      `configuration object ${KEY} is over 1048576 bytes`,
    );
  });
});

describe('parsePublishedDomainsConfig', () => {
  test.each([
    ['not json', `configuration object ${KEY} is not JSON`],
    ['["example.com"]', 'must be { "policyDomains": [string, …] } with at most 10000 domains'],
    ['{"policyDomains":[1]}', 'must be { "policyDomains": [string, …] }'],
    [JSON.stringify({ policyDomains: Array(10_001).fill('a.example') }), 'with at most 10000 domains'],
  ])('rejects %#', (text, message) => {
    expect(() => parsePublishedDomainsConfig(text)).toThrow(message);
  });
});

describe('PublishedDomainsCache (a Lambda container re-reads the list)', () => {
  // Before, the lambdas read the object once per container: a missing object at the first deployment, or a domain
  // added later, stayed unseen until the container was recycled. Each test here failed then (no cache to ask).
  let clock: number;
  let gets: { ifNoneMatch?: string }[];

  /** The real S3 API, counting GETs and failing the next one on request. */
  function countingClient(failNext = { count: 0 }): S3Client {
    const real = s3.client;
    return {
      send: async (command: GetObjectCommand) => {
        gets.push({ ifNoneMatch: command.input.IfNoneMatch });
        if (failNext.count > 0) {
          failNext.count--;
          throw Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError' });
        }
        return real.send(command);
      },
    } as unknown as S3Client;
  }

  beforeEach(() => {
    clock = Date.parse('2026-11-26T10:00:00Z');
    gets = [];
  });

  test('a missing object is not kept: the next invocation sees it once written', async () => {
    const cache = new PublishedDomainsCache(countingClient(), BUCKET, () => clock);
    await expect(cache.get()).resolves.toBeUndefined();
    await s3.put(KEY, JSON.stringify({ policyDomains: ['example.com'] }));
    await expect(cache.get()).resolves.toEqual(['example.com']);
    expect(gets).toHaveLength(2);
  });

  test('kept for 5 minutes, then re-read with a conditional GET; a change is seen', async () => {
    await s3.put(KEY, JSON.stringify({ policyDomains: ['example.com'] }));
    const cache = new PublishedDomainsCache(countingClient(), BUCKET, () => clock);
    const first = await cache.get();
    expect(first).toEqual(['example.com']);
    await s3.put(KEY, JSON.stringify({ policyDomains: ['example.com', 'example.org'] }));
    clock += PUBLISHED_DOMAINS_MAX_AGE_MS - 1;
    await expect(cache.get()).resolves.toBe(first);
    expect(gets).toHaveLength(1);
    clock += 1;
    await expect(cache.get()).resolves.toEqual(['example.com', 'example.org']);
    expect(gets).toHaveLength(2);
    expect(gets[1].ifNoneMatch).toMatch(/^"[0-9a-f]{32}"$/);
  });

  test('unchanged: S3 answers 304 and the same list (the same array) is kept', async () => {
    await s3.put(KEY, JSON.stringify({ policyDomains: ['example.com'] }));
    const cache = new PublishedDomainsCache(countingClient(), BUCKET, () => clock);
    const first = await cache.get();
    clock += PUBLISHED_DOMAINS_MAX_AGE_MS;
    await expect(cache.get()).resolves.toBe(first);
    expect(gets.map((g) => g.ifNoneMatch === undefined)).toEqual([true, false]);
  });

  test('a failed read is thrown and not kept: the next invocation reads again', async () => {
    await s3.put(KEY, JSON.stringify({ policyDomains: ['example.com'] }));
    const failNext = { count: 1 };
    const cache = new PublishedDomainsCache(countingClient(failNext), BUCKET, () => clock);
    await expect(cache.get()).rejects.toThrow('We encountered an internal error.');
    await expect(cache.get()).resolves.toEqual(['example.com']);
    expect(gets).toHaveLength(2);
  });
});
