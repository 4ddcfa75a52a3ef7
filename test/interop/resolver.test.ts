/**
 * Interop: a real MTA-STS client (Debian's postfix-mta-sts-resolver) fetches what we publish from a real
 * DNS server (dnsmasq) and HTTPS server (nginx) inside private network namespaces.
 */
import { Duration } from 'aws-cdk-lib';
import { labUnavailableReason, withMtaStsLab } from './mta-sts-lab';
import type { PublishedMtaSts, ResolvedPolicy } from './mta-sts-lab';
import { synthesizeMtaSts } from './synthesized-mta-sts';
import { MtaStsMode } from '../../src';

const DOMAIN = 'example.com';
// What the library really synthesizes, not hand-written values.
const MODE = MtaStsMode.ENFORCE;
const MX = ['mail.example.com', '*.mx.example.net'];
const MAX_AGE = Duration.days(7);
const PUBLISHED: PublishedMtaSts = synthesizeMtaSts(DOMAIN, {
  mode: MODE,
  mx: MX,
  maxAge: MAX_AGE,
  reportUris: ['mailto:tls-reports@example.com'],
});
const STS_TXT = PUBLISHED.stsTxt as string;

const TEST_TIMEOUT_MS = 20_000;

const unavailable = labUnavailableReason();
const inCi = /^(true|1)$/i.test(process.env.CI ?? '');
if (unavailable && !inCi) {
  console.warn(`SKIPPING MTA-STS resolver interop tests: ${unavailable}`);
}
// In CI everything is installed and we run as root: an unavailable lab there is a failure, not a skip.
const describeLab = unavailable && !inCi ? describe.skip : describe;

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
      const expected = { mode: 'enforce', mx: MX, maxAge: 604800 };
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
