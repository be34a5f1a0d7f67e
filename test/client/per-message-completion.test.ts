// Per-message completion (issue 11 item 3): publish gives each QoS 1/2 message a token (client.lastToken);
// onComplete(token, status) reports it acknowledged (PUBACK / PUBCOMP), dropped from the offline queue, or set
// aside as poison; messages() lists what is queued or in flight, packetIdOf() and dropMessage() act on one.
import { describe, expect, it } from "vitest";
import {
  BUSY, COMPLETED, DROPPED_OLDEST, POISON_MESSAGE, QUEUED, Qos2Engine, SENT,
} from "../../src/client/index.js";
import { PacketType } from "../../src/codec/codes.js";
import { ascii, publishes, tapRig } from "./tap-util.js";

describe("per-message completion", () => {
  it("tokens for QoS 1/2 publishes; onComplete(token, COMPLETED) on PUBACK and on PUBCOMP", () => {
    const done: [number, number][] = [];
    const rig = tapRig({ qos2: new Qos2Engine(), onComplete: (t, s) => done.push([t, s]) });
    rig.broker.autoPuback = false;
    rig.broker.autoPubcomp = false;
    rig.client.connect();
    rig.step();
    const h = rig.client.topic("c/x");
    expect(rig.client.publish(h, ascii("a"), 0, 1, 1, false)).toBe(SENT);
    const t1 = rig.client.lastToken;
    expect(rig.client.publish(h, ascii("b"), 0, 1, 2, false)).toBe(SENT);
    const t2 = rig.client.lastToken;
    expect(rig.client.publish(h, ascii("c"), 0, 1, 0, false)).toBe(SENT);
    expect(rig.client.lastToken).toBe(0); // QoS 0: no completion
    expect(rig.client.publish(h, ascii("d"), 0, 1, 3, false)).toBeLessThan(0);
    expect(rig.client.lastToken).toBe(0); // refused
    expect(t1).toBeGreaterThan(0);
    expect(t2).toBeGreaterThan(t1);
    rig.step();
    const [a, b] = publishes(rig.wire[0]!);
    expect(rig.client.packetIdOf(t1)).toBe(a!.id);
    expect(rig.client.packetIdOf(t2)).toBe(b!.id);
    expect(done).toEqual([]);
    rig.broker.releaseAcks();
    rig.step();
    expect(done).toEqual([[t1, COMPLETED]]);
    rig.broker.sendAck(PacketType.PUBCOMP, b!.id); // PUBREC → PUBREL went already (scripted broker)
    rig.step();
    expect(done).toEqual([[t1, COMPLETED], [t2, COMPLETED]]);
    expect(rig.client.packetIdOf(t1)).toBe(-1);
  });

  it("onComplete(token, DROPPED_OLDEST) for a message dropped from the offline queue", () => {
    const done: [number, number][] = [];
    const rig = tapRig({ offlineQueue: 2, overflow: "drop-oldest", onComplete: (t, s) => done.push([t, s]) });
    const h = rig.client.topic("c/x");
    const tokens: number[] = [];
    for (let i = 0; i < 3; i++) {
      expect(rig.client.publish(h, ascii(`q${i}`), 0, 2, 1, false)).toBe(QUEUED);
      tokens.push(rig.client.lastToken);
    }
    rig.step();
    expect(done).toEqual([[tokens[0], DROPPED_OLDEST]]);
    expect(rig.client.packetIdOf(tokens[1]!)).toBe(0); // queued
    rig.client.connect();
    rig.run(3, 0);
    expect(done).toEqual([[tokens[0], DROPPED_OLDEST], [tokens[1], COMPLETED], [tokens[2], COMPLETED]]);
  });

  it("onComplete(token, POISON_MESSAGE) when the poison policy sets it aside; COMPLETED after a successful retry", () => {
    const done: [number, number][] = [];
    const rig = tapRig({ txSlotSize: 2048, poisonAfter: 2, onComplete: (t, s) => done.push([t, s]) });
    rig.broker.onPacket = (p) => {
      if (p.type === PacketType.PUBLISH && p.payloadLength > 1000) rig.broker.kick();
    };
    rig.client.connect();
    rig.step();
    const h = rig.client.topic("c/big");
    rig.client.publish(h, new Uint8Array(1200), 0, 1200, 1, false);
    const token = rig.client.lastToken;
    rig.run(30, 100);
    expect(done).toEqual([[token, POISON_MESSAGE]]);
    const id = rig.client.packetIdOf(token);
    expect(id).toBeGreaterThan(0);
    rig.broker.onPacket = null;
    expect(rig.client.retryPoisoned(id)).toBe(true);
    rig.run(3, 0);
    expect(done).toEqual([[token, POISON_MESSAGE], [token, COMPLETED]]);
  });

  it("messages() lists in-flight then queued tokens; dropMessage() drops a queued or an in-flight one", () => {
    const done: number[] = [];
    const rig = tapRig({ inflightWindow: 2, offlineQueue: 4, onComplete: (t) => done.push(t) });
    rig.broker.autoPuback = false;
    rig.client.connect();
    rig.step();
    const h = rig.client.topic("c/x");
    const t: number[] = [];
    for (let i = 0; i < 2; i++) {
      expect(rig.client.publish(h, ascii(`f${i}`), 0, 2, 1, false)).toBe(SENT);
      t.push(rig.client.lastToken);
    }
    expect(rig.client.publish(h, ascii("busy"), 0, 4, 1, false)).toBe(BUSY);
    rig.step();
    rig.broker.kick(); // offline: the next ones queue
    rig.step();
    for (let i = 0; i < 3; i++) {
      expect(rig.client.publish(h, ascii(`q${i}`), 0, 2, 1, false)).toBe(QUEUED);
      t.push(rig.client.lastToken);
    }
    const into = new Float64Array(8);
    expect(rig.client.messages(into)).toBe(5);
    expect([...into.subarray(0, 5)].sort((x, y) => x - y)).toEqual(t);
    expect([...into.subarray(2, 5)]).toEqual(t.slice(2)); // queued ones in order, after those in flight
    expect(rig.client.messages(new Float64Array(2))).toBe(5); // count even when it does not fit
    expect(rig.client.dropMessage(t[3]!)).toBe(true); // queued, in the middle
    expect(rig.client.dropMessage(t[0]!)).toBe(true); // in flight
    expect(rig.client.dropMessage(t[0]!)).toBe(false);
    expect(rig.client.inflight).toBe(1);
    expect(rig.client.queued).toBe(2);
    rig.broker.autoPuback = true;
    rig.run(10, 200);
    expect(rig.client.inflight + rig.client.queued).toBe(0);
    const last = publishes(rig.wire[rig.wire.length - 1]!).map((p) => p.payload);
    expect(last).toEqual(["f1", "q0", "q2"]); // f0 and q1 dropped, the rest in order
    expect(done.sort((x, y) => x - y)).toEqual([t[1], t[2], t[4]]);
  });

  it("lastToken is the token of this call even when a callback run at its end publishes again", () => {
    let h = -1;
    let inner = -1;
    const rig = tapRig({
      offlineQueue: 1, overflow: "drop-oldest",
      onQueueOverflow: () => {
        if (inner !== -1) return;
        inner = -2;
        rig.client.publish(h, ascii("qos0"), 0, 4, 0, false); // re-entrant, from the callback (drops "second")
        inner = rig.client.lastToken;
      },
    });
    h = rig.client.topic("c/x");
    rig.client.publish(h, ascii("first"), 0, 5, 1, false);
    const first = rig.client.lastToken;
    expect(rig.client.publish(h, ascii("second"), 0, 6, 1, false)).toBe(QUEUED); // drops "first": callback runs
    expect(inner).toBe(0);
    expect(rig.client.lastToken).toBeGreaterThan(first); // "second"'s token, not the nested QoS 0's 0
    expect(rig.client.queued).toBe(1); // the nested QoS 0 publish pushed "second" out
  });

  it("a QoS 2 message the broker has PUBREC'd cannot be dropped", () => {
    const rig = tapRig({ qos2: new Qos2Engine() });
    rig.broker.autoPubcomp = false;
    rig.client.connect();
    rig.step();
    const h = rig.client.topic("c/x");
    rig.client.publish(h, ascii("x"), 0, 1, 2, false);
    const token = rig.client.lastToken;
    rig.step();
    expect(rig.broker.pubrels).toBe(1);
    expect(rig.client.dropMessage(token)).toBe(false);
    expect(rig.client.inflight).toBe(1);
  });
});
