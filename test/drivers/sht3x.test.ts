import { describe, expect, it, vi } from "vitest";
import {
  SHT3x, sht3xCrc8, sht3xHumidity, sht3xTemperature, SHT3X_ADDRESS_ALT,
} from "../../src/drivers/sht3x.js";
import {
  SENSOR_BUS, SENSOR_CLOSED, SENSOR_CONFIG, SENSOR_CRC, SENSOR_NACK, SENSOR_TIMEOUT, SensorError,
} from "../../src/drivers/errors.js";
import type { I2CConstructor, I2COptions } from "../../src/drivers/i2c.js";
import { SimSHT3x } from "../../sim/chips/sht3x.js";
import { sensirionCrc } from "../../sim/chips/chip.js";
import { createRig, expectSensorError } from "./rig.js";

function setup(options: { delay?: boolean; now?: boolean; address?: number; seed?: number } = {}) {
  const rig = createRig(options.seed ?? 1);
  const chip = new SimSHT3x({ environment: rig.environment });
  rig.bus.attach(options.address ?? 0x44, chip);
  const onError = vi.fn();
  const make = () => new SHT3x({
    sensor: rig.sensor(options.address),
    onError,
    ...(options.delay === false ? {} : { delay: rig.clock.advance }),
    ...(options.now === false ? {} : { now: rig.clock.now }),
  });
  return { ...rig, chip, onError, make };
}

describe("SHT3x CRC-8 and conversions", () => {
  it("matches the datasheet vector 0xBEEF -> 0x92 (driver and simulated chip)", () => {
    expect(sht3xCrc8(Uint8Array.of(0xbe, 0xef), 0, 2)).toBe(0x92);
    expect(sensirionCrc(0xbe, 0xef)).toBe(0x92);
    expect(sht3xCrc8(Uint8Array.of(0x00, 0xbe, 0xef, 0x00), 1, 2)).toBe(0x92);
  });

  it("agrees with the independent simulator CRC on every 16-bit word sample", () => {
    const word = new Uint8Array(2);
    for (let w = 0; w < 65536; w += 251) {
      word[0] = w >> 8;
      word[1] = w & 0xff;
      expect(sht3xCrc8(word, 0, 2)).toBe(sensirionCrc(w >> 8, w & 0xff));
    }
  });

  it("converts raw words with T = -45 + 175*S/65535 and RH = 100*S/65535", () => {
    expect(sht3xTemperature(0)).toBe(-45);
    expect(sht3xTemperature(65535)).toBe(130);
    expect(sht3xTemperature(0x6666)).toBeCloseTo(25, 10); // 0x6666 / 0xFFFF = 2/5
    expect(sht3xTemperature(0x6667)).toBeCloseTo(25.00267, 5);
    expect(sht3xHumidity(0)).toBe(0);
    expect(sht3xHumidity(65535)).toBe(100);
    expect(sht3xHumidity(0x8000)).toBeCloseTo(50.0008, 4);
  });
});

describe("SHT3x on the simulated chip", () => {
  it("reads the environment within one raw step and reuses the sample object", () => {
    const s = setup();
    s.environment.override({ temperature: 23.5, humidity: 41.25 });
    const sht = s.make();
    const a = sht.sample();
    expect(a.temperature).toBeCloseTo(23.5, 2);
    expect(a.humidity).toBeCloseTo(41.25, 2);
    s.clock.advance(1000);
    const b = sht.sample();
    expect(b).toBe(a);
    expect(Object.keys(b)).toEqual(["temperature", "humidity"]);
    expect(s.onError).not.toHaveBeenCalled();
  });

  it("pipelines: each sample returns the conversion started by the previous call", () => {
    const s = setup();
    s.environment.override({ temperature: 20 });
    const sht = s.make();
    expect(sht.sample().temperature).toBeCloseTo(20, 2); // started by configure()
    s.environment.override({ temperature: 30 });
    s.clock.advance(1000);
    expect(sht.sample().temperature).toBeCloseTo(20, 2); // started right after the previous sample
    s.clock.advance(1000);
    expect(sht.sample().temperature).toBeCloseTo(30, 2);
  });

  it("with a clock but no delay, a sample before the conversion is due is SENSOR_TIMEOUT, then succeeds", () => {
    const s = setup({ delay: false });
    const sht = s.make();
    expectSensorError(() => sht.sample(), SENSOR_TIMEOUT);
    s.clock.advance(sht.conversionTime);
    expect(Number.isFinite(sht.sample().temperature)).toBe(true);
  });

  it("without clock, the chip's NACK while converting is retried once after delay()", () => {
    const s = setup({ now: false });
    const sht = s.make();
    const before = s.clock.now();
    expect(Number.isFinite(sht.sample().humidity)).toBe(true);
    expect(s.clock.now() - before).toBe(16); // one wait of the high-repeatability conversion time
  });

  it("without any timing hook, an early sample is SENSOR_TIMEOUT and a later one succeeds", () => {
    const s = setup({ now: false, delay: false });
    const sht = s.make();
    expectSensorError(() => sht.sample(), SENSOR_TIMEOUT); // chip NACKs: still converting
    s.clock.advance(20);
    expectSensorError(() => sht.sample(), SENSOR_TIMEOUT); // re-triggered, cannot wait
    s.clock.advance(20);
    expect(Number.isFinite(sht.sample().temperature)).toBe(true);
  });

  it("repeatability selects the command the chip times: low converts within 5 ms, high does not", () => {
    const s = setup({ now: false, delay: false });
    const sht = s.make();
    sht.configure({ repeatability: "low" }); // applied after the running high conversion is read
    s.clock.advance(16);
    sht.sample(); // reads the high conversion, starts a low one
    expect(sht.conversionTime).toBe(5);
    s.clock.advance(5);
    expect(Number.isFinite(sht.sample().temperature)).toBe(true);
    sht.configure({ repeatability: "high" });
    s.clock.advance(5);
    sht.sample(); // reads the low conversion, starts a high one
    s.clock.advance(5);
    expectSensorError(() => sht.sample(), SENSOR_TIMEOUT);
  });

  it("supports the alternate address and the heater", () => {
    const s = setup({ address: SHT3X_ADDRESS_ALT });
    const sht = s.make();
    expect(s.chip.heater).toBe(false);
    sht.configure({ heater: true }); // a conversion is pending: the heater command waits for it
    expect(s.chip.heater).toBe(false);
    sht.sample();
    expect(s.chip.heater).toBe(true);
  });

  it("rejects invalid configuration with SENSOR_CONFIG", () => {
    const s = setup();
    const sht = s.make();
    expectSensorError(() => sht.configure({ repeatability: "ultra" as never }), SENSOR_CONFIG);
    expectSensorError(() => sht.configure({ heater: 1 as never }), SENSOR_CONFIG);
    expectSensorError(() => sht.configure({ repeatability: "low", heater: "on" as never }), SENSOR_CONFIG);
    expect(sht.conversionTime).toBe(16); // nothing applied from a rejected configuration
    expect(s.onError).toHaveBeenCalledTimes(3);
    expectSensorError(() => new SHT3x({ sensor: { ...s.sensor(), address: 0x40 } }), SENSOR_CONFIG);
    expectSensorError(() => new SHT3x({ sensor: undefined as never }), SENSOR_CONFIG);
  });
});

describe("SHT3x bus options", () => {
  it("opens the port with defaults first, then the caller's options", () => {
    const s = setup();
    const seen: I2COptions[] = [];
    const Spy = class extends (s.io as unknown as new (o: I2COptions) => object) {
      constructor(o: I2COptions) { seen.push({ ...o }); super(o); }
    } as unknown as I2CConstructor;
    new SHT3x({ sensor: { io: Spy, data: 4, clock: 5, address: undefined } });
    new SHT3x({ sensor: { io: Spy, data: 4, clock: 5, hz: 100_000, port: 1 }, delay: s.clock.advance });
    expect(seen[0]).toMatchObject({ data: 4, clock: 5, hz: 400_000, address: 0x44, format: "buffer" });
    expect(seen[1]).toMatchObject({ hz: 100_000, address: 0x44, port: 1 });
  });

  it("an io class that refuses to open is SENSOR_BUS; a bad hz is SENSOR_CONFIG", () => {
    const s = setup();
    const Refuse = class { constructor() { throw new Error("pins in use"); } } as unknown as I2CConstructor;
    const e = expectSensorError(() => new SHT3x({ sensor: { io: Refuse, data: 4, clock: 5 } }), SENSOR_BUS);
    expect((e.cause as Error).message).toBe("pins in use");
    expectSensorError(() => new SHT3x({ sensor: { ...s.sensor(), hz: -1 } }), SENSOR_CONFIG);
    expectSensorError(() => new SHT3x({ sensor: { ...s.sensor(), hz: 9e6 } }), SENSOR_BUS); // the io class refuses
  });
});

describe("SHT3x faults", () => {
  it("a missing device is SENSOR_NACK at construction, reported to onError, and the port is closed", () => {
    const s = setup();
    s.chip.setFault("absent", true);
    const error = expectSensorError(() => s.make(), SENSOR_NACK);
    expect(s.onError).toHaveBeenCalledTimes(1);
    expect(s.onError.mock.calls[0]![0]).toBe(error);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("a device that disappears is SENSOR_NACK; it recovers when it comes back", () => {
    const s = setup();
    const sht = s.make();
    sht.sample();
    s.chip.setFault("absent", true);
    s.clock.advance(1000);
    expectSensorError(() => sht.sample(), SENSOR_NACK);
    expectSensorError(() => sht.sample(), SENSOR_NACK);
    s.chip.setFault("absent", false);
    s.clock.advance(1000);
    expect(Number.isFinite(sht.sample().temperature)).toBe(true);
  });

  it("a transient NACK is one SENSOR_NACK, the next sample succeeds", () => {
    const s = setup();
    const sht = s.make();
    sht.sample();
    s.clock.advance(1000);
    s.chip.setFault("nack", 1);
    expectSensorError(() => sht.sample(), SENSOR_NACK);
    s.clock.advance(1000);
    expect(Number.isFinite(sht.sample().temperature)).toBe(true);
    expect(s.chip.faults.nack).toBe(0);
  });

  it("without a clock, a transient NACK on the read is absorbed by the retry", () => {
    const s = setup({ now: false });
    const sht = s.make();
    sht.sample();
    s.clock.advance(1000);
    s.chip.setFault("nack", 1);
    expect(Number.isFinite(sht.sample().temperature)).toBe(true);
  });

  it("a corrupted CRC is SENSOR_CRC; the next sample is valid without an extra wait", () => {
    const s = setup({ delay: false });
    const sht = s.make();
    s.clock.advance(16);
    sht.sample();
    s.clock.advance(1000);
    s.chip.setFault("corruptCrc", 1);
    expectSensorError(() => sht.sample(), SENSOR_CRC);
    s.clock.advance(1000);
    expect(Number.isFinite(sht.sample().temperature)).toBe(true);
  });

  it("a stuck chip keeps returning the same value while the environment changes", () => {
    const s = setup();
    s.environment.override({ temperature: 20 });
    const sht = s.make();
    sht.sample();
    s.chip.setFault("stuck", true);
    s.environment.override({ temperature: 28 });
    for (let i = 0; i < 3; i++) {
      s.clock.advance(1000);
      expect(sht.sample().temperature).toBeCloseTo(20, 2);
    }
    s.chip.setFault("stuck", false);
    s.clock.advance(1000);
    sht.sample();
    s.clock.advance(1000);
    expect(sht.sample().temperature).toBeCloseTo(28, 2);
  });

  it("after close(), sample and configure are SENSOR_CLOSED; close is idempotent", () => {
    const s = setup();
    const sht = s.make();
    sht.close();
    sht.close();
    expectSensorError(() => sht.sample(), SENSOR_CLOSED);
    expectSensorError(() => sht.configure({}), SENSOR_CLOSED);
    const writes = s.bus.counters.writes;
    expect(() => sht.close()).not.toThrow();
    expect(s.bus.counters.writes).toBe(writes);
  });

  it("random fault storms only ever throw SensorError with a known code", () => {
    const s = setup({ seed: 7 });
    const sht = s.make();
    const codes = new Set<number>();
    let ok = 0;
    let x = 12345;
    const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let i = 0; i < 400; i++) {
      const r = rnd();
      if (r < 0.05) s.chip.setFault("nack", 1 + Math.floor(rnd() * 3));
      else if (r < 0.08) s.chip.setFault("corruptCrc", 1);
      else if (r < 0.1) s.chip.setFault("absent", !s.chip.faults.absent);
      s.clock.advance(rnd() < 0.1 ? 3 : 500);
      try {
        sht.sample();
        ok++;
      } catch (e) {
        expect(e).toBeInstanceOf(SensorError);
        codes.add((e as SensorError).code);
      }
    }
    expect(ok).toBeGreaterThan(100);
    for (const code of codes) expect([SENSOR_NACK, SENSOR_CRC, SENSOR_TIMEOUT]).toContain(code);
    expect(codes.has(SENSOR_NACK)).toBe(true);
  });
});
