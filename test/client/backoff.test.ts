// Unit: exponential backoff with full jitter: bounds, cap, reset only after a stable connection.
import { describe, expect, it } from "vitest";
import { Backoff } from "../../src/client/backoff.js";

const policy = { initialDelay: 100, maxDelay: 2000, multiplier: 2, stableAfter: 5000 };

describe("backoff", () => {
  it("delays stay in [0, min(max, initial x mult^attempt)) with full jitter", () => {
    let r = 0;
    const b = new Backoff(policy, () => r);
    const ceilings = [100, 200, 400, 800, 1600, 2000, 2000, 2000];
    for (const c of ceilings) {
      expect(b.ceiling()).toBe(c);
      r = 0.999999;
      const attempt = b.attempt;
      const d = b.next();
      expect(d).toBeLessThan(c);
      expect(d).toBeGreaterThan(c * 0.99);
      expect(b.attempt).toBe(attempt + 1);
    }
    r = 0;
    expect(b.next()).toBe(0); // full jitter reaches 0
  });

  it("is capped even after very many attempts (no overflow to Infinity)", () => {
    const b = new Backoff({ ...policy, multiplier: 10 }, () => 0.5);
    for (let i = 0; i < 5000; i++) b.next();
    expect(b.ceiling()).toBe(2000);
    expect(b.next()).toBe(1000);
  });

  it("random samples spread over the whole window", () => {
    let seed = 42;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const b = new Backoff(policy, rnd);
    for (let i = 0; i < 10; i++) b.next();
    const samples: number[] = [];
    for (let i = 0; i < 2000; i++) {
      samples.push(b.next());
    }
    expect(Math.min(...samples)).toBeLessThan(100);
    expect(Math.max(...samples)).toBeGreaterThan(1900);
    const mean = samples.reduce((a, x) => a + x, 0) / samples.length;
    expect(mean).toBeGreaterThan(900);
    expect(mean).toBeLessThan(1100);
  });

  it("resets only after a connection stayed up stableAfter", () => {
    const b = new Backoff(policy, () => 0.5);
    b.next();
    b.next();
    b.next();
    expect(b.attempt).toBe(3);
    expect(b.connectionEnded(4999)).toBe(0); // kicked right after CONNACK: keep backing off
    expect(b.attempt).toBe(3);
    expect(b.ceiling()).toBe(800);
    expect(b.connectionEnded(5000)).toBe(1);
    expect(b.attempt).toBe(0);
    expect(b.ceiling()).toBe(100);
  });
});
