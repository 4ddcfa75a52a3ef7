// No validators imported: the live check and its Lambda use this without the public-suffix list.
import { ONE_DAY_SECONDS } from './limits';
import { MtaStsMode } from './mode';

/** A warning about a policy that is valid but risky. */
export interface PolicyAdvice {
  /** Stable identifier, e.g. `cdk-mta-sts:wildcardPolicyDomain`. */
  readonly code: string;
  /** What is risky and what to do instead. */
  readonly message: string;
}

/** Warnings about `max_age` for a mode: short in `enforce` weakens protection, long in `none` delays retiring. */
export function maxAgeAdvice(mode: MtaStsMode, maxAgeSeconds: number): PolicyAdvice[] {
  if (mode === MtaStsMode.ENFORCE && maxAgeSeconds < ONE_DAY_SECONDS) {
    return [
      {
        code: 'cdk-mta-sts:shortMaxAge',
        message:
          `max_age ${maxAgeSeconds} is under one day (${ONE_DAY_SECONDS} seconds) in mode "enforce"; ` +
          'senders re-fetch the policy often and a short cache weakens protection (RFC 8461 §10.2 suggests weeks)',
      },
    ];
  }
  if (mode === MtaStsMode.NONE && maxAgeSeconds > ONE_DAY_SECONDS) {
    return [
      {
        code: 'cdk-mta-sts:longMaxAgeInNone',
        message:
          `max_age ${maxAgeSeconds} is over one day in mode "none"; when retiring MTA-STS (RFC 8461 §8.3) publish ` +
          '"none" with a short max_age such as one day, and keep serving it for the longest max_age you ever published',
      },
    ];
  }
  return [];
}
