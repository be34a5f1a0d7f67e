// A tiny in-flight window: publish returns BUSY when it is full, and onWritable fires once PUBACKs free room.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { collect, connectObserver } from "../helpers/mqttjs.js";
import { uniqueTopic } from "../helpers/topics.js";
import { BUSY, SENT } from "../../src/client/index.js";
import { makeClient, until } from "./util.js";

let broker: MosquittoBroker;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.dispose();
});

describe("backpressure", () => {
  it("BUSY when the window is full, onWritable when room frees, all 200 delivered in order", async () => {
    const topic = uniqueTopic("xsmqtt/backpressure");
    const observer = await connectObserver(broker.url);
    const seen = await collect(observer, topic, 1);
    const TOTAL = 200;
    let next = 0;
    let busy = 0;
    const payload = new Uint8Array(2);
    let fill = (): void => undefined;
    const { client, events } = makeClient(broker.port, {
      clientId: `bp-${process.pid}`, inflightWindow: 2, offlineQueue: 0, onWritable: () => fill(),
    });
    const h = client.topic(topic);
    fill = (): void => {
      while (next < TOTAL) {
        payload[0] = next >> 8;
        payload[1] = next & 0xff;
        const s = client.publish(h, payload, 0, 2, 1, false);
        if (s === BUSY) {
          busy++;
          expect(client.inflight).toBe(2);
          return;
        }
        expect(s).toBe(SENT);
        next++;
      }
    };
    client.connect();
    await until(() => client.connected, 3000, "CONNACK");
    fill();
    expect(busy).toBe(1);
    expect(next).toBe(2);
    await until(() => next === TOTAL && client.inflight === 0, 10000, "all sent and acked");
    expect(events.writable).toBeGreaterThanOrEqual(50);
    expect(client.counters.busy).toBe(busy);
    const msgs = await seen.waitFor(TOTAL, 5000);
    expect(msgs.map((m) => m.payload.readUInt16BE(0))).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
    client.end();
    await observer.endAsync();
  }, 15000);
});
