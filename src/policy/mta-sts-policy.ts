import { Duration, Token } from 'aws-cdk-lib';
import { DEFAULT_MAX_AGE } from './default-max-age';
import { MtaStsMode } from './mode';
import { PolicyAdvice, policyAdvice, PolicyDocument, renderPolicyDocument } from './policy-document';

// Part of this class's public API, so it is exported wherever the class is.
export type { PolicyAdvice } from './policy-document';

const MILLIS_PER_SECOND = 1000;

/**
 * The fields of an MTA-STS policy.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8461#section-3.2
 */
export interface MtaStsPolicyProps {
  /**
   * What senders do when an MX host fails validation.
   *
   * Start with `TESTING` (with TLS-RPT) and move to `ENFORCE` once reports are clean.
   */
  readonly mode: MtaStsMode;

  /**
   * MX host patterns: exact host names (`mail.example.com`) or a wildcard for exactly one left-most label
   * (`*.mail.protection.outlook.com`).
   *
   * Every host in the domain's MX record should match one pattern. Names are normalized (lower case, A-labels,
   * no trailing dot) and duplicates dropped. At least one is required, also in mode `NONE`.
   */
  readonly mx: string[];

  /**
   * How long senders may cache the policy: a whole number of seconds from 1 second to 31557600 (one year).
   *
   * @default Duration.days(7)
   */
  readonly maxAge?: Duration;
}

/**
 * A validated MTA-STS policy and the exact file to serve at `https://mta-sts.<domain>/.well-known/mta-sts.txt`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8461#section-3.2
 */
export class MtaStsPolicy {
  /** The policy mode. */
  public readonly mode: MtaStsMode;

  /** Normalized MX host patterns in first-seen order, without duplicates. */
  public readonly mx: string[];

  /** How long senders may cache the policy. */
  public readonly maxAge: Duration;

  /** `maxAge` in seconds, as written in the policy's `max_age` line. */
  public readonly maxAgeSeconds: number;

  /** The exact policy file: ASCII, each line (including the last) ending in CRLF. */
  public readonly text: string;

  /**
   * Policy id for the `_mta-sts` TXT record: 32 hex characters derived from `text`, so it changes exactly
   * when the served bytes change.
   */
  public readonly id: string;

  private readonly document: PolicyDocument;

  constructor(props: MtaStsPolicyProps) {
    if (Token.isUnresolved(props.mode)) throw new Error('Invalid mode: must be known at synth time (got a token)');
    for (const pattern of props.mx ?? []) {
      if (Token.isUnresolved(pattern)) throw new Error('Invalid mx: must be known at synth time (got a token)');
    }
    const maxAge = props.maxAge ?? DEFAULT_MAX_AGE;
    if (maxAge.isUnresolved()) throw new Error('Invalid maxAge: must be known at synth time (got a token)');

    this.document = renderPolicyDocument({
      mode: props.mode,
      mx: props.mx,
      // Fractional seconds pass through so the validator reports them instead of rounding silently.
      maxAgeSeconds: maxAge.toMilliseconds({ integral: false }) / MILLIS_PER_SECOND,
    });
    this.mode = this.document.mode;
    this.mx = [...this.document.mx];
    this.maxAge = maxAge;
    this.maxAgeSeconds = this.document.maxAgeSeconds;
    this.text = this.document.text;
    this.id = this.document.id;
  }

  /**
   * Warnings about a valid but risky policy, such as a wildcard covering the policy domain (RFC 8461 §10.4).
   *
   * @param policyDomain the domain this policy is published for, e.g. `example.com`
   */
  public advice(policyDomain: string): PolicyAdvice[] {
    return policyAdvice(this.document, policyDomain);
  }
}
