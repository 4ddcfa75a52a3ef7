import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DEFAULT_MAX_DECOMPRESSED_BYTES } from '../parser';
import { HTTPS_COUNTS, MAX_DECOMPRESSED_BYTES, PUBLISHED_DOMAINS_KEY, REPORT_BUCKET } from './env';
import { HttpsIngestDeps, receiveReport } from './https-ingest';
import { ReportMetrics } from './metrics';
import { PublishedDomainsCache } from './published-domains';
import { ReportStore } from './report-store';
import { positiveIntegerEnv, requireEnv } from '../../runtime/env';
import { DEFAULT_METRIC_NAMESPACE, METRIC_NAMESPACE } from '../../runtime/metric-names';

type FunctionUrlHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** The Lambda Function URL handler for HTTPS report uploads (RFC 8460 §5.4), given its dependencies. */
export function createHandler(deps: HttpsIngestDeps): FunctionUrlHandler {
  return async (event) => {
    const contentType = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type');
    const { response, outcome } = await receiveReport(
      {
        method: event.requestContext.http.method,
        contentType: contentType?.[1],
        body: Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8'),
        receivedAt: new Date(event.requestContext.timeEpoch).toISOString(),
      },
      deps,
    );
    console.log(JSON.stringify({ status: response.statusCode, ...(outcome ?? { reason: response.body.trim() }) }));
    return response;
  };
}

function depsFromEnv(s3: S3Client, bucket: string, publishedDomains: string[]): HttpsIngestDeps {
  return {
    store: new ReportStore(s3, bucket),
    metrics: new ReportMetrics({
      namespace: process.env[METRIC_NAMESPACE] || DEFAULT_METRIC_NAMESPACE,
      publishedDomains,
    }),
    maxBytes: positiveIntegerEnv(MAX_DECOMPRESSED_BYTES, DEFAULT_MAX_DECOMPRESSED_BYTES),
    publishedDomains,
    countHttps: process.env[HTTPS_COUNTS] === 'true',
  };
}

let container: { s3: S3Client; bucket: string; domains: PublishedDomainsCache } | undefined;
let current: { publishedDomains: string[]; run: FunctionUrlHandler } | undefined;

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  if (!container) {
    const s3 = new S3Client({});
    const bucket = requireEnv(REPORT_BUCKET);
    container = { s3, bucket, domains: new PublishedDomainsCache(s3, bucket) };
  }
  const publishedDomains = await container.domains.get();
  if (publishedDomains === undefined) {
    throw new Error(
      `configuration object s3://${container.bucket}/${PUBLISHED_DOMAINS_KEY} is missing: deploy the stack again`,
    );
  }
  if (current?.publishedDomains !== publishedDomains) {
    current = { publishedDomains, run: createHandler(depsFromEnv(container.s3, container.bucket, publishedDomains)) };
  }
  return current.run(event);
}
