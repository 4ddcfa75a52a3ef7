import { parseCanaryConfig } from '../../src/canary/canary-config';
import { runCanary } from '../../src/canary/canary-run';
import { handler, readDomains } from '../../src/canary/canary.lambda';
import { CheckReport } from '../../src/check/check-result';
import { EmfWriter } from '../../src/runtime/emf';
import { BUCKET, useS3Server } from '../support/s3-server';

const NOW = new Date('2026-11-26T06:00:00Z');

function report(domain: string, failing: boolean): CheckReport {
  return {
    domain,
    verdict: failing ? 'fail' : 'warn',
    checks: [
      failing
        ? {
            id: 'policy-fetch',
            status: 'fail',
            detail: 'Content-Type application/octet-stream: senders require text/plain',
          }
        : { id: 'policy-fetch', status: 'pass', detail: 'HTTP 200, text/plain, 91 bytes' },
      { id: 'mx-tls:mx.example.com', status: 'skip', detail: 'not checked (SMTP probes are off)' },
    ],
    policy: null,
  };
}

describe('runCanary', () => {
  test('one JSON line per domain with result and reasons, then CanaryFailures for the stack', async () => {
    const logged: string[] = [];
    const emf: string[] = [];
    const failures = await runCanary(['good.example', 'bad.example', 'broken.example'], {
      check: async (domain) => {
        if (domain === 'broken.example') throw new Error('boom');
        return report(domain, domain === 'bad.example');
      },
      metrics: new EmfWriter({ namespace: 'MtaSts', now: () => NOW, write: (line) => emf.push(line) }),
      stack: 'Mail',
      log: (line) => logged.push(line),
      concurrency: 1,
    });
    expect(failures).toBe(2);
    expect(logged.map((line) => JSON.parse(line))).toEqual([
      {
        policyDomain: 'good.example',
        result: 'pass',
        failures: [],
        verdict: 'warn',
        checks: report('good.example', false).checks,
      },
      {
        policyDomain: 'bad.example',
        result: 'fail',
        failures: [{ id: 'policy-fetch', detail: 'Content-Type application/octet-stream: senders require text/plain' }],
        verdict: 'fail',
        checks: report('bad.example', true).checks,
      },
      {
        policyDomain: 'broken.example',
        result: 'fail',
        failures: [{ id: 'canary', detail: 'the check itself failed: boom' }],
        verdict: 'fail',
        checks: [{ id: 'canary', status: 'fail', detail: 'the check itself failed: boom' }],
      },
    ]);
    expect(emf.map((line) => JSON.parse(line))).toEqual([
      {
        _aws: {
          Timestamp: NOW.getTime(),
          CloudWatchMetrics: [
            { Namespace: 'MtaSts', Dimensions: [['Stack']], Metrics: [{ Name: 'CanaryFailures', Unit: 'Count' }] },
          ],
        },
        Stack: 'Mail',
        CanaryFailures: 2,
      },
    ]);
  });

  test('no failures still publishes a zero, so the alarm knows the canary ran', async () => {
    const emf: string[] = [];
    await runCanary([], {
      check: async (domain) => report(domain, false),
      metrics: new EmfWriter({ namespace: 'MtaSts', now: () => NOW, write: (line) => emf.push(line) }),
      stack: 'Mail',
      log: () => undefined,
    });
    expect(JSON.parse(emf[0]).CanaryFailures).toBe(0);
  });
});

describe('parseCanaryConfig', () => {
  test('reads the domains', () => {
    expect(parseCanaryConfig('{"domains":["example.com","example.org"]}')).toEqual(['example.com', 'example.org']);
  });
  test.each<[string, string]>([
    ['an empty object', '{}'],
    ['not a list', '{"domains":"example.com"}'],
    ['a non-string', '{"domains":[1]}'],
    ['upper case', '{"domains":["Example.com"]}'],
    ['251 domains', JSON.stringify({ domains: Array.from({ length: 251 }, (_, i) => `d${i}.example`) })],
  ])('refuses %s', (_, text) => {
    expect(() => parseCanaryConfig(text)).toThrow(
      'configuration object _cdk-mta-sts/canary.json must be { "domains": [...] } with at most 250 lower-case domain names',
    );
  });
  test('refuses what is not JSON, or too large to read', () => {
    expect(() => parseCanaryConfig('{')).toThrow('configuration object _cdk-mta-sts/canary.json is not JSON');
    expect(() => parseCanaryConfig(' '.repeat(256 * 1024 + 1))).toThrow(
      'configuration object _cdk-mta-sts/canary.json is over 262144 bytes',
    );
  });
});

describe('readDomains (against a real S3 API)', () => {
  const s3 = useS3Server();

  test('reads the list the publisher wrote', async () => {
    await s3.put('_cdk-mta-sts/canary.json', JSON.stringify({ domains: ['example.com'] }));
    await expect(readDomains(s3.client, BUCKET)).resolves.toEqual(['example.com']);
  });

  test('a missing list is an error of the deployment, not a healthy run', async () => {
    await expect(readDomains(s3.client, BUCKET)).rejects.toThrow(/does not exist/);
  });
});

describe('handler', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('needs its stack name and bucket', async () => {
    delete process.env.CANARY_STACK;
    await expect(handler()).rejects.toThrow('environment variable CANARY_STACK is not set');
    process.env.CANARY_STACK = 'Mail';
    delete process.env.CANARY_BUCKET;
    await expect(handler()).rejects.toThrow('environment variable CANARY_BUCKET is not set');
  });
});
