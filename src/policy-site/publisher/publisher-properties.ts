/**
 * What the policy publisher's construct and its two handlers agree on. No AWS SDK or aws-cdk-lib imports: both
 * sides import this file.
 */
import { createHash } from 'node:crypto';
import { normalizeDomainName } from '../../policy/domain-name';
import { MtaStsMode, toMtaStsMode } from '../../policy/mode';

/**
 * The publisher's configuration objects live under this prefix of their bucket. In the policy bucket no tenant can
 * reach it: tenants read `/<policy domain>/…`, and a policy domain never starts with `_`.
 */
export const CONFIG_PREFIX = '_cdk-mta-sts/';

/** One policy domain, as the construct writes it into the custom resource's `Policies`. */
export interface PolicyEntry {
  readonly Domain: string;
  /** The tenant's id, to ask CloudFront about its managed certificate. */
  readonly TenantId: string;
  /** 'true' when CloudFront manages the tenant's certificate (no `certificate` prop). */
  readonly ManagedCertificate: string;
  /** The exact policy bytes, when `mx` was given. */
  readonly Text?: string;
  /** Without `Text`: render from the zone's MX records. */
  readonly HostedZoneId?: string;
  readonly Mode?: string;
  readonly MaxAgeSeconds?: string | number;
  /** Not read: changing it makes CloudFormation run an update, which reads the MX records again. */
  readonly RefreshToken?: string;
}

/** A JSON configuration object the publisher writes (drift check domains, published domains). */
export interface ConfigEntry {
  readonly Bucket: string;
  readonly Key: string;
  readonly Body: string;
}

export interface PublisherProperties {
  readonly PolicyBucket?: string;
  readonly RoutingEndpoint?: string;
  readonly Policies?: readonly PolicyEntry[];
  readonly Configs?: readonly ConfigEntry[];
}

/** A policy to publish, checked. */
export type PolicyRequest =
  | {
      readonly kind: 'static';
      readonly domain: string;
      readonly tenantId: string;
      readonly managedCertificate: boolean;
      readonly text: string;
    }
  | {
      readonly kind: 'zone';
      readonly domain: string;
      readonly tenantId: string;
      readonly managedCertificate: boolean;
      readonly hostedZoneId: string;
      readonly mode: MtaStsMode;
      readonly maxAgeSeconds: number;
    };

export interface PublisherRequest {
  readonly policyBucket?: string;
  readonly routingEndpoint?: string;
  readonly policies: PolicyRequest[];
  readonly configs: ConfigEntry[];
}

/** Most policy domains one stack's publisher takes; the template's 500-resource limit is reached well before. */
export const MAX_POLICIES = 1000;
const MAX_CONFIGS = 10;

/** Checks the properties CloudFormation passes; a mistake here is a bug in the construct, so say which. */
export function parsePublisherProperties(properties: Record<string, unknown>): PublisherRequest {
  const policies = arrayOf(properties.Policies, 'Policies', MAX_POLICIES).map((entry, index) =>
    parsePolicyEntry(entry, `Policies[${index}]`),
  );
  const configs = arrayOf(properties.Configs, 'Configs', MAX_CONFIGS).map((entry, index) => ({
    Bucket: requiredString(entry, 'Bucket', `Configs[${index}]`),
    Key: requiredString(entry, 'Key', `Configs[${index}]`),
    Body: requiredString(entry, 'Body', `Configs[${index}]`),
  }));
  const policyBucket = optionalString(properties.PolicyBucket, 'PolicyBucket');
  const routingEndpoint = optionalString(properties.RoutingEndpoint, 'RoutingEndpoint');
  if (policies.length > 0 && (policyBucket === undefined || routingEndpoint === undefined)) {
    throw new Error('Invalid properties: Policies need PolicyBucket and RoutingEndpoint');
  }
  const seen = new Set<string>();
  for (const { domain } of policies) {
    if (seen.has(domain)) throw new Error(`Invalid Policies: ${domain} appears twice`);
    seen.add(domain);
  }
  return { policyBucket, routingEndpoint, policies, configs };
}

function parsePolicyEntry(entry: Record<string, unknown>, where: string): PolicyRequest {
  const domain = requiredString(entry, 'Domain', where);
  if (normalizeDomainName(domain, `${where}.Domain`) !== domain) {
    throw new Error(`Invalid ${where}.Domain ${JSON.stringify(domain)}: must be normalized`);
  }
  const tenantId = requiredString(entry, 'TenantId', where);
  const managedCertificate = requiredString(entry, 'ManagedCertificate', where) === 'true';
  if (typeof entry.Text === 'string') {
    return { kind: 'static', domain, tenantId, managedCertificate, text: entry.Text };
  }
  return {
    kind: 'zone',
    domain,
    tenantId,
    managedCertificate,
    hostedZoneId: requiredString(entry, 'HostedZoneId', where),
    mode: toMtaStsMode(requiredString(entry, 'Mode', where), `${where}.Mode`),
    maxAgeSeconds: wholeNumber(entry.MaxAgeSeconds, `${where}.MaxAgeSeconds`),
  };
}

function arrayOf(value: unknown, name: string, max: number): Record<string, unknown>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > max || !value.every((v) => typeof v === 'object' && v !== null)) {
    throw new Error(`Invalid ${name}: must be a list of at most ${max} objects`);
  }
  return value as Record<string, unknown>[];
}

function requiredString(entry: Record<string, unknown>, name: string, where: string): string {
  const value = entry[name];
  if (typeof value !== 'string' || value === '') {
    throw new Error(`Invalid ${where}.${name} ${String(JSON.stringify(value))}: must be a non-empty string`);
  }
  return value;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new Error(`Invalid ${name}: must be a non-empty string`);
  return value;
}

function wholeNumber(value: unknown, name: string): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^[0-9]{1,10}$/.test(text)) {
    throw new Error(`Invalid ${name} ${String(JSON.stringify(value))}: must be a whole number of seconds`);
  }
  // The range is checked where the policy is rendered, with the same message as at synth time.
  return Number(text);
}

/** A domain whose new policy must be proved live over HTTPS before CloudFormation moves on (onEvent -> isComplete). */
export interface VerifyItem {
  readonly Domain: string;
  readonly TenantId: string;
  readonly ManagedCertificate: boolean;
  /** SHA-256 of the exact bytes that must be served. */
  readonly Sha256: string;
}

/** Hex SHA-256 of the bytes; a string is taken as the latin1 (one byte per character) bytes it is written as. */
export function sha256(text: string | Buffer): string {
  return createHash('sha256')
    .update(typeof text === 'string' ? Buffer.from(text, 'latin1') : text)
    .digest('hex');
}
