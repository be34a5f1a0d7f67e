// A packet larger than the socket's send space (txSlotSize above the host's 8 KiB send buffer) goes out in
// pieces as space frees. The old client returned BUSY forever, and such a packet queued offline blocked the
// whole queue (QoS 0 included) until QUEUE_FULL.
import { describe, expect, it } from "vitest";
import { SENT, QUEUED } from "../../src/client/index.js";
import { ascii, publishes, tapRig } from "./tap-util.js";

describe("writes in pieces", () => {
  it("a 12 KB QoS 1 publish over an 8 KiB send buffer is SENT, delivered whole and acknowledged", () => {
    const rig = tapRig({ txSlotSize: 16384 }, { sendBuffer: 8192 });
    rig.client.connect();
    rig.step();
    const h = rig.client.topic("big/one");
    const payload = new Uint8Array(12000).fill(0x61);
    expect(rig.client.publish(h, payload, 0, payload.length, 1, false)).toBe(SENT);
    rig.run(10, 1);
    expect(rig.broker.publishes).toBe(1);
    expect(rig.broker.lastPayloadLength).toBe(12000);
    expect(rig.client.inflight).toBe(0);
    expect(rig.client.counters.partialWrites).toBeGreaterThan(0);
  });

  it("a big packet queued offline does not block the queue: everything behind it is delivered in order", () => {
    const rig = tapRig({ txSlotSize: 16384, offlineQueue: 8 }, { sendBuffer: 8192 });
    const h = rig.client.topic("big/q");
    const big = new Uint8Array(10000).fill(0x62);
    expect(rig.client.publish(h, ascii("q0-first"), 0, 8, 0, false)).toBe(QUEUED);
    expect(rig.client.publish(h, big, 0, big.length, 1, false)).toBe(QUEUED);
    for (let i = 0; i < 5; i++) expect(rig.client.publish(h, ascii(`small-${i}`), 0, 7, i % 2, false)).toBe(QUEUED);
    rig.client.connect();
    rig.run(10, 1);
    expect(rig.client.queued).toBe(0);
    const sent = publishes(rig.wire[0]!);
    expect(sent.map((m) => m.payload.length)).toEqual([8, 10000, 7, 7, 7, 7, 7]);
    expect(rig.broker.publishes).toBe(7);
    expect(rig.client.inflight).toBe(0);
  });
});
