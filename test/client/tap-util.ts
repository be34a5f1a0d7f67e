/**
 * A memory rig whose socket class records every byte the client writes (per connection) and every view it
 * writes through (so a test can inspect the client's whole tx ArrayBuffer). Not a test file.
 */
import { MqttClient, type MqttClientOptions } from "../../src/client/index.js";
import type { MqttError } from "../../src/client/errors.js";
import type { SocketOptions } from "../../src/client/host.js";
import { ManualClock } from "../support/manual-clock.js";
import { MemoryNetwork, MemorySocket, type MemoryNetworkOptions } from "../support/memory-transport.js";
import { ScriptedBroker } from "../support/scripted-broker.js";

/** Client + scripted broker + manual clock + tap. */
export interface TapRig {
  network: MemoryNetwork;
  broker: ScriptedBroker;
  clock: ManualClock;
  client: MqttClient;
  errors: MqttError[];
  connected: boolean[];
  disconnected: number[];
  overflow: number[];
  writable: { count: number };
  /** Bytes written per connection index. */
  wire: number[][];
  /** The ArrayBuffers written through (the client's tx pool). */
  buffers: Set<ArrayBufferLike>;
  /** When set, `write` on the current socket returns this instead of writing (lwip after a failure). */
  failWrites: { on: boolean };
  step(ms?: number): void;
  /** Steps `n` times with `ms` each. */
  run(n: number, ms: number): void;
}

/** Builds a tapped rig; callbacks in `options` are called after recording. */
export function tapRig(options: Partial<MqttClientOptions> = {}, net: MemoryNetworkOptions = {}): TapRig {
  const network = new MemoryNetwork(net);
  const broker = new ScriptedBroker(network, { bufferSize: 65536 });
  const clock = new ManualClock();
  const wire: number[][] = [];
  const buffers = new Set<ArrayBufferLike>();
  const failWrites = { on: false };
  const Base = network.socketClass as unknown as new (o: SocketOptions) => MemorySocket;
  class Tapped extends Base {
    override write(buffer: Uint8Array): number {
      if (failWrites.on) return undefined as unknown as number; // Moddable lwip: undefined once the PCB died
      const left = super.write(buffer);
      buffers.add(buffer.buffer);
      const i = network.connections.indexOf(this.connection);
      const w = (wire[i] ??= []);
      for (const b of buffer) w.push(b);
      return left;
    }
  }
  const errors: MqttError[] = [];
  const connected: boolean[] = [];
  const disconnected: number[] = [];
  const overflow: number[] = [];
  const writable = { count: 0 };
  const client = new MqttClient({
    hostname: "broker.local",
    clientId: "tap-1",
    keepAlive: 10,
    connectTimeout: 2000,
    reconnect: { initialDelay: 100, maxDelay: 400, multiplier: 2, stableAfter: 5000 },
    ...options,
    host: { tcp: Tapped, clock, random: () => 0.5 },
    onError: (e) => { errors.push(e); options.onError?.(e); },
    onConnected: (sp) => { connected.push(sp); options.onConnected?.(sp); },
    onDisconnected: (c) => { disconnected.push(c); options.onDisconnected?.(c); },
    onWritable: () => { writable.count++; options.onWritable?.(); },
    onQueueOverflow: (c) => { overflow.push(c); options.onQueueOverflow?.(c); },
  });
  const rig: TapRig = {
    network, broker, clock, client, errors, connected, disconnected, overflow, writable, wire, buffers, failWrites,
    step(ms = 0): void {
      network.pump();
      clock.advance(ms);
      network.pump();
    },
    run(n: number, ms: number): void {
      for (let i = 0; i < n; i++) rig.step(ms);
    },
  };
  return rig;
}

/** ASCII bytes. */
export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** True when `needle` occurs in `hay`. */
export function contains(hay: ArrayLike<number>, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Each whole packet in a byte stream: its first byte, where its body starts and where it ends. */
function frames(bytes: number[]): { first: number; body: number; end: number }[] {
  const out: { first: number; body: number; end: number }[] = [];
  let i = 0;
  while (i < bytes.length) {
    const first = bytes[i]!;
    let mult = 1, len = 0, j = i + 1, b = 0;
    do { b = bytes[j++]!; len += (b & 127) * mult; mult *= 128; } while (b & 128);
    const end = j + len;
    if (end > bytes.length) break;
    out.push({ first, body: j, end });
    i = end;
  }
  return out;
}

/** Decoded PUBLISHes in a byte stream written by the client: topic, payload text, qos, dup, id. */
export function publishes(bytes: number[]): { topic: string; payload: string; qos: number; dup: boolean; id: number }[] {
  const out: { topic: string; payload: string; qos: number; dup: boolean; id: number }[] = [];
  for (const { first, body: j, end } of frames(bytes)) {
    if (first >> 4 !== 3) continue;
    const qos = (first >> 1) & 3;
    const tl = (bytes[j]! << 8) | bytes[j + 1]!;
    const topic = String.fromCharCode(...bytes.slice(j + 2, j + 2 + tl));
    let k = j + 2 + tl;
    let id = 0;
    if (qos > 0) { id = (bytes[k]! << 8) | bytes[k + 1]!; k += 2; }
    out.push({ topic, payload: String.fromCharCode(...bytes.slice(k, end)), qos, dup: (first & 8) !== 0, id });
  }
  return out;
}

/** Every packet in a byte stream written by the client, in order: type, first byte and (4-byte acks) packet id. */
export function packets(bytes: number[]): { type: number; flags: number; id: number }[] {
  return frames(bytes).map(({ first, body }) => {
    const type = first >> 4;
    return { type, flags: first & 15, id: type >= 4 && type <= 7 ? (bytes[body]! << 8) | bytes[body + 1]! : 0 };
  });
}
