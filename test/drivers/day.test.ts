import { describe, expect, it } from "vitest";
import { SHT3x } from "../../src/drivers/sht3x.js";
import { BME280, BME280_COMPENSATION } from "../../src/drivers/bme280.js";
import { BH1750 } from "../../src/drivers/bh1750.js";
import { SimSHT3x } from "../../sim/chips/sht3x.js";
import { SimBME280 } from "../../sim/chips/bme280.js";
import { SimBH1750 } from "../../sim/chips/bh1750.js";
import { ENVIRONMENT_RANGES, DAY_MS } from "../../sim/chips/environment.js";
import { createRig } from "./rig.js";

/** One board: three sensors on one bus, sampled once a minute for a simulated day. */
function runDay(seed: number) {
  const rig = createRig(seed, 0);
  rig.bus.attach(0x44, new SimSHT3x({ environment: rig.environment }));
  rig.bus.attach(0x76, new SimBME280({ environment: rig.environment, compensation: BME280_COMPENSATION }));
  rig.bus.attach(0x23, new SimBH1750({ environment: rig.environment }));
  const timing = { delay: rig.clock.advance, now: rig.clock.now };
  const sht = new SHT3x({ sensor: rig.sensor(), ...timing });
  const bme = new BME280({ sensor: rig.sensor(), ...timing });
  const bh = new BH1750({ sensor: rig.sensor(), ...timing });
  const first = { sht: sht.sample(), bme: bme.sample(), bh: bh.sample() };
  const rows: number[] = [];
  let sameObjects = true;
  const start = rig.clock.now();
  while (rig.clock.now() - start < DAY_MS) {
    rig.clock.advance(60_000);
    const a = sht.sample();
    const b = bme.sample();
    const c = bh.sample();
    sameObjects &&= a === first.sht && b === first.bme && c === first.bh;
    rows.push(a.temperature, a.humidity, b.temperature, b.pressure, b.humidity, c.illuminance);
  }
  return { rows, sameObjects, counters: { ...rig.bus.counters } };
}

describe("a simulated day on one bus", () => {
  it("every reading stays inside the environment's documented ranges (plus ADC rounding)", () => {
    const { rows, sameObjects, counters } = runDay(21);
    expect(sameObjects).toBe(true);
    expect(counters.nacks).toBe(0);
    const R = ENVIRONMENT_RANGES;
    for (let i = 0; i < rows.length; i += 6) {
      const [shtT, shtH, bmeT, bmeP, bmeH, lux] = rows.slice(i, i + 6) as [number, number, number, number, number, number];
      expect(shtT).toBeGreaterThanOrEqual(R.temperature.min - 0.01);
      expect(shtT).toBeLessThanOrEqual(R.temperature.max + 0.01);
      expect(Math.abs(bmeT - shtT)).toBeLessThan(0.05); // same environment, conversions moments apart
      expect(shtH).toBeGreaterThanOrEqual(R.humidity.min - 0.01);
      expect(shtH).toBeLessThanOrEqual(R.humidity.max + 0.01);
      expect(Math.abs(bmeH - shtH)).toBeLessThan(0.1);
      expect(bmeP).toBeGreaterThanOrEqual(R.pressure.min - 3);
      expect(bmeP).toBeLessThanOrEqual(R.pressure.max + 3);
      expect(lux).toBeGreaterThanOrEqual(0);
      expect(lux).toBeLessThanOrEqual(R.illuminance.max + 1);
    }
    const lux = rows.filter((_, i) => i % 6 === 5);
    expect(Math.min(...lux)).toBe(0);
    expect(Math.max(...lux)).toBeGreaterThan(10_000);
  });

  it("seeded runs are reproducible, different seeds differ", () => {
    const a = runDay(8).rows;
    expect(runDay(8).rows).toEqual(a);
    expect(runDay(9).rows).not.toEqual(a);
  });
});
