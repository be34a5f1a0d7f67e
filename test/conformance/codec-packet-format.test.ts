// Conformance, codec: fixed-header flags of every packet type (what the encoders write, and every other value
// refused on decode), and field layout of PUBLISH and UNSUBSCRIBE.
import { describe, expect, it } from "vitest";
import {
  encodeAck, encodeConnack, encodeConnect, encodeEmpty, encodePublish, encodeSuback, encodeSubscribe,
  encodeUnsubscribe, INVALID_UTF8, PacketType, RESERVED_FLAGS,
} from "../../src/codec/index.js";
import { bytes, connectFrame, encodeInto, expectAccepted, expectRefused, field, frame } from "./codec-util.js";

interface Kind {
  name: string;
  type: number;
  /** The flags nibble the spec requires (Table 2.2). */
  flags: number;
  /** Who receives it (decoder role). */
  role: "client" | "server";
  /** A valid packet of this type with the given first byte. */
  frame(first: number): Uint8Array;
  /** Our encoder for this type: @returns the bytes it wrote. */
  encode(buf: Uint8Array): number;
  /** IDs of the statements about this type's flags besides [MQTT-2.2.2-1] / [MQTT-2.2.2-2]. */
  ids: string;
}

const empty = (first: number): Uint8Array => bytes(first, 0);
const ack = (first: number): Uint8Array => bytes(first, 2, 0, 7);
const kinds: Kind[] = [
  {
    name: "CONNECT", type: 1, flags: 0, role: "server", ids: "",
    frame: (f) => bytes(f, connectFrame(0x02, field("id")).subarray(1)),
    encode: (b) => encodeConnect(b, 0, { clientId: bytes("id"), cleanSession: true, keepAlive: 60, username: null, password: null, will: null }),
  },
  { name: "CONNACK", type: 2, flags: 0, role: "client", ids: "", frame: (f) => bytes(f, 2, 0, 0), encode: (b) => encodeConnack(b, 0, { sessionPresent: false, returnCode: 0 }) },
  { name: "PUBACK", type: 4, flags: 0, role: "client", ids: "", frame: ack, encode: (b) => encodeAck(b, 0, PacketType.PUBACK, 7) },
  { name: "PUBREC", type: 5, flags: 0, role: "client", ids: "", frame: ack, encode: (b) => encodeAck(b, 0, PacketType.PUBREC, 7) },
  { name: "PUBREL", type: 6, flags: 2, role: "server", ids: "[MQTT-3.6.1-1]", frame: ack, encode: (b) => encodeAck(b, 0, PacketType.PUBREL, 7) },
  { name: "PUBCOMP", type: 7, flags: 0, role: "server", ids: "", frame: ack, encode: (b) => encodeAck(b, 0, PacketType.PUBCOMP, 7) },
  {
    name: "SUBSCRIBE", type: 8, flags: 2, role: "server", ids: "[MQTT-3.8.1-1]",
    frame: (f) => frame(f, 0, 7, field("a/#"), 1),
    encode: (b) => encodeSubscribe(b, 0, { packetId: 7, filters: [bytes("a/#")], qos: [1], count: 1 }),
  },
  {
    name: "SUBACK", type: 9, flags: 0, role: "client", ids: "",
    frame: (f) => frame(f, 0, 7, 1), encode: (b) => encodeSuback(b, 0, { packetId: 7, returnCodes: [1], count: 1 }),
  },
  {
    name: "UNSUBSCRIBE", type: 10, flags: 2, role: "server", ids: "[MQTT-3.10.1-1]",
    frame: (f) => frame(f, 0, 7, field("a/#")),
    encode: (b) => encodeUnsubscribe(b, 0, { packetId: 7, filters: [bytes("a/#")], count: 1 }),
  },
  { name: "UNSUBACK", type: 11, flags: 0, role: "client", ids: "", frame: ack, encode: (b) => encodeAck(b, 0, PacketType.UNSUBACK, 7) },
  { name: "PINGREQ", type: 12, flags: 0, role: "server", ids: "", frame: empty, encode: (b) => encodeEmpty(b, 0, PacketType.PINGREQ) },
  { name: "PINGRESP", type: 13, flags: 0, role: "client", ids: "", frame: empty, encode: (b) => encodeEmpty(b, 0, PacketType.PINGRESP) },
  { name: "DISCONNECT", type: 14, flags: 0, role: "server", ids: "[MQTT-3.14.1-1]", frame: empty, encode: (b) => encodeEmpty(b, 0, PacketType.DISCONNECT) },
];

describe("fixed-header flags (Table 2.2)", () => {
  for (const k of kinds) {
    const required = k.flags.toString(2).padStart(4, "0");
    it(`[MQTT-2.2.2-1] ${k.ids} ${k.name}: our encoder writes flags ${required}`.replace("  ", " "), () => {
      const { result, out } = encodeInto((b) => k.encode(b));
      expect(result).toBeGreaterThan(0);
      expect(out[0]).toBe((k.type << 4) | k.flags);
      expectAccepted(Uint8Array.from(out), k.role);
    });
    it(`[MQTT-2.2.2-2] ${k.ids} ${k.name}: every flags value but ${required} is refused on decode`.replace("  ", " "), () => {
      expectAccepted(k.frame((k.type << 4) | k.flags), k.role);
      for (let flags = 0; flags < 16; flags++) {
        if (flags === k.flags) continue;
        expectRefused(k.frame((k.type << 4) | flags), k.role, RESERVED_FLAGS);
      }
    });
  }

  it("[MQTT-2.2.2-1] PUBLISH: the flags carry DUP, QoS and RETAIN as given", () => {
    const info = {
      topic: bytes("t"), topicOffset: 0, topicLength: 1, payload: bytes(""), payloadOffset: 0, payloadLength: 0,
      qos: 0, retain: false, dup: false, packetId: 1,
    };
    const first = (patch: Partial<typeof info>): number => encodeInto((b) => encodePublish(b, 0, { ...info, ...patch })).out[0]!;
    expect(first({})).toBe(0x30);
    expect(first({ retain: true })).toBe(0x31);
    expect(first({ qos: 1 })).toBe(0x32);
    expect(first({ qos: 2, dup: true, retain: true })).toBe(0x3d);
  });
});

describe("PUBLISH fields", () => {
  it("[MQTT-2.3.1-5] a QoS 0 PUBLISH has no ServerPacket Identifier: encoded without one whatever packetId holds", () => {
    const info = {
      topic: bytes("t/a"), topicOffset: 0, topicLength: 3, payload: bytes("hello"), payloadOffset: 0, payloadLength: 5,
      qos: 0, retain: false, dup: false, packetId: 0x1234,
    };
    const { out } = encodeInto((b) => encodePublish(b, 0, info));
    expect(out).toEqual([0x30, 10, 0, 3, ...bytes("t/a"), ...bytes("hello")]);
    // On decode the two bytes after the topic are payload, not an id.
    const p = expectAccepted(frame(0x30, field("t/a"), 0x12, 0x34), "client");
    expect([p.packetId, p.payloadLength, p.payloadOffset]).toEqual([0, 2, 7]);
  });

  it("[MQTT-3.3.2-1] the Topic Name is the first field of the variable header, a UTF-8 string, before the id", () => {
    const info = {
      topic: bytes("é/x"), topicOffset: 0, topicLength: 4, payload: bytes("p"), payloadOffset: 0, payloadLength: 1,
      qos: 1, retain: false, dup: false, packetId: 0x0102,
    };
    const { out } = encodeInto((b) => encodePublish(b, 0, info));
    expect(out).toEqual([0x32, 9, 0, 4, 0xc3, 0xa9, 0x2f, 0x78, 0x01, 0x02, 0x70]);
    const p = expectAccepted(Uint8Array.from(out), "client");
    expect([p.topicOffset, p.topicLength, p.packetId, p.payloadOffset]).toEqual([4, 4, 0x0102, 10]);
    expectRefused(frame(0x32, field(0xc3), 1, 2), "client", INVALID_UTF8); // a cut 2-byte sequence
  });
});

describe("UNSUBSCRIBE payload", () => {
  it("[MQTT-3.10.3-1] filters are UTF-8 strings packed contiguously", () => {
    const { out } = encodeInto((b) => encodeUnsubscribe(b, 0, { packetId: 3, filters: [bytes("a"), bytes("b/#"), bytes("ü/+")], count: 3 }));
    expect(out).toEqual([0xa2, 2 + 3 + 5 + 6, 0, 3, 0, 1, 0x61, 0, 3, ...bytes("b/#"), 0, 4, 0xc3, 0xbc, 0x2f, 0x2b]);
    const p = expectAccepted(Uint8Array.from(out), "server");
    expect([p.listCount, p.listOffset, p.listLength]).toEqual([3, 4, 14]);
    expectRefused(frame(0xa2, 0, 3, field("a"), field(0xed, 0xa0, 0x80)), "server", INVALID_UTF8);
  });
});
