import { CloudFrontClient, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

const cloudfront = new CloudFrontClient({});

const COMPLETED = 'Completed';

/** The event the Provider framework passes: the CloudFormation event merged with what onEvent returned. */
export type InvalidationCompleteEvent = CloudFormationCustomResourceEvent & {
  readonly PhysicalResourceId: string;
  readonly InvalidationId?: string;
};

/**
 * isComplete handler of the policy publishing Provider: done once the CloudFront invalidation started by onEvent has
 * completed, so nothing that depends on the custom resource (the `_mta-sts` record) changes before every edge serves
 * the new policy (RFC 8461 §8.1). The framework calls it again after each query interval until it says done or the
 * total timeout fails the deployment; a thrown error fails it at once with its message.
 */
export async function handler(event: InvalidationCompleteEvent): Promise<{ IsComplete: boolean }> {
  if (event.RequestType === 'Delete') return { IsComplete: true };

  const distributionId = event.ResourceProperties.DistributionId;
  const invalidationId = event.InvalidationId;
  if (typeof distributionId !== 'string' || typeof invalidationId !== 'string') {
    throw new Error('The isComplete event carries no DistributionId or InvalidationId; this is a bug in cdk-mta-sts');
  }

  let status: string | undefined;
  try {
    const response = await cloudfront.send(
      new GetInvalidationCommand({ DistributionId: distributionId, Id: invalidationId }),
    );
    status = response.Invalidation?.Status;
  } catch (error) {
    const { name, message } = error as Error;
    throw new Error(
      `Could not read invalidation ${invalidationId} of CloudFront distribution ${distributionId}: ${name}: ${message}`,
      { cause: error },
    );
  }
  console.log(JSON.stringify({ distributionId, invalidationId, status }));
  return { IsComplete: status === COMPLETED };
}
