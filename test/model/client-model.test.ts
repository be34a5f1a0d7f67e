// Model-based test (bounded, part of `npm test`): random sequences of public calls and broker behaviours,
// calls from inside every callback, invariants checked after every step. See test/model/client-model.ts; the
// long run is `npx tsx test/model/long-run.ts` (figures in docs/reliability.md).
import { describe, expect, it } from "vitest";
import { runModel } from "./client-model.js";

describe("client model", () => {
  it("random calls against a scripted broker that acks, refuses, delays, drops and trickles keep every invariant", () => {
    const figures = runModel(40, 60);
    expect(figures.runs).toBe(40);
    expect(figures.qos1Accepted).toBeGreaterThan(0);
  }, 60_000);
});
