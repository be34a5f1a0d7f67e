/**
 * Byte primitives the encoders and the decoder share: variable-byte-integer sizes and writing, packet id
 * checks, copies without views. The bounds-checked field writers for hand-built packets are in `fields.ts`.
 * @module
 */
import { INVALID_FIELD, MAX_REMAINING_LENGTH, PACKET_ID_ZERO } from "./codes.js";

/**
 * Number of bytes the MQTT variable byte integer takes for `value`.
 * @returns 1..4, or `INVALID_FIELD` (value not an integer 0..268,435,455)
 */
export function sizeVarInt(value: number): number {
  if (!(value >= 0 && value <= MAX_REMAINING_LENGTH) || (value | 0) !== value) return INVALID_FIELD;
  return varIntLength(value);
}

/**
 * Number of bytes of the variable byte integer for a remaining length the caller already validated
 * (0..268,435,455); no checks.
 * @returns 1..4
 */
export function varIntLength(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : 4;
}

/**
 * Writes a variable byte integer without checks (the caller sized the packet).
 * @returns the new offset
 */
export function putVarInt(buf: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    buf[offset++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[offset++] = value;
  return offset;
}

/**
 * Checks a packet identifier to encode.
 * @returns 0, or `PACKET_ID_ZERO`, `INVALID_FIELD` (not an integer 1..65535)
 */
export function checkPacketId(id: number): number {
  if (id === 0) return PACKET_ID_ZERO;
  if (!(id > 0 && id <= 0xffff) || (id | 0) !== id) return INVALID_FIELD;
  return 0;
}

/**
 * Copies `length` bytes without creating views: `copyWithin` when source and destination are the same array
 * (a pool), `set` for a whole source array, a byte loop otherwise. No bounds checks: the caller sized it.
 * @returns `dstOffset + length`
 */
export function copyBytes(dst: Uint8Array, dstOffset: number, src: Uint8Array, srcOffset: number, length: number): number {
  if (src === dst) {
    if (srcOffset !== dstOffset) dst.copyWithin(dstOffset, srcOffset, srcOffset + length);
  } else if (srcOffset === 0 && length === src.length) {
    dst.set(src, dstOffset);
  } else {
    copyRun(dst, dstOffset, src, srcOffset, length);
  }
  return dstOffset + length;
}

// 2^30 - 1: ranges ending up to here take the masked block loop of copyRun.
const RUN_LIMIT = 0x3fffffff;

/**
 * Copies `length` bytes between two different arrays with element accesses only (no views, nothing allocated),
 * reading only `src[srcOffset, srcOffset + length)` and writing only `dst[dstOffset, dstOffset + length)`.
 * Blocks of 8 bytes, the last block shifted back to end exactly at `length` (it may rewrite up to 7 bytes
 * already copied): one loop whose trip count is the only data-dependent branch, instead of an unrolled loop
 * plus a remainder loop. No bounds checks: the caller sized it; the arrays must not be the same.
 */
export function copyRun(dst: Uint8Array, dstOffset: number, src: Uint8Array, srcOffset: number, length: number): void {
  if (length >= 8) {
    if (srcOffset + length > RUN_LIMIT || dstOffset + length > RUN_LIMIT) {
      for (let i = 0; i < length; i++) dst[dstOffset + i] = src[srcOffset + i]!;
      return;
    }
    // Below 2^30 the masks change nothing; they let V8 prove that no index sum overflows an int32, which drops
    // an overflow check from every element access.
    const last = (length - 8) & RUN_LIMIT;
    const d0 = dstOffset & RUN_LIMIT;
    const s0 = srcOffset & RUN_LIMIT;
    let i = 0;
    for (;;) {
      if (i > last) i = last;
      const d = d0 + i;
      const s = s0 + i;
      dst[d] = src[s]!;
      dst[d + 1] = src[s + 1]!;
      dst[d + 2] = src[s + 2]!;
      dst[d + 3] = src[s + 3]!;
      dst[d + 4] = src[s + 4]!;
      dst[d + 5] = src[s + 5]!;
      dst[d + 6] = src[s + 6]!;
      dst[d + 7] = src[s + 7]!;
      if (i === last) return;
      i = (i + 8) & RUN_LIMIT;
    }
  }
  if (length >= 4) {
    // 4..7 bytes: two overlapping blocks of 4.
    dst[dstOffset] = src[srcOffset]!;
    dst[dstOffset + 1] = src[srcOffset + 1]!;
    dst[dstOffset + 2] = src[srcOffset + 2]!;
    dst[dstOffset + 3] = src[srcOffset + 3]!;
    const d = dstOffset + length - 4;
    const s = srcOffset + length - 4;
    dst[d] = src[s]!;
    dst[d + 1] = src[s + 1]!;
    dst[d + 2] = src[s + 2]!;
    dst[d + 3] = src[s + 3]!;
  } else if (length > 0) {
    // 1..3 bytes: first, middle and last (some coincide).
    const h = length >> 1;
    dst[dstOffset] = src[srcOffset]!;
    dst[dstOffset + h] = src[srcOffset + h]!;
    dst[dstOffset + length - 1] = src[srcOffset + length - 1]!;
  }
}
