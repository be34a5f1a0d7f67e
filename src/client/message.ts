/**
 * The reused incoming-message view handed to subscription handlers.
 *
 * One instance per client, created at construction; for each PUBLISH (or payload chunk) its fields are
 * reassigned. Topic and payload are `(buffer, offset, length)` regions of the client's receive buffers:
 * valid only until the handler returns. Copy what you keep.
 * @module
 */

/** An incoming PUBLISH (or one chunk of it when `oversize: "stream"`). */
export class MqttMessage {
  /** Buffer holding the topic name bytes. */
  topicBuffer: Uint8Array;
  /** Offset of the topic in {@link topicBuffer}. */
  topicOffset = 0;
  /** Topic length in bytes. */
  topicLength = 0;
  /** Buffer holding the payload bytes (of this chunk). */
  payload: Uint8Array;
  /** Offset of the payload (chunk) in {@link payload}. */
  payloadOffset = 0;
  /** Payload (chunk) length in bytes. */
  payloadLength = 0;
  /** Whole payload length of this PUBLISH (== payloadLength unless streamed). */
  payloadTotal = 0;
  /** Payload bytes delivered before this chunk (0 unless streamed). */
  chunkOffset = 0;
  /** True on the last (or only) piece of the payload. */
  final = true;
  /** QoS 0 or 1 (as received). */
  qos = 0;
  /** Retained message (sent because of a new subscription). */
  retain = false;
  /** Redelivery flag set by the broker. */
  dup = false;
  /** Packet id (QoS 1), 0 for QoS 0. */
  packetId = 0;
  /** Subscription id of the handler being called. */
  subscription = 0;

  /** @param empty a zero-length array to point at before the first message. */
  constructor(empty: Uint8Array) {
    this.topicBuffer = empty;
    this.payload = empty;
  }

  /**
   * The topic as a JS string. ALLOCATES (a new string per call): a convenience for logs and setup code,
   * not for the hot path; compare bytes instead (`topicEquals`).
   */
  topicString(): string {
    return decodeUtf8(this.topicBuffer, this.topicOffset, this.topicLength);
  }

  /** The payload (chunk) as a JS string, decoded as UTF-8. ALLOCATES, like {@link topicString}. */
  payloadString(): string {
    return decodeUtf8(this.payload, this.payloadOffset, this.payloadLength);
  }

  /** True when the topic equals `bytes[offset, offset+length)`; allocation-free. */
  topicEquals(bytes: Uint8Array, offset = 0, length = bytes.length - offset): boolean {
    if (length !== this.topicLength) return false;
    const t = this.topicBuffer;
    const o = this.topicOffset;
    for (let i = 0; i < length; i++) if (t[o + i] !== bytes[offset + i]) return false;
    return true;
  }
}

/**
 * Decodes UTF-8 bytes to a string (ill-formed sequences become U+FFFD). Allocates the result.
 * @returns the decoded string.
 */
export function decodeUtf8(buf: Uint8Array, offset: number, length: number): string {
  let out = "";
  const end = offset + length;
  let i = offset;
  while (i < end) {
    const b = buf[i++] ?? 0;
    let cp = 0xfffd;
    if (b < 0x80) cp = b;
    else if (b >= 0xc2 && b < 0xe0 && i < end) cp = ((b & 0x1f) << 6) | ((buf[i++] ?? 0) & 0x3f);
    else if (b >= 0xe0 && b < 0xf0 && i + 1 < end) {
      cp = ((b & 0x0f) << 12) | (((buf[i] ?? 0) & 0x3f) << 6) | ((buf[i + 1] ?? 0) & 0x3f);
      i += 2;
    } else if (b >= 0xf0 && b < 0xf5 && i + 2 < end) {
      cp = ((b & 0x07) << 18) | (((buf[i] ?? 0) & 0x3f) << 12) | (((buf[i + 1] ?? 0) & 0x3f) << 6) | ((buf[i + 2] ?? 0) & 0x3f);
      i += 3;
    }
    out += String.fromCodePoint(cp);
  }
  return out;
}
