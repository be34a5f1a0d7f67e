// StreamDecoder split points: every packet type split at every index (two and three pieces), packets straddling
// chunk boundaries with the next packet starting in the same chunk, errors found the same way whole or split,
// the bench's 1..64-byte chunkings; and the primitives behind the chunked path (copyRun, the 4-bytes-per-step
// topic name scan) against byte-wise references.
import { describe, expect, it } from "vitest";
import { copyRun } from "../../src/codec/bytes.js";
import {
  codeName, EMPTY_TOPIC, INVALID_UTF8, NEED_MORE, PACKET, StreamDecoder, STRING_TOO_LONG, TOPIC_WILDCARD,
  validateSequence, validateTopicName,
} from "../../src/codec/index.js";
import { bytes, encodeToBytes, packetToModel, receiverRole, rng, type Model, newDecoder } from "./util.js";

function concat(frames: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let o = 0;
  for (const f of frames) { out.set(f, o); o += f.length; }
  return out;
}

function payloadOf(n: number, seed: number): Uint8Array {
  const p = new Uint8Array(n);
  for (let i = 0; i < n; i++) p[i] = (i * 31 + seed) & 0xff;
  return p;
}

const SAMPLES: Model[] = [
  { cmd: "connect", clientId: "esp32-0001", clean: true, keepalive: 60, username: "device", password: bytes("s3cret"),
    will: { topic: "status/esp32-0001", payload: bytes("offline"), qos: 1, retain: true } },
  { cmd: "connect", clientId: "", clean: true, keepalive: 0 },
  { cmd: "connack", sessionPresent: true, returnCode: 0 },
  { cmd: "puback", messageId: 1 },
  { cmd: "pubrec", messageId: 0x1234 },
  { cmd: "pubrel", messageId: 0xffff },
  { cmd: "pubcomp", messageId: 7 },
  { cmd: "subscribe", messageId: 7, subscriptions: [{ topic: "sensors/+/temperature", qos: 1 }, { topic: "cmd/é/#", qos: 2 }] },
  { cmd: "suback", messageId: 7, granted: [0, 1, 2, 0x80] },
  { cmd: "unsubscribe", messageId: 8, unsubscriptions: ["a/+/c", "$SYS/#"] },
  { cmd: "unsuback", messageId: 8 },
  { cmd: "pingreq" },
  { cmd: "pingresp" },
  { cmd: "disconnect" },
];
// PUBLISH around every copy-size edge (1..3, 4..7, 8+ bytes), the one- and two-byte remaining length, QoS 0/1/2,
// ASCII and multi-byte topics (the topic scan takes 4 bytes per step).
const TOPICS = ["a", "abc", "abcd", "sensors/esp32-0001/temperature", "é/日本/😀/x", "$SYS/ü"];
const SIZES = [0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 63, 64, 65, 95, 120, 124, 125, 126, 127, 128, 200, 256, 300];
const PUBLISHES: Model[] = [];
for (let k = 0; k < SIZES.length; k++) {
  const size = SIZES[k]!;
  const qos = k % 3;
  const m: Model = { cmd: "publish", topic: TOPICS[k % TOPICS.length]!, payload: payloadOf(size, k), qos, retain: k % 2 === 0, dup: qos > 0 && k % 4 === 1 };
  if (qos > 0) m.messageId = 1000 + k;
  PUBLISHES.push(m);
}

function decoderFor(model: Model, bufferSize = 1024): StreamDecoder {
  return newDecoder({ buffer: new Uint8Array(bufferSize), maxPacketSize: 1 << 20, role: receiverRole(model.cmd), streamPayloads: false });
}

/**
 * Feeds `stream[bounds[k], bounds[k + 1])` piece by piece, each piece either in place in `stream` or copied into a
 * fresh array at a shifted offset (so a decoder reading input outside the given range, or keeping old input, is
 * caught). Returns the decoded models and the first error code (0 when none).
 */
function feedPieces(d: StreamDecoder, stream: Uint8Array, bounds: number[], fresh: boolean): { models: Model[]; error: number } {
  const models: Model[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const start = bounds[k]!;
    const end = bounds[k + 1]!;
    let src = stream;
    let offset = start;
    let stop = end;
    if (fresh) {
      // Garbage around the piece: 0x2b ('+') and 0x00 would be caught by the topic scan if read.
      src = new Uint8Array(end - start + 14).fill(0x2b);
      src.fill(0, 0, 3);
      src.set(stream.subarray(start, end), 7);
      offset = 7;
      stop = 7 + end - start;
    }
    for (;;) {
      const r = d.decode(src, offset, stop);
      if (r === NEED_MORE) break;
      if (r !== PACKET) return { models, error: r };
      models.push(packetToModel(d.packet));
      offset = d.offset;
    }
    expect(d.offset).toBe(stop);
  }
  expect(d.pending).toBe(0);
  return { models, error: 0 };
}

describe("StreamDecoder: every split point", () => {
  for (const model of [...SAMPLES, ...PUBLISHES]) {
    const frame = encodeToBytes(model);
    const label = model.cmd === "publish" ? `publish ${frame.length} B qos ${model.qos} topic ${JSON.stringify(model.topic)}` : model.cmd;
    it(`${label}: two back-to-back packets split at every index`, () => {
      // Two copies: a split inside the first packet leaves the second starting mid-piece.
      const stream = concat([frame, frame]);
      for (let i = 0; i <= stream.length; i++) {
        for (const fresh of [false, true]) {
          const got = feedPieces(decoderFor(model), stream, [0, i, stream.length], fresh);
          if (got.error !== 0) throw new Error(`split ${i}: ${codeName(got.error)}`);
          expect(got.models, `split at ${i}`).toEqual([model, model]);
        }
      }
    });
  }

  for (const model of [SAMPLES[0]!, SAMPLES[7]!, PUBLISHES[3]!, PUBLISHES[13]!, PUBLISHES[19]!]) {
    const frame = encodeToBytes(model);
    it(`${model.cmd} ${frame.length} B: three pieces at every pair of indices`, () => {
      const d = decoderFor(model);
      for (let i = 0; i <= frame.length; i++) {
        for (let j = i; j <= frame.length; j++) {
          const got = feedPieces(d, frame, [0, i, j, frame.length], (i + j) % 2 === 0);
          if (got.error !== 0) throw new Error(`split ${i}/${j}: ${codeName(got.error)}`);
          expect(got.models.length).toBe(1);
          if (got.models.length !== 1) return;
          if ((i * 7 + j) % 13 === 0) expect(got.models[0]).toEqual(model); // a sample: deep equality is slow
        }
      }
      // The last one, exhaustively compared: every split decoded to the same bytes (checked via the model).
      expect(feedPieces(d, frame, [0, 1, frame.length - 1, frame.length], false).models).toEqual([model]);
    });
  }

  it("a PUBLISH with a 3-byte remaining length, split at sampled indices and near every boundary", () => {
    const payload = payloadOf(20_000, 3);
    const model: Model = { cmd: "publish", topic: "big/é", payload, qos: 1, retain: false, dup: false, messageId: 9 };
    const frame = encodeToBytes(model);
    expect(frame[1]! & 0x80).toBe(0x80);
    expect(frame[2]! & 0x80).toBe(0x80);
    const stream = concat([frame, frame]);
    const points = new Set<number>();
    for (let i = 0; i <= 16; i++) { points.add(i); points.add(frame.length - 8 + i); points.add(stream.length - i); }
    for (let i = 0; i < stream.length; i += 1999) points.add(i);
    for (const i of points) {
      if (i < 0 || i > stream.length) continue;
      const d = decoderFor(model, 32_768);
      let count = 0;
      for (const [a, b] of [[0, i], [i, stream.length]] as const) {
        let offset = a;
        for (;;) {
          const r = d.decode(stream, offset, b);
          if (r === NEED_MORE) break;
          expect(r, `split ${i}`).toBe(PACKET);
          const p = d.packet;
          expect([p.packetId, p.topicLength, p.payloadLength]).toEqual([9, 6, 20_000]);
          for (let k = 0; k < 20_000; k++) {
            if (p.payloadBuffer[p.payloadOffset + k] !== payload[k]) throw new Error(`split ${i}: payload byte ${k}`);
          }
          count++;
          offset = d.offset;
        }
      }
      expect(count, `split ${i}`).toBe(2);
    }
  });

  it("the bench stream (1000 × PUBLISH QoS 1 256 B) in random 1..64-byte pieces, several seeds", () => {
    const model: Model = { cmd: "publish", topic: "sensors/esp32-0001/temperature", payload: payloadOf(256, 1), qos: 1, retain: false, dup: false, messageId: 4242 };
    const frame = encodeToBytes(model);
    const stream = concat(Array.from({ length: 1000 }, () => frame));
    for (const seed of [1, 2, 12345, 99]) {
      const random = rng(seed);
      const bounds = [0];
      while (bounds[bounds.length - 1]! < stream.length) bounds.push(Math.min(stream.length, bounds[bounds.length - 1]! + 1 + Math.floor(random() * 64)));
      const d = decoderFor(model);
      let count = 0;
      for (let k = 0; k + 1 < bounds.length; k++) {
        let offset = bounds[k]!;
        for (;;) {
          const r = d.decode(stream, offset, bounds[k + 1]!);
          if (r === NEED_MORE) break;
          expect(r).toBe(PACKET);
          const p = d.packet;
          expect(p.packetId).toBe(4242);
          expect(p.payloadLength).toBe(256);
          expect(p.payloadBuffer[p.payloadOffset + 255]).toBe(model.payload[255]);
          if (count % 97 === 0) expect(packetToModel(p)).toEqual(model);
          count++;
          offset = d.offset;
        }
      }
      expect(count).toBe(1000);
    }
  });
});

describe("StreamDecoder: a body after an assembled fixed header", () => {
  const model: Model = { cmd: "publish", topic: "a/b", payload: payloadOf(300, 5), qos: 1, retain: false, dup: false, messageId: 77 };
  const frame = encodeToBytes(model); // 3-byte fixed header

  it("is decoded where it lies when only the fixed header was assembled and the whole body is here", () => {
    for (const cut of [1, 2, 3]) {
      const assembly = new Uint8Array(512);
      const d = new StreamDecoder({ buffer: assembly, maxPacketSize: 4096, role: "client", streamPayloads: false });
      expect(d.decode(frame.slice(0, cut), 0, cut)).toBe(NEED_MORE);
      expect(d.pending).toBe(cut);
      const rest = new Uint8Array(frame.length + 10).fill(0x2b);
      rest.set(frame.subarray(cut), 5);
      // cut < 3: the rest of the length bytes come with the body; still only the header gets assembled.
      expect(d.decode(rest, 5, 5 + frame.length - cut)).toBe(PACKET);
      expect(d.packet.buffer).toBe(rest);
      expect(d.packet.payloadBuffer).toBe(rest);
      expect(packetToModel(d.packet)).toEqual(model);
      expect(d.offset).toBe(5 + frame.length - cut);
      expect(d.pending).toBe(0);
    }
  });

  it("is assembled when body bytes were already assembled, or when the body is not all here", () => {
    const assembly = new Uint8Array(512);
    const d = new StreamDecoder({ buffer: assembly, maxPacketSize: 4096, role: "client", streamPayloads: false });
    expect(d.decode(frame, 0, 4)).toBe(NEED_MORE);
    expect(d.decode(frame, 4, frame.length)).toBe(PACKET);
    expect(d.packet.buffer).toBe(assembly);
    expect(packetToModel(d.packet)).toEqual(model);
    expect(d.decode(frame, 0, 3)).toBe(NEED_MORE);
    expect(d.decode(frame, 3, 100)).toBe(NEED_MORE);
    expect(d.decode(frame, 100, frame.length)).toBe(PACKET);
    expect(d.packet.buffer).toBe(assembly);
    expect(packetToModel(d.packet)).toEqual(model);
  });

  it("reports a body error found in place at the end of the packet", () => {
    const bad = bytes(0x32, 0x07, 0x00, 0x03, "a+b", 0x00, 0x01);
    const d = new StreamDecoder({ buffer: new Uint8Array(64), maxPacketSize: 4096, role: "client", streamPayloads: false });
    expect(d.decode(bad, 0, 2)).toBe(NEED_MORE);
    expect(codeName(d.decode(bad, 2, bad.length))).toBe(codeName(TOPIC_WILDCARD));
    expect(d.offset).toBe(bad.length);
  });
});

describe("StreamDecoder: errors are the same whole and split", () => {
  const invalid: [string, Uint8Array, "client" | "server"][] = [
    ["wildcard + in a PUBLISH topic", bytes(0x32, 0x0b, 0x00, 0x05, "ab/+c", 0x00, 0x01, "xy"), "client"],
    ["wildcard # at a block end", bytes(0x30, 0x0b, 0x00, 0x09, "abcdefgh#"), "client"],
    ["U+0000 in a topic", bytes(0x30, 0x0c, 0x00, 0x08, "abcdefg", 0x00, "pp"), "client"],
    ["surrogate in a topic", bytes(0x30, 0x0a, 0x00, 0x08, "abcde", 0xed, 0xa0, 0x80), "client"],
    ["truncated sequence at the topic end", bytes(0x30, 0x0a, 0x00, 0x06, "abcde", 0xc3, "pp"), "client"],
    ["packet id 0", bytes(0x32, 0x07, 0x00, 0x03, "a/b", 0x00, 0x00), "client"],
    ["topic running past the packet", bytes(0x30, 0x05, 0x00, 0x09, "abc"), "client"],
    ["empty topic", bytes(0x30, 0x04, 0x00, 0x00, "pp"), "client"],
    ["reserved flags", bytes(0x41, 0x02, 0x00, 0x01), "client"],
    ["wrong direction", bytes(0x82, 0x06, 0x00, 0x01, 0x00, 0x01, "a", 0x00), "client"],
    ["bad SUBSCRIBE filter", bytes(0x82, 0x08, 0x00, 0x01, 0x00, 0x03, "a#b", 0x00), "server"],
  ];
  for (const [name, frame, role] of invalid) {
    it(name, () => {
      const whole = newDecoder({ buffer: new Uint8Array(64), maxPacketSize: 1024, role, streamPayloads: false });
      const expected = whole.decode(frame, 0, frame.length);
      expect(expected).toBeLessThan(0);
      for (let i = 0; i <= frame.length; i++) {
        for (let j = i; j <= frame.length; j++) {
          const d = newDecoder({ buffer: new Uint8Array(64), maxPacketSize: 1024, role, streamPayloads: false });
          let code = 0;
          for (const [a, b] of [[0, i], [i, j], [j, frame.length]] as const) {
            let offset = a;
            for (;;) {
              const r = d.decode(frame, offset, b);
              if (r === NEED_MORE) break;
              code = r;
              break;
            }
            if (code !== 0) break;
          }
          expect(codeName(code), `split ${i}/${j}`).toBe(codeName(expected));
        }
      }
    });
  }
});

describe("copyRun", () => {
  it("copies exactly the range for every small length and alignment, touching nothing else", () => {
    const src = new Uint8Array(128);
    for (let i = 0; i < src.length; i++) src[i] = 1 + (i % 250);
    const dst = new Uint8Array(128);
    for (let dstOffset = 0; dstOffset < 10; dstOffset++) {
      for (let srcOffset = 0; srcOffset < 10; srcOffset++) {
        for (let length = 0; length <= 90; length++) {
          dst.fill(0);
          copyRun(dst, dstOffset, src, srcOffset, length);
          for (let i = 0; i < dst.length; i++) {
            const want = i >= dstOffset && i < dstOffset + length ? src[srcOffset + i - dstOffset] : 0;
            if (dst[i] !== want) throw new Error(`dst ${dstOffset} src ${srcOffset} len ${length}: byte ${i} is ${dst[i]}, want ${want}`);
          }
        }
      }
    }
  });

  it("copies nothing for a zero or negative length", () => {
    const dst = new Uint8Array(8);
    copyRun(dst, 2, new Uint8Array([9, 9, 9]), 0, 0);
    copyRun(dst, 2, new Uint8Array([9, 9, 9]), 0, -3);
    expect(Array.from(dst)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

/** The byte-wise scan validateTopicName replaced: the reference for its codes. */
function referenceTopicName(buf: Uint8Array, offset: number, length: number): number {
  if (length === 0) return EMPTY_TOPIC;
  if (length > 0xffff) return STRING_TOO_LONG;
  const end = offset + length;
  let i = offset;
  while (i < end) {
    const c = buf[i]!;
    if (c < 0x80) {
      if (c === 0x2b || c === 0x23) return TOPIC_WILDCARD;
      if (c === 0) return INVALID_UTF8;
      i++;
    } else {
      i = validateSequence(buf, i, end);
      if (i < 0) return INVALID_UTF8;
    }
  }
  return 0;
}

describe("validateTopicName (four bytes per step)", () => {
  // Bytes that matter to the scan: NUL, the wildcards and their neighbours under `| 8`, '/', ASCII, DEL,
  // continuation bytes, every kind of lead byte.
  const alphabet = [0x00, 0x01, 0x03, 0x08, 0x20, 0x22, 0x23, 0x24, 0x2a, 0x2b, 0x2c, 0x2f, 0x33, 0x61, 0x7f, 0x80, 0x8f, 0x90,
    0x9f, 0xa0, 0xab, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];

  it("agrees with the byte-wise reference on random byte strings at every alignment", () => {
    const random = rng(7);
    const buf = new Uint8Array(64);
    for (let run = 0; run < 60_000; run++) {
      const length = Math.floor(random() * 24);
      const offset = Math.floor(random() * 8);
      const plain = random() < 0.5; // mostly ASCII letters with a rare special byte, to reach the block path
      for (let i = 0; i < buf.length; i++) {
        buf[i] = plain && random() < 0.9 ? 0x61 + Math.floor(random() * 26) : alphabet[Math.floor(random() * alphabet.length)]!;
      }
      const got = validateTopicName(buf, offset, length);
      const want = referenceTopicName(buf, offset, length);
      if (got !== want) throw new Error(`${Array.from(buf.subarray(offset, offset + length), (b) => b.toString(16)).join(" ")}: ${codeName(got)} != ${codeName(want)}`);
    }
  });

  it("every special byte at every position of a 13-byte ASCII topic", () => {
    const buf = new Uint8Array(16);
    for (let offset = 0; offset < 3; offset++) {
      for (let pos = 0; pos < 13; pos++) {
        for (const b of alphabet) {
          buf.fill(0x61);
          buf[offset + pos] = b;
          expect(validateTopicName(buf, offset, 13), `byte ${b} at ${pos}`).toBe(referenceTopicName(buf, offset, 13));
        }
      }
    }
  });

  it("reads nothing outside the range", () => {
    const buf = bytes("+#", 0, "abcdefgh", 0, "#+");
    expect(validateTopicName(buf, 3, 8)).toBe(0);
    expect(validateTopicName(buf, 3, 5)).toBe(0);
  });

  it("keeps the first error in byte order", () => {
    expect(validateTopicName(bytes("abcd+", 0xff), 0, 6)).toBe(TOPIC_WILDCARD);
    expect(validateTopicName(bytes("abc", 0xff, "+"), 0, 5)).toBe(INVALID_UTF8);
    expect(validateTopicName(bytes("ab", 0, "#"), 0, 4)).toBe(INVALID_UTF8);
    expect(validateTopicName(bytes("ab#", 0), 0, 4)).toBe(TOPIC_WILDCARD);
    expect(validateTopicName(bytes("é日😀abcd"), 0, 13)).toBe(0);
  });
});
