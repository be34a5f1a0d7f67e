import { describe, expect, it, vi } from "vitest";
import { BH1750, BH1750_ADDRESS_ALT, bh1750ConversionTime, bh1750Lux } from "../../src/drivers/bh1750.js";
import { SENSOR_CLOSED, SENSOR_CONFIG, SENSOR_NACK, SENSOR_TIMEOUT } from "../../src/drivers/errors.js";
import { SimBH1750 } from "../../sim/chips/bh1750.js";
import { createRig, expectSensorError } from "./rig.js";

function setup(options: { delay?: boolean; now?: boolean; address?: number } = {}) {
  const rig = createRig(5);
  const chip = new SimBH1750({ environment: rig.environment });
  rig.bus.attach(options.address ?? 0x23, chip);
  const onError = vi.fn();
  const make = (config: { mode?: "continuous" | "one-time"; resolution?: "high" | "high2" | "low"; mtreg?: number } = {}) =>
    new BH1750({
      sensor: rig.sensor(options.address),
      onError,
      ...(options.delay === false ? {} : { delay: rig.clock.advance }),
      ...(options.now === false ? {} : { now: rig.clock.now }),
      ...config,
    });
  return { ...rig, chip, onError, make };
}

describe("BH1750 conversion", () => {
  it("lux = raw / 1.2 x 69 / MTreg, halved in H-resolution mode 2", () => {
    expect(bh1750Lux(1200, 69, "high")).toBeCloseTo(1000, 10);
    expect(bh1750Lux(1200, 69, "high2")).toBeCloseTo(500, 10);
    expect(bh1750Lux(1200, 138, "high")).toBeCloseTo(500, 10);
    expect(bh1750Lux(1200, 31, "low")).toBeCloseTo(2225.806, 3);
    expect(bh1750Lux(65535, 69, "high")).toBeCloseTo(54612.5, 1);
  });

  it("conversion time scales with MTreg (datasheet maxima 180 / 24 ms)", () => {
    expect(bh1750ConversionTime("high", 69)).toBe(180);
    expect(bh1750ConversionTime("low", 69)).toBe(24);
    expect(bh1750ConversionTime("high2", 254)).toBe(663);
    expect(bh1750ConversionTime("high", 31)).toBe(81);
  });
});

describe("BH1750 on the simulated chip", () => {
  it("reads the environment within the resolution in each mode, reusing the sample object", () => {
    const s = setup();
    s.environment.override({ illuminance: 1234.5 });
    const bh = s.make();
    const v = bh.sample();
    expect(Math.abs(v.illuminance - 1234.5)).toBeLessThan(0.5);
    bh.configure({ resolution: "high2" });
    expect(Math.abs(bh.sample().illuminance - 1234.5)).toBeLessThan(0.25);
    bh.configure({ resolution: "low" });
    expect(Math.abs(bh.sample().illuminance - 1234.5)).toBeLessThan(3.5);
    bh.configure({ resolution: "high", mtreg: 254 });
    expect(s.chip.mtreg).toBe(254);
    expect(bh.conversionTime).toBe(663);
    expect(Math.abs(bh.sample().illuminance - 1234.5)).toBeLessThan(0.2);
    expect(bh.sample()).toBe(v);
  });

  it("with a clock and no delay, sampling before the first conversion is SENSOR_TIMEOUT", () => {
    const s = setup({ delay: false });
    s.environment.override({ illuminance: 500 });
    const bh = s.make();
    expectSensorError(() => bh.sample(), SENSOR_TIMEOUT);
    s.clock.advance(179);
    expectSensorError(() => bh.sample(), SENSOR_TIMEOUT);
    s.clock.advance(1);
    expect(bh.sample().illuminance).toBeCloseTo(500, 0);
  });

  it("without a clock, delay() waits for the first conversion only", () => {
    const s = setup({ now: false });
    s.environment.override({ illuminance: 800 });
    const bh = s.make();
    const t0 = s.clock.now();
    expect(bh.sample().illuminance).toBeCloseTo(800, 0);
    expect(s.clock.now() - t0).toBe(180);
    s.clock.advance(1000);
    bh.sample();
    expect(s.clock.now() - t0).toBe(1180);
  });

  it("without any timing hook, the first sample is SENSOR_TIMEOUT (the chip would return 0 lux)", () => {
    const s = setup({ now: false, delay: false });
    s.environment.override({ illuminance: 800 });
    const bh = s.make();
    expectSensorError(() => bh.sample(), SENSOR_TIMEOUT);
    s.clock.advance(200);
    expect(bh.sample().illuminance).toBeCloseTo(800, 0);
  });

  it("one-time mode pipelines and the chip powers down between conversions", () => {
    const s = setup({ address: BH1750_ADDRESS_ALT });
    s.environment.override({ illuminance: 100 });
    const bh = s.make({ mode: "one-time" });
    expect(bh.sample().illuminance).toBeCloseTo(100, 0);
    s.environment.override({ illuminance: 300 });
    s.clock.advance(1000);
    expect(s.chip.isPowered(s.clock.now())).toBe(false);
    expect(bh.sample().illuminance).toBeCloseTo(100, 0);
    s.clock.advance(1000);
    expect(bh.sample().illuminance).toBeCloseTo(300, 0);
  });

  it("continuous mode follows the light", () => {
    const s = setup();
    s.environment.override({ illuminance: 10 });
    const bh = s.make();
    expect(bh.sample().illuminance).toBeCloseTo(10, 0);
    s.environment.override({ illuminance: 15000 });
    s.clock.advance(400);
    expect(bh.sample().illuminance).toBeCloseTo(15000, -1);
  });

  it("rejects invalid configuration", () => {
    const s = setup();
    const bh = s.make();
    expectSensorError(() => bh.configure({ mtreg: 30 }), SENSOR_CONFIG);
    expectSensorError(() => bh.configure({ mtreg: 255 }), SENSOR_CONFIG);
    expectSensorError(() => bh.configure({ mtreg: 69.5 }), SENSOR_CONFIG);
    expectSensorError(() => bh.configure({ resolution: "medium" as never }), SENSOR_CONFIG);
    expectSensorError(() => bh.configure({ mode: "burst" as never }), SENSOR_CONFIG);
    expect(s.onError).toHaveBeenCalledTimes(5);
  });
});

describe("BH1750 faults", () => {
  it("a missing device is SENSOR_NACK at construction", () => {
    const s = setup();
    s.chip.setFault("absent", true);
    expectSensorError(() => s.make(), SENSOR_NACK);
    expect(s.onError).toHaveBeenCalledTimes(1);
  });

  it("a transient NACK is one SENSOR_NACK, the next sample succeeds", () => {
    const s = setup();
    const bh = s.make();
    bh.sample();
    s.clock.advance(1000);
    s.chip.setFault("nack", 1);
    expectSensorError(() => bh.sample(), SENSOR_NACK);
    expect(Number.isFinite(bh.sample().illuminance)).toBe(true);
  });

  it("a stuck chip repeats its count", () => {
    const s = setup();
    s.environment.override({ illuminance: 420 });
    const bh = s.make();
    bh.sample();
    s.chip.setFault("stuck", true);
    s.environment.override({ illuminance: 9000 });
    s.clock.advance(1000);
    expect(bh.sample().illuminance).toBeCloseTo(420, 0);
  });

  it("refuses faults it does not model", () => {
    const s = setup();
    expect(() => s.chip.setFault("corruptCrc", 1)).toThrow(RangeError);
    expect(() => s.chip.setFault("wrongChipId", true)).toThrow(RangeError);
  });

  it("close() powers the chip down; later calls are SENSOR_CLOSED", () => {
    const s = setup();
    const bh = s.make();
    bh.close();
    expect(s.chip.isPowered(s.clock.now())).toBe(false);
    expectSensorError(() => bh.sample(), SENSOR_CLOSED);
  });
});
