// The unchanged MqttClient over MQTT-over-WebSockets (hosts/node/ws.ts) against aedes served through the
// `ws` package's server (test/helpers/ws-broker.ts): QoS 0 and 1 both ways (a 70 000-byte payload too, so
// 64-bit frame lengths and packets spanning frames are exercised), the will after the server drops the
// connection, reconnect after a drop, and wss with the test PKI.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeHost } from "../../hosts/node/index.js";
import { webSocketClass } from "../../hosts/node/ws.js";
import { SENT } from "../../src/client/index.js";
import type { Host } from "../../src/client/host.js";
import { makeTestPki, type TestPki } from "../helpers/certs.js";
import { collect, connectObserver } from "../helpers/mqttjs.js";
import { uniqueTopic } from "../helpers/topics.js";
import { startWsBroker, type WsBroker } from "../helpers/ws-broker.js";
import { bytes, makeClient, until } from "../client/util.js";

function wsHost(path: string): Host {
  return { ...createNodeHost(), tcp: webSocketClass({ path }) };
}

let broker: WsBroker;
beforeAll(async () => {
  broker = await startWsBroker({ path: "/mqtt" });
});
afterAll(async () => {
  await broker?.stop();
});

describe("MQTT over WebSockets against aedes behind ws", () => {
  it("publishes QoS 0/1 seen by an MQTT.js observer and receives QoS 0/1 (and 70 000 bytes) from it", async () => {
    const base = uniqueTopic("xsmqtt/ws-qos");
    const observer = await connectObserver(broker.url);
    const seen = await collect(observer, `${base}/out/#`, 1);
    const { client, events } = makeClient(broker.wsPort, {
      clientId: `ws-qos-${process.pid}`, host: wsHost("/mqtt"), txSlotSize: 4096, rxBufferSize: 80_000, maxIncomingPacketSize: 100_000,
    });
    const received: { topic: string; payload: string; qos: number }[] = [];
    client.subscribe(`${base}/in/#`, 1, (m) => {
      received.push({ topic: m.topicString(), payload: m.payloadString(), qos: m.qos });
    });
    client.connect();
    await until(() => events.connected.length === 1, 3000, "CONNACK over ws");
    await until(() => client.granted(1) === 1, 3000, "SUBACK over ws");

    const t0 = client.topic(`${base}/out/zero`);
    const t1 = client.topic(`${base}/out/one`);
    const p0 = bytes("hello-0");
    const p1 = bytes("xxhello-1xx");
    const big = bytes("b".repeat(3000)); // one packet written as several power-of-two views: several frames
    expect(client.publish(t0, p0, 0, p0.length, 0, false)).toBe(SENT);
    expect(client.publish(t1, p1, 2, 7, 1, false)).toBe(SENT);
    expect(client.publish(t1, big, 0, big.length, 1, false)).toBe(SENT);
    const msgs = await seen.waitFor(3, 3000);
    expect(msgs.map((m) => [m.topic, m.payload.toString().slice(0, 10), m.payload.length, m.qos])).toEqual([
      [`${base}/out/zero`, "hello-0", 7, 0],
      [`${base}/out/one`, "hello-1", 7, 1],
      [`${base}/out/one`, "bbbbbbbbbb", 3000, 1],
    ]);
    await until(() => client.inflight === 0, 3000, "PUBACKs over ws");
    expect(client.counters.acked).toBe(2);

    await observer.publishAsync(`${base}/in/a`, "from-observer-0", { qos: 0 });
    await observer.publishAsync(`${base}/in/b`, "from-observer-1", { qos: 1 });
    await observer.publishAsync(`${base}/in/c`, "c".repeat(70_000), { qos: 1 });
    await until(() => received.length === 3 || events.errors.length > 0, 5000, "messages from the observer over ws");
    expect(events.errors.map((e) => e.message)).toEqual([]);
    expect(received.slice(0, 2)).toEqual([
      { topic: `${base}/in/a`, payload: "from-observer-0", qos: 0 },
      { topic: `${base}/in/b`, payload: "from-observer-1", qos: 1 },
    ]);
    expect(received[2]?.payload).toBe("c".repeat(70_000));
    client.end();
    expect(events.disconnected).toEqual([-110]);
    expect(events.errors).toEqual([]);
    await observer.endAsync();
  }, 20_000);

  it("has the broker publish the will when the server drops the WebSocket without DISCONNECT", async () => {
    const base = uniqueTopic("xsmqtt/ws-will");
    const observer = await connectObserver(broker.url);
    const seen = await collect(observer, `${base}/#`, 1);
    const { client, events } = makeClient(broker.wsPort, {
      clientId: `ws-will-${process.pid}`, host: wsHost("/mqtt"),
      will: { topic: `${base}/gone`, payload: "gone-ws", qos: 1, retain: false }, reconnect: false,
    });
    client.connect();
    await until(() => client.connected, 3000, "CONNACK over ws");
    expect(broker.dropAll()).toBeGreaterThanOrEqual(1);
    const [m] = await seen.waitFor(1, 3000);
    expect([m?.topic, m?.payload.toString(), m?.qos]).toEqual([`${base}/gone`, "gone-ws", 1]);
    await until(() => events.disconnected.length === 1, 3000, "client notices the drop");
    expect(events.disconnected).toEqual([-111]);
    await observer.endAsync();
  }, 15_000);

  it("reconnects after the server drops the connection and publishes again", async () => {
    const base = uniqueTopic("xsmqtt/ws-reconnect");
    const observer = await connectObserver(broker.url);
    const seen = await collect(observer, `${base}/#`, 1);
    const { client, events } = makeClient(broker.wsPort, { clientId: `ws-rc-${process.pid}`, host: wsHost("/mqtt") });
    client.connect();
    await until(() => client.connected, 3000, "first CONNACK");
    const t = client.topic(`${base}/x`);
    const p = bytes("before");
    expect(client.publish(t, p, 0, p.length, 1, false)).toBe(SENT);
    await seen.waitFor(1, 3000);
    broker.dropAll();
    await until(() => events.disconnected.length === 1, 3000, "loss noticed");
    await until(() => events.connected.length === 2 && client.connected, 5000, "reconnected over ws");
    const q = bytes("after");
    expect(client.publish(t, q, 0, q.length, 1, false)).toBe(SENT);
    const msgs = await seen.waitFor(2, 3000);
    expect(msgs.map((m) => m.payload.toString())).toEqual(["before", "after"]);
    client.end();
    await observer.endAsync();
  }, 15_000);
});

describe("MQTT over secure WebSockets (wss) with the test PKI", () => {
  let pki: TestPki;
  let secure: WsBroker;
  beforeAll(async () => {
    pki = makeTestPki();
    secure = await startWsBroker({ path: "/mqtt", tls: { cert: pki.server.cert, key: pki.server.key } });
  });
  afterAll(async () => {
    await secure?.stop();
  });

  it("verifies the server certificate and round-trips QoS 1 over wss", async () => {
    const topic = uniqueTopic("xsmqtt/wss");
    const host: Host = { ...createNodeHost(), tls: webSocketClass({ path: "/mqtt", secure: true }) };
    const { client, events } = makeClient(secure.wsPort, {
      clientId: `wss-${process.pid}`, host, tls: { ca: pki.ca.cert, servername: "localhost" },
    });
    const got: string[] = [];
    client.subscribe(topic, 1, (m) => got.push(m.payloadString()));
    client.connect();
    await until(() => client.connected && client.granted(1) === 1, 5000, "wss CONNACK + SUBACK");
    const h = client.topic(topic);
    const p = bytes("over-wss");
    expect(client.publish(h, p, 0, p.length, 1, false)).toBe(SENT);
    await until(() => got.length === 1 && client.inflight === 0, 3000, "echo over wss");
    expect(got).toEqual(["over-wss"]);
    client.end();
    expect(events.errors).toEqual([]);
  }, 15_000);

  it("refuses a wss server whose certificate is from an unknown CA", async () => {
    const host: Host = { ...createNodeHost(), tls: webSocketClass({ path: "/mqtt", secure: true }) };
    const { client, events } = makeClient(secure.wsPort, {
      clientId: `wss-bad-${process.pid}`, host, tls: { ca: pki.otherCa.cert, servername: "localhost" }, reconnect: false,
    });
    client.connect();
    await until(() => events.errors.length > 0, 5000, "a TLS verification error");
    expect(client.connected).toBe(false);
    expect(events.errors[0]?.name).toBe("TlsVerificationError");
  }, 15_000);
});
