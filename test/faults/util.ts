/**
 * Small helpers for the fault scenarios (not a test file): a recording MqttClient on the Node host and
 * bounded polling.
 * @module
 */
import { createNodeHost } from "../../hosts/node/index.js";
import { MqttClient, type MqttClientOptions, type MqttError } from "../../src/client/index.js";

/** A client and everything it reported. */
export interface Recorder {
  client: MqttClient;
  errors: MqttError[];
  connected: boolean[];
  disconnected: number[];
}

/** Creates (does not connect) a client on 127.0.0.1:`port` that records its callbacks. */
export function recordingClient(port: number, options: Partial<MqttClientOptions> & { clientId: string }): Recorder {
  const r: Recorder = { client: null as unknown as MqttClient, errors: [], connected: [], disconnected: [] };
  r.client = new MqttClient({
    host: createNodeHost(),
    hostname: "127.0.0.1",
    port,
    keepAlive: 30,
    connectTimeout: 3000,
    reconnect: { initialDelay: 50, maxDelay: 300, multiplier: 2, stableAfter: 1000 },
    ...options,
    onError: (e) => { r.errors.push(e); options.onError?.(e); },
    onConnected: (sp) => { r.connected.push(sp); options.onConnected?.(sp); },
    onDisconnected: (c) => { r.disconnected.push(c); options.onDisconnected?.(c); },
  });
  return r;
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `cond` every 5 ms; rejects after `timeoutMs` naming `what`. */
export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** UTF-8 bytes. */
export const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));
