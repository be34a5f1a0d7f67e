// Several filters per SUBSCRIBE and UNSUBSCRIBE against mosquitto: one packet each (broker log), each filter's
// granted QoS, messages routed per filter, the UNSUBACK callback, nothing delivered after it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { connectObserver } from "../helpers/mqttjs.js";
import { uniqueTopic } from "../helpers/topics.js";
import { Qos2Engine } from "../../src/client/index.js";
import { makeClient, sleep, until } from "./util.js";

let broker: MosquittoBroker;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.dispose();
});

describe("multi-filter SUBSCRIBE / UNSUBSCRIBE through mosquitto", () => {
  it("one SUBSCRIBE for three filters granted 0/1/2, routed per filter; one UNSUBSCRIBE, onUnsuback per id", async () => {
    const base = uniqueTopic("xsmqtt/multi");
    const id = `multi-${process.pid}`;
    const { client, events } = makeClient(broker.port, { clientId: id, qos2: new Qos2Engine() });
    const got: string[] = [];
    const subacks: number[] = [];
    client.connect();
    await until(() => client.connected, 3000, "CONNACK");
    const ids = client.subscribeMany([`${base}/a`, `${base}/b/+`, `${base}/c/#`], [0, 1, 2],
      (m) => got.push(`${m.topicString().slice(base.length)}:${m.qos}`), (granted) => subacks.push(granted));
    await until(() => subacks.length === 3, 3000, "SUBACK");
    expect(subacks).toEqual([0, 1, 2]);
    expect(ids.map((i) => client.granted(i))).toEqual([0, 1, 2]);
    const log = broker.logs();
    expect(log.split("\n").filter((l) => l.includes(`Received SUBSCRIBE from ${id}`))).toHaveLength(1);
    const observer = await connectObserver(broker.url);
    await observer.publishAsync(`${base}/a`, "1", { qos: 2 });
    await observer.publishAsync(`${base}/b/x`, "2", { qos: 2 });
    await observer.publishAsync(`${base}/c/y/z`, "3", { qos: 2 });
    await until(() => got.length === 3, 3000, "three messages");
    expect(got.sort()).toEqual(["/a:0", "/b/x:1", "/c/y/z:2"]);
    const unsubacked: number[] = [];
    expect(client.unsubscribeMany(ids, (i) => unsubacked.push(i))).toBe(3);
    await until(() => unsubacked.length === 3, 3000, "UNSUBACK");
    expect(unsubacked).toEqual(ids);
    expect(broker.logs().split("\n").filter((l) => l.includes(`Received UNSUBSCRIBE from ${id}`))).toHaveLength(1);
    await observer.publishAsync(`${base}/a`, "late", { qos: 1 });
    await sleep(200);
    expect(got).toHaveLength(3);
    expect(events.errors).toEqual([]);
    client.end();
    await observer.endAsync();
  }, 20000);
});
