// RFC 6455 client framing of src/transport/websocket.ts over a scripted inner socket (no network): the upgrade
// handshake and its refusals, server streams cut at every byte boundary and at generated ones (packets split
// across frames, several packets per frame, fragmented messages with continuation frames, pings and pongs
// interleaved), the close handshake, protocol errors, and the client's masked frames.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Socket, SocketOptions } from "../../src/client/host.js";
import {
  WS_GUID, WS_HANDSHAKE_FAILED, WS_PROTOCOL_ERROR, WS_SEND_RESERVE, WebSocketSocket, acceptFor, sha1, webSocketOver,
} from "../../src/transport/websocket.js";

/** The inner socket, driven by the test: it plays the network and the server. */
class ScriptedInner implements Socket {
  static last: ScriptedInner | undefined;
  readonly options: SocketOptions;
  /** Server bytes not yet read by the WebSocket layer. */
  queue: number[] = [];
  /** Everything the WebSocket layer wrote. */
  written: number[] = [];
  space = 8192;
  closed = false;
  constructor(options: SocketOptions) {
    this.options = options;
    ScriptedInner.last = this;
  }
  read(buffer: Uint8Array): unknown {
    if (buffer.byteLength === 0 || buffer.byteLength > this.queue.length) throw new Error("too much requested");
    for (let i = 0; i < buffer.byteLength; i++) buffer[i] = this.queue.shift()!;
    return undefined;
  }
  write(buffer: Uint8Array): number | undefined {
    if (buffer.byteLength > this.space) throw new Error("would block");
    for (const b of buffer) this.written.push(b);
    return this.space; // drains at once
  }
  close(): void {
    this.closed = true;
  }
  /** The server sends `bytes`; the inner socket reports everything buffered. */
  deliver(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.queue.push(bytes[i]!);
    if (this.queue.length > 0) this.options.onReadable?.call(this, this.queue.length);
  }
}

const WsSocket = webSocketOver(ScriptedInner, { path: "/mqtt" });

interface Rig {
  ws: Socket;
  inner: ScriptedInner;
  got: number[];
  errors: unknown[][];
  writable: number[];
}

/** Opens a socket whose onReadable reads what it is told in two exact reads (split by `splitAt`). */
function open(splitAt: (count: number) => number = (c) => c >> 1, readInCallback = true): Rig {
  const got: number[] = [];
  const errors: unknown[][] = [];
  const writable: number[] = [];
  const ws = new WsSocket({
    address: "127.0.0.1", port: 8080, nodelay: true,
    onReadable(count) {
      if (!readInCallback) return;
      const first = Math.min(count, Math.max(0, splitAt(count)));
      if (first > 0) {
        const a = new Uint8Array(first);
        this.read(a);
        got.push(...a);
      }
      if (count - first > 0) {
        const b = new Uint8Array(count - first);
        this.read(b);
        got.push(...b);
      }
    },
    onWritable(count) {
      writable.push(count);
    },
    onError(...args: unknown[]) {
      errors.push(args);
    },
  });
  const inner = ScriptedInner.last!;
  return { ws, inner, got, errors, writable };
}

function requestOf(inner: ScriptedInner): string {
  return Buffer.from(inner.written).toString("latin1");
}

function keyOf(request: string): string {
  return /\r\nSec-WebSocket-Key: ([^\r]+)\r\n/.exec(request)![1]!;
}

function response(key: string, overrides: { status?: string; accept?: string; protocol?: string | null } = {}): Buffer {
  const accept = overrides.accept ?? createHash("sha1").update(key + WS_GUID).digest("base64");
  let text = `${overrides.status ?? "HTTP/1.1 101 Switching Protocols"}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Accept: ${accept}\r\n`;
  if (overrides.protocol !== null) text += `Sec-WebSocket-Protocol: ${overrides.protocol ?? "mqtt"}\r\n`;
  return Buffer.from(`${text}\r\n`, "latin1");
}

/** A server frame (unmasked). */
function frame(opcode: number, payload: ArrayLike<number>, fin = true): number[] {
  const out = [(fin ? 0x80 : 0) | opcode];
  const n = payload.length;
  if (n < 126) out.push(n);
  else if (n < 65536) out.push(126, n >> 8, n & 0xff);
  else out.push(127, 0, 0, 0, 0, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  for (let i = 0; i < n; i++) out.push(payload[i]!);
  return out;
}

interface ClientFrame { fin: boolean; opcode: number; masked: boolean; payload: number[] }

/** Parses the client's frames (after the HTTP request) and unmasks them. */
function clientFrames(bytes: number[]): ClientFrame[] {
  const frames: ClientFrame[] = [];
  let at = 0;
  while (at < bytes.length) {
    const b0 = bytes[at]!;
    const b1 = bytes[at + 1]!;
    let n = b1 & 0x7f;
    at += 2;
    if (n === 126) {
      n = (bytes[at]! << 8) | bytes[at + 1]!;
      at += 2;
    } else if (n === 127) {
      n = 0;
      for (let i = 0; i < 8; i++) n = n * 256 + bytes[at + i]!;
      at += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const mask = masked ? bytes.slice(at, at + 4) : [0, 0, 0, 0];
    if (masked) at += 4;
    const payload = bytes.slice(at, at + n).map((b, i) => b ^ mask[i & 3]!);
    at += n;
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, masked, payload });
  }
  return frames;
}

/** Opens and completes the handshake; returns the rig with the request bytes cleared. */
function connected(splitAt?: (count: number) => number, readInCallback?: boolean): Rig {
  const rig = open(splitAt, readInCallback);
  rig.inner.options.onWritable?.call(rig.inner, 8192);
  const key = keyOf(requestOf(rig.inner));
  rig.inner.written = [];
  rig.inner.deliver(response(key));
  return rig;
}

describe("WebSocket handshake", () => {
  it("sends an upgrade request for path /mqtt with subprotocol mqtt and reports onWritable only after a valid 101", () => {
    const rig = open();
    expect(rig.writable).toEqual([]);
    rig.inner.options.onWritable?.call(rig.inner, 8192);
    const request = requestOf(rig.inner);
    expect(request.startsWith("GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n")).toBe(true);
    expect(request).toContain("\r\nUpgrade: websocket\r\n");
    expect(request).toContain("\r\nConnection: Upgrade\r\n");
    expect(request).toContain("\r\nSec-WebSocket-Version: 13\r\n");
    expect(request).toContain("\r\nSec-WebSocket-Protocol: mqtt\r\n");
    expect(request.endsWith("\r\n\r\n")).toBe(true);
    const key = keyOf(request);
    expect(Buffer.from(key, "base64").length).toBe(16);
    expect(rig.writable).toEqual([]);
    rig.inner.deliver(response(key));
    expect(rig.writable).toEqual([8192 - WS_SEND_RESERVE]);
    expect(rig.errors).toEqual([]);
  });

  it.each([
    ["a 404 status", { status: "HTTP/1.1 404 Not Found" }],
    ["a wrong Sec-WebSocket-Accept", { accept: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" }],
    ["no subprotocol", { protocol: null }],
    ["another subprotocol", { protocol: "mqttv5" }],
  ] as const)("refuses %s with onError(WS_HANDSHAKE_FAILED) and no onWritable", (_name, overrides) => {
    const rig = open();
    rig.inner.options.onWritable?.call(rig.inner, 8192);
    rig.inner.deliver(response(keyOf(requestOf(rig.inner)), overrides));
    expect(rig.writable).toEqual([]);
    expect(rig.errors).toEqual([[WS_HANDSHAKE_FAILED]]);
    expect(rig.inner.closed).toBe(true);
  });

  it("accepts the response cut at every byte and frames that follow it in the same chunk", () => {
    const rig = open();
    rig.inner.options.onWritable?.call(rig.inner, 8192);
    const bytes = [...response(keyOf(requestOf(rig.inner))), ...frame(2, [1, 2, 3])];
    for (const b of bytes) rig.inner.deliver([b]);
    expect(rig.writable.length).toBe(1);
    expect(rig.got).toEqual([1, 2, 3]);
  });

  it("computes SHA-1 and the accept key as node:crypto does (RFC 6455 example and generated inputs)", () => {
    expect(acceptFor("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (input) => {
      expect(Buffer.from(sha1(input)).toString("hex")).toBe(createHash("sha1").update(input).digest("hex"));
    }), { numRuns: 300 });
  });
});

/** Three MQTT-looking packets (PUBLISH QoS 0, PINGRESP, PUBACK) as one byte stream. */
const PACKETS = [0x30, 0x0a, 0x00, 0x03, 0x61, 0x2f, 0x62, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0xd0, 0x00, 0x40, 0x02, 0x00, 0x07];

describe("WebSocket receiving", () => {
  it("delivers packets split across two frames at every boundary, each stream cut at every byte", () => {
    for (let k = 1; k < PACKETS.length; k++) {
      const stream = [...frame(2, PACKETS.slice(0, k)), ...frame(2, PACKETS.slice(k))];
      for (let cut = 1; cut < stream.length; cut++) {
        const rig = connected();
        rig.inner.deliver(stream.slice(0, cut));
        rig.inner.deliver(stream.slice(cut));
        expect(rig.got, `split ${k}, cut ${cut}`).toEqual(PACKETS);
        expect(rig.errors).toEqual([]);
      }
    }
  });

  it("delivers several packets in one frame, and a fragmented message (binary + continuations) with pings between", () => {
    const rig = connected((c) => c);
    rig.inner.deliver(frame(2, PACKETS));
    expect(rig.got).toEqual(PACKETS);
    rig.got.length = 0;
    rig.inner.deliver([
      ...frame(2, PACKETS.slice(0, 5), false), ...frame(9, [7, 7]), ...frame(0, PACKETS.slice(5, 12), false),
      ...frame(10, [1]), ...frame(0, PACKETS.slice(12), true),
    ]);
    expect(rig.got).toEqual(PACKETS);
    const sent = clientFrames(rig.inner.written);
    expect(sent).toEqual([{ fin: true, opcode: 10, masked: true, payload: [7, 7] }]);
    expect(rig.errors).toEqual([]);
  });

  it("keeps any generated stream intact: messages in 1-3 fragments of any size, pings and pongs interleaved, cut anywhere, read in two exact reads", () => {
    const message = fc.record({
      payload: fc.oneof(
        { weight: 6, arbitrary: fc.uint8Array({ maxLength: 200 }) },
        { weight: 1, arbitrary: fc.uint8Array({ minLength: 126, maxLength: 70_000 }) },
      ),
      cuts: fc.array(fc.nat(), { maxLength: 2 }),
      ping: fc.option(fc.uint8Array({ maxLength: 125 }), { nil: undefined }),
      pong: fc.boolean(),
    });
    fc.assert(fc.property(
      fc.array(message, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), fc.nat(),
      (messages, chunkCuts, splitSeed) => {
        const stream: number[] = [];
        const expected: number[] = [];
        const pings: number[][] = [];
        for (const m of messages) {
          const payload = [...m.payload];
          expected.push(...payload);
          const points = [...new Set(m.cuts.map((c) => (payload.length === 0 ? 0 : c % payload.length)))].sort((a, b) => a - b);
          const pieces: number[][] = [];
          let from = 0;
          for (const p of points) {
            pieces.push(payload.slice(from, p));
            from = p;
          }
          pieces.push(payload.slice(from));
          pieces.forEach((piece, i) => {
            stream.push(...frame(i === 0 ? 2 : 0, piece, i === pieces.length - 1));
            if (i === 0 && m.ping !== undefined) {
              stream.push(...frame(9, m.ping));
              pings.push([...m.ping]);
            }
            if (m.pong) stream.push(...frame(10, [0xab]));
          });
        }
        const rig = connected((c) => (splitSeed % (c + 1)));
        const cuts = [...new Set(chunkCuts.map((c) => c % stream.length))].sort((a, b) => a - b);
        let from = 0;
        for (const c of [...cuts, stream.length]) {
          rig.inner.deliver(stream.slice(from, c));
          from = c;
        }
        expect(rig.errors).toEqual([]);
        expect(rig.got.length).toBe(expected.length);
        expect(Buffer.from(rig.got).equals(Buffer.from(expected))).toBe(true);
        const pongs = clientFrames(rig.inner.written);
        expect(pongs.map((f) => [f.opcode, f.masked, f.payload])).toEqual(pings.map((p) => [10, true, p]));
      },
    ), { numRuns: 200 });
  });

  it("reports the next frame after this turn when the caller drained a frame outside onReadable", async () => {
    const rig = connected(undefined, false);
    const counts: number[] = [];
    const ws = rig.ws as WebSocketSocket;
    rig.inner.deliver([...frame(2, [1, 2, 3]), ...frame(2, [4, 5])]);
    expect(ws.available).toBe(3);
    const a = new Uint8Array(3);
    ws.read(a);
    expect(() => ws.read(new Uint8Array(1))).toThrow(); // the next frame is not parsed inside read()
    // Re-parse happens in a microtask; the caller then reads what onReadable would report.
    await Promise.resolve();
    await Promise.resolve();
    counts.push(ws.available);
    const b = new Uint8Array(2);
    ws.read(b);
    expect([...a, ...b]).toEqual([1, 2, 3, 4, 5]);
    expect(counts).toEqual([2]);
  });

  it("answers a close frame with a close frame and reports onError() only once every byte before it was read", () => {
    const rig = connected(() => 0, false);
    const ws = rig.ws as WebSocketSocket;
    rig.inner.deliver([...frame(2, [9, 9, 9]), ...frame(8, [0x03, 0xe8])]);
    expect(rig.errors).toEqual([]); // 3 bytes unread hold it back
    ws.read(new Uint8Array(3));
    rig.inner.deliver([]);
    return Promise.resolve().then(() => Promise.resolve()).then(() => {
      expect(rig.errors).toEqual([[]]);
      expect(ws.closeCode).toBe(1000);
      expect(clientFrames(rig.inner.written)).toEqual([{ fin: true, opcode: 8, masked: true, payload: [0x03, 0xe8] }]);
      expect(rig.ws.write(new Uint8Array(1))).toBeUndefined();
    });
  });

  it.each([
    ["a text frame (MQTT 6.0: binary only)", 1003, frame(1, [0x41])],
    ["a masked server frame", 1002, [0x82, 0x81, 1, 2, 3, 4, 5]],
    ["a continuation outside a message", 1002, frame(0, [1])],
    ["a new binary frame inside a fragmented message", 1002, [...frame(2, [1], false), ...frame(2, [2])]],
    ["RSV bits set", 1002, [0xc2, 0x01, 0x01]],
    ["a fragmented ping", 1002, frame(9, [1], false)],
  ] as const)("fails %s with onError(WS_PROTOCOL_ERROR) and close status %d", (_name, status, bytes) => {
    const rig = connected((c) => c);
    rig.inner.deliver(bytes);
    expect(rig.errors).toEqual([[WS_PROTOCOL_ERROR]]);
    const close = clientFrames(rig.inner.written).filter((f) => f.opcode === 8);
    expect(close).toEqual([{ fin: true, opcode: 8, masked: true, payload: [status >> 8, status & 0xff] }]);
    expect(rig.inner.closed).toBe(true);
  });

  it("passes an inner failure on as onError(reason), and write() then returns undefined", () => {
    const rig = connected();
    rig.inner.options.onError?.call(rig.inner, "ECONNRESET");
    expect(rig.errors).toEqual([["ECONNRESET"]]);
    expect(rig.ws.write(new Uint8Array(1))).toBeUndefined();
  });

  it("calls nothing after close(), which sends a close frame 1000", () => {
    const rig = connected((c) => c);
    rig.ws.close();
    rig.inner.deliver(frame(2, [1, 2]));
    rig.inner.options.onError?.call(rig.inner);
    expect(rig.got).toEqual([]);
    expect(rig.errors).toEqual([]);
    expect(clientFrames(rig.inner.written)).toEqual([{ fin: true, opcode: 8, masked: true, payload: [0x03, 0xe8] }]);
    expect(rig.inner.closed).toBe(true);
  });
});

describe("WebSocket sending", () => {
  it("sends each write as one masked FIN binary frame, restores the caller's bytes, and reports space minus the reserve", () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 7000 }), { minLength: 1, maxLength: 5 }), (writes) => {
      const rig = connected();
      rig.inner.space = 100_000;
      rig.inner.options.onWritable?.call(rig.inner, 100_000);
      for (const w of writes) {
        const copy = Uint8Array.from(w);
        const left = rig.ws.write(w);
        expect(left).toBe(100_000 - WS_SEND_RESERVE);
        expect(Buffer.from(w).equals(Buffer.from(copy))).toBe(true);
      }
      const frames = clientFrames(rig.inner.written);
      const nonEmpty = writes.filter((w) => w.length > 0);
      expect(frames.length).toBe(nonEmpty.length);
      frames.forEach((f, i) => {
        expect([f.fin, f.opcode, f.masked]).toEqual([true, 2, true]);
        expect(Buffer.from(f.payload).equals(Buffer.from(nonEmpty[i]!))).toBe(true);
      });
    }), { numRuns: 100 });
  });

  it("uses 16-bit and 64-bit lengths and a fresh mask key per frame", () => {
    const rig = connected();
    rig.inner.space = 200_000;
    rig.inner.options.onWritable?.call(rig.inner, 200_000);
    const sizes = [125, 126, 65535, 65536, 70_000];
    for (const n of sizes) rig.ws.write(new Uint8Array(n).fill(0x5a));
    const bytes = rig.inner.written;
    const frames = clientFrames(bytes);
    expect(frames.map((f) => f.payload.length)).toEqual(sizes);
    expect(frames.every((f) => f.payload.every((b) => b === 0x5a))).toBe(true);
    expect([bytes[1]! & 0x7f]).toEqual([125]);
    // Masked payload bytes differ between frames: the keys are not all equal.
    const keys = new Set<string>();
    let at = 0;
    for (const n of sizes) {
      const ext = n < 126 ? 0 : n < 65536 ? 2 : 8;
      keys.add(bytes.slice(at + 2 + ext, at + 6 + ext).join(","));
      at += 6 + ext + n;
    }
    expect(keys.size).toBeGreaterThan(1);
  });

  it("throws would-block before the handshake and beyond the reported space", () => {
    const rig = open();
    expect(() => rig.ws.write(new Uint8Array(1))).toThrow("would block");
    rig.inner.options.onWritable?.call(rig.inner, 1000);
    rig.inner.deliver(response(keyOf(requestOf(rig.inner))));
    rig.inner.space = 1000;
    rig.inner.options.onWritable?.call(rig.inner, 1000);
    expect(() => rig.ws.write(new Uint8Array(1000 - WS_SEND_RESERVE + 1))).toThrow("would block");
    expect(rig.ws.write(new Uint8Array(1000 - WS_SEND_RESERVE))).toBe(1000 - WS_SEND_RESERVE);
  });
});
