// Spec byte fixtures, commented field by field: each is decoded by the family decoder and by the stream
// decoder, and re-encoded byte for byte from its fields.
import { describe, expect, it } from "vitest";
import {
  decodeAck, decodeConnack, decodeConnect, decodeEmpty, decodePublish, decodeSuback, decodeSubscribe,
  decodeUnsubscribe, ServerPacket, PacketType, PACKET, StreamDecoder,
} from "../../src/codec/index.js";
import { bytes, encodeToBytes, packetToModel, type Model, newDecoder } from "./util.js";

type Decode = (buf: Uint8Array, offset: number, length: number, out: ServerPacket) => number;
interface Fixture { name: string; frame: Uint8Array; model: Model; decode: Decode; role: "client" | "server" }

const fixtures: Fixture[] = [
  {
    name: "CONNECT (seed): client id ABCDEF, clean session, keepalive 60",
    frame: bytes(
      0x10, 0x12, //          CONNECT, remaining length 18
      0x00, 0x04, "MQTT", //  protocol name [MQTT-3.1.2-1]
      0x04, //                protocol level 4 (3.1.1)
      0x02, //                connect flags: clean session
      0x00, 0x3c, //          keep alive 60 s
      0x00, 0x06, "ABCDEF", // client identifier: present and first in the payload [MQTT-3.1.3-3]
    ),
    model: { cmd: "connect", clientId: "ABCDEF", clean: true, keepalive: 60 },
    decode: decodeConnect, role: "server",
  },
  {
    name: "CONNECT with will (QoS 1, retain), user name and password",
    // Payload order ClientId, Will Topic, Will Message, User Name, Password [MQTT-3.1.3-1]; the will flag with both
    // will fields [MQTT-3.1.2-9], user name flag with a user name [MQTT-3.1.2-19], password flag with one [MQTT-3.1.2-21].
    frame: bytes(
      0x10, 0x24, //            CONNECT, remaining length 36 = 10 + 4 + 5 + 5 + 6 + 6
      0x00, 0x04, "MQTT", 0x04, // protocol name, level 4
      0xee, //                  flags: user name, password, will retain, will QoS 1 (0x08), will, clean
      0x00, 0x0a, //            keep alive 10 s
      0x00, 0x02, "id", //      client identifier
      0x00, 0x03, "w/t", //     will topic
      0x00, 0x03, "bye", //     will payload
      0x00, 0x04, "user", //    user name
      0x00, 0x04, 0x00, 0xff, 0x01, 0x02, // password (binary)
    ),
    model: {
      cmd: "connect", clientId: "id", clean: true, keepalive: 10, username: "user",
      password: Uint8Array.of(0, 0xff, 1, 2), will: { topic: "w/t", payload: bytes("bye"), qos: 1, retain: true },
    },
    decode: decodeConnect, role: "server",
  },
  {
    name: "CONNACK session present, accepted",
    frame: bytes(0x20, 0x02, /* remaining 2 */ 0x01, /* session present */ 0x00 /* accepted */),
    model: { cmd: "connack", sessionPresent: true, returnCode: 0 },
    decode: decodeConnack, role: "client",
  },
  {
    name: "CONNACK refused: not authorized (5)",
    frame: bytes(0x20, 0x02, 0x00, 0x05),
    model: { cmd: "connack", sessionPresent: false, returnCode: 5 },
    decode: decodeConnack, role: "client",
  },
  {
    name: "PUBLISH (seed): QoS 0, topic ELEMENT14, payload hello",
    frame: bytes(
      0x30, //              PUBLISH, QoS 0, no DUP, no RETAIN
      0x10, //              remaining length 16 = 2 + 9 + 5
      0x00, 0x09, "ELEMENT14", // topic name
      "hello", //           payload (the rest of the packet): no packet identifier in a QoS 0 PUBLISH [MQTT-2.3.1-5]
    ),
    model: { cmd: "publish", topic: "ELEMENT14", payload: bytes("hello"), qos: 0, retain: false, dup: false },
    decode: decodePublish, role: "client",
  },
  {
    name: "PUBLISH QoS 1, DUP, RETAIN, packet id 0x1234",
    frame: bytes(
      0x3b, //              PUBLISH, DUP (0x08), QoS 1 (0x02), RETAIN (0x01)
      0x08, //              remaining length 8 = 2 + 3 + 2 + 1
      0x00, 0x03, "a/b", // topic name
      0x12, 0x34, //        packet identifier
      0x2a, //              payload
    ),
    model: { cmd: "publish", topic: "a/b", payload: Uint8Array.of(0x2a), qos: 1, retain: true, dup: true, messageId: 0x1234 },
    decode: decodePublish, role: "server",
  },
  {
    name: "PUBLISH QoS 2, empty payload, UTF-8 topic",
    frame: bytes(0x34, /* QoS 2 */ 0x09, 0x00, 0x05, "é/ü", /* 5 bytes of UTF-8 */ 0x00, 0x01 /* id 1 */),
    model: { cmd: "publish", topic: "é/ü", payload: new Uint8Array(0), qos: 2, retain: false, dup: false, messageId: 1 },
    decode: decodePublish, role: "client",
  },
  {
    name: "SUBSCRIBE (seed): packet id 10, element14 at QoS 0",
    frame: bytes(
      0x82, //              SUBSCRIBE, reserved flags 0b0010 [MQTT-3.8.1-1]
      0x0e, //              remaining length 14 = 2 + 2 + 9 + 1
      0x00, 0x0a, //        packet identifier 10
      0x00, 0x09, "element14", // topic filter
      0x00, //              requested QoS 0
    ),
    model: { cmd: "subscribe", messageId: 10, subscriptions: [{ topic: "element14", qos: 0 }] },
    decode: decodeSubscribe, role: "server",
  },
  {
    name: "SUBSCRIBE with wildcards, two filters",
    frame: bytes(0x82, 0x0e, 0x00, 0x02, 0x00, 0x03, "a/#", 0x01, 0x00, 0x03, "+/b", 0x02),
    model: { cmd: "subscribe", messageId: 2, subscriptions: [{ topic: "a/#", qos: 1 }, { topic: "+/b", qos: 2 }] },
    decode: decodeSubscribe, role: "server",
  },
  {
    name: "SUBACK: granted 0, 1, 2 and failure 0x80",
    frame: bytes(0x90, 0x06, 0x00, 0x07, /* id 7 */ 0x00, 0x01, 0x02, 0x80),
    model: { cmd: "suback", messageId: 7, granted: [0, 1, 2, 0x80] },
    decode: decodeSuback, role: "client",
  },
  {
    name: "UNSUBSCRIBE, two filters",
    // Flags 0b0010 [MQTT-3.10.1-1]; the filters packed contiguously [MQTT-3.10.3-1].
    frame: bytes(0xa2, /* flags 0b0010 */ 0x0a, 0x00, 0x03, /* id 3 */ 0x00, 0x01, "a", 0x00, 0x03, "b/#"),
    model: { cmd: "unsubscribe", messageId: 3, unsubscriptions: ["a", "b/#"] },
    decode: decodeUnsubscribe, role: "server",
  },
  { name: "PUBACK id 1", frame: bytes(0x40, 0x02, 0x00, 0x01), model: { cmd: "puback", messageId: 1 }, decode: decodeAck, role: "client" },
  { name: "PUBREC id 0xffff", frame: bytes(0x50, 0x02, 0xff, 0xff), model: { cmd: "pubrec", messageId: 0xffff }, decode: decodeAck, role: "server" },
  // [MQTT-3.6.1-1]
  { name: "PUBREL id 2 (flags 0b0010)", frame: bytes(0x62, 0x02, 0x00, 0x02), model: { cmd: "pubrel", messageId: 2 }, decode: decodeAck, role: "client" },
  { name: "PUBCOMP id 3", frame: bytes(0x70, 0x02, 0x00, 0x03), model: { cmd: "pubcomp", messageId: 3 }, decode: decodeAck, role: "server" },
  { name: "UNSUBACK id 4", frame: bytes(0xb0, 0x02, 0x00, 0x04), model: { cmd: "unsuback", messageId: 4 }, decode: decodeAck, role: "client" },
  { name: "PINGREQ", frame: bytes(0xc0, 0x00), model: { cmd: "pingreq" }, decode: decodeEmpty, role: "server" },
  { name: "PINGRESP", frame: bytes(0xd0, 0x00), model: { cmd: "pingresp" }, decode: decodeEmpty, role: "client" },
  // [MQTT-3.14.1-1]
  { name: "DISCONNECT", frame: bytes(0xe0, 0x00), model: { cmd: "disconnect" }, decode: decodeEmpty, role: "server" },
];

describe("spec byte fixtures", () => {
  for (const f of fixtures) {
    describe(f.name, () => {
      it("decodes to the expected fields with the family decoder", () => {
        const out = new ServerPacket();
        // Decode at a non-zero offset inside a larger array to prove offsets are honoured.
        const buf = new Uint8Array(f.frame.length + 7);
        buf.set(f.frame, 3);
        expect(f.decode(buf, 3, f.frame.length, out)).toBe(3 + f.frame.length);
        expect(out.packetLength).toBe(f.frame.length);
        expect(packetToModel(out)).toEqual(f.model);
      });

      it("encodes from the fields to exactly these bytes", () => {
        // The first byte of every type carries the flags of Table 2.2 [MQTT-2.2.2-1].
        expect(encodeToBytes(f.model)).toEqual(f.frame);
      });

      it("is decoded in place by the stream decoder", () => {
        const d = newDecoder({ buffer: new Uint8Array(64), maxPacketSize: 1024, role: f.role, streamPayloads: false });
        expect(d.decode(f.frame, 0, f.frame.length)).toBe(PACKET);
        expect(d.offset).toBe(f.frame.length);
        expect(d.packet.buffer).toBe(f.frame);
        expect(packetToModel(d.packet)).toEqual(f.model);
      });
    });
  }

  it("seed CONNECT carries type, flags and remaining length in the fixed header", () => {
    const out = new ServerPacket();
    const frame = fixtures[0]!.frame;
    decodeConnect(frame, 0, frame.length, out);
    expect([out.type, out.flags, out.remainingLength, out.protocolLevel, out.connectFlags]).toEqual([PacketType.CONNECT, 0, 18, 4, 2]);
    // Flags clear, fields absent: user name [MQTT-3.1.2-18], password [MQTT-3.1.2-20], will [MQTT-3.1.2-11].
    expect([out.usernameOffset, out.passwordOffset, out.willTopicOffset]).toEqual([-1, -1, -1]);
  });

  it("seed PUBLISH points topic and payload into the frame", () => {
    const out = new ServerPacket();
    const frame = fixtures[4]!.frame;
    decodePublish(frame, 0, frame.length, out);
    // The topic name is the first field of the variable header [MQTT-3.3.2-1].
    expect([out.topicOffset, out.topicLength, out.payloadOffset, out.payloadLength, out.remainingLength]).toEqual([4, 9, 13, 5, 16]);
  });
});
