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

  describe("output coalescing (lwip: tcp_write with COPY|MORE, one tcp_output per turn)", () => {
    const bytes = (from: number, count: number): Uint8Array => Uint8Array.from({ length: count }, (_, i) => (from + i) & 0xff);
    const receivedAll = (): Buffer => Buffer.concat(server.received);

    it("many writes in one turn leave as ONE Node write, in order, after the turn", async () => {
      const { socket, events } = connect();
      await until(() => events.writable.length === 1, 2000, "connected");
      const before = socket.nodeWrites;
      const views: Uint8Array[] = [];
      for (let i = 0; i < 50; i++) views.push(bytes(i * 7, 7));
      for (const view of views) socket.write(view);
      expect(socket.nodeWrites).toBe(before); // nothing handed to Node inside the turn
      await until(() => receivedAll().length === 350, 2000, "350 bytes");
      expect(socket.nodeWrites - before).toBe(1);
      expect([...receivedAll()]).toEqual(views.flatMap((v) => [...v]));
    }, 5000);

    it("one Node write per turn; order kept across turns while Node still holds earlier buffers", async () => {
      const { socket, events } = connect();
      await until(() => events.writable.length === 1, 2000, "connected");
      const before = socket.nodeWrites;
      let next = 0;
      const expected: number[] = [];
      for (let turn = 0; turn < 20; turn++) {
        for (let i = 0; i < 1 + (turn % 5); i++) {
          const view = bytes(next, 3 + turn);
          next += 3 + turn;
          expected.push(...view);
          socket.write(view);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      await until(() => receivedAll().length === expected.length, 2000, "all bytes");
      expect([...receivedAll()]).toEqual(expected);
      expect(socket.nodeWrites - before).toBe(20);
    }, 5000);

    it("a slow peer: Node holds several pending buffers, nothing is reused early, every byte arrives in order", async () => {
      const { socket, events } = connect({ sendBufferSize: 64 * 1024 });
      const peer = await server.peer();
      await until(() => events.writable.length === 1, 2000, "connected");
      peer.pause(); // the kernel buffers fill, then Node's writes stay pending (asynchronous)
      const total = 6 * 1024 * 1024;
      const chunk = new Uint8Array(1000);
      let written = 0;
      let stalls = 0;
      const deadline = Date.now() + 15000;
      while (written < total && Date.now() < deadline) {
        let space = socket.write(new Uint8Array(0));
        if (space === 0) {
          stalls++;
          if (stalls === 20) peer.resume();
          await new Promise((resolve) => setTimeout(resolve, 2));
          continue;
        }
        // This turn: up to 5000 bytes (so several turns' buffers are held by Node at once), in pieces of
        // varying size, each a copy of the pattern at its stream position.
        let budget = 5000;
        for (let n = 1; space > 0 && budget > 0 && written < total; n = (n * 7) % 997 + 1) {
          const size = Math.min(n, space, budget, total - written);
          budget -= size;
          for (let i = 0; i < size; i++) chunk[i] = (written + i) % 251;
          space = socket.write(chunk.subarray(0, size));
          written += size;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(written).toBe(total);
      expect(stalls).toBeGreaterThanOrEqual(20); // the peer really did hold the sender back
      peer.resume();
      await until(() => server.received.reduce((n, b) => n + b.length, 0) === total, 15000, "all bytes");
      const all = Buffer.concat(server.received);
      let bad = -1;
      for (let i = 0; i < total && bad < 0; i++) if (all[i] !== i % 251) bad = i;
      expect(bad).toBe(-1);
    }, 30000);

    it("the caller's buffer may be reused at once (write copies), also for views at an offset", async () => {
      const { socket, events } = connect();
      await until(() => events.writable.length === 1, 2000, "connected");
      const backing = new Uint8Array(16);
      backing.set([1, 2, 3, 4], 4);
      socket.write(backing.subarray(4, 8));
      backing.fill(9);
      socket.write(backing.subarray(0, 2));
      await until(() => receivedAll().length === 6, 2000, "6 bytes");
      expect([...receivedAll()]).toEqual([1, 2, 3, 4, 9, 9]);
    }, 5000);

    it("send space accounting is unchanged: counted per write, 'would block' past it, freed when Node wrote", async () => {
      const { socket, events } = connect({ sendBufferSize: 4096 });
      await until(() => events.writable.length === 1, 2000, "connected");
      let space = events.writable[0]!;
      expect(space).toBe(4096);
      for (let i = 0; i < 64; i++) {
        const left = socket.write(bytes(i, 63));
        expect(left).toBe(space - 63);
        space = left;
      }
      expect(space).toBe(4096 - 64 * 63);
      expect(() => socket.write(new Uint8Array(space + 1))).toThrow("would block");
      expect(socket.write(new Uint8Array(space))).toBe(0); // the pending buffer holds the whole send buffer
      expect(() => socket.write(new Uint8Array(1))).toThrow("would block");
      await until(() => events.writable.at(-1) === 4096, 2000, "space back after the drain");
      await until(() => receivedAll().length === 4096, 2000, "4096 bytes");
      expect(receivedAll().subarray(0, 63).equals(Buffer.from(bytes(0, 63)))).toBe(true);
      expect(receivedAll().subarray(63 * 63, 64 * 63).equals(Buffer.from(bytes(63, 63)))).toBe(true);
    }, 5000);

    it("writes made inside onWritable and onReadable callbacks are coalesced too", async () => {
      server.echo = true;
      let rounds = 0;
      const { socket } = connect({
        onWritable(this: Socket) {
          if (rounds++ > 0) return;
          for (let i = 0; i < 10; i++) this.write(bytes(i, 1));
        },
        onReadable(this: Socket, count: number) {
          this.read(new Uint8Array(count));
        },
      });
      await until(() => receivedAll().length === 10, 2000, "10 bytes");
      expect(socket.nodeWrites).toBe(1);
      expect([...receivedAll()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }, 5000);

    it("close() right after write sends the pending bytes before the FIN (tcp_close)", async () => {
      const { socket, events } = connect();
      const peer = await server.peer();
      await until(() => events.writable.length === 1, 2000, "connected");
      let ended = false;
      peer.on("end", () => (ended = true));
      socket.write(bytes(100, 5));
      socket.write(bytes(105, 5));
      socket.close();
      await until(() => ended, 2000, "FIN");
      expect([...receivedAll()]).toEqual([...bytes(100, 10)]);
    }, 5000);
  });

  it("rejects bad options", () => {
    expect(() => new TCPSocket({ port: 1883 })).toThrow(/host or address/);
    expect(() => new TCPSocket({ address: "127.0.0.1", port: 0 })).toThrow(RangeError);
    expect(() => new TCPSocket({ address: "127.0.0.1", port: 1883, format: "number" as "buffer" })).toThrow(RangeError);
  });
});
