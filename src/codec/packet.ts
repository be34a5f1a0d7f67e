/**
 * The reused decode result (client role) and the first-byte check shared by every decoder. Reading a whole fixed
 * header of an already framed packet is `readFixedHeader` in `frame.ts`.
 * @module
 */
import { INVALID_PACKET_TYPE, INVALID_QOS, RESERVED_FLAGS } from "./codes.js";

const EMPTY = new Uint8Array(0);

/**
 * Decode result, created once per decoder and overwritten by every decode. Only numbers, booleans and
 * references to existing arrays are stored, so filling it allocates nothing. Fields that do not belong to the
 * decoded type keep stale values: read only those of `type`. Holds the fields of what a broker sends (client
 * role); `ServerPacket` in `packet-server.ts` adds those of CONNECT and SUBSCRIBE/UNSUBSCRIBE.
 *
 * Offsets point into `buffer` (header-side fields) or `payloadBuffer` (payload), which is the decoder input
 * when the packet was decoded in place, or the decoder's assembly buffer.
 */
export class Packet {
  /** Packet type, one of `PacketType`. */
  type = 0;
  /** Low nibble of the first fixed-header byte. */
  flags = 0;
  /** Remaining length from the fixed header. */
  remainingLength = 0;
  /** Whole packet length, fixed header included. */
  packetLength = 0;
  /** Array the header-side offsets point into. */
  buffer: Uint8Array = EMPTY;
  /** Packet identifier (PUBLISH QoS > 0, acks, SUBACK, UNSUBACK, and SUBSCRIBE/UNSUBSCRIBE server side); 0 when absent. */
  packetId = 0;
  /** PUBLISH QoS. */
  qos = 0;
  /** PUBLISH DUP flag. */
  dup = false;
  /** PUBLISH RETAIN flag. */
  retain = false;
  /** PUBLISH topic name bytes in `buffer`. */
  topicOffset = 0;
  /** PUBLISH topic name length. */
  topicLength = 0;
  /** Array the payload offsets point into (the decoder input for streamed chunks). */
  payloadBuffer: Uint8Array = EMPTY;
  /** PUBLISH payload (or chunk) start in `payloadBuffer`. */
  payloadOffset = 0;
  /** PUBLISH payload (or chunk) length. */
  payloadLength = 0;
  /** Whole payload length of this PUBLISH (== payloadLength unless streamed). */
  payloadTotal = 0;
  /** Payload bytes delivered before this chunk (0 unless streamed). */
  chunkOffset = 0;
  /** True on the last (or only) piece of a PUBLISH payload. */
  final = true;
  /** CONNACK session present flag. */
  sessionPresent = false;
  /** CONNACK return code (0..5). */
  returnCode = 0;
  /** SUBACK return codes start in `buffer`. */
  codesOffset = 0;
  /** Number of SUBACK return codes. */
  codesCount = 0;
}

/**
 * Checks the first fixed-header byte: type 1..14 and the flag bits the spec fixes [MQTT-2.2.2-1]: 0b0010 for
 * PUBREL, SUBSCRIBE and UNSUBSCRIBE, 0 for the others; PUBLISH QoS not 3 and no DUP on QoS 0 [MQTT-3.3.1-2].
 * @returns 0, or `INVALID_PACKET_TYPE`, `RESERVED_FLAGS`, `INVALID_QOS`
 */
export function checkFixedHeader(header: number): number {
  const type = header >> 4;
  const flags = header & 0x0f;
  if (type === 3) {
    if ((flags & 0x06) === 0x06) return INVALID_QOS;
    if ((flags & 0x0e) === 0x08) return RESERVED_FLAGS;
    return 0;
  }
  if (type === 0 || type === 15) return INVALID_PACKET_TYPE;
  if (type === 6 || type === 8 || type === 10) return flags === 2 ? 0 : RESERVED_FLAGS;
  return flags === 0 ? 0 : RESERVED_FLAGS;
}
