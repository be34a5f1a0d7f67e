// Moddable's Time.ticks is a signed 32-bit millisecond count on ESP32: it wraps after 2^31 ms (24.8 days).
// hosts/moddable/clock.ts reads it through TickCounter, which folds each step modulo 2^32 into a count that
// only grows. Checked here on its own and with the client running across a wrap under a manual clock.
import { describe, expect, it } from "vitest";
import { TickCounter } from "../../hosts/moddable/ticks.js";
import { MqttClient } from "../../src/client/index.js";
import type { Clock } from "../../src/client/host.js";
import { ManualClock } from "../support/manual-clock.js";
import { MemoryNetwork } from "../support/memory-transport.js";
import { ScriptedBroker } from "../support/scripted-broker.js";

/** ESP32's tick count: the manual time, offset to wrap `wrapAfterMs` in, as a signed 32-bit integer. */
function esp32Ticks(clock: ManualClock, wrapAfterMs: number): () => number {
  const offset = 2 ** 31 - wrapAfterMs;
  return () => (clock.time + offset) | 0;
}

/** The manual clock's timers with `now()` from a tick source: what ModdableClock does with Timer and Time.ticks. */
function clockOver(manual: ManualClock, now: () => number): Clock {
  return {
    now,
    timer: (cb) => manual.timer(cb),
    schedule: (t, ms) => manual.schedule(t, ms),
    cancel: (t) => manual.cancel(t),
    close: (t) => manual.close(t),
  };
}

/** Runs a client with keepAlive 5 s for `seconds` of manual time; returns what the broker saw. */
function runAcrossWrap(now: (manual: ManualClock) => () => number, seconds: number): { pings: number; disconnects: number; connected: boolean } {
  const manual = new ManualClock();
  const network = new MemoryNetwork();
  const broker = new ScriptedBroker(network, { bufferSize: 4096 });
  let disconnects = 0;
  const client = new MqttClient({
    hostname: "broker.local", clientId: "wrap-1", keepAlive: 5,
    host: { tcp: network.socketClass, clock: clockOver(manual, now(manual)), random: () => 0.5 },
    onDisconnected: () => { disconnects++; },
  });
  client.connect();
  for (let t = 0; t < seconds * 10; t++) {
    network.pump();
    manual.advance(100);
    network.pump();
  }
  return { pings: broker.pings, disconnects, connected: client.connected };
}

describe("wrap-safe ticks (hosts/moddable/ticks.ts)", () => {
  it("counts straight through the signed 32-bit wrap", () => {
    let raw = 2 ** 31 - 3;
    const counter = new TickCounter(() => raw | 0);
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      raw += 1;
      seen.push(counter.now());
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("holds rather than goes back when the source steps backwards", () => {
    let raw = 1000;
    const counter = new TickCounter(() => raw);
    raw = 1500;
    expect(counter.now()).toBe(500);
    raw = 1200;
    expect(counter.now()).toBe(500);
    raw = 1300;
    expect(counter.now()).toBe(600);
  });

  it("keeps the client's keepalive going across the 24.8-day wrap of Time.ticks", () => {
    const wrapped = runAcrossWrap((m) => {
      const counter = new TickCounter(esp32Ticks(m, 12_000));
      return () => counter.now();
    }, 60);
    expect(wrapped.connected).toBe(true);
    expect(wrapped.disconnects).toBe(0);
    expect(wrapped.pings).toBeGreaterThanOrEqual(10); // one per 5 s keepalive, before and after the wrap
  });

  it("(control) the raw 32-bit ticks, unwrapped, break the keepalive at the wrap", () => {
    const raw = runAcrossWrap((m) => esp32Ticks(m, 12_000), 60);
    expect(raw.connected && raw.disconnects === 0 && raw.pings >= 10).toBe(false);
  });
});
