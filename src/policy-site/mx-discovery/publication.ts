import { normalizeDomainName } from '../../policy/domain-name';
import { MtaStsMode, toMtaStsMode } from '../../policy/mode';

/** Where RFC 8461 §3.3 says senders fetch the policy; also the CloudFront path to invalidate. */
export const POLICY_PATH = '/.well-known/mta-sts.txt';
export const POLICY_CONTENT_TYPE = 'text/plain';
/** Same as `POLICY_CACHE_SECONDS` of the policy bucket; not imported, so the handler bundle stays free of aws-cdk-lib. */
export const POLICY_CACHE_CONTROL = 'max-age=300';

/** The custom resource's properties, as the construct writes them. */
export interface PublishPolicyProperties {
  readonly HostedZoneId: string;
  /** The normalised policy domain. */
  readonly DomainName: string;
  readonly Mode: string;
  /** A number in the template; CloudFormation hands it to the handler as a string. */
  readonly MaxAgeSeconds: number | string;
  readonly BucketName: string;
  /** Ends in `/`, e.g. `example.com/`. */
  readonly KeyPrefix: string;
  readonly DistributionId: string;
  /** Not read by the handler: changing it makes CloudFormation run an update, which reads the MX records again. */
  readonly RefreshToken?: string;
}

/** The properties, checked. */
export interface PublishPolicyRequest {
  readonly hostedZoneId: string;
  readonly domainName: string;
  readonly mode: MtaStsMode;
  readonly maxAgeSeconds: number;
  readonly bucketName: string;
  readonly key: string;
  readonly distributionId: string;
}

/** The S3 key of the policy file under `keyPrefix`. */
export function policyObjectKey(keyPrefix: string): string {
  return keyPrefix + POLICY_PATH.slice(1);
}

/** Checks the properties a Create or Update carries; a mistake here is a bug in the construct, so say which. */
export function parsePublishPolicyProperties(properties: Record<string, unknown>): PublishPolicyRequest {
  const domainName = requiredString(properties, 'DomainName');
  const normalized = normalizeDomainName(domainName, 'DomainName');
  if (normalized !== domainName) {
    throw new Error(`Invalid DomainName ${JSON.stringify(domainName)}: must be normalised (${normalized})`);
  }
  const keyPrefix = properties.KeyPrefix;
  if (typeof keyPrefix !== 'string' || (keyPrefix !== '' && !keyPrefix.endsWith('/'))) {
    throw new Error(`Invalid KeyPrefix ${String(JSON.stringify(keyPrefix))}: must be empty or end in "/"`);
  }
  return {
    hostedZoneId: requiredString(properties, 'HostedZoneId'),
    domainName,
    mode: toMtaStsMode(requiredString(properties, 'Mode'), 'Mode'),
    maxAgeSeconds: wholeNumber(properties, 'MaxAgeSeconds'),
    bucketName: requiredString(properties, 'BucketName'),
    key: policyObjectKey(keyPrefix),
    distributionId: requiredString(properties, 'DistributionId'),
  };
}

function requiredString(properties: Record<string, unknown>, name: string): string {
  const value = properties[name];
  if (typeof value !== 'string' || value === '') {
    throw new Error(`Invalid ${name} ${String(JSON.stringify(value))}: must be a non-empty string`);
  }
  return value;
}

function wholeNumber(properties: Record<string, unknown>, name: string): number {
  const value = properties[name];
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^[0-9]+$/.test(text)) {
    throw new Error(`Invalid ${name} ${String(JSON.stringify(value))}: must be a whole number of seconds`);
  }
  // The range is checked where the policy is rendered, with the same message as at synth time.
  return Number(text);
}
