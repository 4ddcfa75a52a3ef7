import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DEFAULT_MAX_DECOMPRESSED_BYTES } from '../parser';
import {
  DEFAULT_METRIC_NAMESPACE,
  HTTPS_COUNTS,
  MAX_DECOMPRESSED_BYTES,
  METRIC_NAMESPACE,
  POLICY_DOMAINS,
  positiveIntegerEnv,
  REPORT_BUCKET,
  requireEnv,
} from './env';
import { HttpsIngestDeps, receiveReport } from './https-ingest';
import { ReportMetrics } from './metrics';
import { parsePolicyDomains } from './published-domains';
import { ReportStore } from './report-store';

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

function depsFromEnv(): HttpsIngestDeps {
  const publishedDomains = parsePolicyDomains(requireEnv(POLICY_DOMAINS));
  return {
    store: new ReportStore(new S3Client({}), requireEnv(REPORT_BUCKET)),
    metrics: new ReportMetrics({
      namespace: process.env[METRIC_NAMESPACE] || DEFAULT_METRIC_NAMESPACE,
      publishedDomains,
    }),
    maxBytes: positiveIntegerEnv(MAX_DECOMPRESSED_BYTES, DEFAULT_MAX_DECOMPRESSED_BYTES),
    publishedDomains,
    countHttps: process.env[HTTPS_COUNTS] === 'true',
  };
}

let fromEnv: FunctionUrlHandler | undefined;

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  fromEnv ??= createHandler(depsFromEnv());
  return fromEnv(event);
}
