/**
 * The 4-byte acknowledgements: PUBACK, PUBREC, PUBREL, PUBCOMP (both roles send and receive them) and UNSUBACK
 * (a broker sends it, a client receives it).
 * @module
 */
import { BUFFER_TOO_SMALL, INVALID_PACKET_TYPE, PACKET_ID_ZERO, TRAILING_BYTES, TRUNCATED } from "./codes.js";
import { checkPacketId } from "./bytes.js";
import type { Packet } from "./packet.js";

/**
 * Whether `type` is one of the packet-id-only acknowledgements.
 * @returns true for PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK
 */
export function isAckType(type: number): boolean {
  return (type >= 4 && type <= 7) || type === 11;
}

/**
 * Size of any acknowledgement: always 4.
 * @returns 4
 */
export function sizeAck(): number {
  return 4;
}

/**
 * Writes PUBACK, PUBREC, PUBREL (flags 0b0010), PUBCOMP or UNSUBACK at `offset`.
 * @returns `offset + 4`, or `BUFFER_TOO_SMALL` (nothing written), `INVALID_PACKET_TYPE` (not an ack type),
 *   `PACKET_ID_ZERO`, `INVALID_FIELD` (packet id not an integer 1..65535)
 */
export function encodeAck(buf: Uint8Array, offset: number, type: number, packetId: number): number {
  if (!isAckType(type)) return INVALID_PACKET_TYPE;
  const idCheck = checkPacketId(packetId);
  if (idCheck < 0) return idCheck;
  if (offset < 0 || buf.length - offset < 4) return BUFFER_TOO_SMALL;
  buf[offset] = (type << 4) | (type === 6 ? 0x02 : 0);
  buf[offset + 1] = 2;
  buf[offset + 2] = packetId >>> 8;
  buf[offset + 3] = packetId & 0xff;
  return offset + 4;
}

/**
 * Decodes the packet id of an acknowledgement in `buf[start, end)` (fixed header already checked).
 * @returns `end`, or `TRUNCATED`, `TRAILING_BYTES`, `PACKET_ID_ZERO`
 */
export function decodeAckBody(buf: Uint8Array, start: number, end: number, out: Packet): number {
  if (end - start < 2) return TRUNCATED;
  if (end - start > 2) return TRAILING_BYTES;
  const id = (buf[start]! << 8) | buf[start + 1]!;
  if (id === 0) return PACKET_ID_ZERO;
  out.packetId = id;
  return end;
}
