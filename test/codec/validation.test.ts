// Every validation rule, triggered by a crafted frame. Each frame is checked three ways: the one-shot
// decodePacket, the stream decoder on the whole frame, and the stream decoder one byte at a time.
import { describe, expect, it } from "vitest";
import {
  codeName, CONNACK_RESERVED, CONNECT_RESERVED_FLAG, decodePacket, EMPTY_SUBSCRIPTION, EMPTY_TOPIC,
  INVALID_CONNACK_CODE, INVALID_FILTER, INVALID_PACKET_TYPE, INVALID_PROTOCOL, INVALID_QOS, INVALID_SUBACK_CODE,
  INVALID_UTF8, INVALID_WILL, MALFORMED_REMAINING_LENGTH, NEED_MORE, ServerPacket, PACKET_ID_ZERO, PASSWORD_WITHOUT_USERNAME,
  RESERVED_FLAGS, StreamDecoder, SUBSCRIBE_RESERVED, TOPIC_WILDCARD, TRAILING_BYTES, TRUNCATED, UNEXPECTED_PACKET,
} from "../../src/codec/index.js";
import { bytes, newDecoder } from "./util.js";

type Part = number | string | Uint8Array;
/** A packet with its remaining length computed from the body parts. */
function frame(header: number, ...body: Part[]): Uint8Array {
  const b = bytes(...body);
  if (b.length > 127) throw new Error("test frames stay below 128 bytes");
  return bytes(header, b.length, b);
}
/** A u16-prefixed field. */
function field(...content: Part[]): Uint8Array {
  const c = bytes(...content);
  return bytes(c.length >> 8, c.length & 0xff, c);
}
/** A CONNECT with protocol MQTT level 4, the given flags, keepalive 0, then the payload fields. */
function connect(flags: number, ...payload: Part[]): Uint8Array {
  return frame(0x10, field("MQTT"), 4, flags, 0, 0, ...payload);
}

interface Case { name: string; frame: Uint8Array; role: "client" | "server"; code: number }
const cases: Case[] = [
  // Fixed header.
  { name: "type 0", frame: bytes(0x00, 0x00), role: "client", code: INVALID_PACKET_TYPE },
  { name: "type 15", frame: bytes(0xf0, 0x00), role: "server", code: INVALID_PACKET_TYPE },
  { name: "remaining length of 5 bytes", frame: bytes(0x30, 0xff, 0xff, 0xff, 0xff, 0x01), role: "client", code: MALFORMED_REMAINING_LENGTH },
  { name: "PUBACK flags 0001", frame: bytes(0x41, 2, 0, 1), role: "client", code: RESERVED_FLAGS }, // [MQTT-2.2.2-2]
  { name: "PUBREL flags 0000", frame: bytes(0x60, 2, 0, 1), role: "client", code: RESERVED_FLAGS }, // [MQTT-2.2.2-2] [MQTT-3.6.1-1]
  { name: "SUBSCRIBE flags 0000", frame: frame(0x80, 0, 1, field("a"), 0), role: "server", code: RESERVED_FLAGS }, // [MQTT-2.2.2-2] [MQTT-3.8.1-1]
  { name: "UNSUBSCRIBE flags 0011", frame: frame(0xa3, 0, 1, field("a")), role: "server", code: RESERVED_FLAGS }, // [MQTT-2.2.2-2] [MQTT-3.10.1-1]
  { name: "PINGREQ flags 1000", frame: bytes(0xc8, 0), role: "server", code: RESERVED_FLAGS }, // [MQTT-2.2.2-2]
  { name: "CONNECT flags 0010", frame: bytes(0x12, 0), role: "server", code: RESERVED_FLAGS }, // [MQTT-2.2.2-2]
  { name: "CONNACK flags 0001", frame: bytes(0x21, 2, 0, 0), role: "client", code: RESERVED_FLAGS }, // [MQTT-2.2.2-2]
  { name: "PUBLISH DUP on QoS 0", frame: frame(0x38, field("t")), role: "client", code: RESERVED_FLAGS }, // [MQTT-3.3.1-2]
  { name: "PUBLISH QoS 3", frame: frame(0x36, field("t"), 0, 1), role: "client", code: INVALID_QOS }, // [MQTT-3.3.1-4]
  { name: "CONNECT to a client", frame: connect(0x02, field("id")), role: "client", code: UNEXPECTED_PACKET },
  { name: "SUBACK to a server", frame: frame(0x90, 0, 1, 0), role: "server", code: UNEXPECTED_PACKET },
  // Packet ids.
  { name: "PUBLISH QoS 1 id 0", frame: frame(0x32, field("t"), 0, 0), role: "client", code: PACKET_ID_ZERO }, // [MQTT-2.3.1-1]
  { name: "PUBLISH QoS 2 id 0", frame: frame(0x34, field("t"), 0, 0, "x"), role: "server", code: PACKET_ID_ZERO }, // [MQTT-2.3.1-1]
  { name: "PUBACK id 0", frame: bytes(0x40, 2, 0, 0), role: "client", code: PACKET_ID_ZERO },
  { name: "PUBREC id 0", frame: bytes(0x50, 2, 0, 0), role: "client", code: PACKET_ID_ZERO },
  { name: "PUBREL id 0", frame: bytes(0x62, 2, 0, 0), role: "server", code: PACKET_ID_ZERO },
  { name: "PUBCOMP id 0", frame: bytes(0x70, 2, 0, 0), role: "client", code: PACKET_ID_ZERO },
  { name: "UNSUBACK id 0", frame: bytes(0xb0, 2, 0, 0), role: "client", code: PACKET_ID_ZERO },
  { name: "SUBSCRIBE id 0", frame: frame(0x82, 0, 0, field("a"), 0), role: "server", code: PACKET_ID_ZERO }, // [MQTT-2.3.1-1]
  { name: "UNSUBSCRIBE id 0", frame: frame(0xa2, 0, 0, field("a")), role: "server", code: PACKET_ID_ZERO }, // [MQTT-2.3.1-1]
  { name: "SUBACK id 0", frame: frame(0x90, 0, 0, 0), role: "client", code: PACKET_ID_ZERO },
  // UTF-8.
  { name: "topic with U+0000", frame: frame(0x30, field("a", 0, "b")), role: "client", code: INVALID_UTF8 }, // [MQTT-1.5.3-2] [MQTT-4.7.3-2]
  { name: "topic with a surrogate (ED A0 80)", frame: frame(0x30, field(0xed, 0xa0, 0x80)), role: "client", code: INVALID_UTF8 }, // [MQTT-1.5.3-1] [MQTT-3.3.2-1]
  { name: "topic with a low surrogate (ED BF BF)", frame: frame(0x30, field(0xed, 0xbf, 0xbf)), role: "client", code: INVALID_UTF8 }, // [MQTT-1.5.3-1]
  { name: "topic with overlong '/' (C0 AF)", frame: frame(0x30, field(0xc0, 0xaf)), role: "client", code: INVALID_UTF8 }, // [MQTT-1.5.3-1]
  { name: "topic with overlong 3-byte (E0 80 AF)", frame: frame(0x30, field(0xe0, 0x80, 0xaf)), role: "client", code: INVALID_UTF8 },
  { name: "topic with overlong 4-byte (F0 80 80 AF)", frame: frame(0x30, field(0xf0, 0x80, 0x80, 0xaf)), role: "client", code: INVALID_UTF8 },
  { name: "topic above U+10FFFF (F4 90 80 80)", frame: frame(0x30, field(0xf4, 0x90, 0x80, 0x80)), role: "client", code: INVALID_UTF8 },
  { name: "topic with F5 lead", frame: frame(0x30, field(0xf5, 0x80, 0x80, 0x80)), role: "client", code: INVALID_UTF8 },
  { name: "topic with a lone continuation byte", frame: frame(0x30, field("a", 0x80)), role: "client", code: INVALID_UTF8 },
  { name: "topic with a truncated sequence (E2 82)", frame: frame(0x30, field("a", 0xe2, 0x82)), role: "client", code: INVALID_UTF8 }, // [MQTT-1.5.3-1]
  { name: "topic with a truncated sequence before more text", frame: frame(0x30, field(0xe2, 0x82, "a")), role: "client", code: INVALID_UTF8 },
  { name: "client id ill-formed", frame: connect(0x02, field(0xff)), role: "server", code: INVALID_UTF8 }, // [MQTT-1.5.3-1] [MQTT-3.1.3-4]
  { name: "user name ill-formed", frame: connect(0x82, field("id"), field(0xc3)), role: "server", code: INVALID_UTF8 }, // [MQTT-1.5.3-1] [MQTT-3.1.3-11]
  { name: "filter ill-formed", frame: frame(0x82, 0, 1, field(0xed, 0xa0, 0x80), 0), role: "server", code: INVALID_UTF8 }, // [MQTT-1.5.3-1] [MQTT-3.8.3-1]
  // Topics and filters.
  { name: "PUBLISH topic with +", frame: frame(0x30, field("a/+")), role: "client", code: TOPIC_WILDCARD }, // [MQTT-3.3.2-2] [MQTT-4.7.1-1]
  { name: "PUBLISH topic with #", frame: frame(0x30, field("#")), role: "server", code: TOPIC_WILDCARD }, // [MQTT-3.3.2-2] [MQTT-4.7.1-1]
  { name: "will topic with #", frame: connect(0x06, field("id"), field("w/#"), field("")), role: "server", code: TOPIC_WILDCARD }, // [MQTT-4.7.1-1]
  { name: "PUBLISH empty topic", frame: frame(0x30, field(), "payload"), role: "client", code: EMPTY_TOPIC }, // [MQTT-4.7.3-1]
  { name: "will topic empty", frame: connect(0x06, field("id"), field(), field("")), role: "server", code: EMPTY_TOPIC }, // [MQTT-4.7.3-1]
  { name: "SUBSCRIBE empty filter", frame: frame(0x82, 0, 1, field(), 0), role: "server", code: EMPTY_TOPIC }, // [MQTT-4.7.3-1]
  { name: "UNSUBSCRIBE empty filter", frame: frame(0xa2, 0, 1, field()), role: "server", code: EMPTY_TOPIC }, // [MQTT-4.7.3-1]
  { name: "filter a#", frame: frame(0x82, 0, 1, field("a#"), 0), role: "server", code: INVALID_FILTER }, // [MQTT-4.7.1-2]
  { name: "filter #/a (# not last)", frame: frame(0x82, 0, 1, field("#/a"), 0), role: "server", code: INVALID_FILTER }, // [MQTT-4.7.1-2]
  { name: "filter a/+b", frame: frame(0x82, 0, 1, field("a/+b"), 0), role: "server", code: INVALID_FILTER }, // [MQTT-4.7.1-3]
  { name: "filter a+/b", frame: frame(0xa2, 0, 1, field("a+/b")), role: "server", code: INVALID_FILTER }, // [MQTT-4.7.1-3]
  { name: "SUBSCRIBE without filters", frame: frame(0x82, 0, 1), role: "server", code: EMPTY_SUBSCRIPTION }, // [MQTT-3.8.3-3]
  { name: "UNSUBSCRIBE without filters", frame: frame(0xa2, 0, 1), role: "server", code: EMPTY_SUBSCRIPTION }, // [MQTT-3.10.3-2]
  { name: "SUBACK without return codes", frame: frame(0x90, 0, 1), role: "client", code: EMPTY_SUBSCRIPTION },
  { name: "SUBSCRIBE requested QoS 3", frame: frame(0x82, 0, 1, field("a"), 3), role: "server", code: INVALID_QOS }, // [MQTT-3.8.3-4]
  { name: "SUBSCRIBE requested QoS byte 0x04", frame: frame(0x82, 0, 1, field("a"), 0x04), role: "server", code: SUBSCRIBE_RESERVED }, // [MQTT-3.8.3-4]
  { name: "SUBSCRIBE requested QoS byte 0x81", frame: frame(0x82, 0, 1, field("a"), 0x81), role: "server", code: SUBSCRIBE_RESERVED }, // [MQTT-3.8.3-4]
  { name: "SUBACK return code 3", frame: frame(0x90, 0, 1, 0, 3), role: "client", code: INVALID_SUBACK_CODE }, // [MQTT-3.9.3-2]
  { name: "SUBACK return code 0x81", frame: frame(0x90, 0, 1, 0x81), role: "client", code: INVALID_SUBACK_CODE }, // [MQTT-3.9.3-2]
  // CONNACK.
  { name: "CONNACK reserved ack flag bit 1", frame: bytes(0x20, 2, 0x02, 0), role: "client", code: CONNACK_RESERVED },
  { name: "CONNACK reserved ack flag bit 7", frame: bytes(0x20, 2, 0x80, 0), role: "client", code: CONNACK_RESERVED },
  { name: "CONNACK return code 6", frame: bytes(0x20, 2, 0, 6), role: "client", code: INVALID_CONNACK_CODE },
  { name: "CONNACK session present with refusal", frame: bytes(0x20, 2, 1, 4), role: "client", code: INVALID_CONNACK_CODE },
  // CONNECT.
  { name: "protocol name MQIsdp (3.1)", frame: frame(0x10, field("MQIsdp"), 3, 2, 0, 0, field("id")), role: "server", code: INVALID_PROTOCOL }, // [MQTT-3.1.2-1]
  { name: "protocol name mqtt", frame: frame(0x10, field("mqtt"), 4, 2, 0, 0, field("id")), role: "server", code: INVALID_PROTOCOL }, // [MQTT-3.1.2-1]
  { name: "protocol level 5", frame: frame(0x10, field("MQTT"), 5, 2, 0, 0, field("id")), role: "server", code: INVALID_PROTOCOL },
  { name: "protocol level 3 with MQTT", frame: frame(0x10, field("MQTT"), 3, 2, 0, 0, field("id")), role: "server", code: INVALID_PROTOCOL },
  { name: "CONNECT reserved flag", frame: connect(0x03, field("id")), role: "server", code: CONNECT_RESERVED_FLAG }, // [MQTT-3.1.2-3]
  { name: "will QoS without will flag", frame: connect(0x0a, field("id")), role: "server", code: INVALID_WILL }, // [MQTT-3.1.2-11] [MQTT-3.1.2-13]
  { name: "will retain without will flag", frame: connect(0x22, field("id")), role: "server", code: INVALID_WILL }, // [MQTT-3.1.2-11] [MQTT-3.1.2-15]
  { name: "will QoS 3", frame: connect(0x1e, field("id"), field("w"), field("")), role: "server", code: INVALID_WILL }, // [MQTT-3.1.2-14]
  { name: "password without user name", frame: connect(0x42, field("id"), field("pw")), role: "server", code: PASSWORD_WITHOUT_USERNAME }, // [MQTT-3.1.2-22]
  // Lengths.
  { name: "PUBACK remaining length 1", frame: bytes(0x40, 1, 0), role: "client", code: TRUNCATED },
  { name: "PUBACK remaining length 3", frame: bytes(0x40, 3, 0, 1, 0), role: "client", code: TRAILING_BYTES },
  { name: "CONNACK remaining length 1", frame: bytes(0x20, 1, 0), role: "client", code: TRUNCATED },
  { name: "CONNACK remaining length 3", frame: bytes(0x20, 3, 0, 0, 0), role: "client", code: TRAILING_BYTES },
  { name: "PINGRESP remaining length 1", frame: bytes(0xd0, 1, 0), role: "client", code: TRAILING_BYTES },
  { name: "DISCONNECT remaining length 2", frame: bytes(0xe0, 2, 0, 0), role: "server", code: TRAILING_BYTES },
  { name: "PUBLISH topic past the end", frame: frame(0x30, 0, 5, "ab"), role: "client", code: TRUNCATED },
  { name: "PUBLISH topic length cut", frame: frame(0x30, 0), role: "client", code: TRUNCATED },
  { name: "PUBLISH QoS 1 packet id cut", frame: frame(0x32, field("t"), 0), role: "client", code: TRUNCATED },
  { name: "SUBSCRIBE QoS byte missing", frame: frame(0x82, 0, 1, field("a")), role: "server", code: TRUNCATED },
  { name: "SUBSCRIBE filter past the end", frame: frame(0x82, 0, 1, 0, 9, "ab"), role: "server", code: TRUNCATED },
  { name: "UNSUBSCRIBE length prefix cut", frame: frame(0xa2, 0, 1, field("a"), 0), role: "server", code: TRUNCATED },
  { name: "SUBACK id cut", frame: frame(0x90, 0), role: "client", code: TRUNCATED },
  { name: "CONNECT variable header cut", frame: frame(0x10, field("MQTT"), 4, 2), role: "server", code: TRUNCATED },
  { name: "CONNECT client id past the end", frame: connect(0x02, 0, 9, "ab"), role: "server", code: TRUNCATED },
  { name: "CONNECT will payload missing", frame: connect(0x06, field("id"), field("w")), role: "server", code: TRUNCATED }, // [MQTT-3.1.2-9]
  { name: "CONNECT password missing", frame: connect(0xc2, field("id"), field("u")), role: "server", code: TRUNCATED }, // [MQTT-3.1.2-21]
  { name: "CONNECT trailing byte", frame: connect(0x02, field("id"), 0), role: "server", code: TRAILING_BYTES },
];

describe("validation: each rule has its own code", () => {
  for (const c of cases) {
    it(`${c.name} -> ${codeName(c.code)}`, () => {
      // decodePacket has no role; a wrong-direction packet is valid to it.
      const oneShot = decodePacket(c.frame, 0, c.frame.length, new ServerPacket());
      expect(oneShot).toBe(c.code === UNEXPECTED_PACKET ? c.frame.length : c.code);
      const whole = newDecoder({ buffer: new Uint8Array(256), maxPacketSize: 1024, role: c.role, streamPayloads: false });
      expect(whole.decode(c.frame, 0, c.frame.length)).toBe(c.code);
      const bytewise = newDecoder({ buffer: new Uint8Array(256), maxPacketSize: 1024, role: c.role, streamPayloads: false });
      let r = NEED_MORE;
      for (let i = 0; i < c.frame.length && r === NEED_MORE; i++) r = bytewise.decode(c.frame, i, i + 1);
      expect(r).toBe(c.code);
    });
  }

  it("decodePacket refuses a length that does not match the header", () => {
    const f = bytes(0x40, 2, 0, 1);
    expect(decodePacket(f, 0, 3, new ServerPacket())).toBe(TRUNCATED);
    expect(decodePacket(bytes(0x40, 2, 0, 1, 9), 0, 5, new ServerPacket())).toBe(TRAILING_BYTES);
  });

  it("a CONNECT with a refused level still reports the level (for CONNACK 1)", () => {
    const out = new ServerPacket();
    const f = frame(0x10, field("MQTT"), 5, 2, 0, 0, field("id"));
    expect(decodePacket(f, 0, f.length, out)).toBe(INVALID_PROTOCOL);
    expect(out.protocolLevel).toBe(5);
  });

  it("accepts a zero-byte client id without clean session (the server answers CONNACK 2)", () => {
    const f = connect(0x00, field());
    const out = new ServerPacket();
    expect(decodePacket(f, 0, f.length, out)).toBe(f.length);
    expect(out.clientIdLength).toBe(0);
    expect(out.cleanSession).toBe(false);
  });

  it("accepts well-formed edge code points: U+007F, U+0080, U+07FF, U+0800, U+FFFF, U+10000, U+10FFFF", () => {
    const t = bytes(0x7f, 0xc2, 0x80, 0xdf, 0xbf, 0xe0, 0xa0, 0x80, 0xef, 0xbf, 0xbf, 0xf0, 0x90, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf, 0xed, 0x9f, 0xbf);
    const f = frame(0x30, field(t));
    expect(decodePacket(f, 0, f.length, new ServerPacket())).toBe(f.length);
  });
});
