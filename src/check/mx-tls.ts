import { CheckResult, fail, pass, skip, warn } from './check-result';
import type { StartTlsOutcome } from './net/smtp-starttls';
import { describeDays, EXPIRY_WARNING_DAYS } from './policy-fetch';

export const MX_TLS_PREFIX = 'mx-tls:';
const MODERN_TLS = new Set(['TLSv1.2', 'TLSv1.3']);

/** The row id for an MX host: its lower-case name. */
export function mxTlsId(host: string): string {
  return MX_TLS_PREFIX + host.toLowerCase();
}

/**
 * Judges one MX host's STARTTLS probe (RFC 8461 §4.2): a failure to connect is `skip` (outbound port 25 is often
 * blocked), anything after connecting that a sender would refuse is `fail`, expiry within 14 days or TLS before
 * 1.2 is `warn`.
 */
export function checkMxTls(host: string, port: number, outcome: StartTlsOutcome): CheckResult {
  const id = mxTlsId(host);
  if (outcome.kind === 'unreachable') {
    return skip(id, `${outcome.problem}; outbound port ${port} may be blocked on this network`);
  }
  if (outcome.kind === 'failed') return fail(id, outcome.problem);
  const detail = ['STARTTLS', outcome.tlsVersion, describeDays(outcome.certificateDays)].filter(Boolean).join(', ');
  const concerns: string[] = [];
  if (!MODERN_TLS.has(outcome.tlsVersion)) concerns.push(`${outcome.tlsVersion} is below TLS 1.2 (RFC 8461 §7.2)`);
  if (outcome.certificateDays !== undefined && outcome.certificateDays < EXPIRY_WARNING_DAYS) {
    concerns.push('renew the certificate');
  }
  return concerns.length > 0 ? warn(id, `${detail}: ${concerns.join('; ')}`) : pass(id, detail);
}
