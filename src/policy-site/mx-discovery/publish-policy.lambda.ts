import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { ListResourceRecordSetsCommand, Route53Client, RRType } from '@aws-sdk/client-route-53';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mxHostsFromRecordSets } from './mx-records';
import {
  parsePublishPolicyProperties,
  POLICY_CACHE_CONTROL,
  POLICY_CONTENT_TYPE,
  POLICY_PATH,
  PublishPolicyRequest,
} from './publication';
import { firstPageStart, nextPageStart, PageStart, RecordSet, RECORD_SETS_PER_PAGE } from '../../dns/mx-record-pages';
import { renderPolicyDocument } from '../../policy/policy-document';

// Route 53 allows five requests a second per account; several domains deploying at once can hit that.
const route53 = new Route53Client({ maxAttempts: 6 });
const s3 = new S3Client({});
const cloudfront = new CloudFrontClient({});

/** What the onEvent handler answers the Provider framework. */
export interface PublishPolicyResponse {
  readonly PhysicalResourceId: string;
  /** The custom resource's attributes. */
  readonly Data?: { readonly PolicyId: string; readonly Mx: string };
  /** For the isComplete handler: the framework adds it to the event it passes on, and does not return it. */
  readonly InvalidationId?: string;
}

/**
 * onEvent handler of the `custom-resources` Provider that publishes an MTA-STS policy built from the MX records in
 * the hosted zone: it renders the policy, uploads it and starts a CloudFront invalidation, which the isComplete
 * handler waits for. A thrown error becomes a FAILED response carrying its message.
 */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<PublishPolicyResponse> {
  if (event.RequestType === 'Delete') {
    // The bucket is retained and senders may still cache the policy (RFC 8461 §8.3): leave the file as it is.
    return { PhysicalResourceId: event.PhysicalResourceId };
  }

  const request = parsePublishPolicyProperties(event.ResourceProperties);
  const recordSets = await listMxRecordSets(request);
  const mx = mxHostsFromRecordSets(recordSets, request.domainName, request.hostedZoneId);
  const policy = renderPolicyDocument({ mode: request.mode, mx, maxAgeSeconds: request.maxAgeSeconds });

  await callAws(`Could not upload the policy to s3://${request.bucketName}/${request.key}`, () =>
    s3.send(
      new PutObjectCommand({
        Bucket: request.bucketName,
        Key: request.key,
        Body: policy.text,
        ContentType: POLICY_CONTENT_TYPE,
        CacheControl: POLICY_CACHE_CONTROL,
      }),
    ),
  );
  const invalidation = await callAws(
    `Could not invalidate ${POLICY_PATH} in CloudFront distribution ${request.distributionId}`,
    () =>
      cloudfront.send(
        new CreateInvalidationCommand({
          DistributionId: request.distributionId,
          InvalidationBatch: {
            Paths: { Quantity: 1, Items: [POLICY_PATH] },
            // Unique per CloudFormation request, so a retried invocation gets the same invalidation back.
            CallerReference: `cdk-mta-sts-${event.RequestId}`,
          },
        }),
      ),
  );
  const invalidationId = invalidation.Invalidation?.Id;
  if (!invalidationId) {
    throw new Error(`CloudFront did not return an invalidation id for distribution ${request.distributionId}`);
  }

  console.log(
    JSON.stringify({
      requestType: event.RequestType,
      domain: request.domainName,
      mx: policy.mx,
      policyId: policy.id,
      key: request.key,
      invalidationId,
    }),
  );
  return {
    PhysicalResourceId: request.domainName,
    Data: { PolicyId: policy.id, Mx: policy.mx.join(',') },
    InvalidationId: invalidationId,
  };
}

/** Every record set from the domain's MX sets up to the first record set past them, following pagination. */
async function listMxRecordSets(request: PublishPolicyRequest): Promise<RecordSet[]> {
  const recordSets: RecordSet[] = [];
  let start: PageStart | undefined = firstPageStart(request.domainName);
  while (start !== undefined) {
    const current: PageStart = start;
    const page = await callAws(
      `Could not read the MX records of ${request.domainName} from hosted zone ${request.hostedZoneId}`,
      () =>
        route53.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: request.hostedZoneId,
            ...current,
            // Route 53 hands back its own NextRecordType, so this is always one of its types.
            StartRecordType: current.StartRecordType as RRType,
            MaxItems: RECORD_SETS_PER_PAGE,
          }),
        ),
    );
    recordSets.push(...(page.ResourceRecordSets ?? []));
    start = nextPageStart(page, request.domainName, current);
  }
  return recordSets;
}

/** Runs one AWS call and names what failed, keeping the service's error name and message. */
async function callAws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const { name, message } = error as Error;
    throw new Error(`${what}: ${name}: ${message}`, { cause: error });
  }
}
