import {
  CANARY_RESOLVERS,
  CANARY_STACK,
  CANARY_STEP_TIMEOUT_MS,
  DEFAULT_METRIC_NAMESPACE,
  DEFAULT_RESOLVERS,
  DEFAULT_STEP_TIMEOUT_MS,
  METRIC_NAMESPACE,
  parseCanaryEvent,
} from './canary-config';
import { runCanary } from './canary-run';
import { checkDomain } from '../check/run-checks';
import { EmfWriter } from '../monitoring/emf';
import { positiveIntegerEnv, requireEnv } from '../reporting/handlers/env';

/**
 * The scheduled canary: checks the domains in the event as a sender on the internet would (public resolvers,
 * HTTPS through CloudFront), without the SMTP step (Lambda blocks outbound port 25). Resolves to the number of
 * failing domains; throws only on a malformed event or configuration.
 */
export async function handler(event: unknown): Promise<number> {
  const domains = parseCanaryEvent(event);
  const resolvers = (process.env[CANARY_RESOLVERS] ?? DEFAULT_RESOLVERS.join(','))
    .split(',')
    .map((resolver) => resolver.trim())
    .filter(Boolean);
  const timeoutMs = positiveIntegerEnv(CANARY_STEP_TIMEOUT_MS, DEFAULT_STEP_TIMEOUT_MS);
  return runCanary(domains, {
    check: (domain) => checkDomain(domain, { smtp: false, resolvers, timeoutMs }),
    metrics: new EmfWriter({ namespace: process.env[METRIC_NAMESPACE] || DEFAULT_METRIC_NAMESPACE }),
    stack: requireEnv(CANARY_STACK),
  });
}
