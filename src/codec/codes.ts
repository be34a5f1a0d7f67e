/**
 * Result codes and packet types shared by the whole codec.
 *
 * Hot paths return plain numbers: `>= 0` is a new offset, a size or a decoder status, `< 0` is one of the
 * error codes below. Names and messages live in one `switch` table so nothing is allocated at module scope.
 * @module
 */

/** Decoder status: every byte given was consumed; call again with more input. */
export const NEED_MORE = 0;
/** Decoder status: one whole packet is described by `decoder.packet`. */
export const PACKET = 1;
/** Decoder status: one piece of a streamed PUBLISH payload is described by `decoder.packet`. */
export const CHUNK = 2;

/** Output buffer too small for the packet or field; nothing was written. */
export const BUFFER_TOO_SMALL = -2;
/** Remaining-length field longer than 4 bytes. */
export const MALFORMED_REMAINING_LENGTH = -3;
/** Packet larger than the configured maximum (decode) or than 268,435,455 bytes of remaining length (encode). */
export const PACKET_TOO_LARGE = -4;
/** Packet type 0 or 15 (reserved), or a type an encoder cannot produce. */
export const INVALID_PACKET_TYPE = -5;
/** Valid packet type, but the wrong direction for this decoder's role. */
export const UNEXPECTED_PACKET = -6;
/** Fixed-header flag bits not as the spec requires (including DUP set on a QoS 0 PUBLISH). */
export const RESERVED_FLAGS = -7;
/** QoS 3 on the wire, or a QoS outside 0..2 given to an encoder. */
export const INVALID_QOS = -8;
/** Packet identifier 0 where a non-zero one is required. */
export const PACKET_ID_ZERO = -9;
/** Ill-formed UTF-8: surrogate, overlong form, U+0000, truncated sequence or above U+10FFFF. */
export const INVALID_UTF8 = -10;
/** A string or binary field longer than 65,535 bytes. */
export const STRING_TOO_LONG = -11;
/** `+` or `#` in a topic name. */
export const TOPIC_WILDCARD = -12;
/** Zero-length topic name or topic filter. */
export const EMPTY_TOPIC = -13;
/** `#` not last or not alone in its level, or `+` not alone in its level. */
export const INVALID_FILTER = -14;
/** SUBSCRIBE, UNSUBSCRIBE or SUBACK without any entry. */
export const EMPTY_SUBSCRIPTION = -15;
/** SUBACK return code other than 0, 1, 2 or 0x80. */
export const INVALID_SUBACK_CODE = -16;
/** CONNACK acknowledge-flags reserved bits (7..1) set. */
export const CONNACK_RESERVED = -17;
/** CONNACK return code above 5, or session present together with a refusal. */
export const INVALID_CONNACK_CODE = -18;
/** CONNECT protocol name not "MQTT" or protocol level not 4. */
export const INVALID_PROTOCOL = -19;
/** CONNECT flags bit 0 (reserved) set. */
export const CONNECT_RESERVED_FLAG = -20;
/** Will QoS or will retain without the will flag, or will QoS 3. */
export const INVALID_WILL = -21;
/** CONNECT password flag without the user name flag. */
export const PASSWORD_WITHOUT_USERNAME = -22;
/** A field runs past the end of the packet. */
export const TRUNCATED = -23;
/** Bytes left over inside a packet after its last field. */
export const TRAILING_BYTES = -24;
/** An encode argument out of range (keepalive > 65535, count > array length, bad offset ...). */
export const INVALID_FIELD = -25;
/** Every pool slot is in use. */
export const POOL_EXHAUSTED = -26;
/** Release of a slot that is free or not part of the pool. */
export const INVALID_SLOT = -27;
/** NaN, Infinity or a magnitude above 2^53 given to a number writer. */
export const INVALID_NUMBER = -28;
/** decode() called again after an error without reset(). */
export const DECODER_FAILED = -29;
/** SUBSCRIBE requested-QoS byte with reserved bits 7..2 set. */
export const SUBSCRIBE_RESERVED = -30;

/** MQTT control packet types (the upper nibble of the first fixed-header byte). */
export const PacketType = Object.freeze({
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  PUBREC: 5,
  PUBREL: 6,
  PUBCOMP: 7,
  SUBSCRIBE: 8,
  SUBACK: 9,
  UNSUBSCRIBE: 10,
  UNSUBACK: 11,
  PINGREQ: 12,
  PINGRESP: 13,
  DISCONNECT: 14,
} as const);

/** One of the {@link PacketType} values. */
export type PacketTypeValue = (typeof PacketType)[keyof typeof PacketType];

/** Largest remaining length the 4-byte variable integer can express (268,435,455). */
export const MAX_REMAINING_LENGTH = 268_435_455;

/** Largest UTF-8 string or binary field (u16 length prefix). */
export const MAX_STRING_LENGTH = 65_535;

/**
 * Symbolic name of a result code, e.g. `"BUFFER_TOO_SMALL"`.
 * @param code - any value returned by a codec function
 * @returns the constant's name, or `"UNKNOWN"` for a number that is not a codec code
 */
export function codeName(code: number): string {
  switch (code) {
    case NEED_MORE: return "NEED_MORE";
    case PACKET: return "PACKET";
    case CHUNK: return "CHUNK";
    case BUFFER_TOO_SMALL: return "BUFFER_TOO_SMALL";
    case MALFORMED_REMAINING_LENGTH: return "MALFORMED_REMAINING_LENGTH";
    case PACKET_TOO_LARGE: return "PACKET_TOO_LARGE";
    case INVALID_PACKET_TYPE: return "INVALID_PACKET_TYPE";
    case UNEXPECTED_PACKET: return "UNEXPECTED_PACKET";
    case RESERVED_FLAGS: return "RESERVED_FLAGS";
    case INVALID_QOS: return "INVALID_QOS";
    case PACKET_ID_ZERO: return "PACKET_ID_ZERO";
    case INVALID_UTF8: return "INVALID_UTF8";
    case STRING_TOO_LONG: return "STRING_TOO_LONG";
    case TOPIC_WILDCARD: return "TOPIC_WILDCARD";
    case EMPTY_TOPIC: return "EMPTY_TOPIC";
    case INVALID_FILTER: return "INVALID_FILTER";
    case EMPTY_SUBSCRIPTION: return "EMPTY_SUBSCRIPTION";
    case INVALID_SUBACK_CODE: return "INVALID_SUBACK_CODE";
    case CONNACK_RESERVED: return "CONNACK_RESERVED";
    case INVALID_CONNACK_CODE: return "INVALID_CONNACK_CODE";
    case INVALID_PROTOCOL: return "INVALID_PROTOCOL";
    case CONNECT_RESERVED_FLAG: return "CONNECT_RESERVED_FLAG";
    case INVALID_WILL: return "INVALID_WILL";
    case PASSWORD_WITHOUT_USERNAME: return "PASSWORD_WITHOUT_USERNAME";
    case TRUNCATED: return "TRUNCATED";
    case TRAILING_BYTES: return "TRAILING_BYTES";
    case INVALID_FIELD: return "INVALID_FIELD";
    case POOL_EXHAUSTED: return "POOL_EXHAUSTED";
    case INVALID_SLOT: return "INVALID_SLOT";
    case INVALID_NUMBER: return "INVALID_NUMBER";
    case DECODER_FAILED: return "DECODER_FAILED";
    case SUBSCRIBE_RESERVED: return "SUBSCRIBE_RESERVED";
    default: return "UNKNOWN";
  }
}

/**
 * Human-readable message for a result code (for logs and the API-edge errors).
 * @param code - any value returned by a codec function
 * @returns a short English sentence; `"unknown code"` for a number that is not a codec code
 */
export function codeMessage(code: number): string {
  switch (code) {
    case NEED_MORE: return "need more input";
    case PACKET: return "packet decoded";
    case CHUNK: return "payload chunk decoded";
    case BUFFER_TOO_SMALL: return "output buffer too small";
    case MALFORMED_REMAINING_LENGTH: return "remaining length longer than 4 bytes";
    case PACKET_TOO_LARGE: return "packet larger than the allowed maximum";
    case INVALID_PACKET_TYPE: return "invalid packet type";
    case UNEXPECTED_PACKET: return "packet type not expected in this direction";
    case RESERVED_FLAGS: return "fixed-header flag bits not as the spec requires";
    case INVALID_QOS: return "QoS must be 0, 1 or 2";
    case PACKET_ID_ZERO: return "packet identifier must not be 0";
    case INVALID_UTF8: return "ill-formed UTF-8 string";
    case STRING_TOO_LONG: return "string longer than 65535 bytes";
    case TOPIC_WILDCARD: return "wildcard in a topic name";
    case EMPTY_TOPIC: return "empty topic name or filter";
    case INVALID_FILTER: return "misplaced wildcard in a topic filter";
    case EMPTY_SUBSCRIPTION: return "subscription packet without entries";
    case INVALID_SUBACK_CODE: return "SUBACK return code not 0, 1, 2 or 0x80";
    case CONNACK_RESERVED: return "CONNACK reserved flag bits set";
    case INVALID_CONNACK_CODE: return "CONNACK return code above 5, or session present with a refusal";
    case INVALID_PROTOCOL: return "protocol name not MQTT or level not 4";
    case CONNECT_RESERVED_FLAG: return "CONNECT reserved flag set";
    case INVALID_WILL: return "will QoS/retain without will flag, or will QoS 3";
    case PASSWORD_WITHOUT_USERNAME: return "password without user name";
    case TRUNCATED: return "field runs past the end of the packet";
    case TRAILING_BYTES: return "bytes left over inside the packet";
    case INVALID_FIELD: return "field out of range";
    case POOL_EXHAUSTED: return "buffer pool exhausted";
    case INVALID_SLOT: return "slot is free or not part of the pool";
    case INVALID_NUMBER: return "number is NaN, infinite or beyond 2^53";
    case DECODER_FAILED: return "decoder failed earlier; call reset()";
    case SUBSCRIBE_RESERVED: return "SUBSCRIBE requested QoS reserved bits set";
    default: return "unknown code";
  }
}
