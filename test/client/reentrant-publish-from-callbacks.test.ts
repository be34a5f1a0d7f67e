// Re-entrancy: a publish made from inside onQueueOverflow / onDisconnected must not corrupt the publish that
// raised the callback. The old client filled one shared PublishInfo, called user code, then encoded: a nested
// publish overwrote it, so the outer message went out with the inner one's bytes, QoS or packet id.
import { describe, expect, it } from "vitest";
import { DROPPED_OLDEST, QUEUED, QUEUE_FULL } from "../../src/client/index.js";
import { ascii, publishes, tapRig } from "./tap-util.js";

describe("publish from inside a client callback", () => {
  it("onQueueOverflow publishing (drop-oldest) keeps both messages intact and the policy order", () => {
    let nested = 0;
    let h = -1;
    const rig = tapRig({
      offlineQueue: 2,
      overflow: "drop-oldest",
      onQueueOverflow: () => {
        if (nested++ === 0) rig.client.publish(h, ascii("D"), 0, 1, 0, false);
      },
    });
    h = rig.client.topic("t/re");
    expect(rig.client.publish(h, ascii("A"), 0, 1, 1, false)).toBe(QUEUED);
    expect(rig.client.publish(h, ascii("B"), 0, 1, 1, false)).toBe(QUEUED);
    expect(rig.client.publish(h, ascii("CC"), 0, 2, 1, false)).toBe(QUEUED);
    expect(rig.overflow).toEqual([DROPPED_OLDEST, DROPPED_OLDEST]);
    rig.client.connect();
    rig.step();
    const sent = publishes(rig.wire[0]!);
    expect(sent.map((m) => [m.payload, m.qos])).toEqual([["CC", 1], ["D", 0]]);
    expect(sent[0]!.id).toBeGreaterThan(0);
    expect(rig.client.inflight).toBe(0);
  });

  it("onQueueOverflow publishing (reject-new) does not change what the outer call returns or queues", () => {
    let h = -1;
    const inner: number[] = [];
    const rig = tapRig({
      offlineQueue: 1,
      onQueueOverflow: () => {
        if (inner.length === 0) inner.push(rig.client.publish(h, ascii("inner"), 0, 5, 1, false));
      },
    });
    h = rig.client.topic("t/re");
    expect(rig.client.publish(h, ascii("first"), 0, 5, 1, false)).toBe(QUEUED);
    expect(rig.client.publish(h, ascii("outer"), 0, 5, 0, false)).toBe(QUEUE_FULL);
    expect(inner).toEqual([QUEUE_FULL]);
    rig.client.connect();
    rig.step();
    expect(publishes(rig.wire[0]!).map((m) => [m.payload, m.qos])).toEqual([["first", 1]]);
  });

  it("onDisconnected publishing while publish() itself finds the link dead: both messages queued intact", () => {
    let h = -1;
    const results: number[] = [];
    const rig = tapRig({
      onDisconnected: () => { results.push(rig.client.publish(h, ascii("nested"), 0, 6, 0, false)); },
    });
    h = rig.client.topic("t/re");
    rig.client.connect();
    rig.step();
    // Fill the staging region in one turn (nothing written yet), then kill the socket: the next publish has
    // to write to make room, the write throws, and the loss is reported while that publish is in progress.
    const filler = new Uint8Array(90);
    for (let i = 0; i < 10; i++) rig.client.publish(h, filler, 0, 90, 0, false);
    rig.network.last!.closed = true;
    const outer = new Uint8Array(90).fill(0x6f);
    const status = rig.client.publish(h, outer, 0, 90, 1, false);
    expect(results).toEqual([1]); // QUEUED
    expect(status).toBe(1); // QUEUED
    rig.step(200);
    rig.step();
    expect(rig.client.connected).toBe(true);
    const second = publishes(rig.wire[1]!);
    expect(second.map((m) => [m.payload.length, m.qos])).toEqual([[90, 1], [6, 0]]);
    expect(second[0]!.payload).toBe("o".repeat(90));
    expect(second[1]!.payload).toBe("nested");
    expect(rig.client.inflight).toBe(0);
  });
});
