// The offline queue holds publishes while disconnected and flushes them in order after CONNACK; when it is
// full, "reject-new" refuses the new message (QUEUE_FULL) and "drop-oldest" drops the oldest. Both counted
// and reported through onQueueOverflow.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { collect, connectObserver } from "../helpers/mqttjs.js";
import { uniqueTopic } from "../helpers/topics.js";
import { DROPPED_OLDEST, NOT_CONNECTED, QUEUED, QUEUE_FULL } from "../../src/client/index.js";
import { bytes, makeClient, until } from "./util.js";

let broker: MosquittoBroker;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.dispose();
});

async function runPolicy(overflow: "reject-new" | "drop-oldest"): Promise<void> {
  const topic = uniqueTopic(`xsmqtt/offline-${overflow}`);
  const observer = await connectObserver(broker.url);
  const seen = await collect(observer, topic, 1);
  const { client, events } = makeClient(broker.port, { clientId: `off-${overflow}-${process.pid}`, offlineQueue: 4, overflow });
  const h = client.topic(topic);
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const p = bytes(`q${i}`);
    statuses.push(client.publish(h, p, 0, p.length, i % 2, false)); // mixed QoS 0 / 1
  }
  expect(client.queued).toBe(4);
  expect(client.counters.queued).toBe(overflow === "reject-new" ? 4 : 6);
  if (overflow === "reject-new") {
    expect(statuses).toEqual([QUEUED, QUEUED, QUEUED, QUEUED, QUEUE_FULL, QUEUE_FULL]);
    expect(client.counters.rejected).toBe(2);
    expect(client.counters.dropped).toBe(0);
    expect(events.overflow).toEqual([QUEUE_FULL, QUEUE_FULL]);
  } else {
    expect(statuses).toEqual([QUEUED, QUEUED, QUEUED, QUEUED, QUEUED, QUEUED]);
    expect(client.counters.dropped).toBe(2);
    expect(client.counters.rejected).toBe(0);
    expect(events.overflow).toEqual([DROPPED_OLDEST, DROPPED_OLDEST]);
  }
  client.connect();
  const msgs = await seen.waitFor(4, 3000);
  expect(msgs.map((m) => m.payload.toString())).toEqual(overflow === "reject-new" ? ["q0", "q1", "q2", "q3"] : ["q2", "q3", "q4", "q5"]);
  expect(msgs.map((m) => m.qos)).toEqual([0, 1, 0, 1]);
  await until(() => client.queued === 0 && client.inflight === 0, 3000, "queue flushed and acked");
  client.end();
  await observer.endAsync();
}

describe("offline queue overflow policy", () => {
  it("reject-new refuses new messages when full and flushes the rest in order", () => runPolicy("reject-new"), 10000);
  it("drop-oldest drops the oldest when full and flushes the newest in order", () => runPolicy("drop-oldest"), 10000);
  it("without a queue, publishing while disconnected returns NOT_CONNECTED", () => {
    const { client } = makeClient(broker.port, { clientId: `off-none-${process.pid}`, offlineQueue: 0 });
    const h = client.topic("x/y");
    expect(client.publish(h, bytes("a"), 0, 1, 1, false)).toBe(NOT_CONNECTED);
  });
});
