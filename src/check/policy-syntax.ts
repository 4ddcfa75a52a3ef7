import { CheckResult, fail, pass, warn } from './check-result';
import { MAX_MAX_AGE_SECONDS } from '../policy/limits';
import { maxAgeAdvice } from '../policy/max-age-advice';
import { MtaStsMode } from '../policy/mode';
import { PublishedPolicy, readPolicyFile } from '../policy/policy-file';

export const POLICY_SYNTAX = 'policy-syntax';

export interface PolicySyntaxCheck {
  readonly result: CheckResult;
  /** The policy senders would apply, unless the file is invalid. */
  readonly policy?: PublishedPolicy;
}

/**
 * Checks a fetched policy file by RFC 8461 §3.2 with the project's policy parser: invalid fields, `version` not
 * first (Google requires it) and no `mx` in `enforce` or `testing` fail; LF-only line ends, non-ASCII text, a
 * `max_age` under a day in `enforce` or over the RFC's one year are warnings.
 */
export function checkPolicySyntax(text: string): PolicySyntaxCheck {
  const reading = readPolicyFile(text);
  if (!reading.ok) return { result: fail(POLICY_SYNTAX, `the policy ${reading.problem}`) };
  const { policy, style } = reading;
  if (!style.versionFirst) return { result: fail(POLICY_SYNTAX, 'the first line is not "version: STSv1"') };
  if (policy.mode !== MtaStsMode.NONE && policy.mx.length === 0) {
    return { result: fail(POLICY_SYNTAX, `mode ${policy.mode} without an mx line: no MX host can receive mail`) };
  }

  const warnings: string[] = [];
  if (style.lineEnds !== 'crlf') {
    warnings.push(
      `${style.lineEnds === 'lf' ? 'lines end in LF only' : 'line ends mix LF and CRLF'}; RFC 8461 §3.2 prose says CRLF and some checkers require it`,
    );
  }
  if (style.nonAscii) warnings.push('non-ASCII text; some senders read the policy as ASCII only');
  for (const advice of maxAgeAdvice(policy.mode, policy.maxAgeSeconds)) {
    if (advice.code === 'cdk-mta-sts:shortMaxAge') warnings.push(advice.message);
  }
  if (policy.maxAgeSeconds > MAX_MAX_AGE_SECONDS) {
    warnings.push(
      `max_age ${policy.maxAgeSeconds} is over one year (${MAX_MAX_AGE_SECONDS}, the RFC 8461 maximum); senders clamp or reject it`,
    );
  }
  const summary = `mode ${policy.mode}, ${policy.mx.length} mx, max_age ${policy.maxAgeSeconds}`;
  const result =
    warnings.length > 0 ? warn(POLICY_SYNTAX, `${summary}; ${warnings.join('; ')}`) : pass(POLICY_SYNTAX, summary);
  return { result, policy };
}
