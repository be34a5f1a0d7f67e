/**
 * MQTT over WebSockets (MQTT 3.1.1 section 6) as a socket behind the host seam: a {@link Socket} whose bytes
 * travel in RFC 6455 binary frames over any inner seam socket (TCP for `ws`, TLS for `wss`). The client is
 * unchanged: it gets a socket class with the seam's exact contract.
 *
 * - **Handshake.** After the inner socket's first `onWritable`, an HTTP/1.1 upgrade request goes out with a
 *   random `Sec-WebSocket-Key` and `Sec-WebSocket-Protocol: mqtt`. The response must be `101`, with
 *   `Upgrade: websocket`, `Connection: upgrade`, the matching `Sec-WebSocket-Accept` (SHA-1, computed here) and
 *   the `mqtt` subprotocol; anything else is `onError("WS_HANDSHAKE_FAILED")`. The outer `onWritable` comes
 *   only after that, so "first onWritable means connected" holds.
 * - **Receiving.** Server frames are parsed in place: headers are read into a fixed buffer; binary and
 *   continuation payload bytes are read by the caller STRAIGHT from the inner socket into the caller's view
 *   (nothing copied, nothing allocated). `onReadable(count)` reports the payload bytes of the current data
 *   frame that are buffered; once the caller has read them, the next frame is parsed and reported, so an MQTT
 *   packet may span frames and a frame may hold several packets. Pings are answered with pongs, pongs are
 *   ignored, a close frame is answered with a close frame and reported as `onError()` (orderly end: every data
 *   byte before it has been read by then). Text frames, masked server frames, RSV bits, bad continuation
 *   sequences and oversize control frames are protocol errors: `onError("WS_PROTOCOL_ERROR")`.
 * - **Sending.** Each `write(view)` is one binary frame: a 6, 8 or 14-byte header (from one reused buffer,
 *   through views made once) with a fresh random mask key, then the payload, masked IN PLACE in the caller's
 *   view, written, and unmasked again before `write` returns (inner sockets copy what they are given, as lwip
 *   and node:net do). The caller's buffer must therefore be writable (the client's tx pool always is).
 * - **Space.** The send space reported is the inner space minus {@link WS_SEND_RESERVE} (room for one frame
 *   header and one pong), so a write the caller believes fits always fits with its header.
 * - **Close.** `close()` sends a close frame (1000) when it can, then closes the inner socket.
 *
 * Allocation: per connection (the request, the response text, a few small buffers and views; a control
 * frame's view per distinct length, on first use). Steady state allocates nothing per frame, ping or pong
 * (measured on XS: test/xs/scenarios/websocket.xs.ts). The one exception is a resolved promise when the caller
 * drains a frame from OUTSIDE `onReadable` while the next frame is already buffered (the client reads inside
 * `onReadable`).
 *
 * Engine-neutral: no Node or Moddable API; both hosts wrap their own TCP/TLS classes with {@link webSocketOver}.
 * @module
 */
import type { Socket, SocketConstructor, SocketOptions } from "../client/host.js";
import { acceptFor, base64, latin1Bytes } from "./ws-handshake.js";

/** Reason given to `onError` when the HTTP upgrade fails (status, headers, accept key, subprotocol). */
export const WS_HANDSHAKE_FAILED = "WS_HANDSHAKE_FAILED";
/** Reason given to `onError` when the server breaks RFC 6455 framing or sends a text frame (MQTT 6.0). */
export const WS_PROTOCOL_ERROR = "WS_PROTOCOL_ERROR";
/** Bytes of inner send space kept back from what is reported: a 14-byte frame header plus one pong (131). */
export const WS_SEND_RESERVE = 14 + 131;
export { WS_GUID, acceptFor, base64, latin1Bytes, sha1 } from "./ws-handshake.js";

/** Options of {@link webSocketOver}: what the socket options (host, port, TLS) do not say. */
export interface WebSocketTransportOptions {
  /** Request path [`"/mqtt"`, the usual broker endpoint]. Must start with `/`. */
  path?: string;
  /** Subprotocol requested and required in the answer [`"mqtt"`, MQTT 3.1.1 section 6]. */
  protocol?: string;
  /** Random source for the key and the mask keys, uniform in [0, 1) [`Math.random`]. */
  random?: () => number;
  /** Largest HTTP response accepted, in bytes [1024]. */
  maxHandshakeBytes?: number;
}

const CONNECTING = 0;
const HANDSHAKE = 1;
const OPEN = 2;
const DONE = 3;

const OP_CONTINUATION = 0;
const OP_TEXT = 1;
const OP_BINARY = 2;
const OP_CLOSE = 8;
const OP_PING = 9;
const OP_PONG = 10;

/**
 * A seam {@link Socket} carrying its bytes in WebSocket binary frames over an inner seam socket. Made through
 * {@link webSocketOver}; see the module notes for the exact behaviour.
 */
export class WebSocketSocket implements Socket {
  /** Why the socket failed, once it did (`WS_HANDSHAKE_FAILED`, `WS_PROTOCOL_ERROR`, or the inner reason). */
  lastError: string | undefined = undefined;
  /** Close code the server sent in its close frame (1005 when it sent none), once it did. */
  closeCode: number | undefined = undefined;
  /** Data frames received (binary and continuation). */
  framesReceived = 0;
  /** Data frames sent (one per `write`). */
  framesSent = 0;

  readonly #options: SocketOptions;
  readonly #inner: Socket;
  readonly #random: () => number;
  readonly #request: Uint8Array;
  readonly #accept: string;
  readonly #protocol: string;
  #state = CONNECTING;
  #closed = false;
  #closeSent = false;

  /** Bytes buffered in the inner socket (its last onReadable count, minus what was read since). */
  #innerAvail = 0;
  /** Inner send space (its last onWritable count or write result). */
  #innerSpace = 0;

  // Handshake response, read byte by byte (exactly up to the blank line: frames may follow in the same chunk).
  readonly #response: Uint8Array;
  #responseLength = 0;

  readonly #one = new Uint8Array(1);
  // Incoming frame header: [0, #headerNeed) with #headerLength read; 0 = no header in progress.
  readonly #header = new Uint8Array(10);
  readonly #header2: Uint8Array;
  readonly #ext2: Uint8Array;
  readonly #ext8: Uint8Array;
  #headerLength = 0;
  #headerNeed = 0;
  /** Payload bytes of the current data frame not yet read by the caller. */
  #frameRemaining = 0;
  /** A fragmented binary message is in progress (continuations expected). */
  #inMessage = false;
  /** Control frame being read: its opcode (0 = none), length and bytes so far. */
  #controlOp = 0;
  #controlNeed = 0;
  #controlLength = 0;
  readonly #control = new Uint8Array(125);
  /** Outgoing control frame (6-byte header + up to 125 bytes) and its views by total length, made on first use. */
  readonly #controlOut = new Uint8Array(131);
  readonly #controlViews: (Uint8Array | undefined)[] = [];

  // Outgoing frame header (FIN|binary, MASK|length, extended length, mask key) and its three views.
  readonly #out = new Uint8Array(14);
  readonly #out6: Uint8Array;
  readonly #out8: Uint8Array;
  readonly #out14: Uint8Array;
  readonly #mask = new Uint8Array(4);

  #pumping = false;
  #deferred = false;
  readonly #boundDeferred = (): void => {
    this.#deferred = false;
    this.#pump();
  };

  /**
   * Starts connecting at once through `inner` (which gets the same host/address/port/nodelay/secure).
   * @throws as the inner socket class does for bad options; RangeError for a path not starting with `/`.
   */
  constructor(inner: SocketConstructor, transport: WebSocketTransportOptions, options: SocketOptions) {
    const path = transport.path ?? "/mqtt";
    if (path.charAt(0) !== "/") throw new RangeError("path must start with /");
    this.#options = options;
    this.#protocol = transport.protocol ?? "mqtt";
    this.#random = transport.random ?? Math.random;
    this.#response = new Uint8Array(transport.maxHandshakeBytes ?? 1024);
    this.#header2 = this.#header.subarray(0, 2);
    this.#ext2 = this.#header.subarray(2, 4);
    this.#ext8 = this.#header.subarray(2, 10);
    this.#out6 = this.#out.subarray(0, 6);
    this.#out8 = this.#out.subarray(0, 8);
    this.#out14 = this.#out.subarray(0, 14);
    const nonce = new Uint8Array(16);
    for (let i = 0; i < 16; i++) nonce[i] = Math.floor(this.#random() * 256) & 0xff;
    const key = base64(nonce);
    this.#accept = acceptFor(key);
    const name = options.host ?? options.address ?? "";
    const authority = (name.indexOf(":") >= 0 ? `[${name}]` : name) + `:${options.port}`;
    this.#request = latin1Bytes(
      `GET ${path} HTTP/1.1\r\nHost: ${authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${this.#protocol}\r\n\r\n`,
    );
    const self = this;
    const innerOptions: SocketOptions = {
      port: options.port,
      nodelay: options.nodelay,
      format: "buffer",
      onReadable(count) { self.#innerReadable(count); },
      onWritable(count) { self.#innerWritable(count); },
      onError(reason) { self.#innerError(reason); },
    };
    if (options.host !== undefined) innerOptions.host = options.host;
    if (options.address !== undefined) innerOptions.address = options.address;
    if (options.secure !== undefined) innerOptions.secure = options.secure;
    this.#inner = new inner(innerOptions);
  }

  /** Payload bytes readable now: those of the current data frame that are buffered. */
  get available(): number {
    return this.#innerAvail < this.#frameRemaining ? this.#innerAvail : this.#frameRemaining;
  }

  /**
   * Reads EXACTLY `buffer.byteLength` payload bytes, straight from the inner socket into `buffer`.
   * @throws RangeError for an empty buffer; Error when more than {@link available} is asked; Error after close().
   */
  read(buffer: Uint8Array): unknown {
    if (this.#closed) throw new Error("closed");
    const length = buffer.byteLength;
    if (length === 0) throw new RangeError("empty buffer");
    if (length > this.available) throw new Error("too much requested");
    this.#inner.read(buffer);
    this.#innerAvail -= length;
    this.#frameRemaining -= length;
    // The frame is drained and more is buffered: parse on, after this turn when not inside our own callback.
    if (this.#frameRemaining === 0 && this.#innerAvail > 0 && !this.#pumping && !this.#deferred) {
      this.#deferred = true;
      void Promise.resolve().then(this.#boundDeferred);
    }
    return undefined;
  }

  /**
   * Sends all of `buffer` as one masked binary frame (the bytes are masked in place and restored before return).
   * @returns the send space left, or `undefined` once the connection failed or ended.
   * @throws Error("would block") before the handshake completed or when `buffer` exceeds the send space;
   *   Error("closed") after close().
   */
  write(buffer: Uint8Array): number | undefined {
    if (this.#closed) throw new Error("closed");
    if (this.#state === DONE) return undefined;
    if (this.#state !== OPEN) throw new Error("would block");
    const length = buffer.byteLength;
    const space = this.#space();
    if (length > space) throw new Error("would block");
    if (length === 0) return space;
    const view = this.#frameHeader(OP_BINARY, length);
    const mask = this.#mask;
    for (let i = 0; i < length; i++) buffer[i] = buffer[i]! ^ mask[i & 3]!;
    let left: number | undefined;
    try {
      left = this.#inner.write(view);
      if (left !== undefined) left = this.#inner.write(buffer);
    } finally {
      for (let i = 0; i < length; i++) buffer[i] = buffer[i]! ^ mask[i & 3]!;
    }
    if (left === undefined || !(left >= 0)) {
      this.#fail(undefined, false);
      return undefined;
    }
    this.framesSent++;
    this.#innerSpace = left;
    return this.#space();
  }

  /** Sends a close frame (1000) when possible, then closes the inner socket. Idempotent; no callbacks after. */
  close(): void {
    if (this.#closed) return;
    if (this.#state === OPEN && !this.#closeSent) {
      const status = this.#control;
      status[0] = 0x03;
      status[1] = 0xe8;
      this.#sendControl(OP_CLOSE, 2);
    }
    this.#closed = true;
    this.#inner.close();
  }

  #space(): number {
    const space = this.#innerSpace - WS_SEND_RESERVE;
    return space > 0 ? space : 0;
  }

  /** Fills the outgoing header for a masked frame of `length` bytes; returns the view to write. */
  #frameHeader(opcode: number, length: number): Uint8Array {
    const out = this.#out;
    const mask = this.#mask;
    const r = Math.floor(this.#random() * 0x100000000);
    mask[0] = r >>> 24;
    mask[1] = (r >>> 16) & 0xff;
    mask[2] = (r >>> 8) & 0xff;
    mask[3] = r & 0xff;
    out[0] = 0x80 | opcode;
    let at: number;
    let view: Uint8Array;
    if (length < 126) {
      out[1] = 0x80 | length;
      at = 2;
      view = this.#out6;
    } else if (length < 65536) {
      out[1] = 0x80 | 126;
      out[2] = length >>> 8;
      out[3] = length & 0xff;
      at = 4;
      view = this.#out8;
    } else {
      out[1] = 0x80 | 127;
      out[2] = 0;
      out[3] = 0;
      out[4] = 0;
      out[5] = 0;
      out[6] = length >>> 24;
      out[7] = (length >>> 16) & 0xff;
      out[8] = (length >>> 8) & 0xff;
      out[9] = length & 0xff;
      at = 10;
      view = this.#out14;
    }
    out[at] = mask[0]!;
    out[at + 1] = mask[1]!;
    out[at + 2] = mask[2]!;
    out[at + 3] = mask[3]!;
    return view;
  }

  /**
   * Sends a control frame with `#control[0, length)` as payload, best effort (dropped without space). The
   * frame is built in one fixed buffer and written through a view per length, made on first use.
   */
  #sendControl(opcode: number, length: number): void {
    const size = 6 + length;
    if (this.#innerSpace < size) return;
    const frame = this.#controlOut;
    const header = this.#frameHeader(opcode, length); // 6 bytes: length <= 125
    for (let i = 0; i < 6; i++) frame[i] = header[i]!;
    const mask = this.#mask;
    for (let i = 0; i < length; i++) frame[6 + i] = this.#control[i]! ^ mask[i & 3]!;
    let view = this.#controlViews[size];
    if (view === undefined) {
      view = frame.subarray(0, size);
      this.#controlViews[size] = view;
    }
    try {
      const left = this.#inner.write(view);
      // No `typeof`: on XS a string literal compared in code that is not preloaded costs a chunk per execution.
      if (left !== undefined && left >= 0) this.#innerSpace = left;
    } catch {
      // no space after all: a pong or close frame is best effort
    }
    if (opcode === OP_CLOSE) this.#closeSent = true;
  }

  #innerWritable(count: number): void {
    if (this.#closed || this.#state === DONE) return;
    this.#innerSpace = count;
    if (this.#state === CONNECTING) {
      if (count < this.#request.length) return; // wait for more space (never with a real socket)
      let left: number | undefined;
      try {
        left = this.#inner.write(this.#request);
      } catch {
        left = undefined;
      }
      if (left === undefined) {
        this.#fail(WS_HANDSHAKE_FAILED, true);
        return;
      }
      this.#innerSpace = left;
      this.#state = HANDSHAKE;
      return;
    }
    if (this.#state === OPEN) {
      const space = this.#space();
      if (space > 0) this.#options.onWritable?.call(this, space);
    }
  }

  #innerReadable(count: number): void {
    if (this.#closed || this.#state === DONE) return;
    this.#innerAvail = count;
    this.#pump();
  }

  #innerError(reason: unknown): void {
    if (this.#closed || this.#state === DONE) return;
    const handshaking = this.#state !== OPEN;
    const text = reason === undefined ? (handshaking && this.#state === HANDSHAKE ? WS_HANDSHAKE_FAILED : undefined) : String(reason);
    this.#fail(text, false);
  }

  /** Ends the socket: reports `onError(reason)` once; `closeInner` also drops the inner connection now. */
  #fail(reason: string | undefined, closeInner: boolean): void {
    if (this.#state === DONE || this.#closed) return;
    this.#state = DONE;
    if (reason !== undefined && this.lastError === undefined) this.lastError = reason;
    if (closeInner) this.#inner.close(); // idempotent: the owner's close() later is harmless
    if (reason === undefined) this.#options.onError?.call(this);
    else this.#options.onError?.call(this, reason);
  }

  /** A protocol violation: close frame 1002 (or 1003 for text), then fail. */
  #protocolError(status: number): void {
    if (!this.#closeSent) {
      this.#control[0] = status >>> 8;
      this.#control[1] = status & 0xff;
      this.#sendControl(OP_CLOSE, 2);
    }
    this.#fail(WS_PROTOCOL_ERROR, true);
  }

  /** Reads one inner byte. */
  #byte(): number {
    this.#inner.read(this.#one);
    this.#innerAvail--;
    return this.#one[0]!;
  }

  /** Parses what the inner socket holds and reports data, until it needs more bytes or the caller's reads. */
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      this.#pumpLoop();
    } finally {
      this.#pumping = false;
    }
  }

  #pumpLoop(): void {
    while (!this.#closed) {
      const state = this.#state;
      if (state === HANDSHAKE) {
        if (this.#innerAvail === 0) return;
        if (!this.#handshakeByte()) return;
        continue;
      }
      if (state !== OPEN) return;
      if (this.#frameRemaining > 0) {
        const n = this.available;
        if (n === 0) return;
        this.#options.onReadable?.call(this, n);
        if (this.#frameRemaining > 0) return; // the caller reads later (or more of the frame is to come)
        continue;
      }
      if (this.#controlOp !== 0) {
        while (this.#controlLength < this.#controlNeed) {
          if (this.#innerAvail === 0) return;
          this.#control[this.#controlLength++] = this.#byte();
        }
        this.#controlFrame();
        continue;
      }
      if (!this.#headerStep()) return;
    }
  }

  /** Reads one byte of the HTTP response; at its end, checks it. Returns false when the socket ended. */
  #handshakeByte(): boolean {
    const response = this.#response;
    if (this.#responseLength === response.length) {
      this.#fail(WS_HANDSHAKE_FAILED, true);
      return false;
    }
    const at = this.#responseLength++;
    response[at] = this.#byte();
    if (at >= 3 && response[at] === 10 && response[at - 1] === 13 && response[at - 2] === 10 && response[at - 3] === 13) {
      if (!this.#checkResponse()) {
        this.#fail(WS_HANDSHAKE_FAILED, true);
        return false;
      }
      this.#state = OPEN;
      const space = this.#space();
      if (space > 0) this.#options.onWritable?.call(this, space);
    }
    return true;
  }

  /** Status 101 with the upgrade headers, our accept key and our subprotocol. */
  #checkResponse(): boolean {
    const text = String.fromCharCode.apply(null, Array.from(this.#response.subarray(0, this.#responseLength - 4)));
    const lines = text.split("\r\n");
    const status = lines[0] ?? "";
    if (status.indexOf("HTTP/1.1 101") !== 0 || (status.length > 12 && status.charAt(12) !== " ")) return false;
    let upgrade = false;
    let connection = false;
    let accept = false;
    let protocol = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "upgrade") upgrade = value.toLowerCase() === "websocket";
      else if (name === "connection") connection = value.toLowerCase().split(",").some((t) => t.trim() === "upgrade");
      else if (name === "sec-websocket-accept") accept = value === this.#accept;
      else if (name === "sec-websocket-protocol") protocol = value === this.#protocol;
    }
    return upgrade && connection && accept && protocol;
  }

  /** Reads (some of) a frame header; returns false when it needs more bytes or the socket ended. */
  #headerStep(): boolean {
    const header = this.#header;
    if (this.#headerNeed === 0) {
      if (this.#innerAvail === 0) return false;
      this.#headerNeed = 2;
      this.#headerLength = 0;
    }
    if (this.#headerLength < 2) {
      if (this.#headerLength === 0 && this.#innerAvail >= 2) {
        this.#inner.read(this.#header2);
        this.#innerAvail -= 2;
        this.#headerLength = 2;
      } else {
        while (this.#headerLength < 2) {
          if (this.#innerAvail === 0) return false;
          header[this.#headerLength++] = this.#byte();
        }
      }
      const b0 = header[0]!;
      const b1 = header[1]!;
      if ((b0 & 0x70) !== 0 || (b1 & 0x80) !== 0) {
        this.#protocolError(1002); // RSV bits without an extension, or a masked server frame
        return false;
      }
      const len7 = b1 & 0x7f;
      this.#headerNeed = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
    }
    if (this.#headerLength < this.#headerNeed) {
      const need = this.#headerNeed - this.#headerLength;
      if (this.#headerLength === 2 && this.#innerAvail >= need) {
        this.#inner.read(need === 2 ? this.#ext2 : this.#ext8);
        this.#innerAvail -= need;
        this.#headerLength += need;
      } else {
        while (this.#headerLength < this.#headerNeed) {
          if (this.#innerAvail === 0) return false;
          header[this.#headerLength++] = this.#byte();
        }
      }
    }
    const b0 = header[0]!;
    let length = header[1]! & 0x7f;
    if (length === 126) length = (header[2]! << 8) | header[3]!;
    else if (length === 127) {
      const high = ((header[2]! << 24) | (header[3]! << 16) | (header[4]! << 8) | header[5]!) >>> 0;
      if (high > 0x1fffff) {
        this.#protocolError(1009);
        return false;
      }
      length = high * 0x100000000 + (((header[6]! << 24) | (header[7]! << 16) | (header[8]! << 8) | header[9]!) >>> 0);
    }
    this.#headerNeed = 0;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if (opcode === OP_BINARY || opcode === OP_CONTINUATION) {
      if ((opcode === OP_BINARY) === this.#inMessage) {
        this.#protocolError(1002); // a continuation outside a message, or a new message inside one
        return false;
      }
      this.#inMessage = !fin;
      this.#frameRemaining = length;
      this.framesReceived++;
      return true;
    }
    if (opcode === OP_CLOSE || opcode === OP_PING || opcode === OP_PONG) {
      if (!fin || length > 125) {
        this.#protocolError(1002);
        return false;
      }
      this.#controlOp = opcode;
      this.#controlNeed = length;
      this.#controlLength = 0;
      return true;
    }
    this.#protocolError(opcode === OP_TEXT ? 1003 : 1002); // MQTT 6.0: binary frames only
    return false;
  }

  /** Acts on a complete control frame. */
  #controlFrame(): void {
    const opcode = this.#controlOp;
    const length = this.#controlLength;
    this.#controlOp = 0;
    if (opcode === OP_PING) {
      this.#sendControl(OP_PONG, length);
    } else if (opcode === OP_CLOSE) {
      const control = this.#control;
      this.closeCode = length >= 2 ? (control[0]! << 8) | control[1]! : 1005;
      if (!this.#closeSent) this.#sendControl(OP_CLOSE, length >= 2 ? 2 : 0);
      this.#fail(undefined, false);
    }
  }
}

/**
 * A socket class for the client (`Host.tcp` or `Host.tls`) that speaks MQTT over WebSockets through `inner`
 * (the host's TCP class for `ws://`, its TLS class for `wss://`, which then gets the client's `tls` options).
 *
 * @example
 * ```ts
 * const host = { ...createNodeHost(), tcp: webSocketOver(TCPSocket, { path: "/mqtt" }) };
 * new MqttClient({ host, hostname: "broker.example", port: 8080, clientId: "esp32-0001" }).connect();
 * ```
 */
export function webSocketOver(inner: SocketConstructor, transport: WebSocketTransportOptions = {}): SocketConstructor {
  const path = transport.path ?? "/mqtt";
  if (path.charAt(0) !== "/") throw new RangeError("path must start with /");
  return class WebSocketTransport extends WebSocketSocket {
    constructor(options: SocketOptions) {
      super(inner, transport, options);
    }
  };
}
