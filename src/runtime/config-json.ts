// Parsing the configuration objects the handlers read. No imports: the constructs' side of each handler uses it too.

/** The JSON of configuration object `key`, refusing text over `maxBytes` (when given) before parsing it. */
export function parseConfigJson(text: string, key: string, maxBytes?: number): unknown {
  if (maxBytes !== undefined && text.length > maxBytes) {
    throw new Error(`configuration object ${key} is over ${maxBytes} bytes`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`configuration object ${key} is not JSON`);
  }
}
