import { parseCanaryEvent } from '../../src/canary/canary-config';
import { runCanary } from '../../src/canary/canary-run';
import { handler } from '../../src/canary/canary.lambda';
import { CheckReport } from '../../src/check/check-result';
import { EmfWriter } from '../../src/monitoring/emf';

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

describe('parseCanaryEvent', () => {
  test('reads the domains', () => {
    expect(parseCanaryEvent({ domains: ['example.com', 'example.org'] })).toEqual(['example.com', 'example.org']);
  });
  test.each<[string, unknown]>([
    ['no event', undefined],
    ['a scheduled event without input', { 'detail-type': 'Scheduled Event', detail: {} }],
    ['not a list', { domains: 'example.com' }],
    ['a non-string', { domains: [1] }],
    ['upper case', { domains: ['Example.com'] }],
    ['101 domains', { domains: Array.from({ length: 101 }, (_, i) => `d${i}.example`) }],
  ])('refuses %s', (_, event) => {
    expect(() => parseCanaryEvent(event)).toThrow(
      'the canary event must be { "domains": [...] } with at most 100 lower-case domain names',
    );
  });
});

describe('handler', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('needs its stack name', async () => {
    delete process.env.CANARY_STACK;
    await expect(handler({ domains: [] })).rejects.toThrow('environment variable CANARY_STACK is not set');
  });

  test('refuses a malformed event before checking anything', async () => {
    process.env.CANARY_STACK = 'Mail';
    await expect(handler({ domains: ['EXAMPLE.COM'] })).rejects.toThrow('the canary event must be');
  });
});
