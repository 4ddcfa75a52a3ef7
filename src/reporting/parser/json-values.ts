// Readers of the values of a parsed report: each takes what RFC 8460 allows and rejects the rest, naming its path.
import { reject } from './errors';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short, printable excerpt of a rejected value for error messages (never walks nested values). */
export function excerpt(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Missing, `null`, empty and blank strings all become `null`; other non-strings are rejected. */
export function optionalString(value: unknown, path: string): string | null {
  if (value === undefined || value === null) return null;
  return itemString(value, path, -1, '');
}

/**
 * {@link optionalString} for a member of a list: a failure row's `key`, or (with `key` empty) the item itself; with
 * `i` negative, `path` is the value's own. The path is built only for an error message, as lists can be long.
 */
export function itemString(value: unknown, path: string, i: number, key: string): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (value === undefined || value === null) return null;
  const at = i < 0 ? path : `${path}[${i}]${key === '' ? '' : `.${key}`}`;
  return reject(`${at} must be a string, got ${excerpt(value)}`);
}

export function requiredString(value: unknown, path: string): string {
  return optionalString(value, path) ?? reject(`${path} is missing`);
}

/** A list of strings; a bare string is a one-element list (RFC 8460 Appendix B sends `mx-host` that way). */
export function stringList(value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    const item = optionalString(value, path);
    return item === null ? [] : [item];
  }
  const result: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const item = itemString(value[i], path, i, '');
    if (item !== null) result.push(item);
  }
  return result;
}

/** A session count: kept as sent when it is a non-negative integer; `undefined` when missing. */
export function sessionCount(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    reject(`${path} must be a non-negative integer, got ${excerpt(value)}`);
  }
  return value;
}
