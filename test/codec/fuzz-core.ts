// Fuzz engine shared by test/codec/fuzz.test.ts (bounded run) and scripts/fuzz-codec.ts (long run): random
// frames and mutated valid frames, fed in random chunkings to stream decoders of both roles and both payload
// modes. A frame passes when nothing throws, every status is PACKET/CHUNK/NEED_MORE or a named negative code,
// every call makes progress, and every reported region lies inside its buffer.
import {
  CHUNK, codeName, decodePacket, NEED_MORE, Packet, ServerPacket, PACKET, StreamDecoder,
} from "../../src/codec/index.js";
import { encodeToBytes, rng, type Model, newDecoder } from "./util.js";

/** Valid frames of every type, the raw material for mutation. */
export function corpus(): Uint8Array[] {
  const models: Model[] = [
    { cmd: "connect", clientId: "ABCDEF", clean: true, keepalive: 60 },
    { cmd: "connect", clientId: "dev", clean: false, keepalive: 5, username: "u", password: Uint8Array.of(1, 2), will: { topic: "w/t", payload: Uint8Array.of(9), qos: 1, retain: true } },
    { cmd: "connack", sessionPresent: true, returnCode: 0 },
    { cmd: "connack", sessionPresent: false, returnCode: 5 },
    { cmd: "publish", topic: "ELEMENT14", payload: Uint8Array.of(104, 101, 108, 108, 111), qos: 0, retain: false, dup: false },
    { cmd: "publish", topic: "sensors/é/t", payload: new Uint8Array(100).fill(0x41), qos: 1, retain: true, dup: true, messageId: 513 },
    { cmd: "publish", topic: "a", payload: new Uint8Array(300).fill(0x5a), qos: 2, retain: false, dup: false, messageId: 1 },
    { cmd: "puback", messageId: 1 }, { cmd: "pubrec", messageId: 2 }, { cmd: "pubrel", messageId: 3 },
    { cmd: "pubcomp", messageId: 4 }, { cmd: "unsuback", messageId: 5 },
    { cmd: "subscribe", messageId: 10, subscriptions: [{ topic: "element14", qos: 0 }, { topic: "a/+/#", qos: 2 }] },
    { cmd: "suback", messageId: 10, granted: [0, 1, 2, 0x80] },
    { cmd: "unsubscribe", messageId: 11, unsubscriptions: ["a/+/#", "$SYS/x"] },
    { cmd: "pingreq" }, { cmd: "pingresp" }, { cmd: "disconnect" },
  ];
  return models.map(encodeToBytes);
}

/** Outcome counts by code name. */
export type Outcomes = Map<string, number>;

/** A fuzzer with its own reused decoders and scratch space. */
export class Fuzzer {
  private readonly random: () => number;
  private readonly frames: Uint8Array[];
  private readonly decoders: StreamDecoder[];
  private readonly scratch = new Uint8Array(4096);
  private readonly packet = new ServerPacket();
  readonly outcomes: Outcomes = new Map();

  constructor(seed: number) {
    this.random = rng(seed);
    this.frames = corpus();
    this.decoders = [];
    for (const role of ["client", "server"] as const) {
      for (const streamPayloads of [false, true]) {
        this.decoders.push(newDecoder({ buffer: new Uint8Array(64), maxPacketSize: 1024, role, streamPayloads }));
      }
    }
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** Produces the next input: random bytes, or a valid frame (or two spliced) with mutations. */
  nextInput(): Uint8Array {
    const s = this.scratch;
    const r = this.random;
    if (r() < 0.1) {
      const n = this.int(64);
      for (let i = 0; i < n; i++) s[i] = this.int(256);
      // Bias the first byte toward plausible headers.
      if (n > 0 && r() < 0.7) s[0] = (1 + this.int(14)) << 4 | (r() < 0.8 ? 0 : this.int(16));
      return s.slice(0, n);
    }
    let n = 0;
    const pieces = 1 + this.int(3);
    for (let k = 0; k < pieces; k++) {
      const f = this.frames[this.int(this.frames.length)]!;
      s.set(f, n);
      n += f.length;
    }
    const mutations = this.int(4);
    for (let k = 0; k < mutations && n > 0; k++) {
      switch (this.int(6)) {
        case 0: { const i = this.int(n); s[i]! ^= 1 << this.int(8); break; } // bit flip
        case 1: n = this.int(n + 1); break; // truncation
        case 2: { // length-byte corruption: a remaining-length byte of some packet start
          const i = Math.min(n - 1, 1 + this.int(4));
          s[i] = r() < 0.5 ? this.int(256) : 0x80 | this.int(128);
          break;
        }
        case 3: { const i = this.int(n); s[i] = this.int(256); break; } // byte replace
        case 4: { // splice: tail of another frame at a random point
          const f = this.frames[this.int(this.frames.length)]!;
          const at = this.int(n + 1);
          const from = this.int(f.length);
          const len = Math.min(f.length - from, s.length - at);
          s.set(f.subarray(from, from + len), at);
          n = at + len;
          break;
        }
        default: { // delete a byte
          const i = this.int(n);
          s.copyWithin(i, i + 1, n);
          n--;
        }
      }
    }
    return s.slice(0, n);
  }

  private count(name: string): void {
    this.outcomes.set(name, (this.outcomes.get(name) ?? 0) + 1);
  }

  /** Runs one input through every decoder in random chunkings; throws on any broken invariant. */
  run(input: Uint8Array): void {
    decodePacket(input, 0, input.length, this.packet); // the one-shot decoder must not throw either
    for (const d of this.decoders) {
      d.reset();
      let pos = 0;
      let last = NEED_MORE;
      while (pos < input.length && last >= 0) {
        const end = Math.min(input.length, pos + 1 + this.int(this.random() < 0.5 ? 8 : 200));
        let offset = pos;
        for (;;) {
          const status = d.decode(input, offset, end);
          last = status;
          if (status === PACKET || status === CHUNK) {
            if (!(d.offset > offset && d.offset <= end)) throw new Error(`no progress: ${offset} -> ${d.offset}`);
            checkRegions(d.packet, status);
            offset = d.offset;
            continue;
          }
          if (status === NEED_MORE) {
            if (d.offset !== end) throw new Error(`NEED_MORE left input: ${d.offset} != ${end}`);
          } else if (status > 0 || codeName(status) === "UNKNOWN") {
            throw new Error(`unnamed status ${status}`);
          }
          break;
        }
        pos = end;
      }
      this.count(codeName(last));
    }
  }
}

function inside(buf: Uint8Array, offset: number, length: number): boolean {
  return offset >= 0 && length >= 0 && offset + length <= buf.length;
}

function checkRegions(packet: Packet, status: number): void {
  const p = packet as ServerPacket; // the CONNECT/SUBSCRIBE fields are read only for those types
  if (p.type < 1 || p.type > 14) throw new Error(`type ${p.type}`);
  if (p.type === 3) {
    if (!inside(p.buffer, p.topicOffset, p.topicLength)) throw new Error("topic outside buffer");
    if (!inside(p.payloadBuffer, p.payloadOffset, p.payloadLength)) throw new Error("payload outside buffer");
    if (p.chunkOffset + p.payloadLength > p.payloadTotal) throw new Error("chunk past payload");
    if (status === PACKET && (!p.final || p.payloadLength !== p.payloadTotal)) throw new Error("whole packet not final");
  } else if (status === CHUNK) {
    throw new Error("CHUNK for a non-PUBLISH");
  }
  if (p.type === 8 || p.type === 10) {
    if (!inside(p.buffer, p.listOffset, p.listLength) || p.listCount < 1) throw new Error("list outside buffer");
  }
  if (p.type === 9 && (!inside(p.buffer, p.codesOffset, p.codesCount) || p.codesCount < 1)) throw new Error("codes outside buffer");
  if (p.type === 1) {
    if (!inside(p.buffer, p.clientIdOffset, p.clientIdLength)) throw new Error("client id outside buffer");
    if (p.usernameOffset >= 0 && !inside(p.buffer, p.usernameOffset, p.usernameLength)) throw new Error("user name outside buffer");
    if (p.passwordOffset >= 0 && !inside(p.buffer, p.passwordOffset, p.passwordLength)) throw new Error("password outside buffer");
    if (p.willTopicOffset >= 0 && !inside(p.buffer, p.willPayloadOffset, p.willPayloadLength)) throw new Error("will outside buffer");
  }
}
