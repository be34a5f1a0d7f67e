/**
 * Home Assistant discovery as Home Assistant documents it today: every payload the firmware can publish is
 * checked against the schema of test/app/ha-schema.ts (every key documented for its platform, every required key
 * present, `default_entity_id` instead of `object_id`, diagnostic entities, the period `number`, device
 * `connections`, `expire_after` from the period). Then, against a real mosquitto, what Home Assistant does:
 * read the retained configs, publish a new period to the number's command topic, and see the firmware's period
 * change and its state topic report it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../src/app/config.js";
import { diagnosticNames, normalizeMac } from "../../src/app/diagnostics.js";
import { discoveryDocuments, expandAbbreviations, type DiscoveryDocument } from "../../src/app/discovery.js";
import { entityId } from "../../src/app/topics.js";
import { SimDevice, type SimDeviceOptions } from "../../sim/device.js";
import { SimBoardDiagnostics } from "../../sim/diagnostics.js";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { collect, connectObserver, type MqttClient } from "../helpers/mqttjs.js";
import { uniqueTopic } from "../helpers/topics.js";
import { checkDiscoveryPayload } from "./ha-schema.js";

const base = { broker: { hostname: "10.0.0.2" }, deviceId: "dev-0001" };
const three = [
  { kind: "sht3x", data: 21, clock: 22 },
  { kind: "bme280", data: 21, clock: 22 },
  { kind: "bh1750", data: 21, clock: 22 },
];
const board = new SimBoardDiagnostics(5, 7, () => 0);
const boardOptions = {
  mac: normalizeMac(board.mac), hwVersion: board.hwVersion, serialNumber: board.serialNumber, diagnostics: diagnosticNames(board),
};

function checked(docs: readonly DiscoveryDocument[], deviceId = "dev-0001"): Record<string, unknown>[] {
  return docs.map((d) => {
    const raw = JSON.parse(d.json) as Record<string, unknown>;
    const { problems, doc } = checkDiscoveryPayload(d.platform, raw);
    expect(problems, `${d.topic}: ${d.json}`).toEqual([]);
    // What this firmware promises beyond HA's minimum: named, unique, with an entity id, availability and device.
    for (const key of ["name", "unique_id", "default_entity_id", "availability_topic", "device"])
      expect(doc, `${d.topic} ${key}`).toHaveProperty(key);
    expect(doc).not.toHaveProperty("object_id");
    expect(d.topic).toBe(`homeassistant/${d.platform}/${deviceId}/${d.object}/config`);
    return doc;
  });
}

describe("discovery documents against Home Assistant's documented schema", () => {
  const configs: [string, Record<string, unknown>, Parameters<typeof discoveryDocuments>[1]][] = [
    ["one sensor, no provider", { ...base, sensors: [three[0]] }, {}],
    ["three sensors, simulated board", { ...base, sensors: three }, boardOptions],
    ["fixed expire_after, diagnostics on connect only", { ...base, sensors: three, expireAfter: 120, diagnosticsInterval: 0 }, boardOptions],
    ["expire_after off, long period", { ...base, sensors: three, expireAfter: 0, period: 3_600_000 }, { period: 3_600_000 }],
    ["two sensors of one kind, odd device id", { ...base, deviceId: "Dev--A_", sensors: [{ ...three[0], name: "inside" }, { ...three[0], name: "outside", address: 0x45 }] }, {}],
  ];
  for (const [label, input, options] of configs) {
    it(`every payload is valid: ${label}`, () => {
      const config = validateConfig(input);
      const docs = discoveryDocuments(config, options);
      const long = checked(docs, config.deviceId);
      // Unique ids and entity ids are unique; every entity names the same device.
      expect(new Set(long.map((d) => d["unique_id"])).size).toBe(docs.length);
      expect(new Set(long.map((d) => d["default_entity_id"])).size).toBe(docs.length);
      for (const d of long) expect([(d["device"] as Record<string, unknown>)["identifiers"]].flat()).toEqual([`xsmqtt_${config.deviceId}`]);
    });
  }

  it("announces the period number, each reading, each sensor's status and the device diagnostics", () => {
    const config = validateConfig({ ...base, sensors: three });
    const docs = discoveryDocuments(config, boardOptions);
    expect(docs.map((d) => `${d.platform}/${d.object}`)).toEqual([
      "number/period",
      "sensor/sht3x_temperature", "sensor/sht3x_humidity", "sensor/bme280_temperature", "sensor/bme280_pressure",
      "sensor/bme280_humidity", "sensor/bh1750_illuminance",
      "sensor/sht3x_status", "sensor/bme280_status", "sensor/bh1750_status",
      "sensor/uptime", "sensor/reconnects", "sensor/rssi", "sensor/heap",
    ]);
    const long = docs.map((d) => expandAbbreviations(JSON.parse(d.json) as Record<string, unknown>));
    const period = long[0]!;
    expect(period).toMatchObject({
      command_topic: "xsmqtt/dev-0001/cmd/period", state_topic: "xsmqtt/dev-0001/period", min: 1000, max: 3_600_000,
      step: 1, mode: "box", unit_of_measurement: "ms", device_class: "duration", entity_category: "config",
      default_entity_id: "number.dev_0001_period", availability_topic: "xsmqtt/dev-0001/status",
    });
    // The full device block (with the MAC as a connection) and the origin go once; the rest name the device by id.
    expect(period["device"]).toEqual({
      identifiers: ["xsmqtt_dev-0001"], connections: [["mac", "02:78:73:00:00:05"]], name: "dev-0001",
      manufacturer: "xsmqtt", model: "ESP32 + sht3x, bme280, bh1750", sw_version: "0.1.0", hw_version: "sim",
      serial_number: "SIM-7-5",
    });
    expect(period["origin"]).toEqual({ name: "xsmqtt", sw_version: "0.1.0" });
    for (const d of long.slice(1)) {
      expect(d["device"]).toEqual({ identifiers: "xsmqtt_dev-0001" });
      expect(d).not.toHaveProperty("origin");
    }
    expect(long[1]).toMatchObject({
      state_topic: "xsmqtt/dev-0001/sht3x/temperature", device_class: "temperature", unit_of_measurement: "°C",
      state_class: "measurement", suggested_display_precision: 2, expire_after: 30,
      default_entity_id: "sensor.dev_0001_sht3x_temperature", unique_id: "xsmqtt_dev-0001_sht3x_temperature",
    });
    expect(long[7]).toMatchObject({ state_topic: "xsmqtt/dev-0001/sht3x/error", entity_category: "diagnostic" });
    expect(long[7]).not.toHaveProperty("expire_after"); // the status is retained state, not a reading
    expect(long[10]).toMatchObject({ state_topic: "xsmqtt/dev-0001/diag/uptime", device_class: "duration", unit_of_measurement: "s",
      state_class: "total_increasing", entity_category: "diagnostic", expire_after: 180 });
    expect(long[12]).toMatchObject({ device_class: "signal_strength", unit_of_measurement: "dBm", entity_category: "diagnostic" });
    expect(long[13]).toMatchObject({ device_class: "data_size", unit_of_measurement: "B", entity_category: "diagnostic" });
    // Availability payloads are HA's defaults ("online"/"offline"), the firmware's own: left out.
    for (const d of long) expect(d).not.toHaveProperty("payload_available");
  });

  it("derives expire_after from the period (3 periods, at least 30 s), or uses the configured value, or omits it", () => {
    const reading = (input: Record<string, unknown>, period?: number): unknown => {
      const docs = discoveryDocuments(validateConfig({ ...base, sensors: [three[0]], ...input }), period ? { period } : {});
      return expandAbbreviations(JSON.parse(docs[1]!.json) as Record<string, unknown>)["expire_after"];
    };
    expect(reading({})).toBe(30); // default period 10 s
    expect(reading({ period: 60_000 })).toBe(180);
    expect(reading({}, 20_000)).toBe(60); // the current period, not the configured one
    expect(reading({ expireAfter: 120 }, 20_000)).toBe(120);
    expect(reading({ expireAfter: "auto" }, 3_600_000)).toBe(10_800);
    expect(reading({ expireAfter: 0 })).toBeUndefined();
  });

  it("device ids that are not entity-id slugs still give valid default_entity_id values", () => {
    expect(entityId("sensor", "Dev--A_", "inside_temperature")).toBe("sensor.dev_a_inside_temperature");
    expect(entityId("number", "esp32-a1b2c3", "period")).toBe("number.esp32_a1b2c3_period");
  });

  it("the schema is not vacuous: it rejects what Home Assistant would reject or warn about", () => {
    const ok = { "~": "x/d", name: "T", uniq_id: "u", def_ent_id: "sensor.d_t", stat_t: "~/t", dev: { ids: "d" } };
    expect(checkDiscoveryPayload("sensor", ok).problems).toEqual([]);
    const bad = (patch: Record<string, unknown>, platform = "sensor"): string => checkDiscoveryPayload(platform, { ...ok, ...patch }).problems.join("; ");
    expect(bad({ object_id: "d_t" })).toMatch(/object_id.*deprecated/);
    expect(bad({ stat_t: undefined })).toMatch(/state_topic/);
    expect(bad({ stat_tt: "x" })).toMatch(/stat_tt: not a documented/);
    expect(bad({ ent_cat: "config" })).toMatch(/entity_category/);
    expect(bad({ def_ent_id: "number.d_t" })).toMatch(/default_entity_id/);
    expect(bad({ def_ent_id: "sensor.Dev-1" })).toMatch(/default_entity_id/);
    expect(bad({ dev: { cns: [["mac"]] } })).toMatch(/connections/);
    expect(bad({ dev: { name: "x" } })).toMatch(/identifiers or connections/);
    expect(bad({ exp_aft: 0 })).toMatch(/expire_after/);
    expect(bad({ o: { sw: "1" } })).toMatch(/origin.name/);
    expect(bad({ min: 5, max: 1, cmd_t: "c" }, "number")).toMatch(/min must be below max/);
    expect(bad({ cmd_t: "c", mode: "dial" }, "number")).toMatch(/mode/);
    expect(checkDiscoveryPayload("number", ok).problems.join("; ")).toMatch(/command_topic: required/);
  });

  it("abbreviations and the ~ base topic save bytes the device holds (measured)", () => {
    const config = validateConfig({ ...base, sensors: three });
    const docs = discoveryDocuments(config, boardOptions);
    const short = docs.reduce((n, d) => n + Buffer.byteLength(d.json), 0);
    const long = docs.reduce((n, d) => n + Buffer.byteLength(JSON.stringify(expandAbbreviations(JSON.parse(d.json) as Record<string, unknown>))), 0);
    const largestShort = Math.max(...docs.map((d) => Buffer.byteLength(d.json)));
    const largestLong = Math.max(...docs.map((d) => Buffer.byteLength(JSON.stringify(expandAbbreviations(JSON.parse(d.json) as Record<string, unknown>)))));
    console.log(`discovery, 3 sensors + 4 diagnostics (14 documents): ${short} bytes abbreviated vs ${long} long form; ` +
      `largest document ${largestShort} vs ${largestLong} bytes`);
    expect(short).toBeLessThan(long * 0.85);
  });
});

describe("Home Assistant against the firmware, through mosquitto", () => {
  let broker: MosquittoBroker;
  let ha: MqttClient;
  const devices: SimDevice[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    ha = await connectObserver(broker.url);
  }, 20_000);

  afterAll(async () => {
    for (const d of devices) d.stop();
    await ha?.endAsync().catch(() => undefined);
    await broker?.dispose();
  });

  let n = 0;
  function device(overrides: Partial<SimDeviceOptions> = {}): { dev: SimDevice; prefix: string; id: string } {
    const prefix = uniqueTopic("ha");
    const id = `ha-${process.pid}-${++n}`;
    const dev = new SimDevice({
      id, index: n, broker: { hostname: "127.0.0.1", port: broker.port }, sensors: ["sht3x", "bme280", "bh1750"],
      period: 1000, prefix, qos: 1, retain: false, senml: false, discovery: true, discoveryPrefix: `${prefix}/ha`, seed: 7,
      ...overrides,
    });
    devices.push(dev);
    return { dev, prefix, id };
  }

  it("retained configs are all valid; setting the period through the number entity changes the firmware's period and its state", async () => {
    const { dev, prefix, id } = device({ sensors: ["sht3x"] });
    const configs = await collect(ha, `${prefix}/ha/+/${id}/+/config`);
    dev.start();
    await configs.waitFor(1 + 2 + 1 + 4, 5000);
    const byTopic = new Map<string, Record<string, unknown>>();
    for (const m of configs.messages) {
      const platform = m.topic.split("/").at(-4)!;
      const { problems, doc } = checkDiscoveryPayload(platform, JSON.parse(m.payload.toString("utf8")) as Record<string, unknown>);
      expect(problems, m.topic).toEqual([]);
      byTopic.set(m.topic, doc);
    }
    // Retained: Home Assistant subscribing after its own restart gets them all.
    const late = await connectObserver(broker.url);
    const retained = await collect(late, `${prefix}/ha/+/${id}/+/config`);
    await retained.waitFor(8, 3000);
    expect(retained.messages.every((m) => m.retain)).toBe(true);
    await late.endAsync();
    // What Home Assistant does with the number: subscribe to its state topic, publish the new value (an integer
    // value is sent without a fraction: "2500") to its command topic.
    const number = byTopic.get(`${prefix}/ha/number/${id}/period/config`)!;
    expect(number).toBeDefined();
    const state = await collect(ha, number["state_topic"] as string);
    await state.waitFor(1, 3000);
    expect(state.messages[0]!.payload.toString()).toBe("1000"); // retained: what HA shows before any change
    const temps = await collect(ha, `${prefix}/${id}/sht3x/temperature`);
    await temps.waitFor(2, 4000);
    await ha.publishAsync(number["command_topic"] as string, "2500", { qos: number["qos"] as 0 | 1 });
    await state.waitFor(2, 3000);
    expect(state.messages.map((m) => m.payload.toString())).toEqual(["1000", "2500"]);
    expect(dev.firmware.period).toBe(2500);
    // The firmware really samples at the new period.
    const mark = temps.messages.length;
    const t0 = Date.now();
    await temps.waitFor(mark + 2, 8000);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThan(2 * 2500 - 1500);
    expect(elapsed).toBeLessThan(2 * 2500 + 1500);

    // A period whose derived expire_after differs: the reading configs come again with the new expire_after.
    configs.messages.length = 0;
    await ha.publishAsync(number["command_topic"] as string, "20000", { qos: 1 });
    await state.waitFor(3, 3000);
    expect(state.messages[2]!.payload.toString()).toBe("20000");
    expect(dev.firmware.period).toBe(20_000);
    await configs.waitFor(8, 3000);
    const reading = configs.messages.find((m) => m.topic.endsWith("/sht3x_temperature/config"))!;
    const again = checkDiscoveryPayload("sensor", JSON.parse(reading.payload.toString()) as Record<string, unknown>);
    expect(again.problems).toEqual([]);
    expect(again.doc["expire_after"]).toBe(60);
    // Out of the number's range: refused, the state stays.
    await ha.publishAsync(number["command_topic"] as string, String((number["max"] as number) + 1), { qos: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(dev.firmware.period).toBe(20_000);
    await state.stop();
    await temps.stop();
    await configs.stop();
  }, 30_000);

  it("publishes the diagnostic entities' states: uptime, reconnects (counting a cut), RSSI and free heap", async () => {
    const { dev, prefix, id } = device({ sensors: ["bh1750"], diagnosticsInterval: 1000 });
    const diag = await collect(ha, `${prefix}/${id}/diag/+`);
    dev.start();
    await diag.waitFor(8, 5000);
    const last = (name: string): string | undefined =>
      diag.messages.filter((m) => m.topic.endsWith(`/diag/${name}`)).at(-1)?.payload.toString();
    expect(last("uptime")).toMatch(/^\d+$/);
    expect(last("reconnects")).toBe("0");
    expect(Number(last("rssi"))).toBeGreaterThanOrEqual(-81);
    expect(Number(last("rssi"))).toBeLessThanOrEqual(-44);
    expect(Number(last("heap"))).toBeGreaterThan(100_000);
    expect(diag.messages.every((m) => !m.retain)).toBe(true);
    const uptime = Number(last("uptime"));
    dev.cut();
    // The firmware reconnects (backoff from 500 ms) and publishes a diagnostics round on the new connection.
    for (let waited = 0; last("reconnects") !== "1" && waited < 8000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    expect(last("reconnects")).toBe("1");
    // Uptime is the firmware's, not the connection's: it keeps counting across the reconnect.
    for (let waited = 0; Number(last("uptime")) <= uptime && waited < 4000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    expect(Number(last("uptime"))).toBeGreaterThan(uptime);
    await diag.stop();
  }, 20_000);
});
