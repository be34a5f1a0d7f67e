/**
 * PUBLISH, both directions (a client sends and receives it).
 * @module
 */
import {
  BUFFER_TOO_SMALL, INVALID_FIELD, INVALID_QOS, MAX_REMAINING_LENGTH, PACKET_ID_ZERO, PACKET_TOO_LARGE, RESERVED_FLAGS, TRUNCATED,
} from "./codes.js";
import { checkPacketId, copyBytes, putVarInt, varIntLength } from "./bytes.js";
import type { Packet } from "./packet.js";
import { validateTopicName } from "./topic.js";

/**
 * What to publish. The topic (UTF-8, validated on every encode) and payload are byte ranges of existing
 * arrays; the client keeps one instance and assigns fields.
 */
export interface PublishInfo {
  topic: Uint8Array;
  topicOffset: number;
  topicLength: number;
  payload: Uint8Array;
  payloadOffset: number;
  payloadLength: number;
  qos: number;
  retain: boolean;
  dup: boolean;
  packetId: number;
}

// Remaining length of the PUBLISH without its payload, after validating every field; or a negative code.
function publishHeadRemaining(info: PublishInfo): number {
  const qos = info.qos;
  if (qos !== 0 && qos !== 1 && qos !== 2) return INVALID_QOS;
  const topicOffset = info.topicOffset;
  const topicLength = info.topicLength;
  if (!(topicOffset >= 0 && topicLength >= 0 && topicOffset + topicLength <= info.topic.length)) return INVALID_FIELD;
  const payloadOffset = info.payloadOffset;
  const payloadLength = info.payloadLength;
  if (!(payloadOffset >= 0 && payloadLength >= 0 && payloadOffset + payloadLength <= info.payload.length)) {
    return INVALID_FIELD;
  }
  const topicCheck = validateTopicName(info.topic, topicOffset, topicLength);
  if (topicCheck < 0) return topicCheck;
  if (qos === 0) {
    if (info.dup) return RESERVED_FLAGS; // [MQTT-3.3.1-2]
    return 2 + topicLength;
  }
  const idCheck = checkPacketId(info.packetId);
  return idCheck < 0 ? idCheck : 4 + topicLength;
}

/**
 * Exact size of the PUBLISH packet.
 * @returns the size in bytes, or `INVALID_QOS`, `INVALID_FIELD` (range outside its array, packet id out of
 *   range), `PACKET_ID_ZERO`, `RESERVED_FLAGS` (DUP on QoS 0), `PACKET_TOO_LARGE`, or a topic name code
 *   (`EMPTY_TOPIC`, `TOPIC_WILDCARD`, `INVALID_UTF8`, `STRING_TOO_LONG`)
 */
export function sizePublish(info: PublishInfo): number {
  const head = publishHeadRemaining(info);
  if (head < 0) return head;
  const remaining = head + info.payloadLength;
  if (remaining > MAX_REMAINING_LENGTH) return PACKET_TOO_LARGE;
  return 1 + varIntLength(remaining) + remaining;
}

/**
 * Size of the PUBLISH without its payload: fixed header (whose remaining length counts the payload), topic
 * and packet id. For sending the payload from its own buffer in a second write.
 * @returns the size in bytes, or the codes of {@link sizePublish}
 */
export function sizePublishHeader(info: PublishInfo): number {
  const head = publishHeadRemaining(info);
  if (head < 0) return head;
  const remaining = head + info.payloadLength;
  if (remaining > MAX_REMAINING_LENGTH) return PACKET_TOO_LARGE;
  return 1 + varIntLength(remaining) + head;
}

// Writes fixed header, topic and packet id; returns the payload position.
function putPublishHead(buf: Uint8Array, offset: number, info: PublishInfo, remaining: number): number {
  const qos = info.qos;
  let o = offset;
  buf[o++] = 0x30 | (info.dup ? 0x08 : 0) | (qos << 1) | (info.retain ? 1 : 0);
  o = putVarInt(buf, o, remaining);
  const topicLength = info.topicLength;
  buf[o++] = topicLength >>> 8;
  buf[o++] = topicLength & 0xff;
  o = copyBytes(buf, o, info.topic, info.topicOffset, topicLength);
  if (qos > 0) {
    const id = info.packetId;
    buf[o++] = id >>> 8;
    buf[o++] = id & 0xff;
  }
  return o;
}

/**
 * Writes the whole PUBLISH at `offset`. The output range must not overlap the topic or payload ranges.
 * @returns the new offset, or `BUFFER_TOO_SMALL` (nothing written), or the codes of {@link sizePublish}
 */
export function encodePublish(buf: Uint8Array, offset: number, info: PublishInfo): number {
  const head = publishHeadRemaining(info);
  if (head < 0) return head;
  const payloadLength = info.payloadLength;
  const remaining = head + payloadLength;
  if (remaining > MAX_REMAINING_LENGTH) return PACKET_TOO_LARGE;
  if (offset < 0 || buf.length - offset < 1 + varIntLength(remaining) + remaining) return BUFFER_TOO_SMALL;
  const o = putPublishHead(buf, offset, info, remaining);
  return copyBytes(buf, o, info.payload, info.payloadOffset, payloadLength);
}

/**
 * Writes the PUBLISH without its payload (see {@link sizePublishHeader}); the caller sends
 * `payloadLength` payload bytes right after it.
 * @returns the new offset, or `BUFFER_TOO_SMALL` (nothing written), or the codes of {@link sizePublish}
 */
export function encodePublishHeader(buf: Uint8Array, offset: number, info: PublishInfo): number {
  const head = publishHeadRemaining(info);
  if (head < 0) return head;
  const remaining = head + info.payloadLength;
  if (remaining > MAX_REMAINING_LENGTH) return PACKET_TOO_LARGE;
  if (offset < 0 || buf.length - offset < 1 + varIntLength(remaining) + head) return BUFFER_TOO_SMALL;
  return putPublishHead(buf, offset, info, remaining);
}

/**
 * Decodes topic and packet id of a PUBLISH whose variable header lies in `buf[start, end)`; the fixed header
 * (`header` byte) is already checked. Fills `topicOffset/Length`, `packetId`, `qos`, `dup`, `retain`.
 * @returns the payload start, or `TRUNCATED`, `PACKET_ID_ZERO`, or a topic name code (`EMPTY_TOPIC`,
 *   `TOPIC_WILDCARD`, `INVALID_UTF8`)
 */
export function decodePublishHead(buf: Uint8Array, header: number, start: number, end: number, out: Packet): number {
  if (end - start < 2) return TRUNCATED;
  const topicLength = (buf[start]! << 8) | buf[start + 1]!;
  let pos = start + 2;
  if (end - pos < topicLength) return TRUNCATED;
  const topicCheck = validateTopicName(buf, pos, topicLength);
  if (topicCheck < 0) return topicCheck;
  out.topicOffset = pos;
  out.topicLength = topicLength;
  pos += topicLength;
  const qos = (header >> 1) & 3;
  if (qos > 0) {
    if (end - pos < 2) return TRUNCATED;
    const id = (buf[pos]! << 8) | buf[pos + 1]!;
    if (id === 0) return PACKET_ID_ZERO;
    out.packetId = id;
    pos += 2;
  } else {
    out.packetId = 0;
  }
  out.qos = qos;
  out.dup = (header & 0x08) !== 0;
  out.retain = (header & 0x01) !== 0;
  return pos;
}

/**
 * Decodes the variable header and payload of a PUBLISH in `buf[start, end)` (fixed header already checked).
 * @returns `end`, or the codes of {@link decodePublishHead}
 */
export function decodePublishBody(buf: Uint8Array, header: number, start: number, end: number, out: Packet): number {
  const pos = decodePublishHead(buf, header, start, end, out);
  if (pos < 0) return pos;
  out.payloadBuffer = buf;
  out.payloadOffset = pos;
  out.payloadLength = end - pos;
  out.payloadTotal = end - pos;
  out.chunkOffset = 0;
  out.final = true;
  return end;
}
