// The broker restarts in the middle of 10,000 QoS 1 publishes: every message is delivered at least once,
// as counted by an independent MQTT.js subscriber with a persistent session (clean: false, QoS 1) on a
// broker with persistence on.
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { uniqueTopic } from "../helpers/topics.js";
import { BUSY, QUEUED, QUEUE_FULL, SENT } from "../../src/client/index.js";
import { makeClient, until } from "./util.js";

const TOTAL = 10_000;
const RESTART_AT = 3_000;

let broker: MosquittoBroker;
beforeAll(async () => {
  broker = await startMosquitto({ persistence: true, maxQueuedMessages: 0, maxInflightMessages: 0 });
});
afterAll(async () => {
  await broker?.dispose();
});

describe("broker restart during 10,000 QoS 1 publishes", () => {
  it("delivers every message at least once", async () => {
    const topic = uniqueTopic("xsmqtt/restart");
    const seen = new Uint8Array(TOTAL);
    let unique = 0;
    let duplicates = 0;
    const observer = mqtt.connect(broker.url, {
      protocolVersion: 4, clean: false, clientId: `obs-restart-${process.pid}`, reconnectPeriod: 100, connectTimeout: 3000,
    });
    observer.on("error", () => undefined);
    observer.on("message", (_t, payload) => {
      const i = payload.readUInt32BE(0);
      if (i >= TOTAL) return;
      if (seen[i] === 0) {
        seen[i] = 1;
        unique++;
      } else duplicates++;
    });
    await new Promise<void>((resolve, reject) => {
      observer.once("connect", () => resolve());
      observer.once("error", reject);
    });
    await observer.subscribeAsync(topic, { qos: 1 });

    let next = 0;
    let restarted = false;
    let retry: NodeJS.Timeout | null = null;
    const payload = new Uint8Array(4);
    const view = new DataView(payload.buffer);
    let fill = (): void => undefined;
    const { client, events } = makeClient(broker.port, {
      clientId: `restart-${process.pid}`,
      cleanSession: false,
      inflightWindow: 16,
      offlineQueue: 256,
      reconnect: { initialDelay: 50, maxDelay: 300, multiplier: 2, stableAfter: 1000 },
      onWritable: () => fill(),
      onConnected: () => fill(),
    });
    const handle = client.topic(topic);
    fill = (): void => {
      while (next < TOTAL) {
        view.setUint32(0, next);
        const status = client.publish(handle, payload, 0, 4, 1, false);
        if (status === SENT || status === QUEUED) {
          next++;
          if (next === RESTART_AT && !restarted) {
            restarted = true;
            void broker.restart();
          }
          continue;
        }
        if (status === QUEUE_FULL && retry === null) {
          retry = setTimeout(() => {
            retry = null;
            fill();
          }, 20);
        }
        expect([BUSY, QUEUE_FULL]).toContain(status);
        return;
      }
    };
    client.connect();
    await until(() => next === TOTAL, 30000, "all publishes accepted");
    await until(() => client.inflight === 0 && client.queued === 0, 15000, "all acknowledged");
    await until(() => unique === TOTAL, 15000, `observer saw all (${unique})`);
    expect(unique).toBe(TOTAL);
    expect(restarted).toBe(true);
    expect(client.counters.reconnects).toBeGreaterThanOrEqual(1);
    expect(events.disconnected.length).toBeGreaterThanOrEqual(1);
    // Duplicates are allowed (at least once): our DUP resends, and the broker's own redelivery to the
    // observer whose PUBACKs died with the old broker process.
    expect(duplicates).toBeGreaterThanOrEqual(0);
    client.end();
    if (retry !== null) clearTimeout(retry);
    await observer.endAsync();
  }, 60000);
});
