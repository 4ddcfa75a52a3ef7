/**
 * The input is not an acceptable TLS report. `reason` is one line, safe to log and to show to a user;
 * it never contains more than a short excerpt of the input.
 */
export class ReportRejectedError extends Error {
  constructor(public readonly reason: string) {
    super(reason);
    this.name = 'ReportRejectedError';
  }
}

/** Rejects with `reason` (shorthand for the many validation checks). */
export function reject(reason: string): never {
  throw new ReportRejectedError(reason);
}
