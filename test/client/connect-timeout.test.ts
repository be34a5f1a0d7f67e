// No CONNACK within connectTimeout: a ConnectTimeoutError, and the next attempt after the backoff delay.
import { describe, expect, it } from "vitest";
import { ConnectTimeoutError } from "../../src/client/index.js";
import { memoryRig } from "./memory-util.js";

describe("connect timeout", () => {
  it("times out, backs off, retries and connects once the broker answers", () => {
    const rig = memoryRig({ connectTimeout: 2000 });
    rig.broker.ignoreConnect = true;
    rig.client.connect();
    rig.step(1999);
    expect(rig.errors).toEqual([]);
    expect(rig.broker.connects).toBe(1);
    rig.step(1);
    expect(rig.errors[0]).toBeInstanceOf(ConnectTimeoutError);
    expect(rig.errors[0]!.code).toBe(-113);
    expect(rig.client.state).toBe(4); // WAITING
    rig.broker.ignoreConnect = false;
    rig.step(49); // random 0.5 x 100 ms = 50 ms
    expect(rig.broker.connects).toBe(1);
    rig.step(1);
    expect(rig.broker.connects).toBe(2);
    expect(rig.client.connected).toBe(true);
    expect(rig.client.counters.connectFailures).toBe(1);
    expect(rig.disconnected).toEqual([]); // never connected before: no onDisconnected
  });

  it("an unreachable broker (connection refused) is retried with growing delays", () => {
    const rig = memoryRig({ reconnect: { initialDelay: 100, maxDelay: 400, multiplier: 2, stableAfter: 5000 } }, {}, () => 0.999);
    rig.network.refuse = true;
    rig.client.connect();
    rig.step();
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = rig.network.connections.length;
      while (rig.network.connections.length === before) rig.step(1);
      times.push(rig.clock.time);
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps).toEqual([200, 400, 400, 400, 400]);
    expect(rig.errors.length).toBeGreaterThanOrEqual(6);
    rig.client.end();
  });
});
