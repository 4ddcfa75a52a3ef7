import { Duration } from 'aws-cdk-lib';

/** What `maxAge` defaults to wherever a policy is built: a week. */
export const DEFAULT_MAX_AGE = Duration.days(7);
