/**
 * Shared helpers for the client scenarios (not a test file): build an MqttClient on the Node host with
 * event recording, and bounded polling.
 */
import { afterAll, beforeAll } from "vitest";
import { createNodeHost } from "../../hosts/node/index.js";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy.js";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { MqttClient, type MqttClientOptions } from "../../src/client/index.js";
import type { MqttError } from "../../src/client/errors.js";
import type { Host } from "../../src/client/host.js";

/** Events recorded from one client. */
export interface Recorded {
  connected: boolean[];
  disconnected: number[];
  errors: MqttError[];
  writable: number;
  overflow: number[];
}

/** A client plus what it reported. */
export interface TestClient {
  client: MqttClient;
  events: Recorded;
  host: Host;
}

/** Creates (does not connect) a client against 127.0.0.1:`port` with fast test defaults. */
export function makeClient(port: number, options: Partial<MqttClientOptions> & { clientId: string }): TestClient {
  const events: Recorded = { connected: [], disconnected: [], errors: [], writable: 0, overflow: [] };
  const host = options.host ?? createNodeHost();
  const client = new MqttClient({
    hostname: "127.0.0.1",
    port,
    keepAlive: 30,
    connectTimeout: 3000,
    reconnect: { initialDelay: 50, maxDelay: 400, multiplier: 2, stableAfter: 1000 },
    ...options,
    host,
    onConnected: (sp) => {
      events.connected.push(sp);
      options.onConnected?.(sp);
    },
    onDisconnected: (code) => {
      events.disconnected.push(code);
      options.onDisconnected?.(code);
    },
    onError: (e) => {
      events.errors.push(e);
      options.onError?.(e);
    },
    onWritable: () => {
      events.writable++;
      options.onWritable?.();
    },
    onQueueOverflow: (code) => {
      events.overflow.push(code);
      options.onQueueOverflow?.(code);
    },
  });
  return { client, events, host };
}

/** Polls `cond` every 5 ms until true; rejects after `timeoutMs` with `what`. */
export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** UTF-8 bytes of `text`. */
export function bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "utf8"));
}

/** A mosquitto for this test file with a fault proxy in front of it, started before and stopped after all tests. */
export function brokerBehindProxy(): { broker: MosquittoBroker; proxy: FaultProxy } {
  const rig = {} as { broker: MosquittoBroker; proxy: FaultProxy };
  beforeAll(async () => {
    rig.broker = await startMosquitto();
    rig.proxy = await startFaultProxy({ targetPort: rig.broker.port });
  });
  afterAll(async () => {
    await rig.proxy?.close();
    await rig.broker?.dispose();
  });
  return rig;
}
