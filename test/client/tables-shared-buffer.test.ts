// Unit: the client's fixed tables (in-flight, offline ring, subscriptions) can share one ArrayBuffer,
// each in its own byte range, without touching the others' bytes.
import { describe, expect, it } from "vitest";
import { InflightTable } from "../../src/client/inflight.js";
import { Outbox } from "../../src/client/outbox.js";
import { Router } from "../../src/client/router.js";

describe("client tables in one shared buffer", () => {
  it("place their columns at the given offsets and stay within their byte length", () => {
    const a = InflightTable.byteLength(3);
    const b = Outbox.byteLength(5);
    const c = Router.byteLength(2);
    expect([a % 8, b % 8, c % 8]).toEqual([0, 0, 0]);
    const guard = 8;
    const buffer = new ArrayBuffer(guard + a + guard + b + guard + c + guard);
    const all = new Uint8Array(buffer);
    const inflight = new InflightTable(3, buffer, guard);
    const outbox = new Outbox(5, buffer, guard + a + guard);
    const router = new Router(2, buffer, guard + a + guard + b + guard);
    for (const v of [inflight.seqs, inflight.slots, inflight.lengths, inflight.ids, inflight.pending]) {
      expect(v.buffer).toBe(buffer);
      expect(v.length).toBe(3);
    }
    for (const v of [outbox.slots, outbox.lengths, outbox.idOffsets, outbox.qos]) expect(v.length).toBe(5);
    for (const v of [router.packetIds, router.generations, router.qos, router.granted, router.states]) expect(v.length).toBe(2);
    // Fill every column with ones: the guard bytes between and around the tables stay zero.
    for (const v of [inflight.seqs, inflight.slots, inflight.lengths, inflight.ids, inflight.pending, outbox.slots,
      outbox.lengths, outbox.idOffsets, outbox.qos, router.packetIds, router.generations, router.qos, router.granted, router.states])
      v.fill(-1 as never);
    const guards = [0, guard + a, guard + a + guard + b, guard + a + guard + b + guard + c];
    for (const g of guards) expect([...all.subarray(g, g + guard)]).toEqual(new Array(guard).fill(0));
    // And they work there.
    const t = new InflightTable(2, new ArrayBuffer(16 + InflightTable.byteLength(2)), 16);
    expect(t.add(t.nextId(null), 4, 20)).toBe(0);
    expect(t.remove(1)).toBe(4);
    const o = new Outbox(2, new ArrayBuffer(Outbox.byteLength(2) + 4), 4);
    o.push(7, 30, 1, 9);
    expect(o.shift()).toBe(7);
    const r = new Router(1, new ArrayBuffer(Router.byteLength(1) + 8), 8);
    expect(r.granted[0]).toBe(0xff);
  });

  it("each own one buffer by default", () => {
    const t = new InflightTable(4);
    expect(t.ids.buffer).toBe(t.seqs.buffer);
    const o = new Outbox(0);
    expect(o.qos.buffer).toBe(o.slots.buffer);
    const r = new Router(3);
    expect(r.states.buffer).toBe(r.packetIds.buffer);
  });
});
