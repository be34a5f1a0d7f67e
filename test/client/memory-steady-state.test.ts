// The client state machine on the in-memory transport and scripted broker (no sockets): the same rig the
// XS allocation scenario measures, checked functionally on Node.
import { describe, expect, it } from "vitest";
import { createSteadyRig } from "../support/steady-rig.js";

describe("steady state on the in-memory transport", () => {
  it("connects, subscribes, publishes QoS 0/1, routes by wildcard, pings", () => {
    const rig = createSteadyRig();
    expect(rig.start()).toBe(true);
    expect(rig.counts.connected).toBe(1);
    expect(rig.broker.subscribes).toBe(2);
    for (let i = 0; i < 1000; i++) rig.publishQos0();
    expect(rig.broker.publishes).toBe(1000);
    expect(rig.broker.lastQos).toBe(0);
    const writes = rig.client.counters.writes;
    for (let i = 0; i < 100; i++) rig.publishBurst();
    expect(rig.broker.publishes).toBe(1800);
    // 8 packets of 45 bytes per burst, staged in one turn and written together by the batch timer
    // (360 = 256+64+32+8: 4 writes), instead of 8 x 4 = 32.
    expect(rig.client.counters.writes - writes).toBe(400);
    for (let i = 0; i < 1000; i++) rig.publishQos1();
    expect(rig.broker.publishes).toBe(2800);
    expect(rig.client.inflight).toBe(0);
    expect(rig.client.counters.acked).toBe(1000);
    for (let i = 0; i < 1000; i++) rig.receive();
    expect(rig.counts.hash).toBe(1000);
    expect(rig.counts.plus).toBe(1000);
    expect(rig.broker.pubacks).toBe(1000);
    for (let i = 0; i < 10; i++) rig.ping();
    expect(rig.broker.pings).toBe(10);
    expect(rig.client.counters.pingsReceived).toBe(10);
    expect(rig.client.connected).toBe(true);
    expect(rig.counts.errors).toBe(0);
  });
});
