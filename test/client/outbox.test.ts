// Unit: offline ring: FIFO order, bounded, wraps.
import { describe, expect, it } from "vitest";
import { Outbox, RING_EMPTY } from "../../src/client/outbox.js";

describe("outbox ring", () => {
  it("keeps FIFO order across wrap-around and refuses when full", () => {
    const o = new Outbox(3);
    expect(o.shift()).toBe(RING_EMPTY);
    expect(o.peek()).toBe(RING_EMPTY);
    const out: number[] = [];
    let next = 100;
    for (let round = 0; round < 10; round++) {
      while (!o.full) expect(o.push(next++, 10, 1, 5)).toBeGreaterThanOrEqual(0);
      expect(o.push(999, 1, 0, 0)).toBe(RING_EMPTY);
      out.push(o.shift(), o.shift());
    }
    while (o.count > 0) out.push(o.shift());
    expect(out).toEqual(Array.from({ length: next - 100 }, (_, i) => 100 + i));
  });

  it("stores length, QoS and id offset per entry", () => {
    const o = new Outbox(2);
    o.push(1, 40, 1, 30);
    o.push(2, 9, 0, 7);
    const e = o.peek();
    expect([o.slots[e], o.lengths[e], o.qos[e], o.idOffsets[e]]).toEqual([1, 40, 1, 30]);
    o.shift();
    const f = o.peek();
    expect([o.slots[f], o.lengths[f], o.qos[f]]).toEqual([2, 9, 0]);
  });

  it("a zero-capacity queue is always full", () => {
    const o = new Outbox(0);
    expect(o.full).toBe(true);
    expect(o.push(1, 1, 0, 0)).toBe(RING_EMPTY);
  });
});
