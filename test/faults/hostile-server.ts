/**
 * Hostile broker for test/faults/hostile-broker.test.ts and scripts/hostile-long.ts.
 *
 * - {@link generateCase}: a seeded generator of hostile server byte streams, each with the outcome the
 *   client must produce (a typed error with a given code, or "any typed outcome" for mutated/random input).
 * - {@link GoodResponder}: a minimal well-behaved broker on our codec (CONNACK 0, SUBACK, PUBACK, PINGRESP),
 *   used between hostile cases to prove the client recovers.
 * - {@link HostileMemoryServer}: serves cases over the in-memory transport (test/support), alternating
 *   hostile and good connections; bytes can be dripped one per pump round (1-byte writes).
 *
 * Case generation allocates (it is test-side); the client under test runs unchanged.
 * @module
 */
import { encodeAck } from "../../src/codec/ack.js";
import {
  CONNACK_RESERVED, INVALID_CONNACK_CODE, INVALID_PACKET_TYPE, INVALID_QOS, INVALID_SUBACK_CODE, INVALID_UTF8,
  MALFORMED_REMAINING_LENGTH, NEED_MORE, PACKET_ID_ZERO, PacketType, RESERVED_FLAGS, TOPIC_WILDCARD,
  UNEXPECTED_PACKET,
} from "../../src/codec/codes.js";
import { encodeConnack } from "../../src/codec/connect-server.js";
import { ServerStreamDecoder } from "../../src/codec/decoder-server.js";
import type { ServerPacket } from "../../src/codec/packet-server.js";
import { encodeEmpty } from "../../src/codec/ping.js";
import { encodePublish, sizePublish, type PublishInfo } from "../../src/codec/publish.js";
import { encodeSuback, filterQos, firstFilter, nextFilter } from "../../src/codec/subscribe-server.js";
import { CONNECTION_REFUSED, PACKET_TOO_LARGE } from "../../src/client/codes.js";
import type { MemoryConnection, MemoryNetwork } from "../support/memory-transport.js";

/** What the client must do with a case. */
export type Expectation =
  /** End the connection with a typed error carrying exactly this code (first error of the case). */
  | { kind: "code"; code: number; returnCode?: number }
  /** Stay connected (the input was valid but odd, e.g. PUBACK for an unknown id); `unknownAck` is counted. */
  | { kind: "survive"; unknownAck: boolean }
  /** Mutated/random input: any outcome, but every error typed and nothing thrown. */
  | { kind: "any" };

/** One hostile case. */
export interface HostileCase {
  family: string;
  /** Bytes the server sends after the client's CONNECT (a CONNACK is included when the family needs one). */
  bytes: Uint8Array;
  /** Deliver one byte per pump round (1-byte writes). */
  drip: boolean;
  expect: Expectation;
}

/** The client's receive limits the generator must know (oversize cases). */
export interface ClientLimits {
  /** The client's largest accepted packet (rxBufferSize with oversize "refuse"). */
  maxPacket: number;
}

/** Families, in the order the round-robin walks them. */
export const FAMILIES = [
  "connack-reserved-bits", "connack-bad-code", "connack-refused", "connack-header-flags", "connack-bad-length",
  "packet-before-connack", "garbage-after-connack", "publish-qos3", "publish-wildcard-topic", "publish-invalid-utf8",
  "publish-id-zero", "remaining-length-over-max", "varint-5-bytes", "oversize-publish", "suback-bad-code",
  "puback-unknown-id", "second-connack", "pingreq-to-client", "server-bound-packet", "qos2-flow-packet",
  "packet-type-0-or-15", "mutated-stream", "random-bytes",
] as const;

type Rng = () => number;

function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

function randomBytes(rng: Rng, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(int(rng, 0, 255));
  return out;
}

const CONNACK_OK = [0x20, 0x02, 0x00, 0x00];
const ascii = (s: string): number[] => [...s].map((ch) => ch.charCodeAt(0));

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** A PUBLISH with raw topic bytes (no validation), qos/flags as given. */
function rawPublish(topic: number[], payload: number[], header: number, packetId: number | null): number[] {
  const body = [topic.length >> 8, topic.length & 0xff, ...topic];
  if (packetId !== null) body.push(packetId >> 8, packetId & 0xff);
  body.push(...payload);
  return [header, ...varint(body.length), ...body];
}

function validPublish(rng: Rng, qos: 0 | 1, payloadLength: number): number[] {
  const topic = ascii(`cmd/dev-1/${int(rng, 0, 9999)}`);
  const info: PublishInfo = {
    topic: Uint8Array.from(topic), topicOffset: 0, topicLength: topic.length,
    payload: Uint8Array.from(randomBytes(rng, payloadLength)), payloadOffset: 0, payloadLength,
    qos, retain: rng() < 0.2, dup: qos === 1 && rng() < 0.2, packetId: qos === 1 ? int(rng, 1, 65535) : 0,
  };
  const out = new Uint8Array(sizePublish(info));
  encodePublish(out, 0, info);
  return [...out];
}

/** A plausible server stream after CONNACK: valid packets of every client-bound kind. */
function validStream(rng: Rng): number[] {
  const out: number[] = [];
  const n = int(rng, 1, 5);
  for (let i = 0; i < n; i++) {
    switch (int(rng, 0, 5)) {
      case 0: out.push(...validPublish(rng, 0, int(rng, 0, 40))); break;
      case 1: out.push(...validPublish(rng, 1, int(rng, 0, 40))); break;
      case 2: out.push(0x40, 0x02, ...[int(rng, 0, 255), int(rng, 1, 255)]); break; // PUBACK
      case 3: out.push(0x90, 0x03, 0x00, int(rng, 1, 255), [0, 1, 2, 0x80][int(rng, 0, 3)]!); break; // SUBACK
      case 4: out.push(0xb0, 0x02, 0x00, int(rng, 1, 255)); break; // UNSUBACK
      default: out.push(0xd0, 0x00); // PINGRESP
    }
  }
  return out;
}

function mutate(rng: Rng, bytes: number[]): number[] {
  const out = bytes.slice();
  const edits = int(rng, 1, 4);
  for (let e = 0; e < edits && out.length > 0; e++) {
    const at = int(rng, 0, out.length - 1);
    switch (int(rng, 0, 5)) {
      case 0: out[at] = out[at]! ^ (1 << int(rng, 0, 7)); break; // bit flip
      case 1: out[at] = int(rng, 0, 255); break; // byte set
      case 2: out.splice(at, 0, ...randomBytes(rng, int(rng, 1, 4))); break; // insert
      case 3: out.splice(at, int(rng, 1, 3)); break; // delete
      case 4: out.length = at; break; // truncate
      default: out[at] = [0x00, 0x7f, 0x80, 0xff][int(rng, 0, 3)]!; // boundary value
    }
  }
  return out;
}

const BAD_UTF8: readonly number[][] = [
  [0xc0, 0x80], // overlong NUL
  [0x00], // U+0000 [MQTT-1.5.3-2]
  [0xed, 0xa0, 0x80], // surrogate [MQTT-1.5.3-1]
  [0xe2, 0x82], // truncated sequence
  [0xff],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

/**
 * Generates case `index` (families round-robin, details from `rng`).
 * @param limits the client's receive limit (for the oversize families).
 */
export function generateCase(rng: Rng, index: number, limits: ClientLimits): HostileCase {
  const family = FAMILIES[index % FAMILIES.length]!;
  const drip = rng() < 0.25;
  const typed = (code: number, returnCode?: number): Expectation =>
    returnCode === undefined ? { kind: "code", code } : { kind: "code", code, returnCode };
  let bytes: number[];
  let expect: Expectation;
  switch (family) {
    case "connack-reserved-bits": // [MQTT-3.2.2-1]: bits 7-1 of the acknowledge flags are reserved, 0
      bytes = [0x20, 0x02, (int(rng, 1, 127) << 1) | int(rng, 0, 1), 0x00];
      expect = typed(CONNACK_RESERVED);
      break;
    case "connack-bad-code": // return codes 6-255 are reserved
      bytes = [0x20, 0x02, 0x00, int(rng, 6, 255)];
      expect = typed(INVALID_CONNACK_CODE);
      break;
    case "connack-refused": { // [MQTT-3.2.2-5]: refused, the server closes; a typed refusal with its code
      const rc = int(rng, 1, 5);
      bytes = [0x20, 0x02, 0x00, rc];
      expect = typed(CONNECTION_REFUSED, rc);
      break;
    }
    case "connack-header-flags": // [MQTT-2.2.2-2]: reserved flag bits must be as specified
      bytes = [0x20 | int(rng, 1, 15), 0x02, 0x00, 0x00];
      expect = typed(RESERVED_FLAGS);
      break;
    case "connack-bad-length": {
      const len = [0, 1, 3, 4, 7][int(rng, 0, 4)]!;
      bytes = [0x20, len, ...new Array<number>(len).fill(0)];
      expect = { kind: "any" };
      break;
    }
    case "packet-before-connack": { // [MQTT-3.2.0-1]: the first packet from the server must be CONNACK
      const pick = int(rng, 0, 3);
      bytes = pick === 0 ? validPublish(rng, 0, 4) : pick === 1 ? [0xd0, 0x00] : pick === 2 ? [0x40, 0x02, 0x00, 0x01] : [0x90, 0x03, 0x00, 0x01, 0x00];
      expect = typed(UNEXPECTED_PACKET);
      break;
    }
    case "garbage-after-connack":
      bytes = [...CONNACK_OK, ...randomBytes(rng, int(rng, 1, 64))];
      expect = { kind: "any" };
      break;
    case "publish-qos3": // [MQTT-3.3.1-4]
      bytes = [...CONNACK_OK, ...rawPublish(ascii("a/b"), [1, 2], 0x36 | int(rng, 0, 1) | (int(rng, 0, 1) << 3), 7)];
      expect = typed(INVALID_QOS);
      break;
    case "publish-wildcard-topic": { // [MQTT-3.3.2-2]
      const t = [["a/+", "#", "+", "a/#", "x/+/y"][int(rng, 0, 4)]!];
      bytes = [...CONNACK_OK, ...rawPublish(ascii(t[0]!), [], 0x30, null)];
      expect = typed(TOPIC_WILDCARD);
      break;
    }
    case "publish-invalid-utf8": { // [MQTT-1.5.3-1], [MQTT-1.5.3-2]
      const bad = BAD_UTF8[int(rng, 0, BAD_UTF8.length - 1)]!;
      bytes = [...CONNACK_OK, ...rawPublish([...ascii("a/"), ...bad, ...ascii("/b")], [9], 0x30, null)];
      expect = typed(INVALID_UTF8);
      break;
    }
    case "publish-id-zero": // [MQTT-2.3.1-1]
      bytes = [...CONNACK_OK, ...rawPublish(ascii("a/b"), [1], 0x32, 0)];
      expect = typed(PACKET_ID_ZERO);
      break;
    case "remaining-length-over-max": { // announced size over the client's maximum: refused before buffering
      const rl = int(rng, limits.maxPacket, 268_435_455);
      bytes = [...CONNACK_OK, 0x30, ...varint(rl), 0x00, 0x03, ...ascii("a/b")];
      expect = typed(PACKET_TOO_LARGE);
      break;
    }
    case "varint-5-bytes": // [MQTT-1.5.5]: at most four bytes
      bytes = [...CONNACK_OK, 0x30, 0xff, 0xff, 0xff, 0xff, int(rng, 0, 0x7f)];
      expect = typed(MALFORMED_REMAINING_LENGTH);
      break;
    case "oversize-publish": { // a real, well-formed PUBLISH larger than the receive buffer ("refuse")
      bytes = [...CONNACK_OK, ...validPublish(rng, int(rng, 0, 1) as 0 | 1, limits.maxPacket + int(rng, 0, 200))];
      expect = typed(PACKET_TOO_LARGE);
      break;
    }
    case "suback-bad-code": { // [MQTT-3.9.3-2]: only 0x00, 0x01, 0x02, 0x80
      let code = int(rng, 3, 255);
      if (code === 0x80) code = 0x81;
      bytes = [...CONNACK_OK, 0x90, 0x03, 0x00, 0x01, code];
      expect = typed(INVALID_SUBACK_CODE);
      break;
    }
    case "puback-unknown-id": // nothing in flight: counted as unknown, not fatal
      bytes = [...CONNACK_OK, 0x40, 0x02, int(rng, 0, 255), int(rng, 1, 255)];
      expect = { kind: "survive", unknownAck: true };
      break;
    case "second-connack":
      bytes = [...CONNACK_OK, ...CONNACK_OK];
      expect = typed(UNEXPECTED_PACKET);
      break;
    case "pingreq-to-client": // PINGREQ is client-to-server only
      bytes = [...CONNACK_OK, 0xc0, 0x00];
      expect = typed(UNEXPECTED_PACKET);
      break;
    case "server-bound-packet": {
      const pick = int(rng, 0, 3);
      bytes = [...CONNACK_OK, ...(pick === 0 ? [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00]
        : pick === 1 ? [0xa2, 0x05, 0x00, 0x01, 0x00, 0x01, 0x61]
          : pick === 2 ? [0xe0, 0x00] : [0x10, 0x0c, 0x00, 0x04, ...ascii("MQTT"), 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00])];
      expect = typed(UNEXPECTED_PACKET);
      break;
    }
    case "qos2-flow-packet": { // we never start QoS 2 flows
      const header = [0x50, 0x62, 0x70][int(rng, 0, 2)]!;
      bytes = [...CONNACK_OK, header, 0x02, 0x00, int(rng, 1, 255)];
      expect = typed(UNEXPECTED_PACKET);
      break;
    }
    case "packet-type-0-or-15": // reserved packet types
      bytes = [...CONNACK_OK, rng() < 0.5 ? 0x00 : 0xf0 | int(rng, 0, 15), 0x00];
      expect = typed(INVALID_PACKET_TYPE);
      break;
    case "mutated-stream":
      // Either the whole stream (CONNACK included) is mutated, or only what follows a good CONNACK.
      bytes = rng() < 0.3 ? mutate(rng, [...CONNACK_OK, ...validStream(rng)]) : [...CONNACK_OK, ...mutate(rng, validStream(rng))];
      expect = { kind: "any" };
      break;
    default: // random-bytes, before or after a CONNACK
      bytes = rng() < 0.5 ? randomBytes(rng, int(rng, 1, 200)) : [...CONNACK_OK, ...randomBytes(rng, int(rng, 1, 200))];
      expect = { kind: "any" };
  }
  return { family, bytes: Uint8Array.from(bytes), drip, expect };
}

/**
 * A minimal well-behaved broker on our codec: answers CONNECT, SUBSCRIBE, UNSUBSCRIBE, QoS 1 PUBLISH and
 * PINGREQ. Feed it the client's bytes; it returns what to send back (appended to `out`).
 */
export class GoodResponder {
  readonly #decoder: ServerStreamDecoder;
  readonly #tx = new Uint8Array(256);
  /** Packets received by type (index = packet type). */
  readonly received = new Array<number>(16).fill(0);
  /** Decode failures (the client sent something malformed: must stay 0). */
  errors = 0;

  constructor(bufferSize = 4096) {
    this.#decoder = new ServerStreamDecoder({ buffer: new Uint8Array(bufferSize), maxPacketSize: bufferSize, streamPayloads: false });
  }

  /** New connection. */
  reset(): void {
    this.#decoder.reset();
  }

  /** Consumes client bytes; appends responses to `out`. */
  feed(src: Uint8Array, out: number[]): void {
    const d = this.#decoder;
    let offset = 0;
    while (offset < src.length) {
      const r = d.decode(src, offset, src.length);
      if (r === NEED_MORE) return;
      if (r < 0) {
        this.errors++;
        return;
      }
      offset = d.offset;
      this.#answer(d.packet, out);
    }
  }

  #answer(p: ServerPacket, out: number[]): void {
    this.received[p.type] = (this.received[p.type] ?? 0) + 1;
    const tx = this.#tx;
    let end = 0;
    switch (p.type) {
      case PacketType.CONNECT:
        end = encodeConnack(tx, 0, { sessionPresent: false, returnCode: 0 });
        break;
      case PacketType.SUBSCRIBE: {
        const codes: number[] = [];
        const stop = p.listOffset + p.listLength;
        for (let e = firstFilter(p); e < stop; e = nextFilter(p.buffer, e, p.type)) codes.push(filterQos(p.buffer, e));
        end = encodeSuback(tx, 0, { packetId: p.packetId, returnCodes: codes, count: codes.length });
        break;
      }
      case PacketType.UNSUBSCRIBE:
        end = encodeAck(tx, 0, PacketType.UNSUBACK, p.packetId);
        break;
      case PacketType.PUBLISH:
        if (p.qos === 1) end = encodeAck(tx, 0, PacketType.PUBACK, p.packetId);
        break;
      case PacketType.PINGREQ:
        end = encodeEmpty(tx, 0, PacketType.PINGRESP);
        break;
      default:
        break;
    }
    for (let i = 0; i < end; i++) out.push(tx[i]!);
  }
}

/**
 * Serves over a {@link MemoryNetwork}: each new connection gets `next()` (a case, or null = well-behaved).
 * A hostile connection sends the case bytes once the CONNECT arrived (all at once, or one per {@link tick}),
 * then waits for {@link finish} to close it.
 */
export class HostileMemoryServer {
  connection: MemoryConnection | null = null;
  current: HostileCase | null = null;
  /** The last hostile case accepted and its connection (latched: kept after the client reconnects). */
  lastCase: HostileCase | null = null;
  lastCaseConnection: MemoryConnection | null = null;
  /** Bytes of the current case still to send (drip). */
  #pending: Uint8Array | null = null;
  #cursor = 0;
  readonly good = new GoodResponder();
  readonly #scratch = new Uint8Array(8192);
  readonly #one = new Uint8Array(1);
  next: () => HostileCase | null = () => null;

  constructor(network: MemoryNetwork) {
    network.accept = (c) => {
      this.connection = c;
      const kase = this.next();
      this.current = kase;
      if (kase !== null) {
        this.lastCase = kase;
        this.lastCaseConnection = c;
      }
      if (kase !== null) {
        this.#pending = null;
        this.#cursor = 0;
      }
      this.good.reset();
      c.onData = (conn) => this.#onData(conn);
    };
  }

  /** Every byte of the last hostile case was handed to the transport. */
  get sentAll(): boolean {
    return this.#pending !== null && this.#cursor >= this.#pending.length;
  }

  #onData(c: MemoryConnection): void {
    const n = Math.min(c.inbound.count, this.#scratch.length);
    c.receive(this.#scratch, 0, n);
    if (c !== this.connection) return;
    const kase = this.current;
    if (kase === null) {
      const out: number[] = [];
      this.good.feed(this.#scratch.subarray(0, n), out);
      if (out.length > 0) c.send(Uint8Array.from(out), 0, out.length);
      return;
    }
    if (this.#pending !== null && this.lastCaseConnection === c) return; // already answering: ignore what else the client sends
    this.#pending = kase.bytes;
    this.#cursor = 0;
    if (!kase.drip) {
      c.send(kase.bytes, 0, kase.bytes.length);
      this.#cursor = kase.bytes.length;
    }
  }

  /** Drip mode: sends the next byte. @returns true when a byte was sent. */
  tick(): boolean {
    const c = this.connection;
    const c2 = this.lastCaseConnection;
    const p = this.#pending;
    if (c === null || c !== c2 || p === null || this.#cursor >= p.length || c.closed) return false;
    this.#one[0] = p[this.#cursor++]!;
    c.send(this.#one, 0, 1);
    return true;
  }

  /** Closes the current connection (peer close). */
  finish(): void {
    this.connection?.close();
  }
}
