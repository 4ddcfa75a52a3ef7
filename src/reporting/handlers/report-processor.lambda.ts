import { Resolver } from 'node:dns/promises';
import { S3Client } from '@aws-sdk/client-s3';
import type { SESEvent } from 'aws-lambda';
import { DEFAULT_MAX_DECOMPRESSED_BYTES } from '../parser';
import { MAX_DECOMPRESSED_BYTES, REPORT_BUCKET, TRUSTED_REPORTERS } from './env';
import { ingestMail, MailIngestDeps } from './mail-ingest';
import { ReportMetrics } from './metrics';
import { parsePolicyDomains, PublishedDomainsCache } from './published-domains';
import { ReportStore } from './report-store';
import { positiveIntegerEnv, requireEnv } from '../../runtime/env';
import { DEFAULT_METRIC_NAMESPACE, METRIC_NAMESPACE } from '../../runtime/metric-names';

/** The SES receipt rule's Lambda action handler (asynchronous invocation), given its dependencies. */
export function createHandler(deps: MailIngestDeps): (event: SESEvent) => Promise<void> {
  return async (event) => {
    for (const record of event.Records) {
      console.log(JSON.stringify(await ingestMail(record.ses, deps)));
    }
  };
}

/** DKIM keys come from the Lambda's DNS; a lookup that hangs is a temporary error, and the invocation is retried. */
function dnsResolver(): (name: string) => Promise<string[][]> {
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  return (name) => resolver.resolveTxt(name);
}

function depsFromEnv(s3: S3Client, bucket: string, publishedDomains: string[]): MailIngestDeps {
  return {
    store: new ReportStore(s3, bucket),
    metrics: new ReportMetrics({
      namespace: process.env[METRIC_NAMESPACE] || DEFAULT_METRIC_NAMESPACE,
      publishedDomains,
    }),
    maxDecompressedBytes: positiveIntegerEnv(MAX_DECOMPRESSED_BYTES, DEFAULT_MAX_DECOMPRESSED_BYTES),
    resolveTxt: dnsResolver(),
    publishedDomains,
    trustedReporters: parsePolicyDomains(process.env[TRUSTED_REPORTERS] ?? ''),
  };
}

let container: { s3: S3Client; bucket: string; domains: PublishedDomainsCache } | undefined;
let current: { publishedDomains: string[]; run: (event: SESEvent) => Promise<void> } | undefined;

export async function handler(event: SESEvent): Promise<void> {
  if (!container) {
    const s3 = new S3Client({});
    const bucket = requireEnv(REPORT_BUCKET);
    container = { s3, bucket, domains: new PublishedDomainsCache(s3, bucket) };
  }
  // No configuration object (yet): nothing is published, so every domain is stored and counted as "other".
  const publishedDomains = (await container.domains.get()) ?? [];
  if (current?.publishedDomains !== publishedDomains) {
    current = { publishedDomains, run: createHandler(depsFromEnv(container.s3, container.bucket, publishedDomains)) };
  }
  return current.run(event);
}
