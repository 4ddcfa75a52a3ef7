/**
 * What the MX drift check Lambda and the construct that deploys it agree on: environment variable names and the
 * configuration object (metric names: runtime/metric-names). No AWS SDK imports here: the construct imports this file.
 */
import { parseConfigJson } from '../runtime/config-json';

/**
 * The domains to check live in this object of the policy bucket, which the stack's policy publisher writes:
 * `{ "domains": [ {@link DriftCheckDomain}, … ] }`. Not an environment variable: those hold 4 KB in all.
 */
export const DRIFT_CONFIG_KEY = '_cdk-mta-sts/mx-drift-check.json';
/** Largest configuration object read, and most domains in it: bounds the work of one run. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
export const MAX_CONFIG_DOMAINS = 5000;
/** Name of the bucket holding `<policy domain>/.well-known/mta-sts.txt` and the configuration object. Required. */
export const POLICY_BUCKET = 'POLICY_BUCKET';
/** The stack's name, the `Stack` dimension of the per-run metrics. Required. */
export const STACK_NAME = 'STACK_NAME';

/** One entry of the configuration object's `domains`. */
export interface DriftCheckDomain {
  /** The policy domain, normalized (lower-case A-labels, no trailing dot). */
  readonly domainName: string;
  /** The Route 53 hosted zone holding the domain's MX record set. */
  readonly hostedZoneId: string;
}

/** Reads the configuration object; throws on anything but `{ "domains": [{ domainName, hostedZoneId }, …] }`. */
export function parseDriftCheckConfig(text: string): DriftCheckDomain[] {
  const parsed = parseConfigJson(text, DRIFT_CONFIG_KEY, MAX_CONFIG_BYTES);
  const domains = (parsed as { domains?: unknown } | null)?.domains;
  if (!Array.isArray(domains) || domains.length > MAX_CONFIG_DOMAINS || !domains.every(isDriftCheckDomain)) {
    throw new Error(
      `configuration object ${DRIFT_CONFIG_KEY} must be { "domains": [{ "domainName": string, "hostedZoneId": string }, …] } with at most ${MAX_CONFIG_DOMAINS} domains`,
    );
  }
  return domains.map(({ domainName, hostedZoneId }) => ({ domainName, hostedZoneId }));
}

function isDriftCheckDomain(value: unknown): value is DriftCheckDomain {
  if (typeof value !== 'object' || value === null) return false;
  const { domainName, hostedZoneId } = value as Record<string, unknown>;
  return typeof domainName === 'string' && domainName !== '' && typeof hostedZoneId === 'string' && hostedZoneId !== '';
}
