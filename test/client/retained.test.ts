// Retained publish: the broker keeps the last retained message and hands it to later subscribers with RETAIN.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { collect, connectObserver } from "../helpers/mqttjs.js";
import { uniqueTopic } from "../helpers/topics.js";
import { SENT } from "../../src/client/index.js";
import { bytes, makeClient, until } from "./util.js";

let broker: MosquittoBroker;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.dispose();
});

describe("retained messages", () => {
  it("publishes retained (QoS 1) and receives a retained message with the retain flag", async () => {
    const base = uniqueTopic("xsmqtt/retained");
    const { client, events } = makeClient(broker.port, { clientId: `ret-${process.pid}` });
    client.connect();
    await until(() => client.connected, 3000, "CONNACK");
    const h = client.topic(`${base}/state`);
    const p = bytes("on");
    expect(client.publish(h, p, 0, p.length, 1, true)).toBe(SENT);
    await until(() => client.inflight === 0, 3000, "PUBACK");

    // A later MQTT.js subscriber gets it retained.
    const observer = await connectObserver(broker.url);
    const seen = await collect(observer, `${base}/state`, 1);
    const [m] = await seen.waitFor(1, 3000);
    expect(m?.payload.toString()).toBe("on");
    expect(m?.retain).toBe(true);

    // And our own later subscription sees retain=true too.
    const got: { retain: boolean; text: string }[] = [];
    client.subscribe(`${base}/#`, 1, (msg) => got.push({ retain: msg.retain, text: msg.payloadString() }));
    await until(() => got.length === 1, 3000, "retained delivery");
    expect(got[0]).toEqual({ retain: true, text: "on" });

    // Clearing: empty retained payload.
    expect(client.publish(h, p, 0, 0, 0, true)).toBe(SENT);
    client.end();
    await observer.endAsync();
    expect(events.errors).toEqual([]);
  }, 15000);
});
