/**
 * Bounds-checked field writers and readers for building or inspecting packets by hand (tests, tools). Each
 * checks its arguments and the room first and writes nothing when one is wrong. The encoders do not use them
 * (they size a packet once and then write unchecked), so a device does not link this module.
 * @module
 */
import { BUFFER_TOO_SMALL, INVALID_FIELD, STRING_TOO_LONG, TRUNCATED } from "./codes.js";
import { copyBytes, putVarInt, sizeVarInt } from "./bytes.js";

/**
 * Writes one byte.
 * @returns `offset + 1`, or `BUFFER_TOO_SMALL`, or `INVALID_FIELD` (value not an integer 0..255)
 */
export function writeU8(buf: Uint8Array, offset: number, value: number): number {
  if (!(value >= 0 && value <= 0xff) || (value | 0) !== value) return INVALID_FIELD;
  if (offset < 0 || offset >= buf.length) return BUFFER_TOO_SMALL;
  buf[offset] = value;
  return offset + 1;
}

/**
 * Writes a big-endian u16.
 * @returns `offset + 2`, or `BUFFER_TOO_SMALL`, or `INVALID_FIELD` (value not an integer 0..65535)
 */
export function writeU16(buf: Uint8Array, offset: number, value: number): number {
  if (!(value >= 0 && value <= 0xffff) || (value | 0) !== value) return INVALID_FIELD;
  if (offset < 0 || buf.length - offset < 2) return BUFFER_TOO_SMALL;
  buf[offset] = value >>> 8;
  buf[offset + 1] = value & 0xff;
  return offset + 2;
}

/**
 * Writes an MQTT variable byte integer (remaining length), minimal form.
 * @returns the new offset, or `BUFFER_TOO_SMALL`, or `INVALID_FIELD` (value out of 0..268,435,455)
 */
export function writeVarInt(buf: Uint8Array, offset: number, value: number): number {
  const size = sizeVarInt(value);
  if (size < 0) return size;
  if (offset < 0 || buf.length - offset < size) return BUFFER_TOO_SMALL;
  return putVarInt(buf, offset, value);
}

/**
 * Writes a u16 length prefix then `length` bytes of `src` from `srcOffset` (an MQTT string or binary field).
 * @returns the new offset, or `BUFFER_TOO_SMALL`, `STRING_TOO_LONG` (length > 65535), or `INVALID_FIELD`
 *   (source range outside `src`)
 */
export function writeBytes(buf: Uint8Array, offset: number, src: Uint8Array, srcOffset: number, length: number): number {
  if (length > 0xffff) return STRING_TOO_LONG;
  if (!(srcOffset >= 0 && length >= 0 && srcOffset + length <= src.length)) return INVALID_FIELD;
  if (offset < 0 || buf.length - offset < 2 + length) return BUFFER_TOO_SMALL;
  buf[offset] = length >>> 8;
  buf[offset + 1] = length & 0xff;
  copyBytes(buf, offset + 2, src, srcOffset, length);
  return offset + 2 + length;
}

/**
 * Reads a big-endian u16.
 * @returns the value 0..65535, or `TRUNCATED` when fewer than 2 bytes are left in `buf`
 */
export function readU16(buf: Uint8Array, offset: number): number {
  if (offset < 0 || buf.length - offset < 2) return TRUNCATED;
  return (buf[offset]! << 8) | buf[offset + 1]!;
}
