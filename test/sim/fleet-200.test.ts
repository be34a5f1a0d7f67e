/** 200 simulated devices in one process against a real mosquitto: all connect and publish. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { collect, connectObserver, type MqttClient } from "../helpers/mqttjs.js";
import { uniqueTopic } from "../helpers/topics.js";
import { Fleet } from "../../sim/fleet.js";

let broker: MosquittoBroker;
let observer: MqttClient;
let fleet: Fleet | undefined;

beforeAll(async () => {
  broker = await startMosquitto({ extraConfig: ["max_connections -1"] });
  observer = await connectObserver(broker.url);
}, 20_000);

afterAll(async () => {
  fleet?.stop();
  await observer?.endAsync().catch(() => undefined);
  await broker?.dispose();
});

it("200 devices connect and each publishes readings", async () => {
  const prefix = uniqueTopic("fleet");
  const idPrefix = `f${process.pid}-`;
  const status = await collect(observer, `${prefix}/+/status`, 0);
  const temps = await collect(observer, `${prefix}/+/sht3x/temperature`, 0);
  fleet = new Fleet({
    count: 200, idPrefix, stagger: 2000,
    broker: { hostname: "127.0.0.1", port: broker.port },
    sensors: ["sht3x", "bh1750"], period: 2000, prefix, qos: 0, retain: false, senml: false,
    discovery: false, discoveryPrefix: "homeassistant", seed: 3,
    client: { txSlots: 4, offlineQueue: 4, inflightWindow: 4, rxBufferSize: 256 },
  });
  const t0 = Date.now();
  await fleet.start();
  await fleet.waitConnected(200, 20_000);
  await status.waitFor(200, 10_000);
  const online = new Set(status.messages.filter((m) => m.payload.toString() === "online").map((m) => m.topic));
  expect(online.size).toBe(200);
  // Every device publishes at least one temperature.
  const deadline = Date.now() + 15_000;
  let publishers = new Set<string>();
  while (Date.now() < deadline) {
    publishers = new Set(temps.messages.map((m) => m.topic));
    if (publishers.size === 200) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(publishers.size).toBe(200);
  expect(Date.now() - t0).toBeLessThan(45_000);
  await status.stop();
  await temps.stop();
}, 60_000);
