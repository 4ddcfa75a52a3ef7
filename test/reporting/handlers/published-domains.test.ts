import { parsePublishedDomainsConfig, readPublishedDomains } from '../../../src/reporting/handlers/published-domains';
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
