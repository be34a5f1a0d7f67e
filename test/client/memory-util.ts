/**
 * Helpers for scenarios on the in-memory transport + scripted broker + manual clock (no sockets, no waits).
 */
import { MqttClient, type MqttClientOptions } from "../../src/client/index.js";
import type { MqttError } from "../../src/client/errors.js";
import { ManualClock } from "../support/manual-clock.js";
import { MemoryNetwork, type MemoryNetworkOptions } from "../support/memory-transport.js";
import { ScriptedBroker } from "../support/scripted-broker.js";

/** A client wired to a scripted broker, with recorded events. */
export interface MemoryRig {
  network: MemoryNetwork;
  broker: ScriptedBroker;
  clock: ManualClock;
  client: MqttClient;
  errors: MqttError[];
  connected: boolean[];
  disconnected: number[];
  writable: { count: number };
  /** Pumps the network, advances the clock by `ms` (default 0: fires what is due now) and pumps again. */
  step(ms?: number): void;
}

/** Builds a rig; `random` defaults to 0.5 (deterministic jitter). */
export function memoryRig(options: Partial<MqttClientOptions> = {}, net: MemoryNetworkOptions = {}, random = (): number => 0.5): MemoryRig {
  const network = new MemoryNetwork(net);
  const broker = new ScriptedBroker(network);
  const clock = new ManualClock();
  const errors: MqttError[] = [];
  const connected: boolean[] = [];
  const disconnected: number[] = [];
  const writable = { count: 0 };
  const client = new MqttClient({
    hostname: "broker.local",
    clientId: "mem-1",
    keepAlive: 10,
    connectTimeout: 2000,
    reconnect: { initialDelay: 100, maxDelay: 1600, multiplier: 2, stableAfter: 5000 },
    ...options,
    host: { tcp: network.socketClass, clock, random },
    onError: (e) => errors.push(e),
    onConnected: (sp) => connected.push(sp),
    onDisconnected: (c) => disconnected.push(c),
    onWritable: () => {
      writable.count++;
      options.onWritable?.();
    },
  });
  return {
    network, broker, clock, client, errors, connected, disconnected, writable,
    step(ms = 0): void {
      network.pump();
      clock.advance(ms);
      network.pump();
    },
  };
}

/** ASCII bytes. */
export function ascii(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, "latin1"));
}
