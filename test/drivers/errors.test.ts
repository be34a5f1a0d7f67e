import { describe, expect, it } from "vitest";
import * as errors from "../../src/drivers/errors.js";
import { SensorError, sensorCodeMessage, sensorCodeName } from "../../src/drivers/errors.js";
import * as drivers from "../../src/drivers/index.js";

const codes = Object.entries(errors).filter(([k, v]) => k.startsWith("SENSOR_") && typeof v === "number") as [string, number][];

describe("sensor codes", () => {
  it("are distinct negative numbers in -2xx, each with its own name and message", () => {
    expect(codes.length).toBe(8);
    expect(new Set(codes.map(([, v]) => v)).size).toBe(codes.length);
    const messages = new Set<string>();
    for (const [name, code] of codes) {
      expect(code).toBeLessThanOrEqual(-200);
      expect(code).toBeGreaterThan(-300);
      expect(sensorCodeName(code)).toBe(name);
      messages.add(sensorCodeMessage(code));
    }
    expect(messages.size).toBe(codes.length);
    expect(sensorCodeName(-1)).toBe("SENSOR_UNKNOWN");
    expect(sensorCodeMessage(-1)).toBe("unknown sensor error");
  });

  it("are re-exported by the drivers index with the driver classes", () => {
    for (const [name, code] of codes) expect((drivers as Record<string, unknown>)[name]).toBe(code);
    expect(typeof drivers.SHT3x).toBe("function");
    expect(typeof drivers.BME280).toBe("function");
    expect(typeof drivers.BH1750).toBe("function");
    expect(drivers.SensorError).toBe(SensorError);
  });
});

describe("SensorError", () => {
  it("carries code, table message plus detail, and cause", () => {
    const cause = new Error("NACK");
    const e = new SensorError(errors.SENSOR_NACK, "reading register 0xf3", cause);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe(errors.SENSOR_NACK);
    expect(e.message).toBe(`${sensorCodeMessage(errors.SENSOR_NACK)}: reading register 0xf3`);
    expect(e.cause).toBe(cause);
    expect(new SensorError(errors.SENSOR_CRC).message).toBe(sensorCodeMessage(errors.SENSOR_CRC));
    expect("cause" in new SensorError(errors.SENSOR_CRC)).toBe(false);
  });

  it("sets name as an own property, so it works with a frozen Error.prototype (XS preload)", () => {
    Object.freeze(Error.prototype); // this file runs in its own worker process
    const e = new SensorError(errors.SENSOR_TIMEOUT);
    expect(Object.prototype.hasOwnProperty.call(e, "name")).toBe(true);
    expect(e.name).toBe("SensorError");
    expect(String(e)).toBe(`SensorError: ${sensorCodeMessage(errors.SENSOR_TIMEOUT)}`);
  });
});
