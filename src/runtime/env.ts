// Environment parsing every handler shares: a missing or malformed setting is a deployment error, named.

/** The value of environment variable `name`; throws when it is unset or empty (a deployment error). */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') throw new Error(`environment variable ${name} is not set`);
  return value.trim();
}

/** A positive integer from environment variable `name`, or `fallback` when unset; throws on anything else. */
export function positiveIntegerEnv(name: string, fallback: number): number {
  const value = process.env[name]?.trim();
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new Error(`environment variable ${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return parsed;
}
