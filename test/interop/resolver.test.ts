/**
 * Interop: a real MTA-STS client (Debian's postfix-mta-sts-resolver) fetches what we publish from a real
 * DNS server (dnsmasq) and HTTPS server (nginx) inside private network namespaces.
 */
import { labUnavailableReason, withMtaStsLab } from './mta-sts-lab';
import type { PublishedMtaSts, ResolvedPolicy } from './mta-sts-lab';

const DOMAIN = 'example.com';
const POLICY_TEXT =
  'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.mx.example.net\r\nmax_age: 604800\r\n';
const STS_TXT = 'v=STSv1; id=abc123';

const PUBLISHED: PublishedMtaSts = {
  domain: DOMAIN,
  stsTxt: STS_TXT,
  tlsRptTxt: 'v=TLSRPTv1; rua=mailto:tls-reports@example.com',
  policyText: POLICY_TEXT,
};

const TEST_TIMEOUT_MS = 20_000;

const unavailable = labUnavailableReason();
const inCi = /^(true|1)$/i.test(process.env.CI ?? '');
if (unavailable && !inCi) {
  console.warn(`SKIPPING MTA-STS resolver interop tests: ${unavailable}`);
}
// In CI everything is installed and we run as root: an unavailable lab there is a failure, not a skip.
const describeLab = unavailable && !inCi ? describe.skip : describe;

/** What the served policy says, read independently of the resolver. */
function expectedFrom(policyText: string) {
  const lines = policyText.split(/\r?\n/).filter(Boolean);
  const values = (key: string) =>
    lines.filter((l) => l.startsWith(`${key}:`)).map((l) => l.slice(key.length + 1).trim());
  return { mode: values('mode')[0], mx: values('mx'), maxAge: Number(values('max_age')[0]) };
}

function idOf(stsTxt: string): string {
  const id = /(?:^|;)\s*id=([^;\s]+)/.exec(stsTxt)?.[1];
  if (!id) throw new Error(`no id in ${stsTxt}`);
  return id;
}

async function resolveWith(published: Partial<PublishedMtaSts>, knownId?: string): Promise<ResolvedPolicy> {
  return withMtaStsLab({ ...PUBLISHED, ...published }, (lab) => lab.resolve(DOMAIN, knownId));
}

describeLab('postfix-mta-sts-resolver interop', () => {
  test('the lab can run here', () => {
    expect(unavailable).toBeUndefined();
  });

  test(
    'reports the served policy VALID with the same id, mode, mx and max_age',
    async () => {
      const expected = expectedFrom(PUBLISHED.policyText);
      const resolved = await resolveWith({});
      expect(resolved).toMatchObject({
        valid: true,
        status: 'VALID',
        id: idOf(STS_TXT),
        mode: expected.mode,
        mx: expected.mx,
        maxAge: expected.maxAge,
      });
      expect(resolved.fields?.version).toBe('STSv1');
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'reads the id from DNS: an unchanged id means no refetch',
    async () => {
      const resolved = await resolveWith({}, idOf(STS_TXT));
      expect(resolved).toMatchObject({ valid: false, status: 'NOT_CHANGED' });
    },
    TEST_TIMEOUT_MS,
  );

  describe('negative controls (the harness can fail)', () => {
    test(
      'policy served as application/octet-stream is rejected',
      async () => {
        const resolved = await resolveWith({ contentType: 'application/octet-stream' });
        expect(resolved).toMatchObject({ valid: false, status: 'FETCH_ERROR' });
      },
      TEST_TIMEOUT_MS,
    );

    test(
      'certificate for another name is rejected (TLS really is verified)',
      async () => {
        const resolved = await resolveWith({ certName: 'mta-sts.example.net' });
        expect(resolved).toMatchObject({ valid: false, status: 'FETCH_ERROR' });
        expect(resolved.log).toMatch(/CERTIFICATE_VERIFY_FAILED/);
      },
      TEST_TIMEOUT_MS,
    );

    test(
      'no _mta-sts TXT record means no policy',
      async () => {
        const resolved = await resolveWith({ stsTxt: [] });
        expect(resolved).toMatchObject({ valid: false, status: 'NONE' });
      },
      TEST_TIMEOUT_MS,
    );

    test(
      'TXT record without an id means no policy',
      async () => {
        const resolved = await resolveWith({ stsTxt: 'v=STSv1;' });
        expect(resolved).toMatchObject({ valid: false, status: 'NONE' });
      },
      TEST_TIMEOUT_MS,
    );

    test(
      'two STSv1 TXT records mean no policy',
      async () => {
        const resolved = await resolveWith({ stsTxt: [STS_TXT, 'v=STSv1; id=other456'] });
        expect(resolved).toMatchObject({ valid: false, status: 'NONE' });
      },
      TEST_TIMEOUT_MS,
    );
  });
});
