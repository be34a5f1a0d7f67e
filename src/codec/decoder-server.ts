/**
 * Server role of the stream decoder: {@link ServerStreamDecoder} accepts what a client sends, on the framing,
 * buffering and streaming of the client-role {@link StreamDecoder}; {@link decodePacket} decodes one whole
 * packet of any type. For brokers, tests and the simulator; a device links only `decoder.ts`.
 * @module
 */
import { INVALID_PACKET_TYPE } from "./codes.js";
import { decodeAckBody } from "./ack.js";
import { decodeConnackBody } from "./connect.js";
import { decodeConnectBody } from "./connect-server.js";
import { StreamDecoder, type StreamDecoderOptions } from "./decoder.js";
import { readFixedHeader } from "./frame.js";
import { ServerPacket } from "./packet-server.js";
import { decodeEmptyBody } from "./ping.js";
import { decodePublishBody } from "./publish.js";
import { decodeSubackBody } from "./subscribe.js";
import { decodeSubscribeBody, decodeUnsubscribeBody } from "./subscribe-server.js";

/** Packet types a server receives: CONNECT, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT. */
export const SERVER_ACCEPTS = (1 << 1) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) |
  (1 << 12) | (1 << 14);

/** Construction options of {@link ServerStreamDecoder}: those of {@link StreamDecoder} without `role`. */
export type ServerStreamDecoderOptions = Omit<StreamDecoderOptions, "role">;

/**
 * Dispatches a body of any packet type to its family decoder; `out.type/flags/...` are set by the caller.
 * @returns `end`, or the negative code of the family decoder, or `INVALID_PACKET_TYPE` (type 0 or 15)
 */
function decodeAnyBody(buf: Uint8Array, header: number, start: number, end: number, out: ServerPacket): number {
  switch (header >> 4) {
    case 3: return decodePublishBody(buf, header, start, end, out);
    case 4: case 5: case 6: case 7: case 11: return decodeAckBody(buf, start, end, out);
    case 2: return decodeConnackBody(buf, start, end, out);
    case 9: return decodeSubackBody(buf, start, end, out);
    case 1: return decodeConnectBody(buf, start, end, out);
    case 8: return decodeSubscribeBody(buf, start, end, out);
    case 10: return decodeUnsubscribeBody(buf, start, end, out);
    case 12: case 13: case 14: return decodeEmptyBody(buf, start, end, out);
    default: return INVALID_PACKET_TYPE;
  }
}

/**
 * Decodes one whole packet of any type, either direction, occupying `buf[offset, offset + length)`, in place.
 * @returns `offset + length`, or any decode code: fixed-header codes (`TRUNCATED`, `TRAILING_BYTES`,
 *   `MALFORMED_REMAINING_LENGTH`, `INVALID_PACKET_TYPE`, `RESERVED_FLAGS`, `INVALID_QOS`, `INVALID_FIELD`) or
 *   those of the family decoder
 */
export function decodePacket(buf: Uint8Array, offset: number, length: number, out: ServerPacket): number {
  const start = readFixedHeader(buf, offset, length, out);
  if (start < 0) return start;
  return decodeAnyBody(buf, buf[offset]!, start, offset + length, out);
}

/**
 * Resumable decoder of what a client sends (CONNECT, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE,
 * UNSUBSCRIBE, PINGREQ, DISCONNECT; anything else is `UNEXPECTED_PACKET`): a {@link StreamDecoder} with the
 * server's direction and a {@link ServerPacket} result. Same `decode` contract and codes as `StreamDecoder`.
 */
export class ServerStreamDecoder extends StreamDecoder {
  /** The reused result; valid after `PACKET`/`CHUNK` until the next call. */
  declare readonly packet: ServerPacket;

  /**
   * @throws RangeError when `buffer` is shorter than 5 bytes or `maxPacketSize` is not an integer 2..268,435,460
   *   (setup-time argument errors)
   */
  constructor(options: ServerStreamDecoderOptions) {
    super(options);
    this.accepts = SERVER_ACCEPTS;
  }

  /**
   * The result object, created once by the constructor.
   * @returns a new {@link ServerPacket}
   */
  protected override createPacket(): ServerPacket {
    return new ServerPacket();
  }

  /**
   * Decodes the body of an accepted packet (any type) whose fixed header is checked and set on `out`.
   * @returns `end`, or the negative code of the family decoder
   */
  protected override decodeBody(buf: Uint8Array, header: number, start: number, end: number, out: ServerPacket): number {
    return decodeAnyBody(buf, header, start, end, out);
  }
}
