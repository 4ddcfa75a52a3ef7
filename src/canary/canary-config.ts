/**
 * What the canary Lambda and the construct that deploys it agree on. No AWS SDK or CDK imports: both sides use it.
 */

/** Comma-separated resolvers (`IP` or `IP:PORT`). */
export const CANARY_RESOLVERS = 'CANARY_RESOLVERS';
/** Deadline of each network step, in milliseconds. */
export const CANARY_STEP_TIMEOUT_MS = 'CANARY_STEP_TIMEOUT_MS';
/** CloudWatch namespace of the embedded-format metric. */
export const METRIC_NAMESPACE = 'METRIC_NAMESPACE';
/** The value of the `Stack` dimension: the canary's stack name. */
export const CANARY_STACK = 'CANARY_STACK';

export const DEFAULT_METRIC_NAMESPACE = 'MtaSts';
/** Per stack (dimension `Stack`), one datapoint per invocation: the domains with a failing check. */
export const CANARY_FAILURES = 'CanaryFailures';
export const STACK_DIMENSION = 'Stack';

/** Public resolvers the canary asks by default, so it sees what senders on the internet see. */
export const DEFAULT_RESOLVERS = ['1.1.1.1', '8.8.8.8'];
export const DEFAULT_STEP_TIMEOUT_MS = 5_000;

/**
 * Domains per stack. They travel in the schedule's event input, not in the Lambda environment: an EventBridge
 * target's input holds 8192 characters and a rule takes 5 targets, so 100 domains of any valid length fit.
 */
export const MAX_CANARY_DOMAINS = 100;
export const MAX_TARGET_INPUT_LENGTH = 8192;
export const MAX_TARGETS = 5;

/** The event each schedule target sends. */
export interface CanaryEvent {
  readonly domains: readonly string[];
}

/** Reads the event; throws on anything but `{ "domains": [<domain>, …] }` with at most 100 names. */
export function parseCanaryEvent(event: unknown): string[] {
  const domains = (event as { domains?: unknown } | null)?.domains;
  if (
    !Array.isArray(domains) ||
    domains.length > MAX_CANARY_DOMAINS ||
    !domains.every((domain) => typeof domain === 'string' && /^[a-z0-9.-]{1,253}$/.test(domain))
  ) {
    throw new Error(
      `the canary event must be { "domains": [...] } with at most ${MAX_CANARY_DOMAINS} lower-case domain names`,
    );
  }
  return domains as string[];
}
