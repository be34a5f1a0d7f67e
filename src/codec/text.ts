/**
 * UTF-8 and number-as-text helpers. `utf8Encode` is for setup time (it allocates); everything else writes into
 * a caller's buffer and allocates nothing.
 * @module
 */
import { BUFFER_TOO_SMALL, INVALID_FIELD, INVALID_NUMBER, INVALID_UTF8 } from "./codes.js";

/** Largest number the text writers accept (2^53): above it integer digits are no longer exact. */
export const MAX_WRITABLE_NUMBER = 9_007_199_254_740_992;

/** Most decimals `writeDecimal` accepts; 10^9 keeps the scaled fraction exact in a double. */
export const MAX_DECIMALS = 9;

/**
 * Checks that `length` bytes at `offset` are well-formed UTF-8 as MQTT requires [MQTT-1.5.3]: no U+0000,
 * no surrogates (U+D800..DFFF), no overlong forms, nothing above U+10FFFF, no truncated sequence.
 * ASCII runs take a fast path.
 * @returns 0 when valid, or `INVALID_UTF8`
 */
export function validateUtf8(buf: Uint8Array, offset: number, length: number): number {
  const end = offset + length;
  let i = offset;
  while (i < end) {
    const c = buf[i]!;
    if (c < 0x80) {
      if (c === 0) return INVALID_UTF8;
      i++;
      continue;
    }
    i = validateSequence(buf, i, end);
    if (i < 0) return INVALID_UTF8;
  }
  return 0;
}

/**
 * Validates one multi-byte sequence whose lead byte is at `i` (Unicode Table 3-7).
 * @returns the offset after the sequence, or -1 when ill-formed
 */
export function validateSequence(buf: Uint8Array, i: number, end: number): number {
  const c = buf[i]!;
  if (c < 0xc2) return -1; // continuation byte as lead, or overlong 2-byte lead C0/C1
  if (c < 0xe0) {
    if (i + 1 >= end) return -1;
    const c1 = buf[i + 1]!;
    return (c1 & 0xc0) === 0x80 ? i + 2 : -1;
  }
  if (c < 0xf0) {
    if (i + 2 >= end) return -1;
    const c1 = buf[i + 1]!;
    const c2 = buf[i + 2]!;
    // E0 needs A0..BF (else overlong); ED needs 80..9F (else a surrogate).
    const low = c === 0xe0 ? 0xa0 : 0x80;
    const high = c === 0xed ? 0x9f : 0xbf;
    if (c1 < low || c1 > high || (c2 & 0xc0) !== 0x80) return -1;
    return i + 3;
  }
  if (c < 0xf5) {
    if (i + 3 >= end) return -1;
    const c1 = buf[i + 1]!;
    // F0 needs 90..BF (else overlong); F4 needs 80..8F (else above U+10FFFF).
    const low = c === 0xf0 ? 0x90 : 0x80;
    const high = c === 0xf4 ? 0x8f : 0xbf;
    if (c1 < low || c1 > high || (buf[i + 2]! & 0xc0) !== 0x80 || (buf[i + 3]! & 0xc0) !== 0x80) return -1;
    return i + 4;
  }
  return -1;
}

/**
 * Number of UTF-8 bytes for a JS string; a lone surrogate counts as U+FFFD (3 bytes), like TextEncoder.
 * A character above U+FFFF comes as a surrogate pair from V8, and as one code point (`charCodeAt` > 0xFFFF)
 * from XS as Moddable builds it (strings stored as UTF-8, without `mxCESU8`); both count 4 bytes.
 * @returns the byte length (never negative)
 */
export function utf8Length(str: string): number {
  let n = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c > 0xffff) n += 4;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length && isLowSurrogate(str.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Writes a JS string as UTF-8 (no length prefix). Lone surrogates become U+FFFD. U+0000 is written as is;
 * MQTT string validation rejects it later. Characters above U+FFFF are read as a surrogate pair (V8) or as one
 * code point (XS, see {@link utf8Length}).
 * @returns the new offset, or `BUFFER_TOO_SMALL` (nothing written)
 */
export function writeUtf8(buf: Uint8Array, offset: number, str: string): number {
  const size = utf8Length(str);
  if (offset < 0 || buf.length - offset < size) return BUFFER_TOO_SMALL;
  let o = offset;
  for (let i = 0; i < str.length; i++) {
    let c = str.charCodeAt(i);
    if (c < 0x80) {
      buf[o++] = c;
    } else if (c < 0x800) {
      buf[o++] = 0xc0 | (c >> 6);
      buf[o++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < str.length ? str.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && isLowSurrogate(next)) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
        } else {
          c = 0xfffd;
        }
      }
      if (c > 0xffff) {
        buf[o++] = 0xf0 | (c >> 18);
        buf[o++] = 0x80 | ((c >> 12) & 0x3f);
      } else {
        buf[o++] = 0xe0 | (c >> 12);
      }
      buf[o++] = 0x80 | ((c >> 6) & 0x3f);
      buf[o++] = 0x80 | (c & 0x3f);
    }
  }
  return o;
}

/**
 * Encodes a JS string to a new UTF-8 array. Setup time only: it allocates.
 * @returns a new `Uint8Array` of exactly `utf8Length(str)` bytes
 */
export function utf8Encode(str: string): Uint8Array {
  const out = new Uint8Array(utf8Length(str));
  writeUtf8(out, 0, str);
  return out;
}

/**
 * Copies pre-encoded ASCII bytes, or the characters of a string that must be all ASCII.
 * With a `Uint8Array` it allocates nothing (the steady-state form). With a string it is meant for rare paths:
 * on XS `charCodeAt` on a string costs slots, and no string literal is compared here because XS copies a
 * literal into a new chunk each time code parsed at run time executes it.
 * @returns the new offset, or `BUFFER_TOO_SMALL` (nothing written), or `INVALID_FIELD` (a non-ASCII character)
 */
export function writeAscii(buf: Uint8Array, offset: number, bytes: Uint8Array | string): number {
  const length = bytes.length;
  if (offset < 0 || buf.length - offset < length) return BUFFER_TOO_SMALL;
  if (bytes instanceof Uint8Array) {
    for (let i = 0; i < length; i++) buf[offset + i] = bytes[i]!;
  } else {
    for (let i = 0; i < length; i++) if (bytes.charCodeAt(i) > 0x7f) return INVALID_FIELD;
    for (let i = 0; i < length; i++) buf[offset + i] = bytes.charCodeAt(i);
  }
  return offset + length;
}

// 10^k for k = 0..MAX_DECIMALS, exact in a double.
function powerOfTen(k: number): number {
  switch (k) {
    case 0: return 1;
    case 1: return 10;
    case 2: return 100;
    case 3: return 1_000;
    case 4: return 10_000;
    case 5: return 100_000;
    case 6: return 1_000_000;
    case 7: return 10_000_000;
    case 8: return 100_000_000;
    default: return 1_000_000_000;
  }
}

// Rounding error of the product a*b (Dekker's TwoProduct): a*b == p + error exactly.
function productError(a: number, b: number, p: number): number {
  const SPLIT = 134_217_729; // 2^27 + 1 (Veltkamp split)
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

// Scaled fraction of |value| rounded half away from zero, exactly (the value's binary expansion, like
// toFixed): returns round(frac(|value|) * 10^decimals), which may equal 10^decimals (carry into the integer).
function roundedFraction(magnitude: number, integer: number, scale: number): number {
  const fraction = magnitude - integer; // exact
  const p = fraction * scale;
  const error = productError(fraction, scale, p);
  let n = Math.floor(p);
  const r = p - n; // exact
  // fraction*scale == n + r + error exactly; round up when r + error >= 0.5, compared without rounding.
  if (r - 0.5 >= -error) n += 1;
  return n;
}

function digitCount(n: number): number {
  let digits = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    digits++;
  }
  return digits;
}

/**
 * Exact byte length of `writeDecimal(value, decimals)` output.
 * @returns the length, or `INVALID_NUMBER` (NaN, ±Infinity, |value| > 2^53) or `INVALID_FIELD` (decimals not
 *   an integer 0..9)
 */
export function sizeDecimal(value: number, decimals: number): number {
  if (!(decimals >= 0 && decimals <= MAX_DECIMALS) || (decimals | 0) !== decimals) return INVALID_FIELD;
  if (!(value >= -MAX_WRITABLE_NUMBER && value <= MAX_WRITABLE_NUMBER)) return INVALID_NUMBER;
  const magnitude = value < 0 ? -value : value;
  const scale = powerOfTen(decimals);
  let integer = Math.floor(magnitude);
  let fraction = roundedFraction(magnitude, integer, scale);
  if (fraction >= scale) {
    integer += 1;
    fraction = 0;
  }
  const negative = value < 0 && (integer > 0 || fraction > 0);
  return (negative ? 1 : 0) + digitCount(integer) + (decimals > 0 ? decimals + 1 : 0);
}

/**
 * Writes `value` as decimal text with exactly `decimals` digits after the point, rounded half away from zero
 * on the exact binary value (the same digits as `toFixed`), without strings or allocation. A result that
 * rounds to zero is printed without a sign (`-0`, `-0.001` with 2 decimals → `0.00`).
 * @param decimals - 0..9; 0 writes no decimal point
 * @returns the new offset, or `BUFFER_TOO_SMALL` (nothing written), `INVALID_NUMBER` (NaN, ±Infinity,
 *   |value| > 2^53) or `INVALID_FIELD` (bad `decimals`)
 */
export function writeDecimal(buf: Uint8Array, offset: number, value: number, decimals: number): number {
  if (!(decimals >= 0 && decimals <= MAX_DECIMALS) || (decimals | 0) !== decimals) return INVALID_FIELD;
  if (!(value >= -MAX_WRITABLE_NUMBER && value <= MAX_WRITABLE_NUMBER)) return INVALID_NUMBER;
  const magnitude = value < 0 ? -value : value;
  const scale = powerOfTen(decimals);
  let integer = Math.floor(magnitude);
  let fraction = roundedFraction(magnitude, integer, scale);
  if (fraction >= scale) {
    integer += 1;
    fraction = 0;
  }
  const negative = value < 0 && (integer > 0 || fraction > 0);
  const intDigits = digitCount(integer);
  const size = (negative ? 1 : 0) + intDigits + (decimals > 0 ? decimals + 1 : 0);
  if (offset < 0 || buf.length - offset < size) return BUFFER_TOO_SMALL;
  let o = offset;
  if (negative) buf[o++] = 0x2d; // '-'
  // Integer digits right to left; integer <= 2^53 + 1 so % and / by 10 stay exact.
  let p = o + intDigits - 1;
  do {
    const digit = integer % 10;
    buf[p--] = 0x30 + digit;
    integer = (integer - digit) / 10;
  } while (integer > 0);
  o += intDigits;
  if (decimals > 0) {
    buf[o] = 0x2e; // '.'
    p = o + decimals;
    for (let k = 0; k < decimals; k++) {
      const digit = fraction % 10;
      buf[p--] = 0x30 + digit;
      fraction = (fraction - digit) / 10;
    }
    o += decimals + 1;
  }
  return o;
}

/**
 * Writes `value` rounded half away from zero to an integer, as decimal text (same as `writeDecimal(…, 0)`).
 * @returns the new offset, or `BUFFER_TOO_SMALL` (nothing written) or `INVALID_NUMBER` (NaN, ±Infinity,
 *   |value| > 2^53)
 */
export function writeInteger(buf: Uint8Array, offset: number, value: number): number {
  return writeDecimal(buf, offset, value, 0);
}
