// The will is published when the link dies without DISCONNECT, and not after a clean end().
import { describe, expect, it } from "vitest";
import { collect, connectObserver } from "../helpers/mqttjs.js";
import { uniqueTopic } from "../helpers/topics.js";
import { brokerBehindProxy, makeClient, sleep, until } from "./util.js";

const rig = brokerBehindProxy();

describe("last will", () => {
  it("is delivered after an abrupt close and not after end()", async () => {
    const base = uniqueTopic("xsmqtt/will");
    const observer = await connectObserver(rig.broker.url);
    const seen = await collect(observer, `${base}/#`, 1);

    const abrupt = makeClient(rig.proxy.port, {
      clientId: `will-a-${process.pid}`,
      will: { topic: `${base}/a`, payload: "gone-a", qos: 1, retain: false },
      reconnect: false,
    });
    abrupt.client.connect();
    await until(() => abrupt.client.connected, 3000, "CONNACK (abrupt)");
    rig.proxy.cut("both"); // both sockets reset: no DISCONNECT reaches the rig.broker
    const [m] = await seen.waitFor(1, 3000);
    expect(m?.topic).toBe(`${base}/a`);
    expect(m?.payload.toString()).toBe("gone-a");
    expect(m?.qos).toBe(1);
    await until(() => abrupt.events.disconnected.length === 1, 3000, "client notices the loss");
    expect(abrupt.events.disconnected).toEqual([-111]);

    const clean = makeClient(rig.broker.port, {
      clientId: `will-c-${process.pid}`,
      will: { topic: `${base}/c`, payload: "gone-c", qos: 1, retain: false },
    });
    clean.client.connect();
    await until(() => clean.client.connected, 3000, "CONNACK (clean)");
    clean.client.end();
    await sleep(300);
    expect(seen.messages.map((x) => x.topic)).toEqual([`${base}/a`]);
    await observer.endAsync();
  }, 15000);
});
