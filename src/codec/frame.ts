/**
 * Decoding one whole packet that is already framed in a buffer (`offset`, `length` known): the fixed-header
 * reader and the whole-packet decoders of what a broker sends. For tests, tools and Node users; a device decodes
 * the stream with `StreamDecoder` (decoder.ts), which calls the family body decoders directly, so it does not
 * link this module. The server role's whole-packet decoders are in the `*-server` modules.
 * @module
 */
import {
  INVALID_FIELD, INVALID_PACKET_TYPE, MALFORMED_REMAINING_LENGTH, PacketType, TRAILING_BYTES, TRUNCATED,
} from "./codes.js";
import { decodeAckBody, isAckType } from "./ack.js";
import { decodeConnackBody } from "./connect.js";
import { checkFixedHeader, type Packet } from "./packet.js";
import { decodeEmptyBody, isEmptyType } from "./ping.js";
import { decodePublishBody } from "./publish.js";
import { decodeSubackBody } from "./subscribe.js";

/**
 * Parses and checks the fixed header of a packet that must occupy exactly `length` bytes at `offset`, and
 * fills `type`, `flags`, `remainingLength`, `packetLength` and `buffer` of `out`.
 * @returns the offset of the variable header, or `INVALID_FIELD` (range outside `buf`), `TRUNCATED`,
 *   `TRAILING_BYTES`, `MALFORMED_REMAINING_LENGTH`, or a code of {@link checkFixedHeader}
 */
export function readFixedHeader(buf: Uint8Array, offset: number, length: number, out: Packet): number {
  if (!(offset >= 0 && length >= 0 && offset + length <= buf.length)) return INVALID_FIELD;
  if (length < 2) return TRUNCATED;
  const header = buf[offset]!;
  const check = checkFixedHeader(header);
  if (check < 0) return check;
  const end = offset + length;
  let pos = offset + 1;
  let value = 0;
  let shift = 0;
  for (;;) {
    if (pos >= end) return TRUNCATED;
    if (shift === 28) return MALFORMED_REMAINING_LENGTH;
    const b = buf[pos++]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) break;
  }
  const total = pos - offset + value;
  if (total > length) return TRUNCATED;
  if (total < length) return TRAILING_BYTES;
  out.type = header >> 4;
  out.flags = header & 0x0f;
  out.remainingLength = value;
  out.packetLength = length;
  out.buffer = buf;
  return pos;
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

/**
 * Decodes one whole PUBLISH occupying `buf[offset, offset + length)`; offsets in `out` point into `buf`.
 * @returns `offset + length`, or `INVALID_PACKET_TYPE` (not a PUBLISH), the fixed-header codes of
 *   `readFixedHeader` (`TRUNCATED`, `TRAILING_BYTES`, `MALFORMED_REMAINING_LENGTH`, `INVALID_QOS`,
 *   `RESERVED_FLAGS`, `INVALID_FIELD`), or the codes of {@link decodePublishHead}
 */
export function decodePublish(buf: Uint8Array, offset: number, length: number, out: Packet): number {
  const start = readFixedHeader(buf, offset, length, out);
  if (start < 0) return start;
  if (out.type !== PacketType.PUBLISH) return INVALID_PACKET_TYPE;
  return decodePublishBody(buf, buf[offset]!, start, offset + length, out);
}

/**
 * Decodes one whole acknowledgement occupying `buf[offset, offset + length)`.
 * @returns `offset + length`, or `INVALID_PACKET_TYPE` (not an ack type), fixed-header codes (`TRUNCATED`,
 *   `TRAILING_BYTES`, `MALFORMED_REMAINING_LENGTH`, `RESERVED_FLAGS`, `INVALID_FIELD`), `PACKET_ID_ZERO`
 */
export function decodeAck(buf: Uint8Array, offset: number, length: number, out: Packet): number {
  const start = readFixedHeader(buf, offset, length, out);
  if (start < 0) return start;
  if (!isAckType(out.type)) return INVALID_PACKET_TYPE;
  return decodeAckBody(buf, start, offset + length, out);
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

/**
 * Decodes one whole PINGREQ, PINGRESP or DISCONNECT occupying `buf[offset, offset + length)`.
 * @returns `offset + length`, or `INVALID_PACKET_TYPE` (another type), fixed-header codes (`TRUNCATED`,
 *   `TRAILING_BYTES`, `MALFORMED_REMAINING_LENGTH`, `RESERVED_FLAGS`, `INVALID_FIELD`)
 */
export function decodeEmpty(buf: Uint8Array, offset: number, length: number, out: Packet): number {
  const start = readFixedHeader(buf, offset, length, out);
  if (start < 0) return start;
  if (!isEmptyType(out.type)) return INVALID_PACKET_TYPE;
  return decodeEmptyBody(buf, start, offset + length, out);
}
