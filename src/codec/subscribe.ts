/**
 * SUBSCRIBE, SUBACK and UNSUBSCRIBE, both directions.
 * @module
 */
import {
  BUFFER_TOO_SMALL, EMPTY_SUBSCRIPTION, INVALID_FIELD, INVALID_PACKET_TYPE, INVALID_QOS, INVALID_SUBACK_CODE,
  MAX_REMAINING_LENGTH, PACKET_ID_ZERO, PACKET_TOO_LARGE, PacketType, SUBSCRIBE_RESERVED, TRUNCATED,
} from "./codes.js";
import { copyBytes, putVarInt } from "./bytes.js";
import { readFixedHeader, type Packet } from "./packet.js";
import { validateTopicFilter } from "./topic.js";

/** SUBSCRIBE fields: the first `count` filters (UTF-8 bytes) with their requested QoS. */
export interface SubscribeInfo {
  packetId: number;
  filters: ReadonlyArray<Uint8Array>;
  qos: ArrayLike<number>;
  count: number;
}

/** UNSUBSCRIBE fields: the first `count` filters. */
export interface UnsubscribeInfo {
  packetId: number;
  filters: ReadonlyArray<Uint8Array>;
  count: number;
}

/** SUBACK fields: the first `count` return codes (0, 1, 2 or 0x80). */
export interface SubackInfo {
  packetId: number;
  returnCodes: ArrayLike<number>;
  count: number;
}

function varIntSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : 4;
}

function checkPacketId(id: number): number {
  if (id === 0) return PACKET_ID_ZERO;
  if (!(id > 0 && id <= 0xffff) || (id | 0) !== id) return INVALID_FIELD;
  return 0;
}

// Remaining length of a SUBSCRIBE (perEntry 1: QoS byte) or UNSUBSCRIBE (perEntry 0), or a code.
function listRemaining(packetId: number, filters: ReadonlyArray<Uint8Array>, count: number, perEntry: number): number {
  const idCheck = checkPacketId(packetId);
  if (idCheck < 0) return idCheck;
  if (count === 0) return EMPTY_SUBSCRIPTION;
  if (!(count > 0 && count <= filters.length) || (count | 0) !== count) return INVALID_FIELD;
  let remaining = 2;
  for (let i = 0; i < count; i++) {
    const filter = filters[i]!;
    const check = validateTopicFilter(filter, 0, filter.length);
    if (check < 0) return check;
    remaining += 2 + filter.length + perEntry;
  }
  return remaining > MAX_REMAINING_LENGTH ? PACKET_TOO_LARGE : remaining;
}

function subscribeRemaining(info: SubscribeInfo): number {
  const remaining = listRemaining(info.packetId, info.filters, info.count, 1);
  if (remaining < 0) return remaining;
  if (info.qos.length < info.count) return INVALID_FIELD;
  for (let i = 0; i < info.count; i++) {
    const qos = info.qos[i];
    if (qos !== 0 && qos !== 1 && qos !== 2) return INVALID_QOS;
  }
  return remaining;
}

// Writes type byte, remaining length, packet id, then each filter (and QoS for SUBSCRIBE).
function putList(
  buf: Uint8Array, offset: number, header: number, remaining: number, packetId: number,
  filters: ReadonlyArray<Uint8Array>, qos: ArrayLike<number> | null, count: number,
): number {
  buf[offset] = header;
  let o = putVarInt(buf, offset + 1, remaining);
  buf[o++] = packetId >>> 8;
  buf[o++] = packetId & 0xff;
  for (let i = 0; i < count; i++) {
    const filter = filters[i]!;
    buf[o++] = filter.length >>> 8;
    buf[o++] = filter.length & 0xff;
    o = copyBytes(buf, o, filter, 0, filter.length);
    if (qos !== null) buf[o++] = qos[i]!;
  }
  return o;
}

/**
 * Exact size of the SUBSCRIBE packet.
 * @returns the size, or `PACKET_ID_ZERO`, `INVALID_FIELD` (packet id out of range, count outside the arrays),
 *   `EMPTY_SUBSCRIPTION` (count 0), `INVALID_QOS`, `PACKET_TOO_LARGE`, or a filter code (`EMPTY_TOPIC`,
 *   `INVALID_FILTER`, `INVALID_UTF8`, `STRING_TOO_LONG`)
 */
export function sizeSubscribe(info: SubscribeInfo): number {
  const remaining = subscribeRemaining(info);
  return remaining < 0 ? remaining : 1 + varIntSize(remaining) + remaining;
}

/**
 * Writes the SUBSCRIBE packet at `offset`.
 * @returns the new offset, or `BUFFER_TOO_SMALL` (nothing written), or the codes of {@link sizeSubscribe}
 */
export function encodeSubscribe(buf: Uint8Array, offset: number, info: SubscribeInfo): number {
  const remaining = subscribeRemaining(info);
  if (remaining < 0) return remaining;
  if (offset < 0 || buf.length - offset < 1 + varIntSize(remaining) + remaining) return BUFFER_TOO_SMALL;
  return putList(buf, offset, 0x82, remaining, info.packetId, info.filters, info.qos, info.count);
}

/**
 * Exact size of the UNSUBSCRIBE packet.
 * @returns the size, or the codes of {@link sizeSubscribe} except `INVALID_QOS`
 */
export function sizeUnsubscribe(info: UnsubscribeInfo): number {
  const remaining = listRemaining(info.packetId, info.filters, info.count, 0);
  return remaining < 0 ? remaining : 1 + varIntSize(remaining) + remaining;
}

/**
 * Writes the UNSUBSCRIBE packet at `offset`.
 * @returns the new offset, or `BUFFER_TOO_SMALL` (nothing written), or the codes of {@link sizeUnsubscribe}
 */
export function encodeUnsubscribe(buf: Uint8Array, offset: number, info: UnsubscribeInfo): number {
  const remaining = listRemaining(info.packetId, info.filters, info.count, 0);
  if (remaining < 0) return remaining;
  if (offset < 0 || buf.length - offset < 1 + varIntSize(remaining) + remaining) return BUFFER_TOO_SMALL;
  return putList(buf, offset, 0xa2, remaining, info.packetId, info.filters, null, info.count);
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
  return remaining < 0 ? remaining : 1 + varIntSize(remaining) + remaining;
}

/**
 * Writes the SUBACK packet at `offset`.
 * @returns the new offset, or `BUFFER_TOO_SMALL` (nothing written), or the codes of {@link sizeSuback}
 */
export function encodeSuback(buf: Uint8Array, offset: number, info: SubackInfo): number {
  const remaining = sackRemaining(info);
  if (remaining < 0) return remaining;
  if (offset < 0 || buf.length - offset < 1 + varIntSize(remaining) + remaining) return BUFFER_TOO_SMALL;
  buf[offset] = PacketType.SUBACK << 4;
  let o = putVarInt(buf, offset + 1, remaining);
  buf[o++] = info.packetId >>> 8;
  buf[o++] = info.packetId & 0xff;
  for (let i = 0; i < info.count; i++) buf[o++] = info.returnCodes[i]!;
  return o;
}

// Validates a SUBSCRIBE (withQos) or UNSUBSCRIBE body and fills the list fields.
function decodeListBody(buf: Uint8Array, start: number, end: number, out: Packet, withQos: boolean): number {
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
export function decodeSubscribeBody(buf: Uint8Array, start: number, end: number, out: Packet): number {
  return decodeListBody(buf, start, end, out, true);
}

/**
 * Decodes an UNSUBSCRIBE body in `buf[start, end)` (fixed header already checked).
 * @returns `end`, or `TRUNCATED`, `PACKET_ID_ZERO`, `EMPTY_SUBSCRIPTION`, or a filter code
 */
export function decodeUnsubscribeBody(buf: Uint8Array, start: number, end: number, out: Packet): number {
  return decodeListBody(buf, start, end, out, false);
}

/**
 * Decodes a SUBACK body in `buf[start, end)` (fixed header already checked).
 * @returns `end`, or `TRUNCATED`, `PACKET_ID_ZERO`, `EMPTY_SUBSCRIPTION` (no return code), `INVALID_SUBACK_CODE`
 */
export function decodeSubackBody(buf: Uint8Array, start: number, end: number, out: Packet): number {
  if (end - start < 2) return TRUNCATED;
  const id = (buf[start]! << 8) | buf[start + 1]!;
  if (id === 0) return PACKET_ID_ZERO;
  if (end - start === 2) return EMPTY_SUBSCRIPTION;
  for (let pos = start + 2; pos < end; pos++) {
    const code = buf[pos]!;
    if (code > 2 && code !== 0x80) return INVALID_SUBACK_CODE;
  }
  out.packetId = id;
  out.codesOffset = start + 2;
  out.codesCount = end - start - 2;
  return end;
}

/**
 * Decodes one whole SUBSCRIBE occupying `buf[offset, offset + length)`.
 * @returns `offset + length`, or `INVALID_PACKET_TYPE` (another type), fixed-header codes (`TRUNCATED`,
 *   `TRAILING_BYTES`, `MALFORMED_REMAINING_LENGTH`, `RESERVED_FLAGS`, `INVALID_FIELD`), or the codes of
 *   {@link decodeSubscribeBody}
 */
export function decodeSubscribe(buf: Uint8Array, offset: number, length: number, out: Packet): number {
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
export function decodeUnsubscribe(buf: Uint8Array, offset: number, length: number, out: Packet): number {
  const start = readFixedHeader(buf, offset, length, out);
  if (start < 0) return start;
  if (out.type !== PacketType.UNSUBSCRIBE) return INVALID_PACKET_TYPE;
  return decodeUnsubscribeBody(buf, start, offset + length, out);
}

/**
 * Decodes one whole SUBACK occupying `buf[offset, offset + length)`.
 * @returns `offset + length`, or `INVALID_PACKET_TYPE`, fixed-header codes, or the codes of
 *   {@link decodeSubackBody}
 */
export function decodeSuback(buf: Uint8Array, offset: number, length: number, out: Packet): number {
  const start = readFixedHeader(buf, offset, length, out);
  if (start < 0) return start;
  if (out.type !== PacketType.SUBACK) return INVALID_PACKET_TYPE;
  return decodeSubackBody(buf, start, offset + length, out);
}
