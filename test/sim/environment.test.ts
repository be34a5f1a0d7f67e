import { describe, expect, it } from "vitest";
import { DAY_MS, ENVIRONMENT_RANGES, Environment, hash01, mulberry32, type EnvironmentReading } from "../../sim/chips/environment.js";

const HOUR = 3_600_000;
const reading = (): EnvironmentReading => ({ temperature: 0, humidity: 0, pressure: 0, illuminance: 0 });

describe("Environment", () => {
  it("stays inside the documented ranges over simulated days, for many seeds", () => {
    const r = reading();
    const lo = { temperature: Infinity, humidity: Infinity, pressure: Infinity, illuminance: Infinity };
    const hi = { temperature: -Infinity, humidity: -Infinity, pressure: -Infinity, illuminance: -Infinity };
    for (let seed = 1; seed <= 20; seed++) {
      const env = new Environment({ seed });
      for (let t = 0; t < 3 * DAY_MS; t += 60_000) {
        env.read(t, r);
        for (const k of ["temperature", "humidity", "pressure", "illuminance"] as const) {
          lo[k] = Math.min(lo[k], r[k]);
          hi[k] = Math.max(hi[k], r[k]);
        }
      }
    }
    expect(lo.temperature).toBeGreaterThanOrEqual(ENVIRONMENT_RANGES.temperature.min);
    expect(hi.temperature).toBeLessThanOrEqual(ENVIRONMENT_RANGES.temperature.max);
    expect(lo.humidity).toBeGreaterThanOrEqual(35);
    expect(hi.humidity).toBeLessThanOrEqual(65);
    expect(lo.pressure).toBeGreaterThanOrEqual(101_325 - 500);
    expect(hi.pressure).toBeLessThanOrEqual(101_325 + 500);
    expect(lo.illuminance).toBe(0);
    expect(hi.illuminance).toBeLessThanOrEqual(20_000);
    // and the ranges are used, not collapsed: a daily swing of several degrees, daylight well above 10 klx
    expect(hi.temperature - lo.temperature).toBeGreaterThan(6);
    expect(hi.humidity - lo.humidity).toBeGreaterThan(20);
    expect(hi.illuminance).toBeGreaterThan(15_000);
  });

  it("has a daily cycle: warm afternoon, cold night, dark night, bright midday; humidity anti-correlated", () => {
    const env = new Environment({ seed: 9 });
    const at = (h: number) => ({ ...env.read(h * HOUR, reading()) });
    const night = at(3);
    const afternoon = at(15);
    expect(afternoon.temperature - night.temperature).toBeGreaterThan(5);
    expect(night.humidity - afternoon.humidity).toBeGreaterThan(15);
    expect(at(1).illuminance).toBe(0);
    expect(at(22).illuminance).toBe(0);
    expect(at(13).illuminance).toBeGreaterThan(12_000);
    // correlation of temperature and humidity over a day is strongly negative
    const ts: number[] = [];
    const hs: number[] = [];
    for (let t = 0; t < DAY_MS; t += 10 * 60_000) { const r = env.read(t, reading()); ts.push(r.temperature); hs.push(r.humidity); }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const mt = mean(ts), mh = mean(hs);
    const cov = ts.reduce((acc, x, i) => acc + (x - mt) * (hs[i]! - mh), 0);
    const sd = (a: number[], m: number) => Math.sqrt(a.reduce((acc, x) => acc + (x - m) ** 2, 0));
    expect(cov / (sd(ts, mt) * sd(hs, mh))).toBeLessThan(-0.9);
  });

  it("is continuous: a minute apart, readings differ by little", () => {
    const env = new Environment({ seed: 4 });
    const a = reading();
    const b = reading();
    for (let t = 0; t < DAY_MS; t += 37 * 60_000) {
      env.read(t, a);
      env.read(t + 60_000, b);
      expect(Math.abs(a.temperature - b.temperature)).toBeLessThan(0.2);
      expect(Math.abs(a.pressure - b.pressure)).toBeLessThan(15);
    }
  });

  it("is reproducible from the seed, independent of read order; seeds differ", () => {
    const times = [5, 99_000, 3 * HOUR, 13 * HOUR + 17, DAY_MS + 42];
    const run = (seed: number, order: number[]) => order.map((t) => ({ ...new Environment({ seed }).read(t, reading()) }));
    const e1 = new Environment({ seed: 11 });
    const forward = times.map((t) => ({ ...e1.read(t, reading()) }));
    const e2 = new Environment({ seed: 11 });
    const backward = [...times].reverse().map((t) => ({ ...e2.read(t, reading()) })).reverse();
    expect(backward).toEqual(forward);
    expect(run(11, times)).toEqual(forward);
    expect(run(12, times)).not.toEqual(forward);
  });

  it("overrides hold channels until cleared; startHour shifts the day", () => {
    const env = new Environment({ seed: 2 });
    env.override({ temperature: 30, illuminance: 5 });
    const r = env.read(3 * HOUR, reading());
    expect(r.temperature).toBe(30);
    expect(r.illuminance).toBe(5);
    expect(r.humidity).toBeGreaterThan(35);
    env.clearOverrides();
    expect(env.read(3 * HOUR, reading()).temperature).not.toBe(30);
    const noon = new Environment({ seed: 2, startHour: 12 });
    expect(noon.read(0, reading())).toEqual(new Environment({ seed: 2 }).read(12 * HOUR, reading()));
    expect(() => new Environment({ startHour: 24 })).toThrow(RangeError);
  });

  it("mulberry32 and hash01 are deterministic and uniform-looking", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const m = xs.reduce((x, y) => x + y, 0) / xs.length;
    expect(Math.abs(m - 0.5)).toBeLessThan(0.05);
    expect(hash01(1, 2, 3)).toBe(hash01(1, 2, 3));
    expect(hash01(1, 2, 3)).not.toBe(hash01(1, 2, 4));
  });
});
