/** RFC 8460 §4.3 and the IANA "STARTTLS Validation Result Types" registry. */
export const RESULT_TYPES: ReadonlySet<string> = new Set([
  'starttls-not-supported',
  'certificate-host-mismatch',
  'certificate-expired',
  'certificate-not-trusted',
  'validation-failure',
  'tlsa-invalid',
  'dnssec-invalid',
  'dane-required',
  'sts-policy-fetch-error',
  'sts-policy-invalid',
  'sts-webpki-invalid',
]);

/** Result types that mean senders could not fetch, parse or trust the MTA-STS policy itself (RFC 8460 §4.3.2). */
export const STS_RESULT_TYPES: readonly string[] = [
  'sts-policy-fetch-error',
  'sts-policy-invalid',
  'sts-webpki-invalid',
];
