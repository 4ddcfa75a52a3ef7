/**
 * The bundled canary handler, run as Lambda would run it, inside the interop lab's client namespace: it asks the
 * lab's dnsmasq (as its "public" resolver) and fetches the policy from nginx over HTTPS with full validation.
 * Its stdout is what CloudWatch Logs would receive: one JSON line per domain, then the EMF line.
 */
import { bundle } from '../check/cli-bundle';
import { labUnavailableReason, withMtaStsLab } from '../interop/mta-sts-lab';
import type { PublishedMtaSts } from '../interop/mta-sts-lab';

const CRLF = '\r\n';
const POLICY = ['version: STSv1', 'mode: testing', 'mx: mx1.example.com', 'max_age: 604800']
  .map((l) => l + CRLF)
  .join('');
const PUBLISHED: PublishedMtaSts = {
  domain: 'example.com',
  stsTxt: 'v=STSv1; id=abc123',
  tlsRptTxt: 'v=TLSRPTv1; rua=mailto:tlsrpt@example.com',
  policyText: POLICY,
  mx: [{ host: 'mx1.example.com' }],
};
const TIMEOUT_MS = 40_000;

const unavailable = labUnavailableReason();
const inCi = /^(true|1)$/i.test(process.env.CI ?? '');
if (unavailable && !inCi) console.warn(`SKIPPING canary lab tests: ${unavailable}`);
const describeLab = unavailable && !inCi ? describe.skip : describe;

let handlerBundle: ReturnType<typeof bundle> | undefined;
beforeAll(() => {
  if (!unavailable) handlerBundle = bundle('src/canary/canary.lambda.ts');
});
afterAll(() => handlerBundle?.remove());

async function runCanary(published: Partial<PublishedMtaSts>) {
  // The handler reads the domain list from S3 (tested against s3rver); the lab runs what it does with the list.
  const script = `require(${JSON.stringify(handlerBundle!.file)}).checkDomains(['example.com'], 'Mail').then((n) => process.stderr.write('failures=' + n))`;
  const result = await withMtaStsLab({ ...PUBLISHED, ...published }, (lab) =>
    lab.exec(process.execPath, ['-e', script], {
      env: { CANARY_RESOLVERS: '192.0.2.1', CANARY_STEP_TIMEOUT_MS: '3000' },
    }),
  );
  expect(result.code).toBe(0);
  const lines = result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  return { stderr: result.stderr, domainLine: lines[0], emf: lines[1] };
}

describeLab('canary handler in the lab', () => {
  test(
    'a healthy domain passes: no SMTP step, CanaryFailures 0',
    async () => {
      const { stderr, domainLine, emf } = await runCanary({});
      expect(stderr).toBe('failures=0');
      expect(domainLine).toMatchObject({ policyDomain: 'example.com', result: 'pass', failures: [], verdict: 'warn' });
      expect(domainLine.checks.map((c: { id: string; status: string }) => `${c.id} ${c.status}`)).toEqual([
        'sts-record pass',
        'policy-fetch pass',
        'policy-syntax pass',
        'mx-covered pass',
        'mx-tls:mx1.example.com skip',
        'tlsrpt-record pass',
        expect.stringMatching(/^dane (pass|skip)$/),
      ]);
      expect(emf).toMatchObject({ Stack: 'Mail', CanaryFailures: 0 });
    },
    TIMEOUT_MS,
  );

  test(
    'a policy served as application/octet-stream fails, with the reason in the log',
    async () => {
      const { stderr, domainLine, emf } = await runCanary({ contentType: 'application/octet-stream' });
      expect(stderr).toBe('failures=1');
      expect(domainLine).toMatchObject({
        policyDomain: 'example.com',
        result: 'fail',
        failures: [{ id: 'policy-fetch', detail: 'Content-Type application/octet-stream: senders require text/plain' }],
      });
      expect(emf).toMatchObject({ Stack: 'Mail', CanaryFailures: 1 });
    },
    TIMEOUT_MS,
  );
});
