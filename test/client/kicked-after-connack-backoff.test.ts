// A broker that accepts and immediately drops us still sees growing delays: backoff resets only after the
// connection stayed up `stableAfter`.
import { describe, expect, it } from "vitest";
import { memoryRig } from "./memory-util.js";

describe("kicked right after CONNACK", () => {
  it("keeps backing off until a connection is stable", () => {
    const rig = memoryRig({ reconnect: { initialDelay: 100, maxDelay: 1600, multiplier: 2, stableAfter: 5000 } }, {}, () => 0.999);
    rig.client.connect();
    rig.step();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect(rig.client.connected).toBe(true);
      times.push(rig.clock.time);
      rig.broker.kick();
      rig.step();
      while (!rig.client.connected) rig.step(1);
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps).toEqual([100, 200, 400, 800]);
    // Stable for 5 s: the next loss starts from the initial delay again.
    rig.step(5000);
    const t0 = rig.clock.time;
    rig.broker.kick();
    rig.step();
    while (!rig.client.connected) rig.step(1);
    expect(rig.clock.time - t0).toBe(100);
    expect(rig.client.counters.reconnects).toBe(6);
  });
});
