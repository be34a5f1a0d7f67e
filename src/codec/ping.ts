/**
 * The 2-byte packets without variable header: PINGREQ, PINGRESP, DISCONNECT.
 * @module
 */
import { BUFFER_TOO_SMALL, INVALID_PACKET_TYPE, TRAILING_BYTES } from "./codes.js";
import type { Packet } from "./packet.js";

/**
 * Whether `type` is PINGREQ, PINGRESP or DISCONNECT.
 * @returns true for types 12, 13, 14
 */
export function isEmptyType(type: number): boolean {
  return type >= 12 && type <= 14;
}

/**
 * Size of PINGREQ, PINGRESP, DISCONNECT: always 2.
 * @returns 2
 */
export function sizeEmpty(): number {
  return 2;
}

/**
 * Writes PINGREQ, PINGRESP or DISCONNECT at `offset`.
 * @returns `offset + 2`, or `BUFFER_TOO_SMALL` (nothing written), `INVALID_PACKET_TYPE` (another type)
 */
export function encodeEmpty(buf: Uint8Array, offset: number, type: number): number {
  if (!isEmptyType(type)) return INVALID_PACKET_TYPE;
  if (offset < 0 || buf.length - offset < 2) return BUFFER_TOO_SMALL;
  buf[offset] = type << 4;
  buf[offset + 1] = 0;
  return offset + 2;
}

/**
 * Checks that an empty packet has no body (`buf[start, end)` must be empty).
 * @returns `end`, or `TRAILING_BYTES`
 */
export function decodeEmptyBody(_buf: Uint8Array, start: number, end: number, _out: Packet): number {
  return start === end ? end : TRAILING_BYTES;
}
