import { reject } from './errors';

/**
 * What normalizing a report has produced so far, measured as (at least) the bytes of its JSON, so that a small input
 * cannot expand into a huge stored object; and the warnings, which count too.
 */
export class OutputBudget {
  readonly warnings: string[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  warn(warning: string): void {
    this.charge(warning.length + 3);
    this.warnings.push(warning);
  }

  charge(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.maxBytes) reject(`normalized report exceeds the ${this.maxBytes}-byte limit`);
  }
}

/** A lower bound of the JSON size of a string, number or null. */
export function jsonSize(value: string | number | null): number {
  if (value === null) return 4;
  return typeof value === 'number' ? digits(value) : value.length + 2;
}

/** The JSON size of an object member `,"key":"value"`, or 0 when the value is left out (null). */
export function memberSize(key: string, value: string | null): number {
  return value === null ? 0 : key.length + 4 + jsonSize(value);
}

/** The digits of a count (a non-negative integer), without making a string of it: there is one per failure row. */
function digits(value: number): number {
  let length = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) length++;
  return length;
}
