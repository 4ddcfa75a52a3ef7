import { MtaStsMode } from '../../../src/policy/mode';
import {
  parsePublishPolicyProperties,
  POLICY_CACHE_CONTROL,
  policyObjectKey,
} from '../../../src/policy-site/mx-discovery/publication';
import { POLICY_CACHE_SECONDS } from '../../../src/policy-site/policy-bucket';

// What CloudFormation hands the handler: every value a string.
const PROPERTIES = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provider',
  HostedZoneId: 'Z0EXAMPLE0000000000',
  DomainName: 'example.com',
  Mode: 'testing',
  MaxAgeSeconds: '604800',
  BucketName: 'policy-bucket',
  KeyPrefix: 'example.com/',
  DistributionId: 'E2QWRUHEXAMPLE',
};

test('reads the properties CloudFormation passes', () => {
  expect(parsePublishPolicyProperties(PROPERTIES)).toEqual({
    hostedZoneId: 'Z0EXAMPLE0000000000',
    domainName: 'example.com',
    mode: MtaStsMode.TESTING,
    maxAgeSeconds: 604800,
    bucketName: 'policy-bucket',
    key: 'example.com/.well-known/mta-sts.txt',
    distributionId: 'E2QWRUHEXAMPLE',
  });
});

test('a numeric MaxAgeSeconds (as in the template) reads the same', () => {
  expect(parsePublishPolicyProperties({ ...PROPERTIES, MaxAgeSeconds: 86400 }).maxAgeSeconds).toBe(86400);
});

test('an empty key prefix puts the file at the bucket root', () => {
  expect(parsePublishPolicyProperties({ ...PROPERTIES, KeyPrefix: '' }).key).toBe('.well-known/mta-sts.txt');
  expect(policyObjectKey('a.example/')).toBe('a.example/.well-known/mta-sts.txt');
});

test.each<[string, Record<string, unknown>, string]>([
  ['a missing zone', { HostedZoneId: undefined }, 'Invalid HostedZoneId undefined: must be a non-empty string'],
  ['an empty bucket', { BucketName: '' }, 'Invalid BucketName "": must be a non-empty string'],
  [
    'a missing distribution',
    { DistributionId: undefined },
    'Invalid DistributionId undefined: must be a non-empty string',
  ],
  [
    'an upper-case mode',
    { Mode: 'Enforce' },
    'Invalid Mode "Enforce": must be one of "none", "testing", "enforce" (lower-case)',
  ],
  ['a fractional max age', { MaxAgeSeconds: '1.5' }, 'Invalid MaxAgeSeconds "1.5": must be a whole number of seconds'],
  ['a negative max age', { MaxAgeSeconds: -1 }, 'Invalid MaxAgeSeconds -1: must be a whole number of seconds'],
  [
    'a key prefix without slash',
    { KeyPrefix: 'example.com' },
    'Invalid KeyPrefix "example.com": must be empty or end in "/"',
  ],
  [
    'a domain that is not normalised',
    { DomainName: 'Example.COM.' },
    'Invalid DomainName "Example.COM.": must be normalised (example.com)',
  ],
  [
    'a domain that is no domain',
    { DomainName: 'https://example.com' },
    'Invalid DomainName "https://example.com": is a URL; give only the host name',
  ],
])('rejects %s', (_name, change, message) => {
  expect(() => parsePublishPolicyProperties({ ...PROPERTIES, ...change })).toThrow(new Error(message));
});

test('the Cache-Control header matches the policy cache policy', () => {
  expect(POLICY_CACHE_CONTROL).toBe(`max-age=${POLICY_CACHE_SECONDS}`);
});
