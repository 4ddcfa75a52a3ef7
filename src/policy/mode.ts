/**
 * MTA-STS policy mode (RFC 8461 §5).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8461#section-5
 */
export enum MtaStsMode {
  /**
   * No active policy: senders treat the domain as having no MTA-STS policy.
   *
   * Publish this, with a short max age, before removing MTA-STS (RFC 8461 §8.3).
   */
  NONE = 'none',
  /**
   * Senders report failures through TLS-RPT but still deliver mail when MX validation fails.
   */
  TESTING = 'testing',
  /**
   * Senders deliver only to MX hosts that match the policy and present a valid certificate.
   */
  ENFORCE = 'enforce',
}

const MODES: readonly string[] = Object.values(MtaStsMode);

/** Returns `value` as a mode, or throws naming `field` when it is not one of the exact (lower-case) literals. */
export function toMtaStsMode(value: string, field: string): MtaStsMode {
  if (MODES.includes(value)) return value as MtaStsMode;
  const expected = MODES.map((mode) => JSON.stringify(mode)).join(', ');
  throw new Error(`Invalid ${field} ${String(JSON.stringify(value))}: must be one of ${expected} (lower-case)`);
}
