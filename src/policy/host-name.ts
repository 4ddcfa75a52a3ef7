// Host and domain names as DNS data carries them (`MX1.Example.com.`) and as we compare, log and key them.

/** The name without the dot that marks it fully qualified (`example.com.` -> `example.com`). */
export function withoutTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** A host or domain name as compared, logged and used as a key: lower case, without the trailing dot. */
export function normalizeHost(name: string): string {
  return withoutTrailingDot(name).toLowerCase();
}
