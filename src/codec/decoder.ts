/**
 * Resumable MQTT stream decoder, client role: fed bytes in any chunking, it reports one packet a broker sends
 * (or one streamed payload chunk) per call through a reused {@link Packet}, and allocates nothing after
 * construction. The server role (`ServerStreamDecoder`) and the any-type `decodePacket` are in
 * `decoder-server.ts`, built on this framing.
 * @module
 */
import {
  CHUNK, DECODER_FAILED, INVALID_PACKET_TYPE, MALFORMED_REMAINING_LENGTH, NEED_MORE, PACKET, PACKET_TOO_LARGE,
  TRUNCATED, UNEXPECTED_PACKET,
} from "./codes.js";
import { decodeAckBody } from "./ack.js";
import { copyRun } from "./bytes.js";
import { decodeConnackBody } from "./connect.js";
import { checkFixedHeader, Packet } from "./packet.js";
import { decodeEmptyBody } from "./ping.js";
import { decodePublishBody, decodePublishHead } from "./publish.js";
import { decodeSubackBody } from "./subscribe.js";

/** Construction options of {@link StreamDecoder}. */
export interface StreamDecoderOptions {
  /** Assembly area for packets split across calls; owned by the caller, never the input array. At least 5 bytes. */
  buffer: Uint8Array;
  /** Largest whole packet (fixed header included) accepted, checked from the remaining-length bytes. */
  maxPacketSize: number;
  /**
   * `"client"`: accept what a broker sends (the only role here; may be omitted). A decoder for what a client
   * sends is `ServerStreamDecoder` in `decoder-server.ts`.
   */
  role?: "client";
  /** Deliver the payload of a PUBLISH larger than `buffer` as CHUNKs instead of refusing it. */
  streamPayloads: boolean;
}

/** Packet types a client receives: CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, PINGRESP. */
export const CLIENT_ACCEPTS = (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 9) | (1 << 11) |
  (1 << 13);

/** Largest packet MQTT can express: 1 type byte + 4 length bytes + 268,435,455. */
export const MAX_PACKET_SIZE = 268_435_460;

// Decoder states.
const IDLE = 0; // expecting the first byte of a packet
const LENGTH = 1; // reading remaining-length bytes
const BODY = 2; // assembling a body into the buffer
const STREAM_HEAD = 3; // assembling topic and packet id of an oversize PUBLISH
const STREAM_PAYLOAD = 4; // handing out payload chunks from the input
const FAILED = 5;

/**
 * Resumable decoder of what a broker sends (CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK,
 * UNSUBACK, PINGRESP; anything else is `UNEXPECTED_PACKET`). Call `decode(src, offset, end)`; after `PACKET`
 * or `CHUNK` handle `packet`, then call again with `offset = decoder.offset` until it returns `NEED_MORE`
 * (all input consumed).
 *
 * A packet wholly inside `src` with nothing pending is decoded in place (`packet.buffer === src`), and so is a
 * body wholly inside `src` when only its fixed header was pending; otherwise the packet is assembled in the
 * options' `buffer`. Results are valid until the next call.
 */
export class StreamDecoder {
  /** The reused result; valid after `PACKET`/`CHUNK` until the next call. */
  readonly packet: Packet;
  private readonly buffer: Uint8Array;
  private readonly maxPacketSize: number;
  /** Bit `t` set: packet type `t` is accepted (a subclass for another role sets its own). */
  protected accepts = CLIENT_ACCEPTS;
  private readonly streamPayloads: boolean;
  private consumed = 0;
  private state = IDLE;
  private header = 0;
  private remaining = 0;
  private shift = 0;
  private headerLength = 0;
  private total = 0;
  private filled = 0;
  private streamHeadEnd = 0;
  private payloadDone = 0;
  private payloadSize = 0;

  /**
   * @throws RangeError when `buffer` is shorter than 5 bytes or `maxPacketSize` is not an integer 2..268,435,460
   *   (setup-time argument errors)
   */
  constructor(options: StreamDecoderOptions) {
    if (options.buffer.length < 5) throw new RangeError("decoder buffer must hold at least 5 bytes");
    const max = options.maxPacketSize;
    if (!(max >= 2 && max <= MAX_PACKET_SIZE) || Math.floor(max) !== max) {
      throw new RangeError("maxPacketSize must be an integer 2..268435460");
    }
    this.packet = this.createPacket();
    this.buffer = options.buffer;
    this.maxPacketSize = max;
    this.streamPayloads = options.streamPayloads;
  }

  /**
   * The result object, created once by the constructor (a subclass for another role returns its own kind).
   * @returns a new {@link Packet}
   */
  protected createPacket(): Packet {
    return new Packet();
  }

  /**
   * Decodes the body of an accepted packet (one a broker sends) whose fixed header is checked and set on `out`.
   * @returns `end`, or the negative code of the family decoder
   */
  protected decodeBody(buf: Uint8Array, header: number, start: number, end: number, out: Packet): number {
    switch (header >> 4) {
      case 3: return decodePublishBody(buf, header, start, end, out);
      case 4: case 5: case 6: case 7: case 11: return decodeAckBody(buf, start, end, out);
      case 2: return decodeConnackBody(buf, start, end, out);
      case 9: return decodeSubackBody(buf, start, end, out);
      case 13: return decodeEmptyBody(buf, start, end, out);
      default: return INVALID_PACKET_TYPE;
    }
  }

  /** Position in the last `src` just after what the last call consumed. */
  get offset(): number {
    return this.consumed;
  }

  /** Bytes of a partial packet held in the assembly buffer (0 between packets). */
  get pending(): number {
    return this.state === IDLE || this.state === FAILED ? 0 : this.filled;
  }

  /** Forgets any partial packet and a previous error (new connection). */
  reset(): void {
    this.state = IDLE;
    this.filled = 0;
    this.consumed = 0;
  }

  /**
   * Consumes bytes of `src[offset, end)` up to the end of the next packet or payload chunk.
   * @returns `PACKET`, `CHUNK`, `NEED_MORE` (all input consumed), or an error: `INVALID_PACKET_TYPE`,
   *   `UNEXPECTED_PACKET`, `RESERVED_FLAGS`, `INVALID_QOS`, `MALFORMED_REMAINING_LENGTH`, `PACKET_TOO_LARGE`,
   *   any family decoder code (`TRUNCATED`, `TRAILING_BYTES`, `PACKET_ID_ZERO`, `INVALID_UTF8`, ...), and
   *   `DECODER_FAILED` on every call after an error until `reset()`
   */
  decode(src: Uint8Array, offset: number, end: number): number {
    // Hot path first: the body of a packet split across calls. Kept small so it inlines into the caller's loop.
    if (this.state === BODY) return this.appendBody(src, offset, end);
    if (this.state === IDLE && end - offset >= 2) return this.begin(src, offset, end);
    if (this.state === FAILED) return DECODER_FAILED;
    return this.assemble(src, offset, end);
  }

  // First bytes of a packet with at least 2 bytes in src: parses the fixed header straight from src, decodes the
  // packet in place when it is all there, else starts assembling it with one copy of what is here.
  private begin(src: Uint8Array, offset: number, end: number): number {
    const header = src[offset]!;
    const check = this.checkHeader(header);
    if (check < 0) return this.fail(check, offset);
    let pos = offset + 1;
    let remaining = src[pos++]!;
    if (remaining >= 0x80) {
      remaining &= 0x7f;
      let shift = 7;
      for (;;) {
        if (pos >= end) return this.assemble(src, offset, end); // header split: go byte-wise
        const b = src[pos++]!;
        remaining += (b & 0x7f) << shift;
        if (b < 0x80) break;
        shift += 7;
        if (shift === 28) return this.fail(MALFORMED_REMAINING_LENGTH, pos);
      }
    }
    const total = pos - offset + remaining;
    if (total > this.maxPacketSize) return this.fail(PACKET_TOO_LARGE, pos);
    const available = end - offset;
    if (total <= available) {
      // The whole packet is here: decode it where it lies.
      const packet = this.packet;
      packet.type = header >> 4;
      packet.flags = header & 0x0f;
      packet.remainingLength = remaining;
      packet.packetLength = total;
      packet.buffer = src;
      const result = this.decodeBody(src, header, pos, offset + total, packet);
      if (result < 0) return this.fail(result, offset + total);
      this.consumed = offset + total;
      return PACKET;
    }
    // Split packet: keep the parsed header in numeric state and assemble the bytes.
    const headerLength = pos - offset;
    this.header = header;
    this.remaining = remaining;
    this.total = total;
    this.headerLength = headerLength;
    const buffer = this.buffer;
    if (total <= buffer.length) {
      // Everything from offset to end belongs to this packet (it ends beyond end): one copy.
      copyRun(buffer, 0, src, offset, available);
      this.filled = available;
      this.state = BODY;
      this.consumed = end;
      return NEED_MORE;
    }
    if (header >> 4 === 3 && this.streamPayloads) {
      copyRun(buffer, 0, src, offset, headerLength);
      this.filled = headerLength;
      this.streamHeadEnd = 0;
      this.state = STREAM_HEAD;
      return this.assemble(src, pos, end);
    }
    return this.fail(PACKET_TOO_LARGE, pos);
  }

  // Appends body bytes to the assembly buffer: all of src[pos, end) when the packet ends beyond it, else exactly
  // the missing bytes, and then decodes the assembled packet (its fixed header is already checked). When only the
  // fixed header was assembled and the whole body is here, the body is decoded where it lies instead.
  private appendBody(src: Uint8Array, pos: number, end: number): number {
    const filled = this.filled;
    const missing = this.total - filled;
    let n = end - pos;
    if (n >= missing) {
      if (filled === this.headerLength) return this.finish(src, pos, pos + missing);
      n = missing;
    } else if (n <= 0) {
      this.consumed = pos;
      return NEED_MORE;
    }
    copyRun(this.buffer, filled, src, pos, n);
    pos += n;
    if (n < missing) {
      this.filled = filled + n;
      this.consumed = pos;
      return NEED_MORE;
    }
    this.filled = this.total;
    return this.finish(this.buffer, this.headerLength, pos);
  }

  // Type, flags and direction of a first header byte.
  private checkHeader(header: number): number {
    const check = checkFixedHeader(header);
    if (check < 0) return check;
    return ((this.accepts >> (header >> 4)) & 1) === 0 ? UNEXPECTED_PACKET : 0;
  }

  private fail(code: number, position: number): number {
    this.state = FAILED;
    this.consumed = position;
    return code;
  }

  // Completes a packet whose fixed header is parsed and checked (numeric state) and whose body lies in
  // buf[start, start + remaining): the assembly buffer, or the input when only the header was assembled.
  private finish(buf: Uint8Array, start: number, position: number): number {
    const header = this.header;
    const packet = this.packet;
    this.state = IDLE;
    packet.type = header >> 4;
    packet.flags = header & 0x0f;
    packet.remainingLength = this.remaining;
    packet.packetLength = this.total;
    packet.buffer = buf;
    const result = this.decodeBody(buf, header, start, start + this.remaining, packet);
    if (result < 0) return this.fail(result, position);
    this.consumed = position;
    return PACKET;
  }

  // Slow path: byte-wise state machine over split input, assembling into the buffer.
  private assemble(src: Uint8Array, offset: number, end: number): number {
    const buffer = this.buffer;
    let pos = offset;
    while (pos < end) {
      switch (this.state) {
        case IDLE: {
          const header = src[pos++]!;
          const check = this.checkHeader(header);
          if (check < 0) return this.fail(check, pos);
          this.header = header;
          buffer[0] = header;
          this.filled = 1;
          this.remaining = 0;
          this.shift = 0;
          this.state = LENGTH;
          break;
        }
        case LENGTH: {
          const b = src[pos++]!;
          buffer[this.filled++] = b;
          this.remaining += (b & 0x7f) << this.shift;
          this.shift += 7;
          if (b >= 0x80) {
            if (this.shift === 28) return this.fail(MALFORMED_REMAINING_LENGTH, pos);
            break;
          }
          const total = this.filled + this.remaining;
          this.total = total;
          this.headerLength = this.filled;
          if (total > this.maxPacketSize) return this.fail(PACKET_TOO_LARGE, pos);
          if (total <= buffer.length) {
            if (this.remaining === 0) return this.finish(buffer, this.filled, pos);
            this.state = BODY;
          } else if (this.header >> 4 === 3 && this.streamPayloads) {
            this.streamHeadEnd = 0;
            this.state = STREAM_HEAD;
          } else {
            return this.fail(PACKET_TOO_LARGE, pos);
          }
          break;
        }
        case BODY:
          return this.appendBody(src, pos, end);
        case STREAM_HEAD: {
          const result = this.assembleStreamHead(src, pos, end);
          if (result < 0) return this.fail(result, pos);
          pos = result;
          break;
        }
        default: {
          // STREAM_PAYLOAD: hand out what is here, straight from src.
          const packet = this.packet;
          const done = this.payloadDone;
          let n = this.payloadSize - done;
          if (n > end - pos) n = end - pos;
          packet.payloadBuffer = src;
          packet.payloadOffset = pos;
          packet.payloadLength = n;
          packet.chunkOffset = done;
          packet.payloadTotal = this.payloadSize;
          this.payloadDone = done + n;
          packet.final = this.payloadDone === this.payloadSize;
          if (packet.final) this.state = IDLE;
          this.consumed = pos + n;
          return CHUNK;
        }
      }
    }
    this.consumed = pos;
    return NEED_MORE;
  }

  // Copies topic length, topic and packet id of an oversize PUBLISH; returns the new input position or a code.
  private assembleStreamHead(src: Uint8Array, pos: number, end: number): number {
    const buffer = this.buffer;
    const headerLength = this.headerLength;
    const target = this.streamHeadEnd === 0 ? headerLength + 2 : this.streamHeadEnd;
    if (target > this.total) return TRUNCATED;
    const filled = this.filled;
    let n = target - filled;
    if (n > end - pos) n = end - pos;
    copyRun(buffer, filled, src, pos, n);
    this.filled = filled + n;
    pos += n;
    if (this.filled < target) return pos;
    if (this.streamHeadEnd === 0) {
      const topicLength = (buffer[headerLength]! << 8) | buffer[headerLength + 1]!;
      const headEnd = headerLength + 2 + topicLength + ((this.header & 0x06) !== 0 ? 2 : 0);
      if (headEnd > this.total) return TRUNCATED;
      // The topic must fit the buffer; only the payload may stream.
      if (headEnd > buffer.length) return PACKET_TOO_LARGE;
      this.streamHeadEnd = headEnd;
      return pos;
    }
    const packet = this.packet;
    const header = this.header;
    const result = decodePublishHead(buffer, header, headerLength, target, packet);
    if (result < 0) return result;
    packet.type = header >> 4;
    packet.flags = header & 0x0f;
    packet.remainingLength = this.remaining;
    packet.packetLength = this.total;
    packet.buffer = buffer;
    this.payloadSize = this.total - target;
    this.payloadDone = 0;
    this.state = STREAM_PAYLOAD;
    return pos;
  }
}
