// The QoS 2 rig of the XS allocation scenario (test/xs/scenarios/client-qos2.xs.ts), run on Node: the
// four-packet exchanges complete and each incoming message is delivered once.
import { describe, expect, it } from "vitest";
import { createQos2Rig } from "../support/qos2-rig.js";

describe("QoS 2 steady-state rig", () => {
  it("publishes, receives and de-duplicates QoS 2 in round trips", () => {
    const rig = createQos2Rig();
    expect(rig.start()).toBe(true);
    for (let i = 0; i < 1000; i++) rig.publishQos2();
    expect(rig.client.counters.acked).toBe(1000);
    expect(rig.broker.pubrels).toBe(1000);
    expect(rig.client.inflight).toBe(0);
    for (let i = 0; i < 1000; i++) rig.receiveQos2();
    expect(rig.counts.delivered).toBe(1000);
    expect(rig.broker.pubcomps).toBe(1000);
    for (let i = 0; i < 100; i++) rig.receiveQos2Duplicate();
    expect(rig.counts.delivered).toBe(1100);
    expect(rig.client.counters.duplicates).toBe(100);
    expect(rig.engine.pending).toBe(0);
    expect(rig.counts.completed).toBe(1000);
    for (let i = 0; i < 50; i++) rig.publishListDrop();
    expect(rig.client.inflight).toBe(0);
    expect(rig.client.counters.unknownAcks).toBe(50);
    expect(rig.counts.errors).toBe(0);
  });
});
