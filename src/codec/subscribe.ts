/**
 * SUBSCRIBE, UNSUBSCRIBE and SUBACK, client role: encodes the SUBSCRIBE and UNSUBSCRIBE a client sends,
 * decodes the SUBACK a broker sends. The server role is in `subscribe-server.ts`.
 * @module
 */
import {
  BUFFER_TOO_SMALL, EMPTY_SUBSCRIPTION, INVALID_FIELD, INVALID_QOS, INVALID_SUBACK_CODE, MAX_REMAINING_LENGTH, PACKET_ID_ZERO, PACKET_TOO_LARGE, TRUNCATED,
} from "./codes.js";
import { checkPacketId, copyBytes, putVarInt, varIntLength } from "./bytes.js";
import type { Packet } from "./packet.js";
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
  return remaining < 0 ? remaining : 1 + varIntLength(remaining) + remaining;
}

/**
 * Writes the SUBSCRIBE packet at `offset`.
 * @returns the new offset, or `BUFFER_TOO_SMALL` (nothing written), or the codes of {@link sizeSubscribe}
 */
export function encodeSubscribe(buf: Uint8Array, offset: number, info: SubscribeInfo): number {
  const remaining = subscribeRemaining(info);
  if (remaining < 0) return remaining;
  if (offset < 0 || buf.length - offset < 1 + varIntLength(remaining) + remaining) return BUFFER_TOO_SMALL;
  return putList(buf, offset, 0x82, remaining, info.packetId, info.filters, info.qos, info.count);
}

/**
 * Exact size of the UNSUBSCRIBE packet.
 * @returns the size, or the codes of {@link sizeSubscribe} except `INVALID_QOS`
 */
export function sizeUnsubscribe(info: UnsubscribeInfo): number {
  const remaining = listRemaining(info.packetId, info.filters, info.count, 0);
  return remaining < 0 ? remaining : 1 + varIntLength(remaining) + remaining;
}

/**
 * Writes the UNSUBSCRIBE packet at `offset`.
 * @returns the new offset, or `BUFFER_TOO_SMALL` (nothing written), or the codes of {@link sizeUnsubscribe}
 */
export function encodeUnsubscribe(buf: Uint8Array, offset: number, info: UnsubscribeInfo): number {
  const remaining = listRemaining(info.packetId, info.filters, info.count, 0);
  if (remaining < 0) return remaining;
  if (offset < 0 || buf.length - offset < 1 + varIntLength(remaining) + remaining) return BUFFER_TOO_SMALL;
  return putList(buf, offset, 0xa2, remaining, info.packetId, info.filters, null, info.count);
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
