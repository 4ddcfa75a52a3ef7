// RFC 3339 date-time; the zone is optional because Microsoft sent zone-less times in 2023.
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/;

/**
 * Reads an RFC 3339 date-time and returns it as ISO 8601 UTC, without milliseconds when they are zero
 * (`2024-01-09T23:59:59Z`). A missing zone means UTC. Returns `undefined` when `text` is not a valid date-time.
 */
export function toUtcIso(text: string): string | undefined {
  // Fast path for what nearly every sender writes, `2024-01-09T23:59:59Z`: already the output form when the fields
  // are in range on every calendar (a day up to 28); anything else takes the general path.
  if (CANONICAL.test(text) && text.charCodeAt(0) !== 0x30) {
    const field = (at: number) => (text.charCodeAt(at) - 0x30) * 10 + text.charCodeAt(at + 1) - 0x30;
    const month = field(5);
    const day = field(8);
    if (month >= 1 && month <= 12 && day >= 1 && day <= 28 && field(11) <= 23 && field(14) <= 59 && field(17) <= 59) {
      return text;
    }
  }
  const m = DATE_TIME.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const fraction = m[7];
  const zone = m[8];
  // RFC 3339 allows leap second 60; Date rolls it over into the next minute.
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;

  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCDate() !== day) return undefined; // e.g. 2023-02-30
  date.setUTCHours(hour, minute, second, fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0);

  let offsetMinutes = 0;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2));
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  const time = date.getTime() - offsetMinutes * 60_000;
  if (!Number.isFinite(time)) return undefined;
  return new Date(time).toISOString().replace('.000Z', 'Z');
}
