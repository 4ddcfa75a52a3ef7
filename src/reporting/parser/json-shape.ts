import { reject } from './errors';

/** Deeper JSON is refused before `JSON.parse`: a TLS report nests 5 (report, policies, item, failure-details, row). */
export const MAX_JSON_DEPTH = 64;
/**
 * More values than this are refused before `JSON.parse`: 20 MiB of `[{},{},…]` is 7 million objects and
 * 670 MB of heap. A real report has about 10 values per failure row, so this allows 200,000 rows.
 */
export const MAX_JSON_VALUES = 2_000_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * Refuses JSON text whose nesting or number of values would make `JSON.parse` costly, in one pass over the
 * text `JSON.parse` then reads, without allocating. Values are counted as containers opened plus commas, which
 * bounds the number of values `JSON.parse` creates. Syntax errors are left to `JSON.parse`.
 */
export function checkJsonShape(text: string): void {
  let depth = 0;
  let values = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      // Skip the string (a native search per quote); an unterminated one is JSON.parse's to report.
      for (;;) {
        const end = text.indexOf('"', i + 1);
        if (end < 0) return;
        i = end;
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
        if (backslashes % 2 === 0) break;
      }
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > MAX_JSON_DEPTH) reject(`JSON nests deeper than ${MAX_JSON_DEPTH} levels`);
      if (++values > MAX_JSON_VALUES) tooManyValues();
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      depth--;
    } else if (code === COMMA) {
      if (++values > MAX_JSON_VALUES) tooManyValues();
    }
  }
}

function tooManyValues(): never {
  reject(`JSON has more than ${MAX_JSON_VALUES} values`);
}
