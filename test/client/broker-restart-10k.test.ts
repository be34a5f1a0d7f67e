// The broker restarts in the middle of 10,000 QoS 1 publishes: every message is delivered at least once,
// as counted by an independent MQTT.js subscriber with a persistent session (clean: false, QoS 1) on a
// broker with persistence on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { uniqueTopic } from "../helpers/topics.js";
import { NumberedPublisher, countNumbered, makeClient, until } from "./util.js";

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
    const observed = await countNumbered(broker.url, `obs-restart-${process.pid}`, topic, 1, TOTAL);
    const stream = new NumberedPublisher(TOTAL, 1, RESTART_AT, () => void broker.restart());
    const { client, events } = makeClient(broker.port, {
      clientId: `restart-${process.pid}`,
      cleanSession: false,
      inflightWindow: 16,
      offlineQueue: 256,
      reconnect: { initialDelay: 50, maxDelay: 300, multiplier: 2, stableAfter: 1000 },
      onWritable: stream.fill,
      onConnected: stream.fill,
    });
    stream.attach(client, topic);
    client.connect();
    await until(() => stream.next === TOTAL, 30000, "all publishes accepted");
    await until(() => client.inflight === 0 && client.queued === 0, 15000, "all acknowledged");
    await until(() => observed.unique === TOTAL, 15000, `observer saw all (${observed.unique})`);
    expect(observed.unique).toBe(TOTAL);
    expect(stream.restarted).toBe(true);
    expect(client.counters.reconnects).toBeGreaterThanOrEqual(1);
    expect(events.disconnected.length).toBeGreaterThanOrEqual(1);
    // Duplicates are allowed (at least once): our DUP resends, and the broker's own redelivery to the
    // observer whose PUBACKs died with the old broker process.
    expect(observed.duplicates).toBeGreaterThanOrEqual(0);
    client.end();
    stream.stop();
    await observed.end();
  }, 60000);
});
