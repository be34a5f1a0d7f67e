// Persistent session: QoS 1 messages whose PUBACKs never arrived are resent with DUP, in order, after the
// reconnect; the rig.broker reports the session present and our subscription survives without a new SUBSCRIBE.
import { describe, expect, it } from "vitest";
import { collect, connectObserver } from "../helpers/mqttjs.js";
import { uniqueTopic } from "../helpers/topics.js";
import { SENT } from "../../src/client/index.js";
import { brokerBehindProxy, bytes, makeClient, until } from "./util.js";

const rig = brokerBehindProxy();

describe("persistent session resumed with in-flight resend", () => {
  it("resends unacknowledged QoS 1 with DUP in order and keeps subscriptions", async () => {
    const base = uniqueTopic("xsmqtt/session");
    const observer = await connectObserver(rig.broker.url);
    const seen = await collect(observer, `${base}/out/#`, 1);
    const { client, events } = makeClient(rig.proxy.port, {
      clientId: `sess-${process.pid}`,
      cleanSession: false,
      keepAlive: 30,
    });
    const inbox: string[] = [];
    client.subscribe(`${base}/in`, 1, (m) => inbox.push(m.payloadString()));
    client.connect();
    await until(() => client.connected && client.granted(1) === 1, 3000, "CONNACK + SUBACK");
    expect(events.connected).toEqual([false]);

    // Broker → client direction stalls: our PUBLISHes reach the rig.broker, its PUBACKs do not reach us.
    rig.proxy.stall("down");
    const h = client.topic(`${base}/out/x`);
    for (let i = 0; i < 5; i++) {
      const p = bytes(`m${i}`);
      expect(client.publish(h, p, 0, p.length, 1, false)).toBe(SENT);
    }
    await seen.waitFor(5, 3000);
    expect(client.inflight).toBe(5);

    // The link dies; the rig.proxy forwards normally again for the reconnect.
    rig.proxy.cut("both"); // held PUBACKs die with the connections
    rig.proxy.resume();
    await until(() => events.connected.length === 2, 5000, "reconnect");
    // Same ClientId, CleanSession 0: the rig.broker resumed the session [MQTT-3.1.3-2] [MQTT-3.1.2-4].
    expect(events.connected[1]).toBe(true); // session present
    await until(() => client.inflight === 0, 3000, "PUBACKs for the resends");
    expect(client.counters.resent).toBe(5);
    expect(client.counters.reconnects).toBe(1);
    // On the wire: the rig.broker logged the resends with DUP set (d1), same packet ids as the originals.
    const received = rig.broker.logs().split("\n").filter((l) => l.includes(`Received PUBLISH from sess-${process.pid}`));
    const idOf = (l: string): string | undefined => /m(\d+)/.exec(l.slice(l.indexOf("q1")))?.[1];
    const originals = received.filter((l) => l.includes("(d0, q1"));
    const dups = received.filter((l) => l.includes("(d1, q1"));
    expect(originals.length).toBe(5);
    expect(dups.length).toBe(5);
    // Resent with DUP [MQTT-3.3.1-1] and their original ids [MQTT-4.4.0-1] [MQTT-2.3.1-3]: the in-flight state
    // outlived the connection [MQTT-4.1.0-1].
    expect(dups.map(idOf)).toEqual(originals.map(idOf));

    // Observer got the originals and then the resends (mosquitto forwards a DUP publish as a new message).
    const msgs = await seen.waitFor(10, 3000);
    expect(msgs.slice(0, 5).map((m) => m.payload.toString())).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expect(msgs.slice(5, 10).map((m) => m.payload.toString())).toEqual(["m0", "m1", "m2", "m3", "m4"]); // [MQTT-4.6.0-1]

    // Subscription kept by the session: no resubscribe needed.
    await observer.publishAsync(`${base}/in`, "after-resume", { qos: 1 });
    await until(() => inbox.length === 1, 3000, "delivery on the resumed session");
    expect(inbox).toEqual(["after-resume"]);
    client.end();
    await observer.endAsync();
  }, 20000);

  it("without a session it resubscribes and still delivers what was in flight", async () => {
    const base = uniqueTopic("xsmqtt/nosession");
    const observer = await connectObserver(rig.broker.url);
    const seen = await collect(observer, `${base}/out/#`, 1);
    const { client, events } = makeClient(rig.proxy.port, { clientId: `nosess-${process.pid}`, cleanSession: true });
    const inbox: string[] = [];
    client.subscribe(`${base}/in`, 1, (m) => inbox.push(m.payloadString()));
    client.connect();
    await until(() => client.connected && client.granted(1) === 1, 3000, "CONNACK + SUBACK");
    rig.proxy.stall("down");
    const h = client.topic(`${base}/out/y`);
    const p = bytes("lost?");
    expect(client.publish(h, p, 0, p.length, 1, false)).toBe(SENT);
    await seen.waitFor(1, 3000);
    rig.proxy.cut("both"); // held PUBACKs die with the connections
    rig.proxy.resume();
    await until(() => events.connected.length === 2 && client.inflight === 0, 5000, "reconnect + ack");
    expect(events.connected).toEqual([false, false]);
    expect(client.counters.resent).toBe(1);
    // [MQTT-3.1.2-6] a clean session discards the old one: the message goes again as a first delivery, DUP 0.
    const sent = rig.broker.logs().split("\n").filter((l) => l.includes(`Received PUBLISH from nosess-${process.pid}`));
    expect(sent.length).toBe(2);
    expect(sent.every((l) => l.includes("(d0, q1"))).toBe(true);
    await until(() => client.granted(1) === 1, 3000, "resubscribed");
    await observer.publishAsync(`${base}/in`, "after-new-session", { qos: 1 });
    await until(() => inbox.length === 1, 3000, "delivery after resubscribe");
    client.end();
    await observer.endAsync();
  }, 20000);
});
