import { CheckResult, fail, pass, warn } from './check-result';
import type { HttpsOutcome } from './net/https-get';
import { MAX_POLICY_BYTES } from '../policy/limits';
import { POLICY_CONTENT_TYPE } from '../policy/policy-object';

export const POLICY_FETCH = 'policy-fetch';
/** Certificates closer to expiry than this are a warning (renewal should have happened by then). */
export const EXPIRY_WARNING_DAYS = 14;

export interface PolicyFetchCheck {
  readonly result: CheckResult;
  /** The body as text, when the fetch passed. */
  readonly text?: string;
}

/**
 * Judges the answer to `GET https://mta-sts.<domain>/.well-known/mta-sts.txt` as a strict sender (RFC 8461 §3.3):
 * only a 200 counts, redirects are not followed, the media type must be `text/plain`, the body must stay under
 * the size senders read and be UTF-8.
 */
export function checkPolicyFetch(url: string, outcome: HttpsOutcome): PolicyFetchCheck {
  if (!outcome.ok) return { result: fail(POLICY_FETCH, `${url}: ${outcome.problem}`) };
  if (outcome.status >= 300 && outcome.status < 400) {
    const target = outcome.location ? ` to ${outcome.location}` : '';
    return { result: fail(POLICY_FETCH, `HTTP ${outcome.status} redirect${target}: senders do not follow redirects`) };
  }
  if (outcome.status !== 200) return { result: fail(POLICY_FETCH, `HTTP ${outcome.status}: senders need 200`) };
  const mediaType = (outcome.contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== POLICY_CONTENT_TYPE) {
    const got = outcome.contentType === undefined ? 'no Content-Type' : `Content-Type ${outcome.contentType}`;
    return { result: fail(POLICY_FETCH, `${got}: senders require text/plain`) };
  }
  if (outcome.truncated || outcome.body.length >= MAX_POLICY_BYTES) {
    return { result: fail(POLICY_FETCH, `body of ${MAX_POLICY_BYTES} bytes or more: senders stop reading`) };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(outcome.body);
  } catch {
    return { result: fail(POLICY_FETCH, 'the body is not UTF-8 text') };
  }
  const tls = [outcome.tlsVersion, describeDays(outcome.certificateDays)].filter(Boolean).join(', ');
  const detail = `HTTP 200, ${mediaType}, ${outcome.body.length} bytes${tls ? `, ${tls}` : ''}`;
  const days = outcome.certificateDays;
  const result =
    days !== undefined && days < EXPIRY_WARNING_DAYS
      ? warn(POLICY_FETCH, `${detail}: renew the certificate`)
      : pass(POLICY_FETCH, detail);
  return { result, text };
}

/** `certificate expires in N days`. */
export function describeDays(days: number | undefined): string | undefined {
  if (days === undefined) return undefined;
  return `certificate expires in ${days} day${days === 1 ? '' : 's'}`;
}
