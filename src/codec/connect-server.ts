/**
 * CONNECT and CONNACK, server role: decodes the CONNECT a client sends, encodes the CONNACK a broker sends.
 * For brokers, tests and the simulator; a device links only `connect.ts`.
 * @module
 */
import {
  BUFFER_TOO_SMALL, CONNECT_RESERVED_FLAG, INVALID_CONNACK_CODE, INVALID_FIELD, INVALID_PACKET_TYPE, INVALID_PROTOCOL,
  INVALID_WILL, PASSWORD_WITHOUT_USERNAME, PacketType, TRAILING_BYTES, TRUNCATED,
} from "./codes.js";
import { readFixedHeader } from "./frame.js";
import type { ServerPacket } from "./packet-server.js";
import { validateUtf8 } from "./text.js";
import { validateTopicName } from "./topic.js";

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
export function decodeConnectBody(buf: Uint8Array, start: number, end: number, out: ServerPacket): number {
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
export function decodeConnect(buf: Uint8Array, offset: number, length: number, out: ServerPacket): number {
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

