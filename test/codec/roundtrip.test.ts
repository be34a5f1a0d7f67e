// Round trips for every packet type (encode -> decode gives the same fields), exact sizes, and
// BUFFER_TOO_SMALL for every short buffer with nothing written.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUFFER_TOO_SMALL, decodePacket, ServerPacket, PACKET, StreamDecoder } from "../../src/codec/index.js";
import { anyPacket, connack, connect, publish, suback, subscribe, unsubscribe } from "./arbitraries.js";
import { encodeModel, encodeToBytes, packetToModel, receiverRole, sizeModel, type Model, newDecoder } from "./util.js";

const examples: Model[] = [
  { cmd: "connect", clientId: "dev-1", clean: false, keepalive: 65535, username: "u", password: Uint8Array.of(1), will: { topic: "w", payload: new Uint8Array(0), qos: 2, retain: false } },
  { cmd: "connack", sessionPresent: false, returnCode: 3 },
  { cmd: "publish", topic: "sensors/esp32-0001/temperature", payload: new Uint8Array(200), qos: 1, retain: false, dup: false, messageId: 9 },
  { cmd: "puback", messageId: 1 }, { cmd: "pubrec", messageId: 2 }, { cmd: "pubrel", messageId: 3 },
  { cmd: "pubcomp", messageId: 4 }, { cmd: "unsuback", messageId: 5 },
  { cmd: "subscribe", messageId: 6, subscriptions: [{ topic: "a/+/c", qos: 1 }, { topic: "#", qos: 0 }] },
  { cmd: "suback", messageId: 6, granted: [1, 0x80] },
  { cmd: "unsubscribe", messageId: 7, unsubscriptions: ["a/+/c"] },
  { cmd: "pingreq" }, { cmd: "pingresp" }, { cmd: "disconnect" },
];

function roundTrip(m: Model): void {
  const frame = encodeToBytes(m);
  const out = new ServerPacket();
  expect(decodePacket(frame, 0, frame.length, out)).toBe(frame.length);
  expect(packetToModel(out)).toEqual(m);
  const d = newDecoder({ buffer: new Uint8Array(16), maxPacketSize: 1 << 20, role: receiverRole(m.cmd), streamPayloads: false });
  expect(d.decode(frame, 0, frame.length)).toBe(PACKET);
  expect(packetToModel(d.packet)).toEqual(m);
}

describe("round trips", () => {
  it.each(examples.map((m) => [m.cmd, m] as const))("%s encodes and decodes to the same fields", (_cmd, m) => {
    roundTrip(m);
  });

  it("holds for random valid packets of every type", () => {
    fc.assert(fc.property(anyPacket, (m) => roundTrip(m)), { numRuns: 600 });
  });

  it("a large remaining length (3-byte varint) round trips", () => {
    const m: Model = { cmd: "publish", topic: "big", payload: new Uint8Array(20_000).fill(7), qos: 0, retain: true, dup: false };
    const frame = encodeToBytes(m);
    expect(frame[1]! & 0x80).toBe(0x80);
    expect(frame[2]! & 0x80).toBe(0x80);
    expect(frame[3]! & 0x80).toBe(0);
    roundTrip(m);
  });
});

describe("too-small buffers", () => {
  function checkAllShortSizes(m: Model): void {
    const size = sizeModel(m);
    expect(size).toBeGreaterThan(0);
    for (let length = 0; length < size; length++) {
      const buf = new Uint8Array(length + 3).fill(0xaa);
      // At offset 3: only `length` bytes of room.
      expect(encodeModel(m, buf, 3)).toBe(BUFFER_TOO_SMALL);
      expect(buf.every((b) => b === 0xaa)).toBe(true);
    }
    const exact = new Uint8Array(size + 3).fill(0xaa);
    expect(encodeModel(m, exact, 3)).toBe(size + 3);
    expect(exact[0]).toBe(0xaa);
  }

  it.each(examples.map((m) => [m.cmd, m] as const))("%s: every size below the exact size is refused, nothing written", (_cmd, m) => {
    checkAllShortSizes(m);
  });

  it("holds for random packets", () => {
    fc.assert(fc.property(fc.oneof(connect, connack, publish, subscribe, suback, unsubscribe), (m) => checkAllShortSizes(m)), { numRuns: 60 });
  });
});
