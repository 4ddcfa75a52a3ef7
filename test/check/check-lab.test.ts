/**
 * `cdk-mta-sts check` against a lab in network namespaces: dnsmasq (TXT, MX, A, CNAME, TLSA), nginx serving the
 * policy over HTTPS with certificates from a throwaway CA (trusted through NODE_EXTRA_CA_CERTS), and the npm
 * smtp-server with STARTTLS behind each MX address. The CLI runs, bundled, in the client namespace.
 */
import { bundleCli } from './cli-bundle';
import { labUnavailableReason, SILENT_DNS_IP, withMtaStsLab } from '../interop/mta-sts-lab';
import type { LabMx, PublishedMtaSts, RunResult } from '../interop/mta-sts-lab';

const DOMAIN = 'example.com';
const CRLF = '\r\n';
const policy = (...lines: string[]) => lines.map((line) => line + CRLF).join('');
const POLICY = policy(
  'version: STSv1',
  'mode: testing',
  'mx: mx1.example.com',
  'mx: *.mx.example.net',
  'max_age: 604800',
);
const STS_TXT = 'v=STSv1; id=20261126T000000';
const TLSRPT_TXT = 'v=TLSRPTv1; rua=mailto:tlsrpt@example.com';
const MX: LabMx[] = [
  { host: 'mx1.example.com', preference: 10 },
  { host: 'a.mx.example.net', preference: 20, tlsa: true },
];
const BASE: PublishedMtaSts = {
  domain: DOMAIN,
  // The record lives elsewhere and _mta-sts is a CNAME to it: senders follow CNAMEs (RFC 8461 §3.1).
  stsTxt: [],
  cnames: { [`_mta-sts.${DOMAIN}`]: '_mta-sts.policy.example.net' },
  txt: { '_mta-sts.policy.example.net': [STS_TXT] },
  tlsRptTxt: TLSRPT_TXT,
  policyText: POLICY,
  mx: MX,
};
const TIMEOUT_MS = 40_000;

const unavailable = labUnavailableReason();
const inCi = /^(true|1)$/i.test(process.env.CI ?? '');
if (unavailable && !inCi) console.warn(`SKIPPING check lab tests: ${unavailable}`);
// In CI the packages are installed and we run as root: an unavailable lab there is a failure, not a skip.
const describeLab = unavailable && !inCi ? describe.skip : describe;

interface Row {
  id: string;
  status: string;
  detail: string;
}
interface Report {
  domain: string;
  verdict: string;
  checks: Row[];
  policy: unknown;
}

let cli: ReturnType<typeof bundleCli> | undefined;
beforeAll(() => {
  if (!unavailable) cli = bundleCli();
});
afterAll(() => cli?.remove());

async function check(published: Partial<PublishedMtaSts>, args: string[] = []): Promise<RunResult> {
  return withMtaStsLab({ ...BASE, ...published }, (lab) =>
    lab.exec(process.execPath, [cli!.file, 'check', DOMAIN, '--timeout', '3', ...args], { timeoutMs: 30_000 }),
  );
}

async function checkJson(published: Partial<PublishedMtaSts>, args: string[] = []) {
  const result = await check(published, ['--json', ...args]);
  expect(result.stderr).toBe('');
  return { code: result.code, report: JSON.parse(result.stdout) as Report };
}

function row(report: Report, id: string): Row {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no ${id} in ${JSON.stringify(report.checks)}`);
  return found;
}

describeLab('cdk-mta-sts check in the lab', () => {
  test('the lab can run here', () => {
    expect(unavailable).toBeUndefined();
  });

  test(
    'a correct deployment passes every check, in table order, and exits 0',
    async () => {
      const { code, report } = await checkJson({});
      expect(report.checks.map((c) => [c.id, c.status])).toEqual([
        ['sts-record', 'pass'],
        ['policy-fetch', 'pass'],
        ['policy-syntax', 'pass'],
        ['mx-covered', 'pass'],
        ['mx-tls:mx1.example.com', 'pass'],
        ['mx-tls:a.mx.example.net', 'pass'],
        ['tlsrpt-record', 'pass'],
        ['dane', 'pass'],
      ]);
      expect(report).toMatchObject({
        domain: DOMAIN,
        verdict: 'pass',
        policy: { id: '20261126T000000', mode: 'testing', mx: ['mx1.example.com', '*.mx.example.net'], maxAge: 604800 },
      });
      expect(row(report, 'sts-record').detail).toBe('id=20261126T000000');
      expect(row(report, 'policy-fetch').detail).toMatch(
        /^HTTP 200, text\/plain, 91 bytes, TLSv1\.[23], certificate expires in (89|90) days$/,
      );
      expect(row(report, 'mx-covered').detail).toBe('2 MX hosts covered: mx1.example.com, a.mx.example.net');
      expect(row(report, 'mx-tls:mx1.example.com').detail).toMatch(
        /^STARTTLS, TLSv1\.3, certificate expires in (89|90) days$/,
      );
      expect(row(report, 'tlsrpt-record').detail).toBe('rua=mailto:tlsrpt@example.com');
      expect(row(report, 'dane').detail).toBe('TLSA records for a.mx.example.net');
      expect(code).toBe(0);
    },
    TIMEOUT_MS,
  );

  test(
    'the human report is a table and a verdict',
    async () => {
      const result = await check({});
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /^MTA-STS check of example.com\n\nPASS {2}sts-record {15}id=20261126T000000\nPASS {2}policy-fetch {13}HTTP 200/,
      );
      expect(result.stdout).toContain('\nVerdict: pass\nSafe to enforce today:');
    },
    TIMEOUT_MS,
  );

  describe('policy-fetch fails', () => {
    test.each<[string, Partial<PublishedMtaSts>, RegExp]>([
      [
        'a certificate for another name',
        { certName: 'mta-sts.example.net' },
        /certificate name mismatch: not valid for mta-sts\.example\.com \(DNS:mta-sts\.example\.net\)$/,
      ],
      ['an expired certificate', { certKind: 'expired' }, /certificate expired \(CERT_HAS_EXPIRED\)$/],
      [
        'a self-signed certificate',
        { certKind: 'untrusted' },
        /certificate not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)$/,
      ],
      [
        'a redirect',
        { redirectTo: 'https://www.example.com/mta-sts.txt' },
        /^HTTP 301 redirect to https:\/\/www\.example\.com\/mta-sts\.txt: senders do not follow redirects$/,
      ],
      [
        'a body over 64 KB',
        { policyText: POLICY + `x-pad: ${'a'.repeat(70_000)}\r\n` },
        /^body of 64000 bytes or more: senders stop reading$/,
      ],
      [
        'application/octet-stream',
        { contentType: 'application/octet-stream' },
        /^Content-Type application\/octet-stream: senders require text\/plain$/,
      ],
    ])(
      '%s',
      async (_, published, detail) => {
        const { code, report } = await checkJson(published);
        expect(row(report, 'policy-fetch')).toEqual({
          id: 'policy-fetch',
          status: 'fail',
          detail: expect.stringMatching(detail),
        });
        expect(row(report, 'policy-syntax').status).toBe('skip');
        expect(report).toMatchObject({ verdict: 'fail', policy: null });
        expect(code).toBe(1);
      },
      TIMEOUT_MS,
    );
  });

  test(
    'two v=STSv1 records and two v=TLSRPTv1 records fail',
    async () => {
      const { code, report } = await checkJson({
        cnames: {},
        txt: { [`_smtp._tls.${DOMAIN}`]: ['v=TLSRPTv1; rua=mailto:other@example.com'] },
        stsTxt: [STS_TXT, 'v=STSv1; id=other1'],
      });
      expect(row(report, 'sts-record')).toEqual({
        id: 'sts-record',
        status: 'fail',
        detail: expect.stringMatching(/^2 v=STSv1 TXT records \(.*\): senders see no policy$/),
      });
      expect(row(report, 'tlsrpt-record')).toEqual({
        id: 'tlsrpt-record',
        status: 'fail',
        detail: '2 v=TLSRPTv1 TXT records: senders treat the domain as not reporting',
      });
      expect(report.policy).toMatchObject({ id: null, mode: 'testing' });
      expect(code).toBe(1);
    },
    TIMEOUT_MS,
  );

  test(
    'LF-only line ends warn, an uncovered MX fails, a missing TLS-RPT record warns',
    async () => {
      const { code, report } = await checkJson({
        policyText: POLICY.replace(/\r\n/g, '\n'),
        mx: [...MX, { host: 'backup.example.org', preference: 30 }],
        tlsRptTxt: undefined,
      });
      expect(row(report, 'policy-syntax')).toEqual({
        id: 'policy-syntax',
        status: 'warn',
        detail: expect.stringContaining('lines end in LF only'),
      });
      expect(row(report, 'mx-covered')).toEqual({
        id: 'mx-covered',
        status: 'fail',
        detail: 'not covered by any mx pattern: backup.example.org (patterns: mx1.example.com, *.mx.example.net)',
      });
      expect(row(report, 'mx-tls:backup.example.org').status).toBe('pass');
      expect(row(report, 'tlsrpt-record').status).toBe('warn');
      expect(code).toBe(1);
    },
    TIMEOUT_MS,
  );

  test(
    'MX hosts: no STARTTLS, wrong name, expired and untrusted fail; a closed port 25 is skipped',
    async () => {
      const mx: LabMx[] = [
        { host: 'plain.mx.example.net', smtp: 'plain' },
        { host: 'mismatch.mx.example.net', certName: 'other.example.org' },
        { host: 'expired.mx.example.net', certKind: 'expired' },
        { host: 'selfsigned.mx.example.net', certKind: 'untrusted' },
        { host: 'closed.mx.example.net', smtp: 'closed' },
      ];
      const { code, report } = await checkJson({ mx });
      expect(report.checks.filter((c) => c.id.startsWith('mx-tls:'))).toEqual([
        {
          id: 'mx-tls:closed.mx.example.net',
          status: 'skip',
          detail: 'connection to port 25 refused; outbound port 25 may be blocked on this network',
        },
        { id: 'mx-tls:expired.mx.example.net', status: 'fail', detail: 'certificate expired (CERT_HAS_EXPIRED)' },
        {
          id: 'mx-tls:mismatch.mx.example.net',
          status: 'fail',
          detail: 'certificate name mismatch: not valid for mismatch.mx.example.net (DNS:other.example.org)',
        },
        { id: 'mx-tls:plain.mx.example.net', status: 'fail', detail: 'no STARTTLS: the EHLO reply does not offer it' },
        {
          id: 'mx-tls:selfsigned.mx.example.net',
          status: 'fail',
          detail: 'certificate not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)',
        },
      ]);
      expect(row(report, 'mx-covered').status).toBe('pass');
      expect(code).toBe(1);
    },
    TIMEOUT_MS,
  );

  test(
    'port 25 closed everywhere: mx-tls is skipped, nothing fails, and the verdict will not call enforce safe',
    async () => {
      const result = await check({ mx: [{ host: 'mx1.example.com', smtp: 'closed' }] });
      expect(result.stdout).toContain(
        'SKIP  mx-tls:mx1.example.com  connection to port 25 refused; outbound port 25 may be blocked',
      );
      expect(result.stdout).toContain('\nVerdict: warn\nCannot say that enforce is safe:');
      expect(result.code).toBe(0);
    },
    TIMEOUT_MS,
  );

  test(
    '--no-smtp skips every MX probe on purpose',
    async () => {
      const { code, report } = await checkJson({}, ['--no-smtp']);
      expect(report.checks.filter((c) => c.id.startsWith('mx-tls:'))).toEqual([
        { id: 'mx-tls:mx1.example.com', status: 'skip', detail: 'not checked (SMTP probes are off)' },
        { id: 'mx-tls:a.mx.example.net', status: 'skip', detail: 'not checked (SMTP probes are off)' },
      ]);
      expect(report.verdict).toBe('warn');
      expect(code).toBe(0);
    },
    TIMEOUT_MS,
  );

  test(
    'a resolver that never answers: every DNS step times out as a check result, within the deadline',
    async () => {
      const started = Date.now();
      const { code, report } = await checkJson({}, ['--resolver', SILENT_DNS_IP, '--timeout', '1']);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(report.checks).toEqual([
        { id: 'sts-record', status: 'fail', detail: `TXT lookup of _mta-sts.${DOMAIN}: no answer within 1 s` },
        {
          id: 'policy-fetch',
          status: 'fail',
          detail: `https://mta-sts.${DOMAIN}/.well-known/mta-sts.txt: cannot resolve mta-sts.${DOMAIN}: A lookup of mta-sts.${DOMAIN}: no answer within 1 s`,
        },
        { id: 'policy-syntax', status: 'skip', detail: 'no policy file to read (policy-fetch failed)' },
        { id: 'mx-covered', status: 'fail', detail: `MX lookup failed: MX lookup of ${DOMAIN}: no answer within 1 s` },
        { id: 'tlsrpt-record', status: 'fail', detail: `TXT lookup of _smtp._tls.${DOMAIN}: no answer within 1 s` },
        { id: 'dane', status: 'skip', detail: 'no MX hosts to look up' },
      ]);
      expect(code).toBe(1);
    },
    TIMEOUT_MS,
  );
});
