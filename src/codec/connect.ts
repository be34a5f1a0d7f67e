/**
 * CONNECT and CONNACK, client role: encodes the CONNECT a client sends, decodes the CONNACK a broker sends.
 * The server role (decode CONNECT, encode CONNACK) is in `connect-server.ts`.
 * @module
 */
import {
  BUFFER_TOO_SMALL, CONNACK_RESERVED, INVALID_CONNACK_CODE, INVALID_FIELD, INVALID_QOS, MAX_REMAINING_LENGTH, PACKET_TOO_LARGE, PASSWORD_WITHOUT_USERNAME, PacketType, STRING_TOO_LONG, TRAILING_BYTES, TRUNCATED,
} from "./codes.js";
import { copyBytes, putVarInt, varIntLength } from "./bytes.js";
import type { Packet } from "./packet.js";
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

// CONNECT flag bits.
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

/**
 * Exact size of the CONNECT packet (protocol "MQTT", level 4).
 * @returns the size, or `STRING_TOO_LONG`, `INVALID_UTF8` (client id, user name), `INVALID_FIELD` (keepalive
 *   out of 0..65535, empty client id without clean session), `INVALID_QOS` (will QoS), a topic name code for the
 *   will topic (`EMPTY_TOPIC`, `TOPIC_WILDCARD`, `INVALID_UTF8`), `PASSWORD_WITHOUT_USERNAME`
 */
export function sizeConnect(info: ConnectInfo): number {
  const remaining = connectRemaining(info);
  if (remaining < 0) return remaining;
  return 1 + varIntLength(remaining) + remaining;
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
  if (offset < 0 || buf.length - offset < 1 + varIntLength(remaining) + remaining) return BUFFER_TOO_SMALL;
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
