/**
 * The policy file as it is served and stored, said once for the constructs, the handlers and the CLI. No imports:
 * every layer may use it.
 */

/** Where RFC 8461 §3.3 says senders fetch the policy. */
export const POLICY_PATH = '/.well-known/mta-sts.txt';
/** The media type RFC 8461 §3.3 requires of the policy file. */
export const POLICY_CONTENT_TYPE = 'text/plain';
/** Seconds CloudFront and any proxy may keep a policy file. */
export const POLICY_CACHE_SECONDS = 300;
export const POLICY_CACHE_CONTROL = `max-age=${POLICY_CACHE_SECONDS}`;

/** The S3 key of a domain's policy file in the policy bucket (`*` for all of them in an ARN). */
export function policyObjectKey(domainName: string): string {
  return `${domainName}${POLICY_PATH}`;
}

/** The URL senders fetch the policy of a policy host (`mta-sts.<domain>`) from. */
export function policyUrl(policyHost: string): string {
  return `https://${policyHost}${POLICY_PATH}`;
}
