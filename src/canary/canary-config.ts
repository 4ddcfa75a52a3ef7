/**
 * What the canary Lambda and the construct that deploys it agree on. No AWS SDK or CDK imports: both sides use it.
 */
import { parseConfigJson } from '../runtime/config-json';

/** Comma-separated resolvers (`IP` or `IP:PORT`). */
export const CANARY_RESOLVERS = 'CANARY_RESOLVERS';
/** Deadline of each network step, in milliseconds. */
export const CANARY_STEP_TIMEOUT_MS = 'CANARY_STEP_TIMEOUT_MS';
/** The value of the `Stack` dimension: the canary's stack name. */
export const CANARY_STACK = 'CANARY_STACK';

/** Public resolvers the canary asks by default, so it sees what senders on the internet see. */
export const DEFAULT_RESOLVERS = ['1.1.1.1', '8.8.8.8'];
export const DEFAULT_STEP_TIMEOUT_MS = 5_000;

/**
 * The domains to check live in this object of the policy bucket, which the stack's policy publisher writes:
 * `{ "domains": [ … ] }`. Not the Lambda environment (4 KB in all) nor the schedule's event input (8 KB a target).
 */
export const CANARY_CONFIG_KEY = '_cdk-mta-sts/canary.json';
/** Name of the bucket holding the configuration object. */
export const CANARY_BUCKET = 'CANARY_BUCKET';
/** Largest configuration object read. */
export const MAX_CONFIG_BYTES = 256 * 1024;
/**
 * Domains per stack: one run checks them 8 at a time, each in a few steps of at most 5 s, within the function's
 * 10 minutes. More than a stack can publish (about 120, CloudFormation's 500 resources).
 */
export const MAX_CANARY_DOMAINS = 250;

/** Reads `{ "domains": [<domain>, …] }` with at most {@link MAX_CANARY_DOMAINS} lower-case names; throws on anything else. */
export function parseCanaryDomains(value: unknown): string[] {
  const domains = (value as { domains?: unknown } | null)?.domains;
  if (
    !Array.isArray(domains) ||
    domains.length > MAX_CANARY_DOMAINS ||
    !domains.every((domain) => typeof domain === 'string' && /^[a-z0-9.-]{1,253}$/.test(domain))
  ) {
    throw new Error(
      `configuration object ${CANARY_CONFIG_KEY} must be { "domains": [...] } with at most ${MAX_CANARY_DOMAINS} lower-case domain names`,
    );
  }
  return domains as string[];
}

/** The configuration object's text, bounded and parsed. */
export function parseCanaryConfig(text: string): string[] {
  return parseCanaryDomains(parseConfigJson(text, CANARY_CONFIG_KEY, MAX_CONFIG_BYTES));
}
