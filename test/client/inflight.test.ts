// Unit: QoS 1 in-flight table: id allocation never reuses in-flight ids, wraps at 65535, order preserved.
import { describe, expect, it } from "vitest";
import { InflightTable, NOT_FOUND } from "../../src/client/inflight.js";

describe("in-flight table", () => {
  it("allocates increasing ids, wraps 65535 -> 1 and skips ids still in flight", () => {
    // [MQTT-2.3.1-2] a new packet gets an id not currently in use (in flight, or held by SUBSCRIBE/UNSUBSCRIBE)
    const t = new InflightTable(4);
    expect(t.nextId(null)).toBe(1);
    t.add(1, 10, 20);
    expect(t.nextId(null)).toBe(2);
    // Walk to the wrap point while id 1 stays in flight.
    let id = 0;
    for (let i = 0; i < 65533; i++) id = t.nextId(null);
    expect(id).toBe(65535);
    expect(t.nextId(null)).toBe(2); // 1 is in flight: skipped
    expect(t.nextId((x) => x === 3)).toBe(4); // ids held by SUBSCRIBE/UNSUBSCRIBE skipped too
  });

  it("never hands out an id in flight, over many random acks", () => {
    const t = new InflightTable(16);
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const live = new Set<number>();
    const problems: string[] = [];
    for (let i = 0; i < 200000 && problems.length === 0; i++) {
      if (!t.full && rnd(3) !== 0) {
        const id = t.nextId(null);
        if (live.has(id) || id < 1 || id > 65535) problems.push(`bad id ${id} at ${i}`);
        if (t.add(id, i, 1) === NOT_FOUND) problems.push(`add failed at ${i}`);
        live.add(id);
      } else if (live.size > 0) {
        const ids = [...live];
        const id = ids[rnd(ids.length)]!;
        if (t.remove(id) === NOT_FOUND) problems.push(`remove ${id} failed at ${i}`);
        live.delete(id);
      }
      if (t.count !== live.size) problems.push(`count ${t.count} != ${live.size} at ${i}`);
    }
    expect(problems).toEqual([]); // [MQTT-2.3.1-2] [MQTT-2.3.1-3] an id is reused only after its ack
  });

  it("is bounded, counts unknown acks and resends in original order", () => {
    const t = new InflightTable(3);
    t.add(5, 50, 1);
    t.add(6, 60, 1);
    t.add(7, 70, 1);
    expect(t.full).toBe(true);
    expect(t.add(8, 80, 1)).toBe(NOT_FOUND);
    expect(t.remove(6)).toBe(60);
    expect(t.remove(6)).toBe(NOT_FOUND); // unknown / duplicate ack
    t.add(9, 90, 1); // reuses record 1 but is newer than 7
    expect(t.markAllPending()).toBe(3);
    const order: number[] = [];
    for (let i = t.oldestPending(); i >= 0; i = t.oldestPending()) {
      order.push(t.ids[i]!);
      t.pending[i] = 0;
    }
    expect(order).toEqual([5, 7, 9]); // [MQTT-4.6.0-1] resends in the order first sent
  });
});
