/** Pure parts of the firmware: configuration validation, period parsing, SenML writer, discovery documents. */
import { describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../../src/app/config.js";
import { parsePeriod, PERIOD_NOT_A_NUMBER, PERIOD_OUT_OF_RANGE } from "../../src/app/topics.js";
import { SenmlWriter } from "../../src/app/senml.js";
import { discoveryDocuments, expandAbbreviations } from "../../src/app/discovery.js";
import { utf8Encode } from "../../src/codec/text.js";

const base = { broker: { hostname: "127.0.0.1" }, deviceId: "dev-0001", sensors: [{ kind: "sht3x", data: 21, clock: 22 }] };

describe("validateConfig", () => {
  it("fills defaults", () => {
    const c = validateConfig(base);
    expect(c.prefix).toBe("xsmqtt");
    expect(c.discoveryPrefix).toBe("homeassistant");
    expect(c.broker.port).toBe(1883);
    expect(c.sensors[0]!.address).toBe(0x44);
    expect(c.sensors[0]!.name).toBe("sht3x");
    expect(Object.isFrozen(c)).toBe(true);
    expect(validateConfig({ ...base, broker: { hostname: "h", tls: true } }).broker.port).toBe(8883);
  });

  it.each([
    [{ ...base, deviceId: "dev/1" }, "deviceId"],
    [{ ...base, deviceId: "" }, "deviceId"],
    [{ ...base, prefix: "a/+/b" }, "prefix"],
    [{ ...base, prefix: "/a" }, "prefix"],
    [{ ...base, period: 10 }, "period"],
    [{ ...base, qos: 2 }, "qos"],
    [{ ...base, sensors: [] }, "sensors"],
    [{ ...base, sensors: [{ kind: "dht22", data: 1, clock: 2 }] }, "sensors[0].kind"],
    [{ ...base, sensors: [{ kind: "sht3x", data: 1 }] }, "sensors[0].clock"],
    [{ ...base, sensors: [{ kind: "sht3x", data: 1, clock: 2 }, { kind: "sht3x", data: 1, clock: 2 }] }, "sensors[1].name"],
    [{ ...base, broker: { hostname: "h", password: "x" } }, "broker.password"],
    [{ ...base, broker: {} }, "broker.hostname"],
  ])("rejects %j at %s with a ConfigError naming the field", (input, field) => {
    let error: unknown;
    try {
      validateConfig(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe(field);
    expect((error as ConfigError).name).toBe("ConfigError");
    expect((error as Error).message).toMatch(new RegExp(`^config\\.${field.replace(/[[\].]/g, "\\$&")}: `));
  });
});

describe("parsePeriod", () => {
  const p = (s: string): number => {
    const b = utf8Encode(`xx${s}yy`);
    return parsePeriod(b, 2, b.length - 4);
  };
  it("accepts decimal milliseconds in range", () => {
    expect(p("1000")).toBe(1000);
    expect(p(" 60000\n")).toBe(60000);
    expect(p("3600000")).toBe(3_600_000);
  });
  it("rejects the rest", () => {
    expect(p("999")).toBe(PERIOD_OUT_OF_RANGE);
    expect(p("3600001")).toBe(PERIOD_OUT_OF_RANGE);
    expect(p("99999999999999999999")).toBe(PERIOD_OUT_OF_RANGE);
    for (const bad of ["", " ", "1e4", "-1000", "10.5", "0x10", "10 00", "abc"]) expect(p(bad), bad).toBe(PERIOD_NOT_A_NUMBER);
  });
});

describe("SenmlWriter", () => {
  const w = new SenmlWriter("dev-0001", [
    { name: "sht3x:temperature", unit: "Cel", decimals: 2 },
    { name: "sht3x:humidity", unit: "%RH", decimals: 1 },
  ]);
  it("writes RFC 8428 JSON with only the present records", () => {
    const buf = new Uint8Array(w.maxSize);
    let end = w.write(buf, 0, 1_700_000_000.5, [21.456, 45.25], [1, 1]);
    expect(JSON.parse(new TextDecoder().decode(buf.subarray(0, end)))).toEqual([
      { bn: "urn:dev:xsmqtt:dev-0001:", bt: 1_700_000_000.5, n: "sht3x:temperature", u: "Cel", v: 21.46 },
      { n: "sht3x:humidity", u: "%RH", v: 45.3 },
    ]);
    end = w.write(buf, 0, NaN, [21.456, -0.01], [0, 1]);
    expect(JSON.parse(new TextDecoder().decode(buf.subarray(0, end)))).toEqual([
      { bn: "urn:dev:xsmqtt:dev-0001:", n: "sht3x:humidity", u: "%RH", v: 0 },
    ]);
    expect(w.write(buf, 3, NaN, [1, 2], [0, 0])).toBe(3);
  });
  it("reports a too-small buffer instead of overflowing", () => {
    expect(w.write(new Uint8Array(20), 0, NaN, [1, 2], [1, 1])).toBeLessThan(0);
  });
});

describe("discoveryDocuments", () => {
  it("one document per quantity with unique ids and consistent units", () => {
    const c = validateConfig({ ...base, sensors: [{ kind: "bme280", data: 21, clock: 22 }, { kind: "bh1750", data: 21, clock: 22 }], expireAfter: 120 });
    const docs = discoveryDocuments(c);
    expect(docs.filter((d) => d.kind === "reading").map((d) => d.topic)).toEqual([
      "homeassistant/sensor/dev-0001/bme280_temperature/config",
      "homeassistant/sensor/dev-0001/bme280_pressure/config",
      "homeassistant/sensor/dev-0001/bme280_humidity/config",
      "homeassistant/sensor/dev-0001/bh1750_illuminance/config",
    ]);
    const pressure = expandAbbreviations(JSON.parse(docs[2]!.json) as Record<string, unknown>);
    expect(pressure["unit_of_measurement"]).toBe("Pa");
    expect(pressure["device_class"]).toBe("pressure");
    expect(pressure["expire_after"]).toBe(120);
    expect(pressure["state_topic"]).toBe("xsmqtt/dev-0001/bme280/pressure");
  });
});
