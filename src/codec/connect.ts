/**
 * CONNECT and CONNACK, both directions.
 * @module
 */
import {
  BUFFER_TOO_SMALL, CONNACK_RESERVED, CONNECT_RESERVED_FLAG, INVALID_CONNACK_CODE, INVALID_FIELD, INVALID_PACKET_TYPE,
  INVALID_PROTOCOL, INVALID_QOS, INVALID_WILL, MAX_REMAINING_LENGTH, PACKET_TOO_LARGE, PASSWORD_WITHOUT_USERNAME,
  PacketType, STRING_TOO_LONG, TRAILING_BYTES, TRUNCATED,
} from "./codes.js";
import { copyBytes, putVarInt } from "./bytes.js";
import { readFixedHeader, type Packet } from "./packet.js";
import { validateUtf8 } from "./text.js";
import { validateTopicName } from "./topic.js";

/** Last will: topic name (UTF-8 bytes), binary payload, QoS 0..2, retain. */
export interface WillInfo {
  topic: Uint8Array;
  payload: Uint8Array;
  qos: number;
  retain: boolean;
}

/** CONNECT fields; strings are UTF-8 bytes, the password is binary. */
export interface ConnectInfo {
  clientId: Uint8Array;
  cleanSession: boolean;
  keepAlive: number;
  username: Uint8Array | null;
  password: Uint8Array | null;
  will: WillInfo | null;
}

/** CONNACK fields. */
export interface ConnackInfo {
  sessionPresent: boolean;
  returnCode: number;
}

// CONNECT flag bits.
const FLAG_RESERVED = 0x01;
const FLAG_CLEAN = 0x02;
const FLAG_WILL = 0x04;
const FLAG_WILL_RETAIN = 0x20;
const FLAG_PASSWORD = 0x40;
const FLAG_USERNAME = 0x80;

// MQTT 3.1.1.
const PROTOCOL_LEVEL = 4;

function connectRemaining(info: ConnectInfo): number {
  const clientId = info.clientId;
  if (clientId.length > 0xffff) return STRING_TOO_LONG;
  const clientIdCheck = validateUtf8(clientId, 0, clientId.length);
  if (clientIdCheck < 0) return clientIdCheck;
  // A zero-byte client id requires a clean session [MQTT-3.1.3-7].
  if (clientId.length === 0 && !info.cleanSession) return INVALID_FIELD;
  const keepAlive = info.keepAlive;
  if (!(keepAlive >= 0 && keepAlive <= 0xffff) || (keepAlive | 0) !== keepAlive) return INVALID_FIELD;
  let remaining = 10 + 2 + clientId.length;
  const will = info.will;
  if (will !== null) {
    const qos = will.qos;
    if (qos !== 0 && qos !== 1 && qos !== 2) return INVALID_QOS;
    const topicCheck = validateTopicName(will.topic, 0, will.topic.length);
    if (topicCheck < 0) return topicCheck;
    if (will.payload.length > 0xffff) return STRING_TOO_LONG;
    remaining += 4 + will.topic.length + will.payload.length;
  }
  const username = info.username;
  const password = info.password;
  if (password !== null && username === null) return PASSWORD_WITHOUT_USERNAME;
  if (username !== null) {
    if (username.length > 0xffff) return STRING_TOO_LONG;
    const check = validateUtf8(username, 0, username.length);
    if (check < 0) return check;
    remaining += 2 + username.length;
  }
  if (password !== null) {
    if (password.length > 0xffff) return STRING_TOO_LONG;
    remaining += 2 + password.length;
  }
  return remaining;
}

function varIntSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : 4;
}

/**
 * Exact size of the CONNECT packet (protocol "MQTT", level 4).
 * @returns the size, or `STRING_TOO_LONG`, `INVALID_UTF8` (client id, user name), `INVALID_FIELD` (keepalive
 *   out of 0..65535, empty client id without clean session), `INVALID_QOS` (will QoS), a topic name code for the
 *   will topic (`EMPTY_TOPIC`, `TOPIC_WILDCARD`, `INVALID_UTF8`), `PASSWORD_WITHOUT_USERNAME`
 */
export function sizeConnect(info: ConnectInfo): number {
  const remaining = connectRemaining(info);
  if (remaining < 0) return remaining;
  return 1 + varIntSize(remaining) + remaining;
}

function putField(buf: Uint8Array, o: number, field: Uint8Array): number {
  buf[o] = field.length >>> 8;
  buf[o + 1] = field.length & 0xff;
  return copyBytes(buf, o + 2, field, 0, field.length);
}

/**
 * Writes the CONNECT packet at `offset`.
 * @returns the new offset, or `BUFFER_TOO_SMALL` (nothing written), or the codes of {@link sizeConnect}
 */
export function encodeConnect(buf: Uint8Array, offset: number, info: ConnectInfo): number {
  const remaining = connectRemaining(info);
  if (remaining < 0) return remaining;
  if (remaining > MAX_REMAINING_LENGTH) return PACKET_TOO_LARGE;
  if (offset < 0 || buf.length - offset < 1 + varIntSize(remaining) + remaining) return BUFFER_TOO_SMALL;
  const will = info.will;
  let flags = info.cleanSession ? FLAG_CLEAN : 0;
  if (will !== null) flags |= FLAG_WILL | (will.qos << 3) | (will.retain ? FLAG_WILL_RETAIN : 0);
  if (info.username !== null) flags |= FLAG_USERNAME;
  if (info.password !== null) flags |= FLAG_PASSWORD;
  let o = offset;
  buf[o++] = PacketType.CONNECT << 4;
  o = putVarInt(buf, o, remaining);
  buf[o++] = 0;
  buf[o++] = 4;
  buf[o++] = 0x4d; // M
  buf[o++] = 0x51; // Q
  buf[o++] = 0x54; // T
  buf[o++] = 0x54; // T
  buf[o++] = PROTOCOL_LEVEL;
  buf[o++] = flags;
  buf[o++] = info.keepAlive >>> 8;
  buf[o++] = info.keepAlive & 0xff;
  o = putField(buf, o, info.clientId);
  if (will !== null) {
    o = putField(buf, o, will.topic);
    o = putField(buf, o, will.payload);
  }
  if (info.username !== null) o = putField(buf, o, info.username);
  if (info.password !== null) o = putField(buf, o, info.password);
  return o;
}

// End of the u16-prefixed field at pos (its data is [pos + 2, end)), or TRUNCATED.
function fieldEnd(buf: Uint8Array, pos: number, end: number): number {
  if (end - pos < 2) return TRUNCATED;
  const next = pos + 2 + ((buf[pos]! << 8) | buf[pos + 1]!);
  return next > end ? TRUNCATED : next;
}

/**
 * Decodes a CONNECT variable header and payload in `buf[start, end)` (fixed header already checked).
 * A zero-byte client id without clean session is accepted: the server answers it with CONNACK 2.
 * @returns `end`, or `TRUNCATED`, `INVALID_PROTOCOL` (`protocolLevel` is set when only the level is wrong, so a
 *   server can answer CONNACK 1), `CONNECT_RESERVED_FLAG`, `INVALID_WILL`, `PASSWORD_WITHOUT_USERNAME`,
 *   `INVALID_UTF8`, a will topic code (`EMPTY_TOPIC`, `TOPIC_WILDCARD`), `TRAILING_BYTES`
 */
export function decodeConnectBody(buf: Uint8Array, start: number, end: number, out: Packet): number {
  let pos = start;
  if (end - pos < 10) return TRUNCATED;
  if (
    buf[pos] !== 0 || buf[pos + 1] !== 4 || buf[pos + 2] !== 0x4d || buf[pos + 3] !== 0x51 ||
    buf[pos + 4] !== 0x54 || buf[pos + 5] !== 0x54
  ) return INVALID_PROTOCOL;
  const level = buf[pos + 6]!;
  out.protocolLevel = level;
  if (level !== PROTOCOL_LEVEL) return INVALID_PROTOCOL;
  const flags = buf[pos + 7]!;
  if ((flags & FLAG_RESERVED) !== 0) return CONNECT_RESERVED_FLAG;
  const willFlag = (flags & FLAG_WILL) !== 0;
  const willQos = (flags >> 3) & 3;
  if (willQos === 3 || (!willFlag && (willQos !== 0 || (flags & FLAG_WILL_RETAIN) !== 0))) return INVALID_WILL;
  if ((flags & FLAG_PASSWORD) !== 0 && (flags & FLAG_USERNAME) === 0) return PASSWORD_WITHOUT_USERNAME;
  out.connectFlags = flags;
  out.cleanSession = (flags & FLAG_CLEAN) !== 0;
  out.keepAlive = (buf[pos + 8]! << 8) | buf[pos + 9]!;
  pos += 10;

  let next = fieldEnd(buf, pos, end);
  if (next < 0) return next;
  const clientIdCheck = validateUtf8(buf, pos + 2, next - pos - 2);
  if (clientIdCheck < 0) return clientIdCheck;
  out.clientIdOffset = pos + 2;
  out.clientIdLength = next - pos - 2;
  pos = next;

  out.willQos = willQos;
  out.willRetain = (flags & FLAG_WILL_RETAIN) !== 0;
  if (willFlag) {
    next = fieldEnd(buf, pos, end);
    if (next < 0) return next;
    const topicCheck = validateTopicName(buf, pos + 2, next - pos - 2);
    if (topicCheck < 0) return topicCheck;
    out.willTopicOffset = pos + 2;
    out.willTopicLength = next - pos - 2;
    pos = next;
    next = fieldEnd(buf, pos, end);
    if (next < 0) return next;
    out.willPayloadOffset = pos + 2;
    out.willPayloadLength = next - pos - 2;
    pos = next;
  } else {
    out.willTopicOffset = -1;
    out.willTopicLength = -1;
    out.willPayloadOffset = -1;
    out.willPayloadLength = -1;
  }

  if ((flags & FLAG_USERNAME) !== 0) {
    next = fieldEnd(buf, pos, end);
    if (next < 0) return next;
    const usernameCheck = validateUtf8(buf, pos + 2, next - pos - 2);
    if (usernameCheck < 0) return usernameCheck;
    out.usernameOffset = pos + 2;
    out.usernameLength = next - pos - 2;
    pos = next;
  } else {
    out.usernameOffset = -1;
    out.usernameLength = -1;
  }

  if ((flags & FLAG_PASSWORD) !== 0) {
    next = fieldEnd(buf, pos, end);
    if (next < 0) return next;
    out.passwordOffset = pos + 2;
    out.passwordLength = next - pos - 2;
    pos = next;
  } else {
    out.passwordOffset = -1;
    out.passwordLength = -1;
  }
  return pos === end ? end : TRAILING_BYTES;
}

/**
 * Decodes one whole CONNECT occupying `buf[offset, offset + length)`.
 * @returns `offset + length`, or `INVALID_PACKET_TYPE` (not a CONNECT), fixed-header codes (`TRUNCATED`,
 *   `TRAILING_BYTES`, `MALFORMED_REMAINING_LENGTH`, `RESERVED_FLAGS`, `INVALID_FIELD`), or the codes of
 *   {@link decodeConnectBody}
 */
export function decodeConnect(buf: Uint8Array, offset: number, length: number, out: Packet): number {
  const start = readFixedHeader(buf, offset, length, out);
  if (start < 0) return start;
  if (out.type !== PacketType.CONNECT) return INVALID_PACKET_TYPE;
  return decodeConnectBody(buf, start, offset + length, out);
}

/**
 * Size of a CONNACK: always 4.
 * @returns 4
 */
export function sizeConnack(_info?: ConnackInfo): number {
  return 4;
}

/**
 * Writes a CONNACK at `offset`.
 * @returns `offset + 4`, or `BUFFER_TOO_SMALL` (nothing written), `INVALID_CONNACK_CODE` (return code not an
 *   integer 0..5), `INVALID_FIELD` (session present with a refusal [MQTT-3.2.2-4])
 */
export function encodeConnack(buf: Uint8Array, offset: number, info: ConnackInfo): number {
  const code = info.returnCode;
  if (!(code >= 0 && code <= 5) || (code | 0) !== code) return INVALID_CONNACK_CODE;
  if (info.sessionPresent && code !== 0) return INVALID_FIELD;
  if (offset < 0 || buf.length - offset < 4) return BUFFER_TOO_SMALL;
  buf[offset] = PacketType.CONNACK << 4;
  buf[offset + 1] = 2;
  buf[offset + 2] = info.sessionPresent ? 1 : 0;
  buf[offset + 3] = code;
  return offset + 4;
}

/**
 * Decodes a CONNACK variable header in `buf[start, end)` (fixed header already checked).
 * @returns `end`, or `TRUNCATED`, `TRAILING_BYTES`, `CONNACK_RESERVED`, `INVALID_CONNACK_CODE`
 */
export function decodeConnackBody(buf: Uint8Array, start: number, end: number, out: Packet): number {
  if (end - start < 2) return TRUNCATED;
  if (end - start > 2) return TRAILING_BYTES;
  const ackFlags = buf[start]!;
  if ((ackFlags & 0xfe) !== 0) return CONNACK_RESERVED;
  const code = buf[start + 1]!;
  if (code > 5 || (ackFlags !== 0 && code !== 0)) return INVALID_CONNACK_CODE;
  out.sessionPresent = ackFlags !== 0;
  out.returnCode = code;
  return end;
}

/**
 * Decodes one whole CONNACK occupying `buf[offset, offset + length)`.
 * @returns `offset + length`, or `INVALID_PACKET_TYPE` (not a CONNACK), fixed-header codes, or the codes of
 *   {@link decodeConnackBody}
 */
export function decodeConnack(buf: Uint8Array, offset: number, length: number, out: Packet): number {
  const start = readFixedHeader(buf, offset, length, out);
  if (start < 0) return start;
  if (out.type !== PacketType.CONNACK) return INVALID_PACKET_TYPE;
  return decodeConnackBody(buf, start, offset + length, out);
}
