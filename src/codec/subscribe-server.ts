/**
 * SUBSCRIBE, UNSUBSCRIBE and SUBACK, server role: decodes the SUBSCRIBE and UNSUBSCRIBE a client sends (and
 * iterates their entries), encodes the SUBACK a broker sends. For brokers, tests and the simulator; a device
 * links only `subscribe.ts`.
 * @module
 */
import {
  BUFFER_TOO_SMALL, EMPTY_SUBSCRIPTION, INVALID_FIELD, INVALID_PACKET_TYPE, INVALID_QOS, INVALID_SUBACK_CODE,
  MAX_REMAINING_LENGTH, PACKET_ID_ZERO, PACKET_TOO_LARGE, PacketType, SUBSCRIBE_RESERVED, TRUNCATED,
} from "./codes.js";
import { checkPacketId, putVarInt, varIntLength } from "./bytes.js";
import { readFixedHeader } from "./frame.js";
import type { ServerPacket } from "./packet-server.js";
import { validateTopicFilter } from "./topic.js";

/** SUBACK fields: the first `count` return codes (0, 1, 2 or 0x80). */
export interface SubackInfo {
  packetId: number;
  returnCodes: ArrayLike<number>;
  count: number;
}

function sackRemaining(info: SubackInfo): number {
  const idCheck = checkPacketId(info.packetId);
  if (idCheck < 0) return idCheck;
  const count = info.count;
  if (count === 0) return EMPTY_SUBSCRIPTION;
  if (!(count > 0 && count <= info.returnCodes.length) || (count | 0) !== count) return INVALID_FIELD;
  if (count + 2 > MAX_REMAINING_LENGTH) return PACKET_TOO_LARGE;
  for (let i = 0; i < count; i++) {
    const code = info.returnCodes[i];
    if (code !== 0 && code !== 1 && code !== 2 && code !== 0x80) return INVALID_SUBACK_CODE;
  }
  return 2 + count;
}

/**
 * Exact size of the SUBACK packet.
 * @returns the size, or `PACKET_ID_ZERO`, `INVALID_FIELD`, `EMPTY_SUBSCRIPTION`, `INVALID_SUBACK_CODE`,
 *   `PACKET_TOO_LARGE`
 */
export function sizeSuback(info: SubackInfo): number {
  const remaining = sackRemaining(info);
  return remaining < 0 ? remaining : 1 + varIntLength(remaining) + remaining;
}

/**
 * Writes the SUBACK packet at `offset`.
 * @returns the new offset, or `BUFFER_TOO_SMALL` (nothing written), or the codes of {@link sizeSuback}
 */
export function encodeSuback(buf: Uint8Array, offset: number, info: SubackInfo): number {
  const remaining = sackRemaining(info);
  if (remaining < 0) return remaining;
  if (offset < 0 || buf.length - offset < 1 + varIntLength(remaining) + remaining) return BUFFER_TOO_SMALL;
  buf[offset] = PacketType.SUBACK << 4;
  let o = putVarInt(buf, offset + 1, remaining);
  buf[o++] = info.packetId >>> 8;
  buf[o++] = info.packetId & 0xff;
  for (let i = 0; i < info.count; i++) buf[o++] = info.returnCodes[i]!;
  return o;
}

// Validates a SUBSCRIBE (withQos) or UNSUBSCRIBE body and fills the list fields.
function decodeListBody(buf: Uint8Array, start: number, end: number, out: ServerPacket, withQos: boolean): number {
  if (end - start < 2) return TRUNCATED;
  const id = (buf[start]! << 8) | buf[start + 1]!;
  if (id === 0) return PACKET_ID_ZERO;
  let pos = start + 2;
  if (pos === end) return EMPTY_SUBSCRIPTION;
  let count = 0;
  while (pos < end) {
    if (end - pos < 2) return TRUNCATED;
    const length = (buf[pos]! << 8) | buf[pos + 1]!;
    pos += 2;
    if (end - pos < length) return TRUNCATED;
    const check = validateTopicFilter(buf, pos, length);
    if (check < 0) return check;
    pos += length;
    if (withQos) {
      if (pos >= end) return TRUNCATED;
      const qos = buf[pos++]!;
      if ((qos & 0xfc) !== 0) return SUBSCRIBE_RESERVED; // [MQTT-3.8.3-4]
      if (qos === 3) return INVALID_QOS;
    }
    count++;
  }
  out.packetId = id;
  out.listOffset = start + 2;
  out.listLength = end - start - 2;
  out.listCount = count;
  return end;
}

/**
 * Decodes a SUBSCRIBE body in `buf[start, end)` (fixed header already checked); iterate the entries with
 * `nextFilter`.
 * @returns `end`, or `TRUNCATED`, `PACKET_ID_ZERO`, `EMPTY_SUBSCRIPTION`, `SUBSCRIBE_RESERVED`, `INVALID_QOS`,
 *   or a filter code (`EMPTY_TOPIC`, `INVALID_FILTER`, `INVALID_UTF8`)
 */
export function decodeSubscribeBody(buf: Uint8Array, start: number, end: number, out: ServerPacket): number {
  return decodeListBody(buf, start, end, out, true);
}

/**
 * Decodes an UNSUBSCRIBE body in `buf[start, end)` (fixed header already checked).
 * @returns `end`, or `TRUNCATED`, `PACKET_ID_ZERO`, `EMPTY_SUBSCRIPTION`, or a filter code
 */
export function decodeUnsubscribeBody(buf: Uint8Array, start: number, end: number, out: ServerPacket): number {
  return decodeListBody(buf, start, end, out, false);
}

/**
 * Decodes one whole SUBSCRIBE occupying `buf[offset, offset + length)`.
 * @returns `offset + length`, or `INVALID_PACKET_TYPE` (another type), fixed-header codes (`TRUNCATED`,
 *   `TRAILING_BYTES`, `MALFORMED_REMAINING_LENGTH`, `RESERVED_FLAGS`, `INVALID_FIELD`), or the codes of
 *   {@link decodeSubscribeBody}
 */
export function decodeSubscribe(buf: Uint8Array, offset: number, length: number, out: ServerPacket): number {
  const start = readFixedHeader(buf, offset, length, out);
  if (start < 0) return start;
  if (out.type !== PacketType.SUBSCRIBE) return INVALID_PACKET_TYPE;
  return decodeSubscribeBody(buf, start, offset + length, out);
}

/**
 * Decodes one whole UNSUBSCRIBE occupying `buf[offset, offset + length)`.
 * @returns `offset + length`, or `INVALID_PACKET_TYPE`, fixed-header codes, or the codes of
 *   {@link decodeUnsubscribeBody}
 */
export function decodeUnsubscribe(buf: Uint8Array, offset: number, length: number, out: ServerPacket): number {
  const start = readFixedHeader(buf, offset, length, out);
  if (start < 0) return start;
  if (out.type !== PacketType.UNSUBSCRIBE) return INVALID_PACKET_TYPE;
  return decodeUnsubscribeBody(buf, start, offset + length, out);
}

/**
 * Position of the first entry of a decoded SUBSCRIBE/UNSUBSCRIBE list (`packet.listOffset`).
 * Iterate: `for (let e = firstFilter(p); e < p.listOffset + p.listLength; e = nextFilter(p.buffer, e, p.type))`.
 * @returns the entry position (its u16 length prefix)
 */
export function firstFilter(packet: { listOffset: number }): number {
  return packet.listOffset;
}

/**
 * Position of the entry after the one at `entry` in a validated SUBSCRIBE (filter + QoS byte) or
 * UNSUBSCRIBE (filter only) list.
 * @param type - `PacketType.SUBSCRIBE` or `PacketType.UNSUBSCRIBE`
 * @returns the next entry position (equals the list end after the last entry)
 */
export function nextFilter(buf: Uint8Array, entry: number, type: number): number {
  const length = (buf[entry]! << 8) | buf[entry + 1]!;
  return entry + 2 + length + (type === PacketType.SUBSCRIBE ? 1 : 0);
}

/**
 * Offset of the filter bytes of the entry at `entry`.
 * @returns `entry + 2`
 */
export function filterOffset(entry: number): number {
  return entry + 2;
}

/**
 * Byte length of the filter of the entry at `entry`.
 * @returns 1..65535 for a validated list
 */
export function filterLength(buf: Uint8Array, entry: number): number {
  return (buf[entry]! << 8) | buf[entry + 1]!;
}

/**
 * Requested QoS of the SUBSCRIBE entry at `entry`.
 * @returns 0, 1 or 2 for a validated list
 */
export function filterQos(buf: Uint8Array, entry: number): number {
  return buf[entry + 2 + ((buf[entry]! << 8) | buf[entry + 1]!)]!;
}
