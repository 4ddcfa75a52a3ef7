// Result types of RFC 8460 §4.3 and the IANA "STARTTLS Validation Result Types" registry, said once: the parser,
// the metrics, the monitoring and the readiness assessment group them from these lists.

/** RFC 8460 §4.3.1: STARTTLS or certificate problems; under `enforce` each such session is a delivery failure. */
export const NEGOTIATION_FAILURE_TYPES: readonly string[] = [
  'starttls-not-supported',
  'certificate-host-mismatch',
  'certificate-expired',
  'certificate-not-trusted',
  'validation-failure',
];

/** RFC 8460 §4.3.2: DANE policy failures. */
export const DANE_RESULT_TYPES: readonly string[] = ['tlsa-invalid', 'dnssec-invalid', 'dane-required'];

/** Result types that mean senders could not fetch, parse or trust the MTA-STS policy itself (RFC 8460 §4.3.2). */
export const STS_RESULT_TYPES: readonly string[] = [
  'sts-policy-fetch-error',
  'sts-policy-invalid',
  'sts-webpki-invalid',
];

/** Every registered result type. */
export const RESULT_TYPES: ReadonlySet<string> = new Set([
  ...NEGOTIATION_FAILURE_TYPES,
  ...DANE_RESULT_TYPES,
  ...STS_RESULT_TYPES,
]);
