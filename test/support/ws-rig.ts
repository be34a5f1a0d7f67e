/**
 * The WebSocket framing's steady state (src/transport/websocket.ts) over an allocation-free scripted inner socket,
 * shared by the XS allocation scenario (test/xs/scenarios/websocket.xs.ts) and the Node functional test
 * (test/hosts/ws-steady.test.ts). Everything (the inner socket's rings, the server byte streams of each step,
 * the reader's views) is made by {@link createWsRig}; each step then moves one packet's worth of frames and
 * allocates nothing in the framing, the inner socket or the rig. Engine-neutral.
 * @module
 */
import type { Socket, SocketOptions } from "../../src/client/host.js";
import { WebSocketSocket, acceptFor, latin1Bytes, webSocketOver } from "../../src/transport/websocket.js";
import { ByteRing } from "./memory-transport.js";

/** The inner socket: server bytes in a ring, written bytes counted (and the last frame's first bytes kept). */
class RingInner implements Socket {
  static last: RingInner | null = null;
  readonly options: SocketOptions;
  readonly inbound = new ByteRing(4096);
  /** Every byte the framing wrote, in order, until {@link keep} is false (setup: the HTTP request). */
  readonly written = new Uint8Array(1024);
  writtenLength = 0;
  keep = true;
  writtenTotal = 0;
  /** First byte of the last write (a frame's opcode byte when it was a header). */
  lastFirst = 0;
  constructor(options: SocketOptions) {
    this.options = options;
    RingInner.last = this;
  }
  read(buffer: Uint8Array): unknown {
    const n = buffer.byteLength;
    if (n === 0 || n > this.inbound.count) throw new Error("too much requested");
    this.inbound.shift(buffer, 0, n);
    return undefined;
  }
  write(buffer: Uint8Array): number | undefined {
    const n = buffer.byteLength;
    if (this.keep) {
      this.written.set(buffer, this.writtenLength);
      this.writtenLength += n;
    }
    this.writtenTotal += n;
    this.lastFirst = buffer[0]!;
    return 8192;
  }
  close(): void {
    // nothing to free
  }
  /** The server sends `bytes`; the inner socket reports everything buffered. */
  deliver(bytes: Uint8Array): void {
    this.inbound.push(bytes, 0, bytes.length);
    this.options.onReadable?.call(this, this.inbound.count);
  }
}

function serverFrame(opcode: number, fin: boolean, payload: ArrayLike<number>): number[] {
  const out = [(fin ? 0x80 : 0) | opcode, payload.length];
  for (let i = 0; i < payload.length; i++) out.push(payload[i]!);
  return out;
}

/** Observations (numbers only). */
export class WsRigCounts {
  /** Payload bytes the reader took. */
  bytes = 0;
  /** onReadable calls. */
  readable = 0;
  /** onError calls. */
  errors = 0;
  /** Sum of the payload bytes read (a checksum). */
  sum = 0;
}

/** A connected WebSocket socket over the ring inner socket, plus one-step closures. */
export interface WsRig {
  socket: WebSocketSocket;
  inner: RingInner;
  counts: WsRigCounts;
  /** The expected checksum of one {@link receiveOne} (and of each other receive step). */
  packetSum: number;
  /** True when the handshake completed. */
  open: boolean;
  /** One 45-byte packet written as one masked binary frame. */
  sendOne(): void;
  /** One 20-byte packet in one binary frame, read in onReadable. */
  receiveOne(): void;
  /** One 20-byte packet split across two frames (8 + 12 bytes). */
  receiveSplit(): void;
  /** Three 20-byte packets in one frame. */
  receiveThreeInOne(): void;
  /** One 20-byte packet as a fragmented message: binary (fin 0), a ping (answered by a pong), continuation (fin 1). */
  receiveFragmentedWithPing(): void;
}

/** Builds the rig (all allocation happens here). */
export function createWsRig(): WsRig {
  const counts = new WsRigCounts();
  const views: (Uint8Array | undefined)[] = [];
  const sink = new Uint8Array(128);
  for (let n = 1; n <= 128; n++) views[n] = sink.subarray(0, n);
  const Ws = webSocketOver(RingInner, { path: "/mqtt", random: () => 0.5 });
  const socket = new Ws({
    address: "127.0.0.1", port: 8080, nodelay: true,
    onReadable(count) {
      counts.readable++;
      const n = count > 128 ? 128 : count;
      this.read(views[n]!);
      counts.bytes += n;
      for (let i = 0; i < n; i++) counts.sum += sink[i]!;
    },
    onError() {
      counts.errors++;
    },
  }) as WebSocketSocket;
  const inner = RingInner.last!;
  // Handshake at setup: the request's key, answered with its accept.
  inner.options.onWritable?.call(inner, 8192);
  let request = "";
  for (let i = 0; i < inner.writtenLength; i++) request += String.fromCharCode(inner.written[i]!);
  const keyStart = request.indexOf("Sec-WebSocket-Key: ") + 19;
  const key = request.slice(keyStart, request.indexOf("\r\n", keyStart));
  inner.deliver(latin1Bytes(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Accept: ${acceptFor(key)}\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n`));
  inner.keep = false;
  const open = socket.write(new Uint8Array(1)) !== undefined;

  const packet: number[] = [];
  for (let i = 0; i < 20; i++) packet.push((i * 13 + 1) & 0xff);
  let packetSum = 0;
  for (const b of packet) packetSum += b;
  const one = Uint8Array.from(serverFrame(2, true, packet));
  const split = Uint8Array.from([...serverFrame(2, true, packet.slice(0, 8)), ...serverFrame(2, true, packet.slice(8))]);
  const three = Uint8Array.from(serverFrame(2, true, [...packet, ...packet, ...packet]));
  const fragmented = Uint8Array.from([
    ...serverFrame(2, false, packet.slice(0, 5)), ...serverFrame(9, true, [1, 2, 3, 4]), ...serverFrame(0, true, packet.slice(5)),
  ]);
  const out = new Uint8Array(45);
  for (let i = 0; i < 45; i++) out[i] = i;
  return {
    socket, inner, counts, packetSum, open,
    sendOne(): void {
      socket.write(out);
    },
    receiveOne(): void {
      inner.deliver(one);
    },
    receiveSplit(): void {
      inner.deliver(split);
    },
    receiveThreeInOne(): void {
      inner.deliver(three);
    },
    receiveFragmentedWithPing(): void {
      inner.deliver(fragmented);
    },
  };
}
