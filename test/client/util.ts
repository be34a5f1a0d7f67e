/**
 * Shared helpers for the client scenarios (not a test file): build an MqttClient on the Node host with
 * event recording, and bounded polling.
 */
import mqtt from "mqtt";
import { afterAll, beforeAll, expect } from "vitest";
import { createNodeHost } from "../../hosts/node/index.js";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy.js";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { BUSY, MqttClient, QUEUED, QUEUE_FULL, SENT, type MqttClientOptions } from "../../src/client/index.js";
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

/** What {@link countNumbered} counts: distinct numbers seen and receipts beyond the first. */
export interface NumberedCount {
  unique: number;
  duplicates: number;
  /** Ends the observer. */
  end(): Promise<void>;
}

/**
 * An independent MQTT.js observer with a persistent session (it outlives a broker restart) subscribed to `topic`
 * at `qos`, counting 4-byte big-endian numbers below `total`.
 */
export async function countNumbered(url: string, clientId: string, topic: string, qos: 1 | 2, total: number): Promise<NumberedCount> {
  const seen = new Uint8Array(total);
  const observer = mqtt.connect(url, { protocolVersion: 4, clean: false, clientId, reconnectPeriod: 100, connectTimeout: 3000 });
  const count: NumberedCount = { unique: 0, duplicates: 0, end: async () => { await observer.endAsync(); } };
  observer.on("error", () => undefined);
  observer.on("message", (_t, payload) => {
    const i = payload.readUInt32BE(0);
    if (i >= total) return;
    if (seen[i] === 0) {
      seen[i] = 1;
      count.unique++;
    } else count.duplicates++;
  });
  await new Promise<void>((resolve, reject) => {
    observer.once("connect", () => resolve());
    observer.once("error", reject);
  });
  await observer.subscribeAsync(topic, { qos });
  return count;
}

/**
 * Publishes `total` numbered messages (4-byte big-endian) at `qos` as fast as the client accepts them and calls
 * `onRestartPoint` once `restartAt` have been accepted. Pass {@link NumberedPublisher.fill} as the client's
 * `onWritable` and `onConnected`, then {@link NumberedPublisher.attach} the client: BUSY waits for those
 * callbacks, QUEUE_FULL retries after 20 ms, and any other refusal fails the test.
 */
export class NumberedPublisher {
  /** Messages accepted so far (SENT or QUEUED). */
  next = 0;
  /** `onRestartPoint` was called. */
  restarted = false;
  #client: MqttClient | null = null;
  #handle = 0;
  #retry: NodeJS.Timeout | null = null;
  readonly #payload = new Uint8Array(4);
  readonly #view = new DataView(this.#payload.buffer);

  constructor(readonly total: number, readonly qos: 1 | 2, readonly restartAt: number, readonly onRestartPoint: () => void) {}

  /** Starts publishing through `client` on `topic`. */
  attach(client: MqttClient, topic: string): void {
    this.#client = client;
    this.#handle = client.topic(topic);
  }

  /** Publishes until refused; a no-op before {@link attach}. */
  readonly fill = (): void => {
    const client = this.#client;
    if (client === null) return;
    while (this.next < this.total) {
      this.#view.setUint32(0, this.next);
      const status = client.publish(this.#handle, this.#payload, 0, 4, this.qos, false);
      if (status === SENT || status === QUEUED) {
        this.next++;
        if (this.next === this.restartAt && !this.restarted) {
          this.restarted = true;
          this.onRestartPoint();
        }
        continue;
      }
      if (status === QUEUE_FULL && this.#retry === null) {
        this.#retry = setTimeout(() => {
          this.#retry = null;
          this.fill();
        }, 20);
      }
      expect([BUSY, QUEUE_FULL]).toContain(status);
      return;
    }
  };

  /** Cancels a pending retry. */
  stop(): void {
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = null;
  }
}
