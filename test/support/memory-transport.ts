/**
 * In-memory transport with Moddable lwip socket semantics, delivered synchronously when the test pumps.
 *
 * `network.socketClass` is a {@link SocketConstructor}: the client constructs it like `embedded:io/socket/tcp`;
 * the network hands the server side ({@link MemoryConnection}) to the `accept` listener (e.g. the scripted
 * broker). Nothing moves until `network.pump()`: client bytes are delivered to the server, server bytes
 * become readable, and the socket callbacks run (writable first, then readable, then error), like posted
 * lwip messages. Byte rings are fixed-size and nothing allocates per byte or per pump, so the transport can
 * run inside allocation measurements on XS. Engine-neutral: no Node imports.
 * @module
 */
import type { Socket, SocketConstructor, SocketOptions } from "../../src/client/host.js";

/** A fixed-capacity byte FIFO. */
export class ByteRing {
  readonly bytes: Uint8Array;
  head = 0;
  count = 0;
  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }
  /** Free space. */
  get free(): number {
    return this.bytes.length - this.count;
  }
  /** Appends `src[offset, offset+length)`; @returns bytes appended (all, or 0 when it does not fit). */
  push(src: Uint8Array, offset: number, length: number): number {
    if (length > this.free) return 0;
    const cap = this.bytes.length;
    let at = this.head + this.count;
    if (at >= cap) at -= cap;
    for (let i = 0; i < length; i++) {
      this.bytes[at] = src[offset + i]!;
      at = at + 1 === cap ? 0 : at + 1;
    }
    this.count += length;
    return length;
  }
  /** Removes `length` bytes into `dst[offset...]`. */
  shift(dst: Uint8Array, offset: number, length: number): void {
    const cap = this.bytes.length;
    let at = this.head;
    for (let i = 0; i < length; i++) {
      dst[offset + i] = this.bytes[at]!;
      at = at + 1 === cap ? 0 : at + 1;
    }
    this.head = at;
    this.count -= length;
  }
  /** Drops everything. */
  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}

/** Options of {@link MemoryNetwork}. */
export interface MemoryNetworkOptions {
  /** Client send space (lwip TCP_SND_BUF), default 8192. */
  sendBuffer?: number;
  /** Server → client capacity, default 65536. */
  receiveBuffer?: number;
}

/** The server-side end of one connection, handed to the accept listener. */
export class MemoryConnection {
  /** Client → server bytes not yet consumed by the server. */
  readonly inbound: ByteRing;
  /** Server → client bytes not yet read by the client. */
  readonly outbound: ByteRing;
  /** The client socket (null once closed). */
  socket: MemorySocket | null = null;
  /** Connection closed by either side. */
  closed = false;
  /** Delivery stalled (half-open link): nothing moves either way until `resume`. */
  stalled = false;
  /** Called by pump with this connection when inbound bytes are ready. */
  onData: ((connection: MemoryConnection) => void) | null = null;
  /** Called when the client closed its socket. */
  onClose: ((connection: MemoryConnection) => void) | null = null;
  /** Per-connection scratch for the server (e.g. its decoder state). */
  tag: unknown = null;

  constructor(sendBuffer: number, receiveBuffer: number) {
    this.inbound = new ByteRing(sendBuffer);
    this.outbound = new ByteRing(receiveBuffer);
  }

  /** Server sends `src[offset, offset+length)` to the client. @returns length, or 0 when it does not fit/closed. */
  send(src: Uint8Array, offset: number, length: number): number {
    if (this.closed) return 0;
    const n = this.outbound.push(src, offset, length);
    if (n > 0 && this.socket !== null) this.socket.pendingReadable = true;
    return n;
  }

  /** Server reads `length` inbound bytes into `dst[offset...]` (the caller checks `inbound.count`). */
  receive(dst: Uint8Array, offset: number, length: number): void {
    this.inbound.shift(dst, offset, length);
    if (this.socket !== null) this.socket.pendingWritable = true;
  }

  /** Server closes: the client gets `onError` once it read every buffered byte (peer close). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.socket !== null) this.socket.pendingError = true;
  }

  /** Abortive reset: buffered bytes are discarded and the client gets `onError` at the next pump. */
  reset(): void {
    this.outbound.clear();
    this.inbound.clear();
    this.close();
  }
}

/** Client socket with lwip semantics over a {@link MemoryConnection}. */
export class MemorySocket implements Socket {
  readonly connection: MemoryConnection;
  readonly onReadable: ((this: Socket, count: number) => void) | undefined;
  readonly onWritable: ((this: Socket, count: number) => void) | undefined;
  readonly onError: ((this: Socket, error?: unknown) => void) | undefined;
  pendingReadable = false;
  pendingWritable = true; // the first writable = connected
  pendingError = false;
  closed = false;
  connected = false;
  readonly sendBuffer: number;

  constructor(options: SocketOptions, connection: MemoryConnection, sendBuffer: number) {
    this.connection = connection;
    this.onReadable = options.onReadable;
    this.onWritable = options.onWritable;
    this.onError = options.onError;
    this.sendBuffer = sendBuffer;
    connection.socket = this;
  }

  /** Reads exactly `buffer.byteLength` bytes; throws when fewer are buffered. */
  read(buffer: Uint8Array): undefined {
    if (this.closed) throw new Error("closed");
    const n = buffer.byteLength;
    if (n === 0 || n > this.connection.outbound.count) throw new Error("too much requested");
    this.connection.outbound.shift(buffer, 0, n);
    if (this.connection.outbound.count === 0 && this.connection.closed) this.pendingError = true;
    return undefined;
  }

  /** Writes all of `buffer` or throws "would block". @returns the space left. */
  write(buffer: Uint8Array): number {
    if (this.closed || this.connection.closed) throw new Error("closed");
    const space = this.space;
    if (buffer.byteLength > space) throw new Error("would block");
    this.connection.inbound.push(buffer, 0, buffer.byteLength);
    return space - buffer.byteLength;
  }

  /** Send space: the emulated send buffer minus bytes the server has not consumed. */
  get space(): number {
    if (!this.connected) return 0;
    return this.sendBuffer - this.connection.inbound.count;
  }

  /** Closes; no callbacks afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const c = this.connection;
    c.socket = null;
    if (!c.closed) {
      c.closed = true;
      const onClose = c.onClose;
      if (onClose !== null) onClose(c);
    }
  }
}

/** A loopback "network": one listener, any number of connections, pumped by hand. */
export class MemoryNetwork {
  /** Pass as `host.tcp`. */
  readonly socketClass: SocketConstructor;
  /** Every connection ever made (setup-time growth: one per connect). */
  readonly connections: MemoryConnection[] = [];
  /** Server side: called once per new connection. */
  accept: ((connection: MemoryConnection) => void) | null = null;
  /** Refuse new connections (the client gets onError at the next pump). */
  refuse = false;
  readonly #sendBuffer: number;
  readonly #receiveBuffer: number;

  constructor(options: MemoryNetworkOptions = {}) {
    this.#sendBuffer = options.sendBuffer ?? 8192;
    this.#receiveBuffer = options.receiveBuffer ?? 65536;
    const network = this;
    this.socketClass = class extends MemorySocket {
      constructor(opts: SocketOptions) {
        const c = new MemoryConnection(network.#sendBuffer, network.#receiveBuffer);
        super(opts, c, network.#sendBuffer);
        network.connections.push(c);
        if (network.refuse) c.close();
        else if (network.accept !== null) network.accept(c);
      }
    };
  }

  /** The newest connection, or null. */
  get last(): MemoryConnection | null {
    return this.connections[this.connections.length - 1] ?? null;
  }

  /**
   * Delivers bytes and callbacks until nothing moves (at most `maxRounds` rounds).
   * @returns the rounds used.
   */
  pump(maxRounds = 64): number {
    return pumpConnections(this.connections, maxRounds);
  }
}

/**
 * Delivers bytes and callbacks on `list` until nothing moves (at most `maxRounds` rounds): the event loop of
 * a memory network, shared with networks that recycle their connections.
 * @returns the rounds used.
 */
export function pumpConnections(list: readonly MemoryConnection[], maxRounds = 64): number {
  let rounds = 0;
  for (; rounds < maxRounds; rounds++) {
    let moved = false;
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      const s = c.socket;
      if (c.stalled) continue;
      if (c.inbound.count > 0 && !c.closed && c.onData !== null) {
        c.onData(c);
        moved = true;
      }
      if (s === null || s.closed) continue;
      if (s.pendingWritable && !c.closed) {
        s.pendingWritable = false;
        s.connected = true;
        const space = s.space;
        if (space > 0 && s.onWritable !== undefined) {
          s.onWritable.call(s, space);
          moved = true;
        }
        if (s.closed) continue;
      }
      if (s.pendingReadable) {
        s.pendingReadable = false;
        if (c.outbound.count > 0 && s.onReadable !== undefined) {
          s.onReadable.call(s, c.outbound.count);
          moved = true;
        }
        if (s.closed) continue;
      }
      if ((s.pendingError || c.closed) && c.outbound.count === 0) {
        s.pendingError = false;
        s.closed = true;
        c.socket = null;
        if (s.onError !== undefined) s.onError.call(s);
        moved = true;
      }
    }
    if (!moved) break;
  }
  return rounds;
}
