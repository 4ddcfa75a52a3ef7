import {
  POLICY_CACHE_CONTROL,
  POLICY_CACHE_SECONDS,
  POLICY_CONTENT_TYPE,
  POLICY_PATH,
  policyObjectKey,
  policyUrl,
} from '../../src/policy/policy-object';

test('the policy object as RFC 8461 §3.3 places it, and as the bucket stores it', () => {
  expect([POLICY_PATH, POLICY_CONTENT_TYPE, POLICY_CACHE_SECONDS, POLICY_CACHE_CONTROL]).toEqual([
    '/.well-known/mta-sts.txt',
    'text/plain',
    300,
    'max-age=300',
  ]);
  expect(policyObjectKey('example.com')).toBe('example.com/.well-known/mta-sts.txt');
  expect(policyObjectKey('*')).toBe('*/.well-known/mta-sts.txt');
  expect(policyUrl('mta-sts.example.com')).toBe('https://mta-sts.example.com/.well-known/mta-sts.txt');
});
