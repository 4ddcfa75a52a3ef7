import { customResourceReplyViolations } from './custom-resource-replies';
import { VARIANTS, synthesize } from './variants';
import { alarmTopicViolations, fixedNameViolations, logRetentionViolations, sesTargetViolations } from './wiring';

const CHECKS = {
  'alarm topics let CloudWatch publish': alarmTopicViolations,
  'SES action targets are scoped to this account and rule': sesTargetViolations,
  'custom resource replies stay under 4 KB': customResourceReplyViolations,
  'every Lambda function has log retention': logRetentionViolations,
  'fixed physical names carry the region and the stack': fixedNameViolations,
};

// No exemptions: the multi-tenant policy site resolved every violation the distribution-per-domain site had.
describe.each(Object.keys(VARIANTS))('variant %s', (variant) => {
  test.each(Object.keys(CHECKS))('%s', (check) => {
    const violations = synthesize(variant).flatMap((stack) => CHECKS[check as keyof typeof CHECKS](stack));
    expect(violations).toEqual([]);
  });
});
