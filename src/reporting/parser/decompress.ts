import { constants, gunzipSync } from 'node:zlib';
import { reject } from './errors';

/** True when `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Gunzips `bytes`, never producing more than `maxOutputBytes`: zlib stops inflating at the cap, so a
 * gzip bomb costs at most `maxOutputBytes` of memory. A truncated or corrupt stream is rejected.
 *
 * @param tooLarge the rejection reason when the output would exceed `maxOutputBytes`
 */
export function gunzipCapped(
  bytes: Uint8Array,
  maxOutputBytes: number,
  tooLarge = `decompressed report exceeds the ${maxOutputBytes}-byte limit`,
): Buffer {
  // zlib refuses a maxOutputLength below 1: nothing may be inflated at all.
  if (maxOutputBytes < 1) reject(tooLarge);
  try {
    return gunzipSync(bytes, { maxOutputLength: maxOutputBytes });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) reject(tooLarge);
    if (err.code === 'Z_BUF_ERROR' || err.errno === constants.Z_BUF_ERROR) {
      reject('gzip data is truncated');
    }
    reject(`gzip data is corrupt (${err.message})`);
  }
}
