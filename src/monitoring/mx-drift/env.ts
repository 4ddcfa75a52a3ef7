/**
 * What the MX drift check Lambda and the construct that deploys it agree on: environment variable names, metric
 * names and where a policy file lives. No AWS SDK imports here: the construct imports this file.
 */

/**
 * The domains to check, as a JSON array of {@link DriftCheckDomain}. Required (an empty array checks nothing).
 */
export const MX_DRIFT_DOMAINS = 'MX_DRIFT_DOMAINS';
/** Name of the bucket holding `<policy domain>/.well-known/mta-sts.txt`. Required. */
export const POLICY_BUCKET = 'POLICY_BUCKET';
/** CloudWatch namespace of the embedded-format metrics. Optional (`MtaSts`). */
export const METRIC_NAMESPACE = 'METRIC_NAMESPACE';

export const DEFAULT_METRIC_NAMESPACE = 'MtaSts';

/** Per policy domain, one datapoint per run: live MX hosts that no published `mx` pattern covers. */
export const UNCOVERED_MX_HOSTS = 'UncoveredMxHosts';
/** Without dimensions, 1 per domain whose check failed (Route 53 or S3 error): that domain has no datapoint. */
export const DRIFT_CHECK_ERRORS = 'DriftCheckErrors';
export const POLICY_DOMAIN_DIMENSION = 'PolicyDomain';

/** One entry of {@link MX_DRIFT_DOMAINS}. */
export interface DriftCheckDomain {
  /** The policy domain, normalised (lower-case A-labels, no trailing dot). */
  readonly domainName: string;
  /** The Route 53 hosted zone holding the domain's MX record set. */
  readonly hostedZoneId: string;
}

/** The policy file's key in the policy bucket, as the policy site uploads it. */
export function policyObjectKey(domainName: string): string {
  return `${domainName}/.well-known/mta-sts.txt`;
}

/** Reads {@link MX_DRIFT_DOMAINS}; throws on anything but an array of `{ domainName, hostedZoneId }` strings. */
export function parseDriftCheckDomains(value: string): DriftCheckDomain[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`environment variable ${MX_DRIFT_DOMAINS} is not JSON`);
  }
  if (!Array.isArray(parsed) || !parsed.every(isDriftCheckDomain)) {
    throw new Error(
      `environment variable ${MX_DRIFT_DOMAINS} must be a JSON array of { "domainName": string, "hostedZoneId": string }`,
    );
  }
  return parsed.map(({ domainName, hostedZoneId }) => ({ domainName, hostedZoneId }));
}

function isDriftCheckDomain(value: unknown): value is DriftCheckDomain {
  if (typeof value !== 'object' || value === null) return false;
  const { domainName, hostedZoneId } = value as Record<string, unknown>;
  return typeof domainName === 'string' && domainName !== '' && typeof hostedZoneId === 'string' && hostedZoneId !== '';
}
