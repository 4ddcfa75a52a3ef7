import { ListResourceRecordSetsCommand, Route53Client, RRType } from '@aws-sdk/client-route-53';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { checkDomains, DomainCheckError, DomainDrift, DriftSources, LiveMx } from './drift-check';
import { DriftMetrics } from './drift-metrics';
import {
  DRIFT_CONFIG_KEY,
  DriftCheckDomain,
  MAX_CONFIG_BYTES,
  parseDriftCheckConfig,
  POLICY_BUCKET,
  STACK_NAME,
} from './env';
import { normalizeHost } from '../policy/host-name';
import { mxRecordHost } from '../policy/mx-coverage';
import { parsePolicyFile, PolicyFileCheck } from '../policy/policy-file';
import { policyObjectKey } from '../policy/policy-object';
import { readConfigObject } from '../runtime/config-object';
import { requireEnv } from '../runtime/env';
import { DEFAULT_METRIC_NAMESPACE, METRIC_NAMESPACE } from '../runtime/metric-names';
import { listMxRecordSets, MX } from '../runtime/mx-record-pages';

export interface MxDriftCheckConfig {
  /** The domains to check; read from the configuration object in the policy bucket on each run when not given. */
  readonly domains?: readonly DriftCheckDomain[];
  readonly route53: Route53Client;
  readonly s3: S3Client;
  /** The policy bucket. */
  readonly bucket: string;
  readonly metrics: DriftMetrics;
  /** Where the JSON line per domain goes; console.log by default. */
  readonly log?: (line: string) => void;
}

/**
 * The scheduled handler (the EventBridge event carries nothing it needs), given its configuration. It fails only
 * on a configuration error: a domain that cannot be checked is logged and counted, and the others still are.
 */
export function createHandler(config: MxDriftCheckConfig): () => Promise<(DomainDrift | DomainCheckError)[]> {
  const sources = awsSources(config.route53, config.s3, config.bucket);
  return async () => {
    const domains = config.domains ?? (await readDomains(config.s3, config.bucket));
    return checkDomains(domains, { sources, metrics: config.metrics, log: config.log });
  };
}

/** The domains the stack's publisher wrote at the last deployment; read on every run, so it is never stale. */
export async function readDomains(s3: S3Client, bucket: string): Promise<DriftCheckDomain[]> {
  return parseDriftCheckConfig(await readConfigObject(s3, bucket, DRIFT_CONFIG_KEY, MAX_CONFIG_BYTES));
}

/** Route 53 and S3 as the check reads them. */
export function awsSources(route53: Route53Client, s3: S3Client, bucket: string): DriftSources {
  return {
    listLiveMx: (hostedZoneId, domainName) => listLiveMx(route53, hostedZoneId, domainName),
    readPolicy: (domainName) => readPolicy(s3, bucket, domainName),
  };
}

/**
 * Every MX host of the domain's record sets. Weighted, latency or geolocation routing gives several MX record sets
 * for the one name, each with its own identifier; all may be served, so all count. Paging is the same as the
 * deploy-time MX discovery's, which stops at the first record set past the domain's MX and refuses a page Route 53
 * returns twice.
 */
async function listLiveMx(route53: Route53Client, hostedZoneId: string, domainName: string): Promise<LiveMx> {
  const recordSets = await listMxRecordSets(
    domainName,
    (start) =>
      route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: hostedZoneId,
          ...start,
          // Route 53 hands back its own NextRecordType, so this is always one of its types.
          StartRecordType: start.StartRecordType as RRType,
        }),
      ),
    `${domainName}.`,
  );
  const found = new Set<string>();
  for (const recordSet of recordSets) {
    if (recordSet.Type !== MX || normalizeHost(recordSet.Name ?? '') !== domainName) continue;
    if (recordSet.AliasTarget) {
      throw new Error(
        `the MX record set is an alias to ${recordSet.AliasTarget.DNSName}, which this check does not follow`,
      );
    }
    for (const record of recordSet.ResourceRecords ?? []) found.add(mxRecordHost(record.Value ?? ''));
  }
  return liveMxOf(found);
}

function liveMxOf(found: Set<string>): LiveMx {
  return { hosts: [...found].filter((host) => host !== '').sort(), nullMx: found.has('') };
}

/**
 * The served policy file, parsed. A missing file is a finding: senders fetching it get no policy either. Without
 * s3:ListBucket, S3 answers AccessDenied rather than NoSuchKey for a missing key, so that counts as missing too.
 */
async function readPolicy(s3: S3Client, bucket: string, domainName: string): Promise<PolicyFileCheck> {
  let bytes: Uint8Array;
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: policyObjectKey(domainName) }));
    bytes = await response.Body!.transformToByteArray();
  } catch (error) {
    const name = (error as Error | undefined)?.name;
    if (name === 'NoSuchKey') return { ok: false, problem: 'is missing (S3 NoSuchKey)' };
    if (name === 'AccessDenied') return { ok: false, problem: 'is missing or unreadable (S3 AccessDenied)' };
    throw error;
  }
  // latin1 keeps one character per byte, so the parser sees non-ASCII bytes and the true size.
  return parsePolicyFile(Buffer.from(bytes).toString('latin1'));
}

function configFromEnv(): MxDriftCheckConfig {
  return {
    bucket: requireEnv(POLICY_BUCKET),
    route53: new Route53Client({}),
    s3: new S3Client({}),
    metrics: new DriftMetrics({
      namespace: process.env[METRIC_NAMESPACE] || DEFAULT_METRIC_NAMESPACE,
      stackName: requireEnv(STACK_NAME),
    }),
  };
}

let fromEnv: (() => Promise<(DomainDrift | DomainCheckError)[]>) | undefined;

export async function handler(): Promise<(DomainDrift | DomainCheckError)[]> {
  fromEnv ??= createHandler(configFromEnv());
  return fromEnv();
}
