import { S3Client } from '@aws-sdk/client-s3';
import { REPORT_BUCKET } from './env';
import { FailedInvocationRecord, recordFailedInvocation } from './failed-invocation';
import { IngestDeps } from './ingest';
import { ReportMetrics } from './metrics';
import { ReportStore } from './report-store';
import { requireEnv } from '../../runtime/env';
import { DEFAULT_METRIC_NAMESPACE, METRIC_NAMESPACE } from '../../runtime/metric-names';

/** The report processor's `OnFailure` destination, given its dependencies. */
export function createHandler(deps: IngestDeps): (record: FailedInvocationRecord) => Promise<void> {
  return async (record) => {
    console.log(JSON.stringify({ outcome: 'failed', rejected: await recordFailedInvocation(record, deps) }));
  };
}

let fromEnv: ((record: FailedInvocationRecord) => Promise<void>) | undefined;

export async function handler(record: FailedInvocationRecord): Promise<void> {
  fromEnv ??= createHandler({
    store: new ReportStore(new S3Client({}), requireEnv(REPORT_BUCKET)),
    metrics: new ReportMetrics({
      namespace: process.env[METRIC_NAMESPACE] || DEFAULT_METRIC_NAMESPACE,
      publishedDomains: [],
    }),
  });
  return fromEnv(record);
}
