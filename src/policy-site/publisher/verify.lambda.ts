import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { fetchPolicy } from './fetch-policy';
import { VerifyEvent, verifyPolicies } from './verify-policies';

const cloudfront = new CloudFrontClient({});

/** isComplete handler of the policy publisher's Provider: polled until every new policy is live, or the deadline. */
export async function handler(event: VerifyEvent): Promise<{ IsComplete: boolean }> {
  return verifyPolicies(event, { cloudfront, fetchPolicy });
}
