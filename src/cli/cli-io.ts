/** Where a command writes; tests pass in-memory streams, `main` passes the process streams. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** Exit codes shared by every subcommand. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A command-line mistake: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** Validation failures are the user's input, so they exit like usage errors rather than as crashes. */
export function asUsageError<T>(validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
}
