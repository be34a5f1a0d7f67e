// StreamDecoder: any chunking, zero copy, assembly, max size before buffering, streamed payloads, roles,
// failure latch.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CHUNK, codeName, DECODER_FAILED, INVALID_PACKET_TYPE, MALFORMED_REMAINING_LENGTH, NEED_MORE, PACKET, PACKET_TOO_LARGE, StreamDecoder, TRUNCATED, UNEXPECTED_PACKET, ServerStreamDecoder,
} from "../../src/codec/index.js";
import { toClient, toServer } from "./arbitraries.js";
import { bytes, encodeToBytes, packetToModel, rng, type Model, newDecoder } from "./util.js";

function concat(frames: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let o = 0;
  for (const f of frames) { out.set(f, o); o += f.length; }
  return out;
}

/** Feeds `stream` in the given chunk sizes; returns the decoded models. Copies each chunk into a fresh array so
 * that a decoder keeping references to old input would be caught. */
function feed(d: StreamDecoder, stream: Uint8Array, chunkSizes: () => number): Model[] {
  const models: Model[] = [];
  let pos = 0;
  while (pos < stream.length) {
    const n = Math.min(chunkSizes(), stream.length - pos);
    const chunk = new Uint8Array(n + 4);
    chunk.set(stream.subarray(pos, pos + n), 2);
    let offset = 2;
    for (;;) {
      const r = d.decode(chunk, offset, 2 + n);
      if (r === NEED_MORE) break;
      if (r !== PACKET) throw new Error(`decode returned ${codeName(r)}`);
      models.push(packetToModel(d.packet));
      offset = d.offset;
    }
    expect(d.offset).toBe(2 + n);
    pos += n;
  }
  return models;
}

describe("StreamDecoder chunking", () => {
  for (const [role, arb] of [["client", toClient], ["server", toServer]] as const) {
    it(`${role}: random packet streams decode identically one byte at a time and in random chunks`, () => {
      fc.assert(fc.property(fc.array(arb, { minLength: 1, maxLength: 12 }), fc.integer(), (models, seed) => {
        const stream = concat(models.map(encodeToBytes));
        const mk = () => newDecoder({ buffer: new Uint8Array(512), maxPacketSize: 4096, role, streamPayloads: false });
        expect(feed(mk(), stream, () => 1)).toEqual(models);
        const random = rng(seed);
        expect(feed(mk(), stream, () => 1 + Math.floor(random() * 70))).toEqual(models);
        expect(feed(mk(), stream, () => stream.length)).toEqual(models);
      }), { numRuns: 150 });
    });
  }

  it("decodes in place when the packet is whole, assembles otherwise", () => {
    const frame = encodeToBytes({ cmd: "puback", messageId: 5 });
    const assembly = new Uint8Array(32);
    const d = new StreamDecoder({ buffer: assembly, maxPacketSize: 100, role: "client", streamPayloads: false });
    expect(d.decode(frame, 0, 4)).toBe(PACKET);
    expect(d.packet.buffer).toBe(frame);
    expect(d.decode(frame, 0, 3)).toBe(NEED_MORE);
    expect(d.pending).toBe(3);
    expect(d.decode(frame, 3, 4)).toBe(PACKET);
    expect(d.packet.buffer).toBe(assembly);
    expect(d.packet.packetId).toBe(5);
  });

  it("returns after each packet and resumes at decoder.offset", () => {
    const stream = concat([encodeToBytes({ cmd: "pingresp" }), encodeToBytes({ cmd: "puback", messageId: 9 })]);
    const d = new StreamDecoder({ buffer: new Uint8Array(16), maxPacketSize: 100, role: "client", streamPayloads: false });
    expect(d.decode(stream, 0, stream.length)).toBe(PACKET);
    expect(d.offset).toBe(2);
    expect(d.decode(stream, d.offset, stream.length)).toBe(PACKET);
    expect(d.packet.packetId).toBe(9);
    expect(d.decode(stream, d.offset, stream.length)).toBe(NEED_MORE);
    expect(d.offset).toBe(stream.length);
  });
});

describe("limits", () => {
  it("refuses an oversize packet from the remaining-length bytes, before any body byte", () => {
    const d = new StreamDecoder({ buffer: new Uint8Array(64), maxPacketSize: 100, role: "client", streamPayloads: false });
    // PUBLISH with remaining length 99 -> total 101 > 100; only the header is given.
    expect(d.decode(Uint8Array.of(0x30, 99), 0, 2)).toBe(PACKET_TOO_LARGE);
    expect(d.offset).toBe(2);
    const ok = new StreamDecoder({ buffer: new Uint8Array(128), maxPacketSize: 100, role: "client", streamPayloads: false });
    expect(ok.decode(Uint8Array.of(0x30, 98), 0, 2)).toBe(NEED_MORE);
  });

  it("refuses an oversize packet split in the length bytes", () => {
    const d = new StreamDecoder({ buffer: new Uint8Array(64), maxPacketSize: 1000, role: "client", streamPayloads: false });
    expect(d.decode(Uint8Array.of(0x30, 0xff), 0, 2)).toBe(NEED_MORE);
    expect(d.decode(Uint8Array.of(0x7f), 0, 1)).toBe(PACKET_TOO_LARGE);
  });

  it("refuses a 5-byte remaining length", () => {
    const frame = Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01);
    const whole = new StreamDecoder({ buffer: new Uint8Array(64), maxPacketSize: 1000, role: "client", streamPayloads: false });
    expect(whole.decode(frame, 0, frame.length)).toBe(MALFORMED_REMAINING_LENGTH);
    const split = new StreamDecoder({ buffer: new Uint8Array(64), maxPacketSize: 1000, role: "client", streamPayloads: false });
    let r = NEED_MORE;
    for (let i = 0; i < frame.length && r === NEED_MORE; i++) r = split.decode(frame, i, i + 1);
    expect(r).toBe(MALFORMED_REMAINING_LENGTH);
  });

  it("refuses a PUBLISH larger than the assembly buffer without streamPayloads", () => {
    const frame = encodeToBytes({ cmd: "publish", topic: "t", payload: new Uint8Array(100), qos: 0, retain: false, dup: false });
    const d = new StreamDecoder({ buffer: new Uint8Array(50), maxPacketSize: 1000, role: "client", streamPayloads: false });
    expect(d.decode(frame, 0, 10)).toBe(PACKET_TOO_LARGE);
  });

  it("refuses a non-PUBLISH larger than the assembly buffer even with streamPayloads", () => {
    const frame = encodeToBytes({ cmd: "suback", messageId: 1, granted: new Array(60).fill(1) });
    const d = new StreamDecoder({ buffer: new Uint8Array(50), maxPacketSize: 1000, role: "client", streamPayloads: true });
    expect(d.decode(frame, 0, 10)).toBe(PACKET_TOO_LARGE);
  });
});

describe("streamed payloads", () => {
  const payload = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
  const model: Model = { cmd: "publish", topic: "big/data", payload, qos: 1, retain: false, dup: false, messageId: 77 };
  const frame = encodeToBytes(model);

  function streamIn(chunkSize: () => number): { pieces: number; data: Uint8Array; finals: number } {
    const d = new StreamDecoder({ buffer: new Uint8Array(64), maxPacketSize: 2000, role: "client", streamPayloads: true });
    const data = new Uint8Array(payload.length);
    let pieces = 0;
    let finals = 0;
    let pos = 0;
    while (pos < frame.length) {
      const n = Math.min(chunkSize(), frame.length - pos);
      const chunk = frame.slice(pos, pos + n);
      let offset = 0;
      for (;;) {
        const r = d.decode(chunk, offset, n);
        if (r === NEED_MORE) break;
        expect(r).toBe(CHUNK);
        const p = d.packet;
        expect(p.payloadBuffer).toBe(chunk);
        expect(p.payloadTotal).toBe(payload.length);
        expect(p.packetId).toBe(77);
        expect(new TextDecoder().decode(p.buffer.subarray(p.topicOffset, p.topicOffset + p.topicLength))).toBe("big/data");
        data.set(chunk.subarray(p.payloadOffset, p.payloadOffset + p.payloadLength), p.chunkOffset);
        expect(p.chunkOffset + p.payloadLength).toBeLessThanOrEqual(payload.length);
        pieces++;
        if (p.final) { finals++; expect(p.chunkOffset + p.payloadLength).toBe(payload.length); }
        offset = d.offset;
      }
      pos += n;
    }
    return { pieces, data, finals };
  }

  it("delivers the payload in CHUNKs with topic and packet id assembled", () => {
    const result = streamIn(() => 100);
    expect(result.data).toEqual(payload);
    expect(result.finals).toBe(1);
    expect(result.pieces).toBeGreaterThan(5);
  });

  it("works one byte at a time and for random chunkings", () => {
    expect(streamIn(() => 1).data).toEqual(payload);
    const random = rng(42);
    for (let i = 0; i < 20; i++) expect(streamIn(() => 1 + Math.floor(random() * 300)).data).toEqual(payload);
  });

  it("decodes the next packet normally after the last chunk", () => {
    const next = encodeToBytes({ cmd: "puback", messageId: 3 });
    const d = new StreamDecoder({ buffer: new Uint8Array(64), maxPacketSize: 2000, role: "client", streamPayloads: true });
    const first = frame.slice(0, 10);
    expect(d.decode(first, 0, first.length)).toBe(NEED_MORE);
    const rest = new Uint8Array(frame.length - 10 + next.length);
    rest.set(frame.subarray(10));
    rest.set(next, frame.length - 10);
    expect(d.decode(rest, 0, rest.length)).toBe(CHUNK);
    expect(d.packet.final).toBe(true);
    expect(d.decode(rest, d.offset, rest.length)).toBe(PACKET);
    expect(d.packet.packetId).toBe(3);
  });

  it("a whole oversize PUBLISH in the input is still decoded in place as one PACKET", () => {
    const d = new StreamDecoder({ buffer: new Uint8Array(64), maxPacketSize: 2000, role: "client", streamPayloads: true });
    expect(d.decode(frame, 0, frame.length)).toBe(PACKET);
    expect(d.packet.payloadLength).toBe(payload.length);
    expect(d.packet.final).toBe(true);
  });

  it("refuses a topic that does not fit the assembly buffer", () => {
    const longTopic = encodeToBytes({ cmd: "publish", topic: "t".repeat(100), payload: new Uint8Array(10), qos: 0, retain: false, dup: false });
    const d = new StreamDecoder({ buffer: new Uint8Array(64), maxPacketSize: 2000, role: "client", streamPayloads: true });
    expect(d.decode(longTopic, 0, 20)).toBe(PACKET_TOO_LARGE);
  });

  it("reports a topic length running past the packet as TRUNCATED", () => {
    // remaining length 70 but topic length 0x0100
    const bad = bytes(0x30, 70, 0x01, 0x00, new Uint8Array(10));
    const d = new StreamDecoder({ buffer: new Uint8Array(32), maxPacketSize: 2000, role: "client", streamPayloads: true });
    expect(d.decode(bad, 0, bad.length)).toBe(TRUNCATED);
  });
});

describe("roles and errors", () => {
  it("a client decoder refuses what only a client sends, and vice versa", () => {
    const client = () => new StreamDecoder({ buffer: new Uint8Array(64), maxPacketSize: 100, role: "client", streamPayloads: false });
    const server = () => new ServerStreamDecoder({ buffer: new Uint8Array(64), maxPacketSize: 100, streamPayloads: false });
    for (const m of [{ cmd: "pingreq" }, { cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "a", qos: 0 }] }] as Model[]) {
      const f = encodeToBytes(m);
      expect(client().decode(f, 0, f.length)).toBe(UNEXPECTED_PACKET);
      expect(client().decode(f, 0, 1)).toBe(UNEXPECTED_PACKET); // known from the first byte
    }
    for (const m of [{ cmd: "pingresp" }, { cmd: "connack", sessionPresent: false, returnCode: 0 }, { cmd: "unsuback", messageId: 1 }] as Model[]) {
      const f = encodeToBytes(m);
      expect(server().decode(f, 0, f.length)).toBe(UNEXPECTED_PACKET);
    }
  });

  it("latches an error until reset()", () => {
    const d = new StreamDecoder({ buffer: new Uint8Array(64), maxPacketSize: 100, role: "client", streamPayloads: false });
    expect(d.decode(Uint8Array.of(0xf0, 0), 0, 2)).toBe(INVALID_PACKET_TYPE);
    const good = encodeToBytes({ cmd: "pingresp" });
    expect(d.decode(good, 0, 2)).toBe(DECODER_FAILED);
    expect(d.decode(good, 0, 1)).toBe(DECODER_FAILED);
    d.reset();
    expect(d.decode(good, 0, 2)).toBe(PACKET);
  });

  it("reset() drops a partial packet", () => {
    const d = new StreamDecoder({ buffer: new Uint8Array(64), maxPacketSize: 100, role: "client", streamPayloads: false });
    expect(d.decode(Uint8Array.of(0x40, 2, 0), 0, 3)).toBe(NEED_MORE);
    d.reset();
    expect(d.pending).toBe(0);
    expect(d.decode(Uint8Array.of(0x40, 2, 0, 1), 0, 4)).toBe(PACKET);
    expect(d.packet.packetId).toBe(1);
  });

  it("rejects bad construction options", () => {
    expect(() => new StreamDecoder({ buffer: new Uint8Array(4), maxPacketSize: 100, role: "client", streamPayloads: false })).toThrow(RangeError);
    expect(() => new StreamDecoder({ buffer: new Uint8Array(8), maxPacketSize: 1.5, role: "client", streamPayloads: false })).toThrow(RangeError);
  });
});
