import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { publishPolicies, PublishResult } from './publish-policies';

// Route 53 allows five requests a second per account; several domains at once can hit that.
const route53 = new Route53Client({ maxAttempts: 8 });
const s3 = new S3Client({});

/** onEvent handler of the policy publisher's Provider: writes what changed; isComplete then proves it live. */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<PublishResult> {
  return publishPolicies(event, { s3, route53 });
}
