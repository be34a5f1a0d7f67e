// One incoming PUBLISH reaches EVERY matching subscription handler (+ and # matched over bytes).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { connectObserver } from "../helpers/mqttjs.js";
import { uniqueTopic } from "../helpers/topics.js";
import { makeClient, until } from "./util.js";

let broker: MosquittoBroker;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.dispose();
});

describe("wildcard routing to several handlers", () => {
  it("delivers each message to every matching handler, and stops after unsubscribe", async () => {
    const base = uniqueTopic("xsmqtt/route");
    const { client, events } = makeClient(broker.port, { clientId: `route-${process.pid}` });
    const got: string[] = [];
    const rec = (name: string) => (m: { topicString(): string; payloadString(): string }) => {
      got.push(`${name} ${m.topicString().slice(base.length)} ${m.payloadString()}`);
    };
    const all = client.subscribe(`${base}/#`, 1, rec("hash"));
    client.subscribe(`${base}/+/temp`, 0, rec("plus"));
    client.subscribe(`${base}/a/temp`, 1, rec("exact"));
    const granted: number[] = [];
    client.subscribe(`${base}/b/+`, 1, rec("b"), (g) => granted.push(g));
    client.connect();
    await until(() => granted.length === 1 && client.granted(all) === 1, 3000, "SUBACKs");
    expect(granted).toEqual([1]);

    const observer = await connectObserver(broker.url);
    await observer.publishAsync(`${base}/a/temp`, "1", { qos: 1 });
    await observer.publishAsync(`${base}/b/temp`, "2", { qos: 1 });
    await observer.publishAsync(`${base}/c/hum`, "3", { qos: 1 });
    await until(() => got.length >= 7, 3000, "7 deliveries");
    expect([...got].sort()).toEqual([
      "b /b/temp 2", "exact /a/temp 1", "hash /a/temp 1", "hash /b/temp 2", "hash /c/hum 3",
      "plus /a/temp 1", "plus /b/temp 2",
    ].sort());
    expect(client.counters.received).toBe(3);

    expect(client.unsubscribe(all)).toBe(true);
    expect(client.unsubscribe(all)).toBe(false);
    got.length = 0;
    await new Promise((r) => setTimeout(r, 100));
    await observer.publishAsync(`${base}/c/hum`, "4", { qos: 1 });
    await observer.publishAsync(`${base}/a/temp`, "5", { qos: 1 });
    await until(() => got.length >= 2, 3000, "deliveries after unsubscribe");
    await new Promise((r) => setTimeout(r, 100));
    expect([...got].sort()).toEqual(["exact /a/temp 5", "plus /a/temp 5"]);
    expect(client.counters.unrouted).toBeLessThanOrEqual(1);
    client.end();
    await observer.endAsync();
    expect(events.errors).toEqual([]);
  }, 15000);
});
