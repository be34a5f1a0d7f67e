// No storms: 100 clients with our policy (exponential backoff + full jitter) and 100 identical clients set to
// a fixed 1 s interval without jitter (multiplier 1, random ~1: the peers' policy) ride out one broker
// restart. Connection attempts are counted at a wrapped host socket class. The property checked is the
// policy's, not a timing race: the fixed fleet retries all at once (its peak is ~the fleet size per window),
// the jittered fleet spreads over its backoff window, so its peak rate must be under half the fixed one.
// Full run (500 per policy): scripts/storm-fleet.ts.
import { describe, expect, it } from "vitest";
import { runStorm, stormLines } from "./storm-core.js";

describe("faults: reconnect storm after a broker restart", () => {
  it("backoff with full jitter peaks at under half the attempts/s of a fixed interval", async () => {
    const s = await runStorm({ clients: 100, downMs: 2500, initialDelay: 1000, maxDelay: 4000, reconnectBoundMs: 15_000, seed: 3 });
    for (const line of stormLines(s)) console.log(line);
    expect(s.fixed.reconnected).toBe(100);
    expect(s.jitter.reconnected).toBe(100);
    // The fixed fleet stampedes: most of the fleet inside one 100 ms window.
    expect(s.fixed.peakPerSecond).toBeGreaterThanOrEqual(600);
    expect(s.jitter.peakPerSecond).toBeLessThan(s.fixed.peakPerSecond / 2);
  }, 45_000);
});
