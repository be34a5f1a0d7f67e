/**
 * hosts/node/tcp.ts against a loopback node:net server: the Moddable lwip semantics the client relies on.
 */
import net from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TCPSocket } from "../../hosts/node/tcp.js";
import type { Socket } from "../../src/client/host.js";
import { freePort } from "../helpers/mosquitto.js";

interface Events {
  log: string[];
  writable: number[];
  readable: number[];
  errors: unknown[];
}

/** A server whose accepted sockets the test drives directly; echo optional. */
class TestServer {
  readonly server: net.Server;
  readonly peers: net.Socket[] = [];
  readonly received: Buffer[] = [];
  port = 0;
  echo = false;
  constructor() {
    this.server = net.createServer((peer) => {
      this.peers.push(peer);
      peer.on("error", () => undefined);
      peer.on("data", (chunk: Buffer) => {
        this.received.push(chunk);
        if (this.echo) peer.write(chunk);
      });
    });
  }
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    this.port = typeof address === "object" && address !== null ? address.port : 0;
  }
  async peer(timeoutMs = 2000): Promise<net.Socket> {
    await until(() => this.peers.length > 0, timeoutMs, "no peer connected");
    return this.peers[0]!;
  }
  async close(): Promise<void> {
    for (const peer of this.peers) peer.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timeout: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const tick = (ms = 30): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function open(port: number, extra: Partial<ConstructorParameters<typeof TCPSocket>[0]> = {}): { socket: TCPSocket; events: Events } {
  const events: Events = { log: [], writable: [], readable: [], errors: [] };
  const socket = new TCPSocket({
    address: "127.0.0.1",
    port,
    nodelay: true,
    onWritable(count) {
      events.log.push(`writable:${count}`);
      events.writable.push(count);
    },
    onReadable(count) {
      events.log.push(`readable:${count}`);
      events.readable.push(count);
    },
    onError(error?: unknown) {
      events.log.push(`error:${String(error)}`);
      events.errors.push(error);
    },
    ...extra,
  });
  return { socket, events };
}

describe("TCPSocket (ECMA-419 lwip semantics over node:net)", () => {
  let server: TestServer;
  const sockets: TCPSocket[] = [];

  beforeEach(async () => {
    server = new TestServer();
    await server.listen();
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await server.close();
  });

  function connect(extra: Partial<ConstructorParameters<typeof TCPSocket>[0]> = {}): { socket: TCPSocket; events: Events } {
    const opened = open(server.port, extra);
    sockets.push(opened.socket);
    return opened;
  }

  it("connects on construction and reports the full send space as the first onWritable", async () => {
    const { socket, events } = connect();
    expect(events.log).toEqual([]); // nothing synchronous from the constructor
    await until(() => events.writable.length > 0, 2000, "onWritable");
    expect(events.log[0]).toBe("writable:8192");
    expect(socket.remoteAddress).toBe("127.0.0.1");
    expect(socket.remotePort).toBe(server.port);
    expect(socket.format).toBe("buffer");
    expect(() => {
      (socket as { format: string }).format = "number";
    }).toThrow(RangeError);
  }, 5000);

  it("accepts a host name and an ArrayBuffer for read/write", async () => {
    server.echo = true;
    const { socket, events } = connect({ address: undefined, host: "localhost" });
    await until(() => events.writable.length > 0, 2000, "connected");
    socket.write(new Uint8Array([1, 2, 3]).buffer);
    await until(() => socket.available === 3, 2000, "echo");
    const out = new ArrayBuffer(3);
    socket.read(out);
    expect([...new Uint8Array(out)]).toEqual([1, 2, 3]);
  }, 5000);

  it("read(view) reads exactly view.byteLength bytes and throws on over-read or an empty view", async () => {
    const { socket, events } = connect();
    const peer = await server.peer();
    peer.write(Buffer.from([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]));
    await until(() => events.readable.length > 0 && socket.available === 10, 2000, "10 bytes");
    expect(events.readable.at(-1)).toBe(10);

    const backing = new Uint8Array(16).fill(0xee);
    socket.read(backing.subarray(2, 6)); // a view at an offset: bytes land exactly there
    expect([...backing.subarray(0, 8)]).toEqual([0xee, 0xee, 10, 11, 12, 13, 0xee, 0xee]);
    expect(socket.available).toBe(6);

    expect(() => socket.read(new Uint8Array(7))).toThrow(/too much/);
    expect(socket.available).toBe(6); // a failed read consumes nothing
    expect(() => socket.read(new Uint8Array(0))).toThrow(RangeError);

    const rest = new Uint8Array(6);
    socket.read(rest);
    expect([...rest]).toEqual([14, 15, 16, 17, 18, 19]);
    expect(socket.available).toBe(0);
    expect(() => socket.read(new Uint8Array(1))).toThrow();
  }, 5000);

  it("allocating read forms: read() takes everything, read(n) up to n, undefined when empty", async () => {
    const { socket, events } = connect();
    const peer = await server.peer();
    peer.write(Buffer.from("abcdef"));
    await until(() => socket.available === 6, 2000, "6 bytes");
    expect(events.readable.length).toBeGreaterThan(0);
    expect(Buffer.from(socket.read(2)!).toString()).toBe("ab");
    expect(Buffer.from(socket.read()!).toString()).toBe("cdef");
    expect(socket.read()).toBeUndefined();
  }, 5000);

  it("onReadable reports the total buffered count, coalesced, and only when new data arrives", async () => {
    const { socket, events } = connect();
    const peer = await server.peer();
    peer.write(Buffer.from([1, 2, 3]));
    await until(() => events.readable.length === 1, 2000, "first onReadable");
    expect(events.readable).toEqual([3]);
    socket.read(new Uint8Array(1)); // leave 2 unread
    await tick(50);
    expect(events.readable).toEqual([3]); // no repeat without new data
    peer.write(Buffer.from([4, 5]));
    await until(() => events.readable.length === 2, 2000, "second onReadable");
    expect(events.readable[1]).toBe(4); // 2 left over + 2 new
  }, 5000);

  it("write throws 'would block' past the send space, returns the space left, and onWritable follows the drain", async () => {
    server.echo = true;
    const { socket, events } = connect({ sendBufferSize: 1024 });
    await until(() => events.writable.length === 1, 2000, "connected");
    expect(events.writable[0]).toBe(1024);

    expect(socket.write(new Uint8Array(1000).fill(7))).toBe(24);
    expect(() => socket.write(new Uint8Array(25))).toThrow("would block");
    const reused = new Uint8Array(24).fill(9);
    expect(socket.write(reused)).toBe(0);
    reused.fill(0); // the socket copied: reusing the buffer at once is safe
    expect(() => socket.write(new Uint8Array(1))).toThrow("would block");
    expect(events.writable.length).toBe(1); // never re-entrant from write

    await until(() => events.writable.length >= 2, 2000, "onWritable after drain");
    expect(events.writable.at(-1)).toBe(1024);
    await until(() => socket.available === 1024, 2000, "echo of 1024 bytes");
    const echoed = new Uint8Array(1024);
    socket.read(echoed);
    expect(echoed[999]).toBe(7);
    expect(echoed[1000]).toBe(9);
    expect(echoed[1023]).toBe(9);
  }, 5000);

  it("write before the connection is up throws 'would block' (no space reported yet)", () => {
    const { socket } = connect();
    expect(() => socket.write(new Uint8Array(1))).toThrow("would block");
  });

  it("callbacks are posted, never re-entrant: writing inside onWritable does not nest onWritable", async () => {
    let depth = 0;
    let maxDepth = 0;
    let calls = 0;
    const { events } = connect({
      sendBufferSize: 64,
      onWritable(this: Socket, count: number) {
        depth++;
        maxDepth = Math.max(maxDepth, depth);
        calls++;
        if (calls < 5) this.write(new Uint8Array(count));
        depth--;
      },
    });
    await until(() => calls >= 5, 2000, "5 writable rounds");
    expect(maxDepth).toBe(1);
    expect(events.errors).toEqual([]);
  }, 5000);

  it("peer close: onError only after every buffered byte has been read", async () => {
    const { socket, events } = connect();
    const peer = await server.peer();
    peer.end(Buffer.from([1, 2, 3, 4, 5]));
    await until(() => events.readable.length > 0 && socket.available === 5, 2000, "data before FIN");
    await tick(80);
    expect(events.errors).toEqual([]); // FIN arrived but 5 bytes are unread
    socket.read(new Uint8Array(2));
    await tick(30);
    expect(events.errors).toEqual([]);
    socket.read(new Uint8Array(3));
    await until(() => events.errors.length === 1, 2000, "onError after drain");
    expect(events.errors[0]).toBeUndefined(); // orderly close: no reason, like Moddable
    expect(socket.lastError).toBeUndefined();
    expect(events.log.at(-1)).toBe("error:undefined");
    expect(() => socket.write(new Uint8Array(1))).toThrow("closed");
    await tick(30);
    expect(events.errors.length).toBe(1); // exactly once
  }, 5000);

  it("peer reset → onError with the reason", async () => {
    const { events, socket } = connect();
    const peer = await server.peer();
    await until(() => events.writable.length > 0, 2000, "connected");
    peer.resetAndDestroy();
    await until(() => events.errors.length === 1, 2000, "onError");
    expect(events.errors[0]).toBe("ECONNRESET");
    expect(socket.lastError).toBe("ECONNRESET");
  }, 5000);

  it("reset with unread data: onReadable first, then onError without waiting for the data to be read", async () => {
    const { events, socket } = connect();
    const peer = await server.peer();
    peer.write(Buffer.from([1, 2, 3]));
    await until(() => socket.available === 3, 2000, "data");
    peer.resetAndDestroy();
    await until(() => events.errors.length === 1, 2000, "onError");
    expect(events.log.indexOf("readable:3")).toBeLessThan(events.log.indexOf("error:ECONNRESET"));
  }, 5000);

  it("connect failure → onError('ECONNREFUSED') and no onWritable", async () => {
    const port = await freePort(); // nobody listens there
    const { socket, events } = open(port);
    sockets.push(socket);
    await until(() => events.errors.length === 1, 3000, "onError");
    expect(events.errors[0]).toBe("ECONNREFUSED");
    expect(socket.lastError).toBe("ECONNREFUSED");
    expect(events.writable).toEqual([]);
  }, 5000);

  it("close is idempotent and silences every callback; read/write afterwards throw", async () => {
    const { socket, events } = connect();
    const peer = await server.peer();
    await until(() => events.writable.length > 0, 2000, "connected");
    const before = events.log.length;
    socket.close();
    socket.close();
    peer.write(Buffer.from([1, 2, 3]));
    peer.end();
    await tick(100);
    expect(events.log.length).toBe(before);
    expect(() => socket.write(new Uint8Array(1))).toThrow("closed");
    expect(() => socket.read(new Uint8Array(1))).toThrow("closed");
    await until(() => peer.readableEnded || peer.destroyed, 2000, "peer sees the close");
  }, 5000);

  it("close right after construction (still connecting) produces no callbacks", async () => {
    const { socket, events } = connect();
    socket.close();
    await tick(100);
    expect(events.log).toEqual([]);
  }, 5000);

  it("bounds the receive queue: pauses the network above the limit, resumes as it is read, loses nothing", async () => {
    const limit = 16 * 1024;
    const { socket, events } = connect({ receiveQueueLimit: limit });
    const peer = await server.peer();
    const total = 256 * 1024;
    const payload = Buffer.alloc(total);
    for (let i = 0; i < total; i++) payload[i] = i % 251;
    peer.write(payload);
    await until(() => socket.available >= limit, 2000, "queue filled");
    await tick(100);
    // Paused: at most the limit plus one network chunk is held, not the whole 256 KiB.
    expect(socket.available).toBeLessThan(limit + 70 * 1024);
    expect(events.readable.length).toBeGreaterThan(0);

    const got = Buffer.alloc(total);
    let offset = 0;
    const deadline = Date.now() + 5000;
    while (offset < total && Date.now() < deadline) {
      const n = socket.available;
      if (n > 0) {
        socket.read(got.subarray(offset, offset + n));
        offset += n;
      } else await tick(2);
    }
    expect(offset).toBe(total);
    expect(got.equals(payload)).toBe(true);
  }, 10000);

  it("rejects bad options", () => {
    expect(() => new TCPSocket({ port: 1883 })).toThrow(/host or address/);
    expect(() => new TCPSocket({ address: "127.0.0.1", port: 0 })).toThrow(RangeError);
    expect(() => new TCPSocket({ address: "127.0.0.1", port: 1883, format: "number" as "buffer" })).toThrow(RangeError);
  });
});
