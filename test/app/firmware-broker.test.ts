/**
 * The whole firmware in the simulator (Node host, simulated chips) against a REAL mosquitto, observed by
 * an independent MQTT.js client: topics, values, availability, discovery, SenML, the period command,
 * sensor diagnostics and the will after an abrupt death.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { collect, connectObserver, type MqttClient } from "../helpers/mqttjs.js";
import { uniqueTopic } from "../helpers/topics.js";
import { expandAbbreviations } from "../../src/app/discovery.js";
import { SimDevice, type SimDeviceOptions } from "../../sim/device.js";
import { ENVIRONMENT_RANGES } from "../../sim/chips/environment.js";

let broker: MosquittoBroker;
let observer: MqttClient;
const devices: SimDevice[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
  observer = await connectObserver(broker.url);
}, 20_000);

afterAll(async () => {
  for (const d of devices) d.stop();
  await observer?.endAsync().catch(() => undefined);
  await broker?.dispose();
});

let n = 0;
function device(overrides: Partial<SimDeviceOptions> = {}): { dev: SimDevice; prefix: string; id: string } {
  const prefix = uniqueTopic("fw");
  const id = `fw-${process.pid}-${++n}`;
  const dev = new SimDevice({
    id,
    broker: { hostname: "127.0.0.1", port: broker.port },
    sensors: ["sht3x", "bme280", "bh1750"],
    period: 1000,
    prefix,
    qos: 1,
    retain: false,
    senml: true,
    discovery: true,
    discoveryPrefix: `${prefix}/ha`,
    seed: 7,
    ...overrides,
  });
  devices.push(dev);
  return { dev, prefix, id };
}

function text(m: { payload: Buffer }): string {
  return m.payload.toString("utf8");
}

describe("firmware against mosquitto", () => {
  it("publishes readings on predictable topics, within the simulated ranges, as fixed-decimal text", async () => {
    const { dev, prefix, id } = device();
    const readings = await collect(observer, `${prefix}/${id}/+/+`);
    dev.start();
    const quantities = ["sht3x/temperature", "sht3x/humidity", "bme280/temperature", "bme280/pressure", "bme280/humidity", "bh1750/illuminance"];
    await readings.waitFor(quantities.length * 2, 8000);
    const seen = new Map<string, string>();
    for (const m of readings.messages) {
      const rest = m.topic.slice(`${prefix}/${id}/`.length);
      if (rest.endsWith("/error") || rest.startsWith("diag/")) continue;
      seen.set(rest, text(m));
    }
    for (const q of quantities) expect(seen.has(q), q).toBe(true);
    const decimals: Record<string, number> = { temperature: 2, humidity: 1, pressure: 0, illuminance: 1 };
    for (const [topic, payload] of seen) {
      const quantity = topic.split("/")[1] as keyof typeof ENVIRONMENT_RANGES;
      const d = decimals[quantity]!;
      expect(payload).toMatch(d === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${d}}$`));
      const range = ENVIRONMENT_RANGES[quantity];
      const v = Number(payload);
      // Sensor quantisation and the driver's conversion can move a value slightly past the model bounds.
      const slack = quantity === "pressure" ? 50 : quantity === "illuminance" ? 5 : 0.5;
      expect(v).toBeGreaterThanOrEqual(range.min - slack);
      expect(v).toBeLessThanOrEqual(range.max + slack);
    }
    // No sensor faults on healthy chips: the diagnostics topics say "ok".
    const diag = readings.messages.filter((m) => m.topic.endsWith("/error"));
    for (const m of diag) expect(text(m)).toBe("ok");
    await readings.stop();
  }, 20_000);

  it("announces availability online (retained) and the will publishes offline (retained) when killed", async () => {
    const { dev, prefix, id } = device({ senml: false, discovery: false });
    const status = await collect(observer, `${prefix}/${id}/status`);
    dev.start();
    await status.waitFor(1, 5000);
    expect(text(status.messages[0]!)).toBe("online");
    // A late subscriber gets the retained "online".
    const late = await connectObserver(broker.url);
    const lateStatus = await collect(late, `${prefix}/${id}/status`);
    await lateStatus.waitFor(1, 3000);
    expect(text(lateStatus.messages[0]!)).toBe("online");
    expect(lateStatus.messages[0]!.retain).toBe(true);
    await late.endAsync();

    dev.kill(); // power loss: socket reset, no DISCONNECT -> the broker publishes the will
    await status.waitFor(2, 5000);
    expect(text(status.messages[1]!)).toBe("offline");
    const late2 = await connectObserver(broker.url);
    const retained = await collect(late2, `${prefix}/${id}/status`);
    await retained.waitFor(1, 3000);
    expect(text(retained.messages[0]!)).toBe("offline");
    expect(retained.messages[0]!.retain).toBe(true);
    await late2.endAsync();
    await status.stop();
  }, 20_000);

  it("publishes offline (retained) itself on a clean stop, since DISCONNECT suppresses the will", async () => {
    const { dev, prefix, id } = device({ senml: false, discovery: false });
    const status = await collect(observer, `${prefix}/${id}/status`);
    dev.start();
    await status.waitFor(1, 5000);
    dev.stop();
    await status.waitFor(2, 5000);
    expect(status.messages.map(text)).toEqual(["online", "offline"]);
    await status.stop();
  }, 15_000);

  it("publishes Home Assistant discovery documents with the required fields, retained", async () => {
    // The schema of every payload is test/app/ha-discovery.test.ts's job; here: the sensor entities as
    // Home Assistant reads them (abbreviations expanded), one per reading, retained.
    const { dev, prefix, id } = device({ senml: false });
    const docs = await collect(observer, `${prefix}/ha/sensor/${id}/+/config`);
    dev.start();
    await docs.waitFor(6 + 3 + 4, 5000);
    const units: Record<string, string> = { temperature: "°C", humidity: "%", pressure: "Pa", illuminance: "lx" };
    const uniqueIds = new Set<string>();
    let readings = 0;
    for (const m of docs.messages) {
      const doc = expandAbbreviations(JSON.parse(text(m)) as Record<string, unknown>);
      for (const field of ["name", "unique_id", "default_entity_id", "state_topic", "availability_topic", "device"])
        expect(doc, `${m.topic} ${field}`).toHaveProperty(field);
      expect(doc["availability_topic"]).toBe(`${prefix}/${id}/status`);
      expect([(doc["device"] as Record<string, unknown>)["identifiers"]].flat()).toEqual([`xsmqtt_${id}`]);
      uniqueIds.add(doc["unique_id"] as string);
      expect(m.topic).toMatch(new RegExp(`^${prefix}/ha/sensor/${id}/[A-Za-z0-9_-]+/config$`));
      if (doc["entity_category"] === "diagnostic") continue;
      readings++;
      expect(doc["state_class"]).toBe("measurement");
      const dc = doc["device_class"] as string;
      expect(doc["unit_of_measurement"]).toBe(units[dc]);
      expect(doc["state_topic"]).toMatch(new RegExp(`^${prefix}/${id}/(sht3x|bme280|bh1750)/${dc}$`));
    }
    expect(readings).toBe(6);
    expect(uniqueIds.size).toBe(13);
    await docs.stop();
    // Retained: a new subscriber gets them all.
    const late = await connectObserver(broker.url);
    const again = await collect(late, `${prefix}/ha/sensor/${id}/+/config`);
    await again.waitFor(13, 3000);
    expect(again.messages.every((m) => m.retain)).toBe(true);
    await late.endAsync();
  }, 20_000);

  it("publishes one SenML document per sample with RFC 8428 units", async () => {
    const { dev, prefix, id } = device({ discovery: false });
    const senml = await collect(observer, `${prefix}/${id}/senml`);
    dev.start();
    await senml.waitFor(2, 6000);
    const doc = JSON.parse(text(senml.messages[1]!)) as Record<string, unknown>[];
    expect(Array.isArray(doc)).toBe(true);
    expect(doc[0]!["bn"]).toBe(`urn:dev:xsmqtt:${id}:`);
    expect(typeof doc[0]!["bt"]).toBe("number");
    expect(Math.abs((doc[0]!["bt"] as number) - Date.now() / 1000)).toBeLessThan(30);
    const units = Object.fromEntries(doc.map((r) => [r["n"], r["u"]]));
    expect(units).toEqual({
      "sht3x:temperature": "Cel", "sht3x:humidity": "%RH", "bme280:temperature": "Cel", "bme280:pressure": "Pa",
      "bme280:humidity": "%RH", "bh1750:illuminance": "lx",
    });
    for (const r of doc) expect(typeof r["v"]).toBe("number");
    await senml.stop();
  }, 15_000);

  it("changes the sample period on command, immediately; rejects bad values with a diagnostic", async () => {
    const { dev, prefix, id } = device({ senml: false, discovery: false, sensors: ["sht3x"] });
    const temps = await collect(observer, `${prefix}/${id}/sht3x/temperature`);
    const errors = await collect(observer, `${prefix}/${id}/error`);
    const period = await collect(observer, `${prefix}/${id}/period`);
    dev.start();
    await temps.waitFor(3, 6000);
    await observer.publishAsync(`${prefix}/${id}/cmd/period`, "2500", { qos: 1 });
    await period.waitFor(2, 3000); // 1000 on connect, then 2500
    expect(period.messages.map(text)).toEqual(["1000", "2500"]);
    const mark = temps.messages.length;
    await temps.waitFor(mark + 3, 12_000);
    const times: number[] = [];
    // Arrival intervals after the change (the first one is shortened by the command's timing).
    const stamps = arrival.get(`${prefix}/${id}/sht3x/temperature`) ?? [];
    for (let i = stamps.length - 2; i < stamps.length; i++) times.push(stamps[i]! - stamps[i - 1]!);
    for (const t of times) expect(t).toBeGreaterThan(2000);
    for (const t of times) expect(t).toBeLessThan(3200);
    expect(dev.firmware.period).toBe(2500);

    await observer.publishAsync(`${prefix}/${id}/cmd/period`, "10", { qos: 1 });
    await observer.publishAsync(`${prefix}/${id}/cmd/period`, "soon", { qos: 1 });
    await errors.waitFor(2, 3000);
    expect(text(errors.messages[0]!)).toMatch(/out of range/);
    expect(text(errors.messages[1]!)).toMatch(/not a decimal number/);
    expect(dev.firmware.period).toBe(2500);
    await temps.stop();
    await errors.stop();
    await period.stop();
  }, 30_000);

  it("publishes sensor faults on the diagnostics topic, keeps the other sensors going, and recovers", async () => {
    const { dev, prefix, id } = device({ senml: false, discovery: false, sensors: ["sht3x", "bh1750"] });
    const diag = await collect(observer, `${prefix}/${id}/sht3x/error`);
    const lux = await collect(observer, `${prefix}/${id}/bh1750/illuminance`);
    dev.start();
    await diag.waitFor(1, 5000);
    expect(text(diag.messages[0]!)).toBe("ok");
    dev.setFault("sht3x", "corruptCrc");
    await diag.waitFor(2, 5000);
    expect(text(diag.messages[1]!)).toMatch(/^SENSOR_CRC: /);
    expect(diag.messages[1]!.retain).toBe(false); // live delivery; the broker keeps it retained
    const before = lux.messages.length;
    await lux.waitFor(before + 2, 5000); // the healthy sensor keeps publishing
    expect(dev.firmware.counters.faults).toBeGreaterThan(0);
    dev.setFault("sht3x", null);
    await diag.waitFor(3, 6000);
    expect(text(diag.messages[2]!)).toBe("ok");
    expect(dev.firmware.counters.recoveries).toBe(1);
    // An absent chip: NACK.
    dev.setFault("sht3x", "absent");
    await diag.waitFor(4, 5000);
    expect(text(diag.messages[3]!)).toMatch(/^SENSOR_NACK: /);
    await diag.stop();
    await lux.stop();
  }, 30_000);
});

// Arrival times per topic, recorded by a raw listener on the observer.
const arrival = new Map<string, number[]>();
beforeAll(() => {
  observer.on("message", (topic: string) => {
    const list = arrival.get(topic) ?? [];
    list.push(Date.now());
    arrival.set(topic, list);
  });
});
