// [MQTT-4.1.0-1] Sessions that survive a reboot, against the scripted broker: what a crash image holds is what the next client
// resends (same packet ids, DUP, in order, PUBREL for PUBREC'd QoS 2), incoming QoS 2 ids outlive the reboot,
// the writes per message are the ones journal.ts states, and a bad or foreign image never throws.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Qos2Engine, SENT, QUEUED, SessionJournal, StoreError, STORE_FAILED } from "../../src/client/index.js";
import { PacketType } from "../../src/codec/codes.js";
import { MemoryStore } from "../support/memory-store.js";
import { ascii, packets, publishes, tapRig } from "./tap-util.js";

const OPTS = { cleanSession: false, txSlots: 8, inflightWindow: 4, offlineQueue: 8 } as const;

/** A client over `store` (a new one, or a crash image), persistent session, QoS 2 engine. */
function rigOn(store: MemoryStore, extra: object = {}) {
  return tapRig({ ...OPTS, qos2: new Qos2Engine(), journal: new SessionJournal(store), ...extra });
}

describe("session journal (scripted broker)", () => {
  it("in-flight and queued QoS 1 messages survive a crash: resent first with DUP and the same ids, then the queue in order", () => {
    const store = new MemoryStore();
    const a = rigOn(store);
    a.broker.autoPuback = false;
    a.client.connect();
    a.step();
    const h = a.client.topic("j/t");
    expect(a.client.publish(h, ascii("m1"), 0, 2, 1, false)).toBe(SENT);
    expect(a.client.publish(h, ascii("m2"), 0, 2, 1, false)).toBe(SENT);
    a.step();
    const sent = publishes(a.wire[0]!);
    a.broker.kick();
    a.step();
    expect(a.client.publish(h, ascii("m3"), 0, 2, 1, false)).toBe(QUEUED);
    expect(a.client.publish(h, ascii("m4"), 0, 2, 1, false)).toBe(QUEUED);
    // Crash: nothing more runs in `a`; the image is what the device had written.
    const bStore = new MemoryStore(store.crashImage());
    const b = rigOn(bStore);
    expect(b.client.counters.restored).toBe(4);
    expect(b.client.inflight).toBe(2);
    b.broker.sessionPresent = true;
    b.client.connect();
    b.run(5, 10);
    const again = publishes(b.wire[0]!);
    expect(again.map((p) => [p.payload, p.dup])).toEqual([["m1", true], ["m2", true], ["m3", false], ["m4", false]]);
    expect(again[0]!.id).toBe(sent[0]!.id);
    expect(again[1]!.id).toBe(sent[1]!.id);
    expect(b.client.inflight).toBe(0); // all acknowledged
    expect(b.errors).toEqual([]);
    // Acknowledged messages are gone from the store: a third boot restores nothing.
    expect(rigOn(new MemoryStore(bStore.crashImage())).client.counters.restored).toBe(0);
  });

  it("a QoS 2 message the broker PUBREC'd before the crash gets PUBREL after it, never its PUBLISH again [MQTT-4.3.3-1]", () => {
    const store = new MemoryStore();
    const a = rigOn(store);
    a.broker.autoPubcomp = false;
    a.client.connect();
    a.step();
    const h = a.client.topic("j/q2");
    expect(a.client.publish(h, ascii("rec'd"), 0, 5, 2, false)).toBe(SENT);
    a.step();
    a.broker.autoPubrec = false;
    expect(a.client.publish(h, ascii("not yet"), 0, 7, 2, false)).toBe(SENT);
    a.step();
    const [first, second] = publishes(a.wire[0]!);
    const b = rigOn(new MemoryStore(store.crashImage()));
    expect(b.client.counters.restored).toBe(2);
    b.broker.sessionPresent = true;
    b.client.connect();
    b.run(5, 10);
    const wire = packets(b.wire[0]!).filter((p) => p.type !== PacketType.CONNECT);
    expect(wire[0]).toEqual({ type: PacketType.PUBREL, flags: 2, id: first!.id });
    const pubs = publishes(b.wire[0]!);
    expect(pubs).toHaveLength(1);
    expect(pubs[0]).toMatchObject({ payload: "not yet", dup: true, id: second!.id, qos: 2 });
    expect(b.client.inflight).toBe(0);
  });

  it("an incoming QoS 2 message delivered before the crash is not delivered again when the broker redelivers it after the reboot", () => {
    const store = new MemoryStore();
    const got: string[] = [];
    const handler = (m: { payloadString(): string }) => { got.push(m.payloadString()); };
    const a = rigOn(store);
    a.broker.autoPubrel = false;
    a.client.subscribe("j/in", 2, handler);
    a.client.connect();
    a.run(3, 10);
    a.broker.publish(ascii("j/in"), ascii("once"), 0, 4, 2, 77);
    a.run(3, 10);
    expect(got).toEqual(["once"]);
    const b = rigOn(new MemoryStore(store.crashImage()));
    b.client.subscribe("j/in", 2, handler);
    b.broker.sessionPresent = true;
    b.broker.autoPubrel = false;
    b.client.connect();
    b.run(3, 10);
    b.broker.publish(ascii("j/in"), ascii("once"), 0, 4, 2, 77, true);
    b.run(3, 10);
    expect(got).toEqual(["once"]); // recognised: PUBREC again, not delivered again
    expect(b.client.counters.duplicates).toBe(1);
    expect(b.broker.pubrecs).toBe(1);
    b.broker.sendAck(PacketType.PUBREL, 77);
    b.run(3, 10);
    expect(b.broker.pubcomps).toBe(1);
    b.broker.publish(ascii("j/in"), ascii("new"), 0, 3, 2, 77); // the id is free again: a new message
    b.run(3, 10);
    expect(got).toEqual(["once", "new"]);
  });

  it("costs the stated writes per message: QoS 1 two syncs (three if queued first), QoS 2 one more, incoming QoS 2 two", () => {
    const store = new MemoryStore();
    const a = rigOn(store);
    a.broker.autoPubrel = false;
    a.client.subscribe("j/cost/in", 2, () => {});
    a.client.connect();
    a.run(3, 10);
    const h = a.client.topic("j/cost");
    const cost = (run: () => void): number => {
      const before = store.syncs;
      run();
      return store.syncs - before;
    };
    expect(cost(() => { a.client.publish(h, ascii("q1"), 0, 2, 1, false); a.run(3, 10); })).toBe(2);
    expect(cost(() => { a.client.publish(h, ascii("q2"), 0, 2, 2, false); a.run(3, 10); })).toBe(3);
    expect(cost(() => { a.client.publish(h, ascii("q0"), 0, 2, 0, false); a.run(3, 10); })).toBe(0);
    expect(cost(() => {
      a.broker.publish(ascii("j/cost/in"), ascii("x"), 0, 1, 2, 9);
      a.run(3, 10);
      a.broker.sendAck(PacketType.PUBREL, 9);
      a.run(3, 10);
    })).toBe(2);
    a.broker.kick();
    a.step();
    expect(cost(() => {
      a.client.publish(h, ascii("late1"), 0, 5, 1, false);
      a.client.publish(h, ascii("late2"), 0, 5, 2, false);
      a.run(20, 200); // reconnect, send, ack
    })).toBe(3 + 4);
    expect(a.client.inflight).toBe(0);
    // Each sync follows at most two writes (packet + header), and nothing else is written in steady state.
    expect(store.writes).toBeLessThanOrEqual(2 * store.syncs);
  });

  it("a store that fails is reported as StoreError and the client goes on from RAM; nothing is thrown", () => {
    const store = new MemoryStore();
    const a = rigOn(store);
    a.client.connect();
    a.step();
    store.failing = true;
    const h = a.client.topic("j/fail");
    for (let k = 0; k < 4; k++) expect(a.client.publish(h, ascii(`x${k}`), 0, 2, 1, false)).toBe(SENT);
    a.run(3, 10);
    expect(a.client.inflight).toBe(0); // delivered from RAM
    const storeErrors = (): StoreError[] => a.errors.filter((e): e is StoreError => e instanceof StoreError);
    // One report for the run of failures, not one per message.
    expect(storeErrors().map((e) => [e.code, e.operation])).toEqual([[STORE_FAILED, "write"]]);
    expect(a.client.counters.storeErrors).toBe(1);
    store.failing = false;
    a.client.publish(h, ascii("ok"), 0, 2, 1, false);
    a.run(3, 10);
    store.failing = true;
    a.client.publish(h, ascii("again"), 0, 5, 1, false);
    a.run(3, 10);
    expect(storeErrors()).toHaveLength(2); // a new run of failures is reported again
  });

  it("an image from another program or a garbled one is reported and replaced, never thrown on", () => {
    const junk = new MemoryStore(Uint8Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff));
    const a = rigOn(junk);
    expect(a.client.counters.restored).toBe(0);
    a.client.connect();
    a.step();
    expect(a.errors.map((e) => e instanceof StoreError ? e.detail : e.name)).toEqual([-1]);
  });

  it("messages saved under another pool geometry come back under the new one, and the image is rewritten once", () => {
    const store = new MemoryStore();
    const a = rigOn(store, { txSlots: 6, txSlotSize: 100 }); // not a multiple of 32: records are padded
    a.client.connect();
    a.step();
    a.broker.kick();
    a.step();
    const h = a.client.topic("j/geo");
    for (const p of ["g1", "g2", "g3"]) expect(a.client.publish(h, ascii(p), 0, 2, 1, false)).toBe(QUEUED);
    const grown = new MemoryStore(store.crashImage());
    const b = rigOn(grown, { txSlots: 12, txSlotSize: 256 });
    expect(b.client.counters.restored).toBe(3);
    b.client.connect();
    b.run(5, 10);
    expect(publishes(b.wire[0]!).map((p) => p.payload)).toEqual(["g1", "g2", "g3"]);
    // Rebooting again under the new geometry finds a consistent (now empty) image.
    const c = rigOn(new MemoryStore(grown.crashImage()), { txSlots: 12, txSlotSize: 256 });
    expect(c.client.counters.restored).toBe(0);
    c.client.connect();
    c.step();
    expect(c.errors).toEqual([]);
  });

  it("a saved image with any bytes flipped never throws and never brings back a message that was not accepted", () => {
    const store = new MemoryStore();
    const a = rigOn(store);
    const h = a.client.topic("j/flip");
    const accepted = new Set<string>();
    for (let k = 0; k < 6; k++) {
      const p = `reading-${k}`;
      if (a.client.publish(h, ascii(p), 0, p.length, 1 + (k % 2), false) === QUEUED) accepted.add(p);
    }
    expect(accepted.size).toBe(6);
    const image = store.crashImage();
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(image.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 12 }), (flips) => {
      const bad = image.slice();
      for (const [at, x] of flips) bad[at] = bad[at]! ^ x;
      const b = rigOn(new MemoryStore(bad));
      const tokens = new Float64Array(16);
      const n = b.client.messages(tokens);
      const buf = new Uint8Array(64);
      for (let k = 0; k < n; k++) {
        const len = b.client.readMessage(tokens[k]!, buf);
        expect(accepted.has(String.fromCharCode(...buf.subarray(0, len)))).toBe(true);
      }
      expect(n + b.client.counters.storeErrors).toBeGreaterThan(0); // restored, or said why not
    }), { numRuns: 300 });
  });
});
