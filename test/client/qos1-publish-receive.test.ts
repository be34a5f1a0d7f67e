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

describe("QoS 0 and QoS 1 publish and receive through mosquitto", () => {
  it("publishes QoS 0/1 seen by MQTT.js and receives QoS 0/1 from it", async () => {
    // Over plain TCP [MQTT-7.1.2-1], against a stock mosquitto with no plugins or extensions [MQTT-7.0.0-2].
    const base = uniqueTopic("xsmqtt/qos");
    const observer = await connectObserver(broker.url);
    const seen = await collect(observer, `${base}/out/#`, 1);
    const { client, events } = makeClient(broker.port, { clientId: `qos-${process.pid}` });
    const received: { topic: string; payload: string; qos: number }[] = [];
    client.subscribe(`${base}/in/#`, 1, (m) => {
      received.push({ topic: m.topicString(), payload: m.payloadString(), qos: m.qos });
    });
    client.connect();
    await until(() => events.connected.length === 1, 3000, "CONNACK");
    await until(() => client.granted(1) === 1, 3000, "SUBACK");

    const t0 = client.topic(`${base}/out/zero`);
    const t1 = client.topic(`${base}/out/one`);
    const p0 = bytes("hello-0");
    const p1 = bytes("xxhello-1xx");
    expect(client.publish(t0, p0, 0, p0.length, 0, false)).toBe(SENT);
    expect(client.publish(t1, p1, 2, 7, 1, false)).toBe(SENT);
    expect(client.inflight).toBe(1);
    const msgs = await seen.waitFor(2, 3000);
    expect(msgs.map((m) => [m.topic, m.payload.toString(), m.qos])).toEqual([
      [`${base}/out/zero`, "hello-0", 0],
      [`${base}/out/one`, "hello-1", 1],
    ]);
    await until(() => client.inflight === 0, 3000, "PUBACK");
    expect(client.counters.acked).toBe(1);

    await observer.publishAsync(`${base}/in/a`, "from-observer-0", { qos: 0 });
    await observer.publishAsync(`${base}/in/b`, "from-observer-1", { qos: 1 });
    await until(() => received.length === 2, 3000, "messages from the observer");
    expect(received).toEqual([
      { topic: `${base}/in/a`, payload: "from-observer-0", qos: 0 },
      { topic: `${base}/in/b`, payload: "from-observer-1", qos: 1 },
    ]);
    expect(client.counters.received).toBe(2);
    client.end();
    expect(events.disconnected).toEqual([-110]);
    expect(events.errors).toEqual([]);
    await observer.endAsync();
  }, 15000);
});
