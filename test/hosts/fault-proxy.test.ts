/**
 * test/helpers/fault-proxy.ts: the faults other tests rely on really happen.
 */
import net from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy.js";

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timeout: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Client {
  socket: net.Socket;
  received: Buffer[];
  bytes(): number;
  closed: boolean;
  error: string | undefined;
}

describe("fault proxy", () => {
  let server: net.Server;
  let serverPort = 0;
  const serverPeers: net.Socket[] = [];
  const serverChunks: Buffer[] = [];
  let proxy: FaultProxy;
  const clients: Client[] = [];

  beforeEach(async () => {
    serverPeers.length = 0;
    serverChunks.length = 0;
    server = net.createServer((peer) => {
      serverPeers.push(peer);
      peer.setNoDelay(true);
      peer.on("error", () => undefined);
      peer.on("data", (chunk: Buffer) => {
        serverChunks.push(chunk);
        peer.write(chunk); // echo
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    serverPort = typeof address === "object" && address !== null ? address.port : 0;
    proxy = await startFaultProxy({ targetPort: serverPort });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    await proxy.close();
    for (const peer of serverPeers) peer.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Connects through the proxy; with `mayFail` a reset during connect resolves instead of rejecting. */
  async function connect(mayFail = false): Promise<Client> {
    const socket = net.connect({ host: "127.0.0.1", port: proxy.port });
    const client: Client = {
      socket,
      received: [],
      bytes: () => client.received.reduce((n, b) => n + b.length, 0),
      closed: false,
      error: undefined,
    };
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => client.received.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => (client.error = error.code));
    socket.on("close", () => (client.closed = true));
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", mayFail ? () => resolve() : reject);
    });
    return client;
  }

  it("forwards both ways and counts bytes", async () => {
    const client = await connect();
    client.socket.write("ping");
    await until(() => client.bytes() === 4, 2000, "echo");
    expect(Buffer.concat(client.received).toString()).toBe("ping");
    expect(proxy.bytesUp).toBe(4);
    expect(proxy.bytesDown).toBe(4);
    expect(proxy.connections()).toBe(1);
  }, 5000);

  it("cut('both') resets the client and the server side", async () => {
    const client = await connect();
    await until(() => serverPeers.length === 1, 2000, "server peer");
    let serverSawClose = false;
    serverPeers[0]!.on("close", () => (serverSawClose = true));
    proxy.cut("both");
    await until(() => client.closed && serverSawClose, 2000, "both closed");
    expect(client.error).toBe("ECONNRESET");
    expect(proxy.connections()).toBe(0);
  }, 5000);

  it("cut('down') resets only the client; the server side stays open (broker still thinks it is connected)", async () => {
    const client = await connect();
    await until(() => serverPeers.length === 1, 2000, "server peer");
    proxy.cut("down");
    await until(() => client.closed, 2000, "client closed");
    expect(client.error).toBe("ECONNRESET");
    await sleep(50);
    expect(serverPeers[0]!.destroyed).toBe(false);
  }, 5000);

  it("cut('up') resets only the server side; the client's socket stays open and bytes vanish", async () => {
    const client = await connect();
    await until(() => serverPeers.length === 1, 2000, "server peer");
    let serverSawClose = false;
    serverPeers[0]!.on("close", () => (serverSawClose = true));
    proxy.cut("up");
    await until(() => serverSawClose, 2000, "server closed");
    client.socket.write("into the void");
    await sleep(50);
    expect(client.closed).toBe(false);
    expect(client.bytes()).toBe(0);
  }, 5000);

  it("stall holds bytes with the connections open; resume delivers them in order", async () => {
    const client = await connect();
    proxy.stall("both");
    client.socket.write("abc");
    client.socket.write("def");
    await sleep(100);
    expect(serverChunks.length).toBe(0);
    expect(client.closed).toBe(false);
    proxy.resume();
    await until(() => client.bytes() === 6, 2000, "echo after resume");
    expect(Buffer.concat(client.received).toString()).toBe("abcdef");
  }, 5000);

  it("stall buffering is bounded: the sender gets TCP backpressure, and nothing is lost on resume", async () => {
    await proxy.close();
    proxy = await startFaultProxy({ targetPort: serverPort, maxBuffered: 64 * 1024 });
    const client = await connect();
    proxy.stall("up");
    const total = 4 * 1024 * 1024;
    const payload = Buffer.alloc(total);
    for (let i = 0; i < total; i += 4096) payload[i] = (i / 4096) % 256;
    client.socket.write(payload);
    await sleep(200);
    // Held: about the bound plus one read, far below what was sent; the rest waits in kernel buffers / the client.
    expect(proxy.held()).toBeGreaterThan(0);
    expect(proxy.held()).toBeLessThan(64 * 1024 + 256 * 1024);
    expect(client.socket.writableLength).toBeGreaterThan(0);
    expect(serverChunks.length).toBe(0);
    proxy.resume();
    await until(() => client.bytes() === total, 8000, "all bytes echoed after resume");
    expect(Buffer.concat(client.received).equals(payload)).toBe(true);
    expect(proxy.held()).toBe(0);
  }, 12000);

  it("stall('down') lets bytes reach the server but not come back", async () => {
    const client = await connect();
    proxy.stall("down");
    client.socket.write("xyz");
    await until(() => serverChunks.length > 0, 2000, "server got bytes");
    await sleep(50);
    expect(client.bytes()).toBe(0);
    proxy.resume();
    await until(() => client.bytes() === 3, 2000, "echo after resume");
  }, 5000);

  it("splitWrites forwards one byte per write", async () => {
    const client = await connect();
    proxy.splitWrites(true);
    client.socket.write("0123456789");
    await until(() => client.bytes() === 10, 3000, "all bytes");
    // One byte per write (1 ms apart); a loaded receiver may still coalesce two segments in one read.
    expect(serverChunks.length).toBeGreaterThanOrEqual(4);
    expect(Buffer.concat(client.received).toString()).toBe("0123456789");
  }, 5000);

  it("delay holds each chunk", async () => {
    const client = await connect();
    proxy.delay(100);
    const start = Date.now();
    client.socket.write("late");
    await until(() => client.bytes() === 4, 2000, "delayed echo");
    expect(Date.now() - start).toBeGreaterThanOrEqual(180); // 100 ms each way
  }, 5000);

  it("throttle limits the rate", async () => {
    const client = await connect();
    proxy.throttle(10_000); // 10 kB/s each way
    const start = Date.now();
    client.socket.write(Buffer.alloc(3000, 1));
    await until(() => client.bytes() === 3000, 4000, "throttled echo");
    expect(Date.now() - start).toBeGreaterThanOrEqual(250);
  }, 6000);

  it("refuse closes new connections immediately; resume accepts again", async () => {
    proxy.refuse(true);
    const refused = await connect(true);
    await until(() => refused.closed, 2000, "refused");
    expect(proxy.connections()).toBe(0);
    proxy.resume();
    const ok = await connect();
    ok.socket.write("ok");
    await until(() => ok.bytes() === 2, 2000, "echo");
    expect(proxy.accepted).toBe(2);
  }, 5000);

  it("a clean close by the server reaches the client as a close, not a reset", async () => {
    const client = await connect();
    await until(() => serverPeers.length === 1, 2000, "server peer");
    serverPeers[0]!.end("bye");
    await until(() => client.closed, 2000, "client closed");
    expect(Buffer.concat(client.received).toString()).toBe("bye");
    expect(client.error).toBeUndefined();
  }, 5000);
});
