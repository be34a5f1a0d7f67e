/**
 * Node implementation of Moddable's ECMA-419 `embedded:io/socket/tcp` (the lwip flavour) over node:net.
 *
 * The point is fidelity, so the client behaves on the desktop as it will on the ESP32:
 * - connects on construction; the first `onWritable(space)` means connected;
 * - `read(buffer)` copies EXACTLY `buffer.byteLength` bytes and throws when fewer are buffered;
 * - `write(buffer)` takes all of it or throws `"would block"`; it returns the send space left. The send space
 *   is an emulated lwip `TCP_SND_BUF` (default 8 KiB): bytes count against it from `write` until Node has
 *   handed them to the kernel (write completion), so a fast loop of writes really does run out of space;
 * - like Moddable's lwip `write` (`tcp_write(TCP_WRITE_FLAG_COPY | TCP_WRITE_FLAG_MORE)`, then one posted
 *   `tcp_output`), `write` only copies the bytes into a pending send buffer; everything written during one JS
 *   turn (the callback and its microtasks) is handed to Node in ONE `net.Socket.write` right after that turn
 *   (`process.nextTick`: queued once per batch, so it cannot starve I/O, and it adds no event-loop iteration
 *   to the round trip). A packet written as several views, or a burst of packets, costs one syscall, not one
 *   per `write`. `close()` sends what is pending before the FIN, as `tcp_close` does;
 * - callbacks are posted (setImmediate) and coalesced, never called re-entrantly from `read`/`write`;
 * - after a peer close (FIN) `onError` is delivered only once every buffered byte has been read; after a
 *   failure (reset, TLS alert, connect error) right after the pending `onReadable`, read or not, since the
 *   socket can no longer send (waiting for a client that waits for send space would never end);
 * - the receive queue is bounded: the Node socket is paused above `receiveQueueLimit` (like a closed TCP
 *   window), so a client that stops reading gets backpressure, not unbounded memory.
 *
 * `TLSSocket` in `tls.ts` shares all of this through {@link NodeStreamSocket}.
 * @module
 */
import net from "node:net";
import type { Socket, SocketOptions } from "../../src/client/host.js";

/** Default emulated send buffer, in bytes (a small lwip `TCP_SND_BUF`). */
export const DEFAULT_SEND_BUFFER_SIZE = 8 * 1024;
/** Default bound on buffered-but-unread receive bytes before the Node socket is paused. */
export const DEFAULT_RECEIVE_QUEUE_LIMIT = 64 * 1024;

/** Node-only options on top of the ECMA-419 {@link SocketOptions}. */
export interface NodeSocketOptions extends SocketOptions {
  /** Emulated send buffer size in bytes (default {@link DEFAULT_SEND_BUFFER_SIZE}). */
  sendBufferSize?: number;
  /** Pause reading from the network above this many unread bytes (default {@link DEFAULT_RECEIVE_QUEUE_LIMIT}). */
  receiveQueueLimit?: number;
}

/** First capacity of a pending send buffer; it doubles as needed, up to the send buffer size. */
const INITIAL_PENDING_CAPACITY = 1024;
const NO_BYTES = Buffer.alloc(0);

/** Bytes accepted by `read`/`write`: the ECMA-419 "buffer" format. */
export type BufferSource = ArrayBuffer | ArrayBufferView;

function asBytes(buffer: BufferSource): Uint8Array {
  if (buffer instanceof Uint8Array) return buffer;
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  throw new TypeError("buffer required");
}

/**
 * The shared engine of {@link TCPSocket} and `TLSSocket`: ECMA-419 socket semantics over a Node stream socket.
 * Subclasses create the Node socket and name the event that means "connected".
 */
export abstract class NodeStreamSocket implements Socket {
  /** Node error code of the failure that ended the socket (e.g. `"ECONNREFUSED"`, a TLS verification code). */
  lastError: string | undefined = undefined;
  /** Node's message for {@link lastError}, for logs. */
  lastErrorMessage: string | undefined = undefined;

  readonly #onReadable: ((this: Socket, count: number) => void) | undefined;
  readonly #onWritable: ((this: Socket, count: number) => void) | undefined;
  readonly #onError: ((this: Socket, error?: unknown) => void) | undefined;
  readonly #sendBufferSize: number;
  readonly #receiveQueueLimit: number;

  #socket: net.Socket | null = null;
  #connected = false;
  #closed = false;
  /** Peer sent FIN, or the socket failed: no more data will arrive. */
  #ended = false;
  /** The socket failed (error event): nothing can be sent any more. */
  #failed = false;
  /** onError was delivered (or is being delivered): the socket is dead. */
  #errored = false;
  #paused = false;

  // Receive queue: chunks as Node delivered them, consumed from (#head, #headOffset).
  #chunks: Buffer[] = [];
  #head = 0;
  #headOffset = 0;
  #available = 0;

  /** `net.Socket.write` calls made: at most one per JS turn in which `write` was called. */
  nodeWrites = 0;

  // Emulated send buffer: bytes written but not yet completed by Node (pending ones included).
  #inFlight = 0;
  // Per Node write, in order: its size and the buffer Node holds until the completion callback.
  #writeSizes: number[] = [];
  #writeBuffers: Buffer[] = [];
  // Bytes written in this turn, not yet handed to Node: #pending[0, #pendingLength). Node keeps a reference
  // to what it is given until the write completes, so a handed-over buffer is not touched again until then:
  // the next turn fills #spare (the last one back from Node), so normally two buffers alternate; while Node
  // still holds both (slow peer) a new one is made. Each grows, by doubling, at most to the send buffer size,
  // and all of them together never hold more than the send buffer size (pending bytes count in #inFlight).
  #pending: Buffer = NO_BYTES;
  #pendingLength = 0;
  #spare: Buffer | null = null;
  #sendQueued = false;

  // Posted-callback state (coalesced into one setImmediate).
  #posted: NodeJS.Immediate | null = null;
  #pendingReadable = false;
  #pendingWritable = false;
  #pendingError = false;

  readonly #boundFlush = (): void => this.#flush();
  readonly #boundWriteDone = (): void => this.#writeDone();
  readonly #boundSend = (): void => this.#send();

  protected constructor(options: NodeSocketOptions) {
    if (options === null || typeof options !== "object") throw new TypeError("options required");
    if (options.format !== undefined && options.format !== "buffer") throw new RangeError("unsupported format");
    const port = options.port;
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError("invalid port");
    if (options.host === undefined && options.address === undefined) throw new Error("host or address required");
    this.#onReadable = options.onReadable;
    this.#onWritable = options.onWritable;
    this.#onError = options.onError;
    this.#sendBufferSize = options.sendBufferSize ?? DEFAULT_SEND_BUFFER_SIZE;
    this.#receiveQueueLimit = options.receiveQueueLimit ?? DEFAULT_RECEIVE_QUEUE_LIMIT;
    if (!(this.#sendBufferSize > 0)) throw new RangeError("invalid sendBufferSize");
    if (!(this.#receiveQueueLimit > 0)) throw new RangeError("invalid receiveQueueLimit");
  }

  /**
   * Called by the subclass constructor with its freshly created Node socket.
   * @param connectEvent `"connect"` for TCP, `"secureConnect"` for TLS (handshake and verification done).
   */
  protected attach(socket: net.Socket, connectEvent: "connect" | "secureConnect", nodelay: boolean): void {
    this.#socket = socket;
    socket.on(connectEvent, () => {
      if (this.#closed) return;
      this.#connected = true;
      if (nodelay) socket.setNoDelay(true);
      this.#pendingWritable = true;
      this.#post();
    });
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    socket.on("end", () => this.#end(undefined, undefined));
    socket.on("error", (error: NodeJS.ErrnoException) => this.#end(error.code ?? "ERROR", error.message));
    // 'close' without 'end' or 'error' only happens when we destroyed it; treat as a reset.
    socket.on("close", () => this.#end(this.#ended ? undefined : "ECONNRESET", "socket closed"));
  }

  /** Always `"buffer"`; setting anything else throws `RangeError`, as Moddable's does. */
  get format(): "buffer" {
    return "buffer";
  }
  set format(value: string) {
    if (value !== "buffer") throw new RangeError("unsupported format");
  }

  /** Address of the peer once connected (undefined before). */
  get remoteAddress(): string | undefined {
    return this.#socket?.remoteAddress;
  }

  /** Port of the peer once connected (undefined before). */
  get remotePort(): number | undefined {
    return this.#socket?.remotePort;
  }

  /**
   * Buffer form: copies exactly `buffer.byteLength` bytes into `buffer`; throws when that is 0 or more than
   * buffered. Allocating forms (Node convenience, like Moddable's): `read()` returns every buffered byte and
   * `read(count)` up to `count` bytes as a new ArrayBuffer, or `undefined` when nothing is buffered.
   */
  read(buffer: Uint8Array): undefined;
  read(buffer: BufferSource): undefined;
  read(count?: number): ArrayBuffer | undefined;
  read(arg?: BufferSource | number): ArrayBuffer | undefined {
    if (this.#closed) throw new Error("closed");
    if (arg === undefined || typeof arg === "number") {
      let count = arg === undefined ? this.#available : Math.min(arg, this.#available);
      if (!(count >= 0)) throw new RangeError("invalid count");
      count = Math.floor(count);
      if (count === 0) return undefined;
      const out = new Uint8Array(count);
      this.#copyOut(out);
      return out.buffer;
    }
    const bytes = asBytes(arg);
    if (bytes.byteLength === 0) throw new RangeError("empty buffer");
    if (bytes.byteLength > this.#available) throw new Error("too much requested");
    this.#copyOut(bytes);
    return undefined;
  }

  /**
   * Queues all of `buffer` (copied: the caller may reuse it at once) and returns the send space left.
   * The bytes of every `write` in one turn leave together, in order, in one Node write when the turn ends.
   * Throws `Error("would block")` when it does not fit the current send space (0 before connected), and
   * `Error("closed")` after `close()` or once `onError` was delivered.
   */
  write(buffer: BufferSource): number {
    if (this.#closed || this.#errored) throw new Error("closed");
    const bytes = asBytes(buffer);
    const length = bytes.byteLength;
    const space = this.#space();
    if (length > space) throw new Error("would block");
    if (length === 0) return space;
    if (this.#socket === null) throw new Error("closed");
    // Copied now, as lwip does (TCP_WRITE_FLAG_COPY). Pending bytes count in #inFlight, so they never exceed
    // the send buffer size and neither does the pending buffer.
    const at = this.#pendingLength;
    if (at + length > this.#pending.length) this.#grow(at + length);
    this.#pending.set(bytes, at);
    this.#pendingLength = at + length;
    this.#inFlight += length;
    if (!this.#sendQueued) {
      this.#sendQueued = true;
      process.nextTick(this.#boundSend);
    }
    return space - length;
  }

  /** Closes the connection (abortively if data is still queued). Idempotent; no callbacks afterwards. */
  close(): void {
    if (this.#closed) return;
    // What was written before close() is already in the send buffer: it leaves before the FIN (tcp_close).
    this.#send();
    this.#closed = true;
    if (this.#posted !== null) {
      clearImmediate(this.#posted);
      this.#posted = null;
    }
    this.#chunks = [];
    this.#head = 0;
    this.#headOffset = 0;
    this.#available = 0;
    const socket = this.#socket;
    if (socket !== null && (!this.#connected || this.#ended)) {
      socket.destroy();
    } else if (socket !== null) {
      // end() sends FIN after queued bytes (a clean MQTT DISCONNECT gets out), like lwip's tcp_close;
      // destroy after a grace period so a peer that never reads cannot hold the handle open.
      socket.end();
      const timer = setTimeout(() => socket.destroy(), 1000);
      timer.unref();
      socket.once("close", () => clearTimeout(timer));
    }
  }

  /** Bytes currently buffered and readable. */
  get available(): number {
    return this.#available;
  }

  #space(): number {
    // After a peer FIN (CLOSE_WAIT) lwip still accepts writes; after a failure nothing can be sent.
    if (!this.#connected || this.#failed) return 0;
    const space = this.#sendBufferSize - this.#inFlight;
    return space > 0 ? space : 0;
  }

  #copyOut(dst: Uint8Array): void {
    let filled = 0;
    const want = dst.byteLength;
    while (filled < want) {
      const chunk = this.#chunks[this.#head];
      if (chunk === undefined) throw new Error("receive queue underrun");
      const n = Math.min(chunk.length - this.#headOffset, want - filled);
      dst.set(chunk.subarray(this.#headOffset, this.#headOffset + n), filled);
      filled += n;
      this.#headOffset += n;
      if (this.#headOffset === chunk.length) {
        this.#head++;
        this.#headOffset = 0;
      }
    }
    this.#available -= want;
    if (this.#head > 32 || this.#head === this.#chunks.length) {
      this.#chunks.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.#paused && this.#available < this.#receiveQueueLimit) {
      this.#paused = false;
      this.#socket?.resume();
    }
    // A pending end of stream is reported once the last buffered byte is consumed (Moddable does the same).
    if (this.#available === 0 && this.#ended && !this.#errored) {
      this.#pendingError = true;
      this.#post();
    }
  }

  #receive(chunk: Buffer): void {
    if (this.#closed || chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#available += chunk.length;
    if (!this.#paused && this.#available >= this.#receiveQueueLimit) {
      this.#paused = true;
      this.#socket?.pause();
    }
    this.#pendingReadable = true;
    this.#post();
  }

  /** The stream ended: `code` undefined for an orderly peer close (FIN), else the Node error code. */
  #end(code: string | undefined, message: string | undefined): void {
    if (code !== undefined) {
      this.#failed = true;
      // Keep the first reason: a verification failure is more useful than the reset that follows it.
      if (this.lastError === undefined && !this.#errored) {
        this.lastError = code;
        this.lastErrorMessage = message;
      }
    }
    const wasEnded = this.#ended;
    this.#ended = true;
    if (this.#closed || (wasEnded && code === undefined)) return;
    // Orderly close waits until every buffered byte was read (the data is valid, the stream just ended).
    // A failure is reported once the pending onReadable went out, read or not: the client cannot answer
    // any more (no send space), so waiting for it to drain could wait forever.
    if (this.#available === 0 || this.#failed) {
      this.#pendingError = true;
      this.#post();
    }
  }

  /** Makes the pending buffer hold at least `needed` bytes (keeping its contents). */
  #grow(needed: number): void {
    let capacity = this.#pending.length > 0 ? this.#pending.length : INITIAL_PENDING_CAPACITY;
    while (capacity < needed) capacity *= 2;
    if (capacity > this.#sendBufferSize) capacity = Math.max(needed, this.#sendBufferSize);
    const grown = Buffer.allocUnsafeSlow(capacity);
    this.#pending.copy(grown, 0, 0, this.#pendingLength);
    this.#pending = grown;
  }

  /** After the turn (or at close): hands every pending byte to Node in one write (lwip's `tcp_output`). */
  #send(): void {
    this.#sendQueued = false;
    const length = this.#pendingLength;
    if (length === 0) return;
    this.#pendingLength = 0;
    const socket = this.#socket;
    // A failed link sends nothing more; its send space is 0 from now on, so the count no longer matters.
    if (socket === null || this.#failed || socket.destroyed) return;
    const buffer = this.#pending;
    // Node holds `buffer` until the completion callback: later writes go to the other buffer.
    this.#pending = this.#spare ?? NO_BYTES;
    this.#spare = null;
    this.#writeSizes.push(length);
    this.#writeBuffers.push(buffer);
    this.nodeWrites++;
    socket.write(length === buffer.length ? buffer : buffer.subarray(0, length), this.#boundWriteDone);
  }

  #writeDone(): void {
    const size = this.#writeSizes.shift();
    const buffer = this.#writeBuffers.shift();
    if (size === undefined) return;
    if (buffer !== undefined && (this.#spare === null || this.#spare.length < buffer.length)) this.#spare = buffer;
    this.#inFlight -= size;
    if (this.#closed || !this.#connected) return;
    this.#pendingWritable = true;
    this.#post();
  }

  #post(): void {
    if (this.#posted === null && !this.#closed) this.#posted = setImmediate(this.#boundFlush);
  }

  /** Delivers posted callbacks in order: writable (connect first), readable, then error. */
  #flush(): void {
    this.#posted = null;
    if (this.#closed || this.#errored) return;
    if (this.#pendingWritable) {
      this.#pendingWritable = false;
      const space = this.#space();
      if (space > 0) this.#onWritable?.call(this, space);
      if (this.#closed) return;
    }
    if (this.#pendingReadable) {
      this.#pendingReadable = false;
      if (this.#available > 0) this.#onReadable?.call(this, this.#available);
      if (this.#closed) return;
    }
    if (this.#pendingError) {
      this.#pendingError = false;
      if (this.#ended && (this.#available === 0 || this.#failed) && !this.#errored) {
        this.#errored = true;
        const reason = this.lastError;
        this.#send(); // after a peer FIN (not a failure) what the callbacks wrote may still go out
        this.#socket?.destroy();
        if (reason === undefined) this.#onError?.call(this);
        else this.#onError?.call(this, reason);
      }
    }
  }
}

/**
 * ECMA-419 TCP socket over node:net (see the module notes for the exact semantics).
 *
 * @example
 * ```ts
 * const socket = new TCPSocket({ address: "127.0.0.1", port: 1883, nodelay: true,
 *   onWritable(space) { ... }, onReadable(count) { this.read(view.subarray(0, count)) }, onError() { ... } });
 * ```
 */
export class TCPSocket extends NodeStreamSocket {
  /** Starts connecting at once to `address ?? host`:`port`. */
  constructor(options: NodeSocketOptions) {
    super(options);
    const socket = net.connect({
      host: options.address ?? options.host,
      port: options.port,
      allowHalfOpen: true,
    });
    this.attach(socket, "connect", options.nodelay === true);
  }
}
