// The MQTT client on Moddable's runtime over MQTT-over-WebSockets (test/device/ws-app: webSocketClass over
// ModdableTCP, built with mcconfig for lin, run in mcsim) against aedes behind the `ws` server
// (test/helpers/ws-broker.ts), watched by an MQTT.js observer on the same broker's TCP listener: QoS 0, 1 and 2
// out (QoS 2 through the opt-in engine), QoS 2 in, the will when the server drops the WebSocket, and the reconnect after it; then the same app
// over wss, verifying the server with the test CA through ModdableTLS.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { makeTestPki } from "../helpers/certs.js";
import { collect, connectObserver, type MqttClient } from "../helpers/mqttjs.js";
import { uniqueTopic } from "../helpers/topics.js";
import { startWsBroker, type WsBroker } from "../helpers/ws-broker.js";
import { buildDir, mcconfig, ROOT, Simulator } from "./moddable.js";

describe("MQTT client over WebSockets on Moddable (mcsim)", () => {
  let broker: WsBroker;
  let observer: MqttClient | undefined;
  let sim: Simulator | undefined;
  beforeAll(async () => {
    broker = await startWsBroker({ path: "/mqtt" });
  });
  afterAll(async () => {
    await sim?.kill();
    await observer?.endAsync();
    await broker?.stop();
  });

  it("publishes QoS 0/1/2, receives QoS 2, leaves its will when dropped, and reconnects over ws", async () => {
    const base = uniqueTopic("xsmqtt/ws-device");
    // Build first: mcconfig runs synchronously and would starve the observer's keepalive for minutes.
    const build = mcconfig(path.join(ROOT, "test/device/ws-app/manifest.json"), buildDir("ws-app"),
      { wsPort: broker.wsPort, topic: base, clientId: `ws-device-${process.pid}` });
    observer = await connectObserver(broker.url);
    const seen = await collect(observer, `${base}/#`, 2);
    sim = new Simulator(build.app);
    await sim.waitFor(/^ws: suback 2$/, 60_000);
    const out = await seen.waitFor(3, 10_000);
    expect(out.map((m) => [m.topic, m.payload.toString(), m.qos]).sort()).toEqual([
      [`${base}/out`, "ws-q0", 0], [`${base}/out`, "ws-q1", 1], [`${base}/out`, "ws-q2", 2],
    ]);
    await sim.waitFor(/^ws: acked 2$/, 10_000); // the PUBACK of ws-q1 and the PUBCOMP of ws-q2
    await observer.publishAsync(`${base}/in`, "from-node", { qos: 2 });
    await sim.waitFor(/^ws: received from-node qos 2$/, 10_000);

    const mark = sim.lines.length;
    expect(broker.dropAll()).toBe(1);
    // The observer also sees its own "from-node" on <base>/in: q0, q1, q2, from-node, then the will.
    const afterDrop = await seen.waitFor(5, 10_000);
    expect(afterDrop.filter((m) => m.topic === `${base}/will`).map((m) => m.payload.toString())).toEqual(["ws-gone"]);
    await sim.waitForAfter(mark, /^ws: disconnected /, 10_000);
    await sim.waitForAfter(mark, /^ws: connected$/, 20_000);
    await sim.waitForAfter(mark, /^ws: suback 2$/, 10_000);
    const again = await seen.waitFor(8, 10_000);
    expect(again.filter((m) => m.topic === `${base}/out` && m.payload.toString() === "ws-q1").length).toBe(2);
    // QoS 2 once per publish: one before the drop, one after the reconnect.
    expect(again.filter((m) => m.topic === `${base}/out` && m.payload.toString() === "ws-q2").length).toBe(2);
    expect(sim.lines.filter((l) => /Error/.test(l) && !/ConnectionLostError/.test(l))).toEqual([]);
  }, 900_000);
});

describe("MQTT client over secure WebSockets (wss) on Moddable (mcsim)", () => {
  let broker: WsBroker;
  let observer: MqttClient | undefined;
  let sim: Simulator | undefined;
  const pki = makeTestPki();
  beforeAll(async () => {
    // The chain, leaf then CA: Moddable's TLS verifies only a chain of at least two (mosquitto sends it too).
    broker = await startWsBroker({ path: "/mqtt", tls: { cert: `${pki.server.cert.trim()}\n${pki.ca.cert}`, key: pki.server.key } });
  });
  afterAll(async () => {
    await sim?.kill();
    await observer?.endAsync();
    await broker?.stop();
  });

  it("verifies the server with the test CA through ModdableTLS and publishes QoS 0/1/2 over wss", async () => {
    const base = uniqueTopic("xsmqtt/wss-device");
    const build = mcconfig(path.join(ROOT, "test/device/ws-app/manifest.json"), buildDir("ws-app"), {
      wsPort: broker.wsPort, topic: base, clientId: `wss-device-${process.pid}`, wss: "1", wsHost: "localhost",
      caPem: pki.ca.cert.trim().split("\n").join("\\n"),
    });
    observer = await connectObserver(broker.url);
    const seen = await collect(observer, `${base}/#`, 2);
    sim = new Simulator(build.app);
    await sim.waitFor(/^ws: suback 2$/, 60_000);
    const out = await seen.waitFor(3, 10_000);
    expect(out.map((m) => [m.topic, m.payload.toString(), m.qos]).sort()).toEqual([
      [`${base}/out`, "ws-q0", 0], [`${base}/out`, "ws-q1", 1], [`${base}/out`, "ws-q2", 2],
    ]);
    await sim.waitFor(/^ws: acked 2$/, 10_000);
    expect(sim.lines.filter((l) => /Error/.test(l))).toEqual([]);
  }, 900_000);
});
