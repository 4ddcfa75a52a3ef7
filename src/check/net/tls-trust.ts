import * as fs from 'node:fs';
import * as tls from 'node:tls';

// Where distributions keep the system trust store as one PEM bundle (Debian/Ubuntu, RHEL/Amazon Linux, SUSE, Alpine).
const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
];
// A trust bundle is a few hundred KB; refuse to read something far larger.
const MAX_BUNDLE_BYTES = 16 * 1024 * 1024;

const contexts = new Map<string, tls.SecureContext>();

/**
 * A context that trusts what a sending MTA would: Node's bundled Mozilla roots, the system trust store and the
 * certificates in `NODE_EXTRA_CA_CERTS` (passing `ca` replaces Node's defaults, so all three are listed).
 *
 * @param minVersion the oldest TLS version to accept; the SMTP probe accepts old versions so that it can report them
 */
export function trustedContext(minVersion: tls.SecureVersion = 'TLSv1.2'): tls.SecureContext {
  const cached = contexts.get(minVersion);
  if (cached) return cached;
  const ca = [
    ...tls.rootCertificates,
    ...readPem(SYSTEM_BUNDLES.find(isFile)),
    ...readPem(process.env.NODE_EXTRA_CA_CERTS),
  ];
  const context = tls.createSecureContext({ ca, minVersion });
  contexts.set(minVersion, context);
  return context;
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function readPem(file: string | undefined): string[] {
  if (!file || !isFile(file) || fs.statSync(file).size > MAX_BUNDLE_BYTES) return [];
  try {
    return fs.readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  } catch {
    return [];
  }
}

/** Days until a certificate's `valid_to` (negative once expired), rounded down. */
export function daysUntil(validTo: string, now: Date): number | undefined {
  const expires = Date.parse(validTo);
  return Number.isNaN(expires) ? undefined : Math.floor((expires - now.getTime()) / 86_400_000);
}

const UNTRUSTED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'INVALID_CA',
]);

/** A TLS failure in the words the report uses: untrusted, name mismatch, expired, or the handshake error. */
export function describeTlsError(error: Error, expectedName: string): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code === 'CERT_HAS_EXPIRED') return 'certificate expired (CERT_HAS_EXPIRED)';
  if (code === 'CERT_NOT_YET_VALID') return 'certificate not yet valid (CERT_NOT_YET_VALID)';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = (error as Error & { cert?: { subjectaltname?: string } }).cert?.subjectaltname;
    return `certificate name mismatch: not valid for ${expectedName}${names ? ` (${names})` : ''}`;
  }
  if (UNTRUSTED.has(code)) return `certificate not trusted (${code})`;
  return `TLS handshake failed: ${error.message}`;
}
