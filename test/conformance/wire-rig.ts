/**
 * A client on the in-memory transport with a wire tap: every byte the client writes is recorded per
 * connection with the manual-clock time of the write, and can be read back as decoded packets. The
 * conformance tests assert on these bytes (what the client really put on the wire), not on broker counters.
 * @module
 */
import { MqttClient, type MqttClientOptions } from "../../src/client/index.js";
import type { MqttError } from "../../src/client/errors.js";
import type { SocketOptions } from "../../src/client/host.js";
import { decodePacket, firstFilter, nextFilter, ServerPacket, PacketType } from "../../src/codec/index.js";
import { ManualClock } from "../support/manual-clock.js";
import { MemoryNetwork, type MemoryConnection, type MemoryNetworkOptions, MemorySocket } from "../support/memory-transport.js";
import { ScriptedBroker } from "../support/scripted-broker.js";

/** One packet the client sent, decoded from the tapped bytes. */
export interface WirePacket {
  /** Packet type (`PacketType`). */
  type: number;
  /** Fixed-header flags (low nibble of the first byte). */
  flags: number;
  /** The packet's bytes, fixed header included. */
  bytes: number[];
  /** Manual-clock time of the write that carried its first byte. */
  time: number;
  /** Packet identifier (0 when the packet has none). */
  packetId: number;
  /** PUBLISH fields. */
  qos: number;
  dup: boolean;
  retain: boolean;
  topic: number[];
  payload: string;
  /** CONNECT fields. */
  clientId: string;
  cleanSession: boolean;
  keepAlive: number;
  /** SUBSCRIBE/UNSUBSCRIBE filters (as text). */
  filters: string[];
}

/** Client, scripted broker, manual clock and the tap. */
export interface WireRig {
  network: MemoryNetwork;
  broker: ScriptedBroker;
  clock: ManualClock;
  client: MqttClient;
  errors: MqttError[];
  connected: boolean[];
  disconnected: number[];
  /** Pumps the network, advances the clock by `ms` (default 0: fires what is due now) and pumps again. */
  step(ms?: number): void;
  /** Advances the clock in slices of `slice` ms up to `ms`, pumping after each (timers fire on time). */
  run(ms: number, slice?: number): void;
  /** The packets the client wrote on connection `index` (default: every connection, in order). */
  sent(index?: number): WirePacket[];
  /** Raw bytes the client wrote on connection `index`. */
  bytes(index: number): number[];
  /** Connection `index` (server side). */
  connection(index: number): MemoryConnection;
}

const text = new TextDecoder("utf-8", { ignoreBOM: true });

/** Builds a rig like `test/client/memory-util.ts`, with the client's socket class tapped. */
export function wireRig(options: Partial<MqttClientOptions> = {}, net: MemoryNetworkOptions = {}): WireRig {
  const network = new MemoryNetwork(net);
  const broker = new ScriptedBroker(network);
  const clock = new ManualClock();
  const streams: { bytes: number[]; times: number[] }[] = [];
  const Base = network.socketClass as unknown as new (o: SocketOptions) => MemorySocket;
  class TappedSocket extends Base {
    override write(buffer: Uint8Array): number {
      const space = super.write(buffer); // throws (nothing written) when closed or when it would block
      const index = network.connections.indexOf(this.connection);
      const stream = (streams[index] ??= { bytes: [], times: [] });
      for (const b of buffer) {
        stream.bytes.push(b);
        stream.times.push(clock.now());
      }
      return space;
    }
  }
  const errors: MqttError[] = [];
  const connected: boolean[] = [];
  const disconnected: number[] = [];
  const client = new MqttClient({
    hostname: "broker.local",
    clientId: "conf-1",
    keepAlive: 10,
    connectTimeout: 2000,
    reconnect: { initialDelay: 100, maxDelay: 100, multiplier: 1, stableAfter: 5000 },
    ...options,
    host: { tcp: TappedSocket, clock, random: () => 0.5 },
    onError: (e) => errors.push(e),
    onConnected: (sp) => connected.push(sp),
    onDisconnected: (c) => disconnected.push(c),
  });
  const parse = (index: number): WirePacket[] => {
    const stream = streams[index];
    if (stream === undefined) return [];
    const all = Uint8Array.from(stream.bytes);
    const out: WirePacket[] = [];
    let offset = 0;
    while (offset + 2 <= all.length) {
      let pos = offset + 1;
      let remaining = 0;
      let shift = 0;
      for (;;) {
        const b = all[pos++]!;
        remaining += (b & 0x7f) << shift;
        if (b < 0x80) break;
        shift += 7;
      }
      const total = pos - offset + remaining;
      if (offset + total > all.length) break; // a partial packet at the end (cannot happen between packets)
      const p = new ServerPacket();
      const r = decodePacket(all, offset, total, p);
      if (r < 0) throw new Error(`the client wrote a packet our codec refuses (code ${r}) at byte ${offset}`);
      const w: WirePacket = {
        type: p.type, flags: p.flags, bytes: [...all.subarray(offset, offset + total)], time: stream.times[offset]!,
        packetId: p.type === PacketType.PUBLISH && p.qos === 0 ? 0 : p.packetId,
        qos: 0, dup: false, retain: false, topic: [], payload: "", clientId: "", cleanSession: false, keepAlive: 0,
        filters: [],
      };
      if (p.type === PacketType.PUBLISH) {
        w.qos = p.qos;
        w.dup = p.dup;
        w.retain = p.retain;
        w.topic = [...p.buffer.subarray(p.topicOffset, p.topicOffset + p.topicLength)];
        w.payload = text.decode(p.payloadBuffer.subarray(p.payloadOffset, p.payloadOffset + p.payloadLength));
      } else if (p.type === PacketType.CONNECT) {
        w.clientId = text.decode(p.buffer.subarray(p.clientIdOffset, p.clientIdOffset + p.clientIdLength));
        w.cleanSession = p.cleanSession;
        w.keepAlive = p.keepAlive;
      } else if (p.type === PacketType.SUBSCRIBE || p.type === PacketType.UNSUBSCRIBE) {
        const end = p.listOffset + p.listLength;
        for (let e = firstFilter(p); e < end; e = nextFilter(p.buffer, e, p.type)) {
          const length = (p.buffer[e]! << 8) | p.buffer[e + 1]!;
          w.filters.push(text.decode(p.buffer.subarray(e + 2, e + 2 + length)));
        }
      } else if (p.type === PacketType.PINGREQ || p.type === PacketType.DISCONNECT) {
        w.packetId = 0;
      }
      out.push(w);
      offset += total;
    }
    return out;
  };
  return {
    network, broker, clock, client, errors, connected, disconnected,
    step(ms = 0): void {
      network.pump();
      clock.advance(ms);
      network.pump();
    },
    run(ms: number, slice = 100): void {
      for (let t = 0; t < ms; t += slice) {
        clock.advance(Math.min(slice, ms - t));
        network.pump();
      }
    },
    sent(index?: number): WirePacket[] {
      if (index !== undefined) return parse(index);
      const all: WirePacket[] = [];
      for (let i = 0; i < network.connections.length; i++) all.push(...parse(i));
      return all;
    },
    bytes(index: number): number[] {
      return [...(streams[index]?.bytes ?? [])];
    },
    connection(index: number): MemoryConnection {
      const c = network.connections[index];
      if (c === undefined) throw new Error(`no connection ${index}`);
      return c;
    },
  };
}

/** Bytes of an ASCII/UTF-8 string. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Packet type names for readable failure messages. */
export const TYPE = ["?", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "SUBSCRIBE",
  "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT"] as const;

/** `TYPE` names of a packet list. */
export function types(packets: WirePacket[]): string[] {
  return packets.map((p) => TYPE[p.type] ?? "?");
}
