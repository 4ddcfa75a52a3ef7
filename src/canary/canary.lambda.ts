import { S3Client } from '@aws-sdk/client-s3';
import {
  CANARY_BUCKET,
  CANARY_CONFIG_KEY,
  CANARY_RESOLVERS,
  CANARY_STACK,
  CANARY_STEP_TIMEOUT_MS,
  DEFAULT_RESOLVERS,
  DEFAULT_STEP_TIMEOUT_MS,
  MAX_CONFIG_BYTES,
  parseCanaryConfig,
} from './canary-config';
import { runCanary } from './canary-run';
import { checkDomain } from '../check/run-checks';
import { readConfigObject } from '../runtime/config-object';
import { EmfWriter } from '../runtime/emf';
import { positiveIntegerEnv, requireEnv } from '../runtime/env';
import { DEFAULT_METRIC_NAMESPACE, METRIC_NAMESPACE } from '../runtime/metric-names';

/**
 * The scheduled canary: checks the domains the stack's publisher listed, as a sender on the internet would (public
 * resolvers, HTTPS through CloudFront), without the SMTP step (Lambda blocks outbound port 25). Resolves to the
 * number of failing domains; throws only on a missing or malformed configuration.
 */
export async function handler(): Promise<number> {
  const stack = requireEnv(CANARY_STACK);
  return checkDomains(await readDomains(new S3Client({}), requireEnv(CANARY_BUCKET)), stack);
}

/** The domains the stack's publisher wrote at the last deployment; read on every run, so never stale. */
export async function readDomains(s3: S3Client, bucket: string): Promise<string[]> {
  return parseCanaryConfig(await readConfigObject(s3, bucket, CANARY_CONFIG_KEY, MAX_CONFIG_BYTES));
}

/** Checks `domains` with the resolvers, step timeout and namespace of the environment. */
export async function checkDomains(domains: readonly string[], stack: string): Promise<number> {
  const resolvers = (process.env[CANARY_RESOLVERS] ?? DEFAULT_RESOLVERS.join(','))
    .split(',')
    .map((resolver) => resolver.trim())
    .filter(Boolean);
  const timeoutMs = positiveIntegerEnv(CANARY_STEP_TIMEOUT_MS, DEFAULT_STEP_TIMEOUT_MS);
  return runCanary(domains, {
    check: (domain) => checkDomain(domain, { smtp: false, resolvers, timeoutMs }),
    metrics: new EmfWriter({ namespace: process.env[METRIC_NAMESPACE] || DEFAULT_METRIC_NAMESPACE }),
    stack,
  });
}
