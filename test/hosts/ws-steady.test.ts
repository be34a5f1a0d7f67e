// The WebSocket framing's steady-state rig (test/support/ws-rig.ts), checked functionally on Node; the XS lane
// (test/xs/scenarios/websocket.xs.ts) measures the same steps for allocations.
import { describe, expect, it } from "vitest";
import { createWsRig } from "../support/ws-rig.js";

describe("WebSocket framing steady state on a scripted inner socket", () => {
  it("sends frames, and receives one packet per frame, split across frames, three per frame, fragmented with a ping", () => {
    const rig = createWsRig();
    expect(rig.open).toBe(true);
    const written = rig.inner.writtenTotal;
    for (let i = 0; i < 100; i++) rig.sendOne();
    expect(rig.inner.writtenTotal - written).toBe(100 * (6 + 45)); // 6-byte masked header + payload
    expect(rig.socket.framesSent).toBe(101);
    for (let i = 0; i < 100; i++) rig.receiveOne();
    expect(rig.counts.sum).toBe(100 * rig.packetSum);
    for (let i = 0; i < 100; i++) rig.receiveSplit();
    expect(rig.counts.sum).toBe(200 * rig.packetSum);
    for (let i = 0; i < 100; i++) rig.receiveThreeInOne();
    expect(rig.counts.sum).toBe(500 * rig.packetSum);
    const before = rig.inner.writtenTotal;
    for (let i = 0; i < 100; i++) rig.receiveFragmentedWithPing();
    expect(rig.counts.sum).toBe(600 * rig.packetSum);
    expect(rig.inner.writtenTotal - before).toBe(100 * (6 + 4)); // one pong per ping
    expect(rig.inner.lastFirst).toBe(0x8a);
    expect(rig.counts.bytes).toBe(600 * 20);
    expect(rig.counts.errors).toBe(0);
    expect(rig.inner.inbound.count).toBe(0);
  });
});
