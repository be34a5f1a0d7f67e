// Conformance, client: QoS 0 sending, what the client answers to each incoming PUBLISH, and ordering of
// resends and PUBACKs. In-memory transport + wire tap.
import { describe, expect, it } from "vitest";
import { QUEUED, SENT } from "../../src/client/index.js";
import { PacketType } from "../../src/codec/index.js";
import { types, utf8, wireRig } from "./wire-rig.js";

describe("QoS 0 sender", () => {
  it("[MQTT-4.3.1-1] PUBLISH QoS 0 has DUP 0 and no Packet Identifier, sent live or from the offline queue", () => {
    const rig = wireRig({ offlineQueue: 4 });
    const h = rig.client.topic("t/a");
    expect(rig.client.publish(h, utf8("queued"), 0, 6, 0, true)).toBe(QUEUED);
    rig.client.connect();
    rig.step();
    expect(rig.client.publish(h, utf8("live"), 0, 4, 0, false)).toBe(SENT);
    rig.step();
    const pubs = rig.sent(0).filter((p) => p.type === PacketType.PUBLISH);
    // 0x31 / 0x30: PUBLISH, DUP 0, QoS 0, RETAIN as asked; topic length, topic, then straight the payload.
    expect(pubs.map((p) => p.bytes)).toEqual([
      [0x31, 2 + 3 + 6, 0, 3, ...utf8("t/a"), ...utf8("queued")],
      [0x30, 2 + 3 + 4, 0, 3, ...utf8("t/a"), ...utf8("live")],
    ]);
    // A QoS 0 message is never resent: after a reconnect nothing of it goes again.
    rig.broker.kick();
    rig.step();
    rig.step(100);
    expect(types(rig.sent(1))).toEqual(["CONNECT"]);
  });
});

describe("the client as receiver of PUBLISH", () => {
  it("[MQTT-3.3.4-1] QoS 0 is answered by nothing, QoS 1 by a PUBACK", () => {
    const rig = wireRig({ keepAlive: 60 });
    const got: string[] = [];
    rig.client.subscribe("cmd/#", 1, (m) => got.push(m.payloadString()));
    rig.client.connect();
    rig.step();
    const before = rig.sent(0).length;
    for (let i = 0; i < 5; i++) rig.broker.publish(utf8("cmd/0"), utf8(`z${i}`), 0, 2, 0, 0);
    rig.run(10_000);
    expect(got).toEqual(["z0", "z1", "z2", "z3", "z4"]);
    expect(rig.sent(0).length).toBe(before); // nothing at all went out
    rig.broker.publish(utf8("cmd/1"), utf8("o1"), 0, 2, 1, 9);
    rig.step();
    expect(rig.sent(0).slice(before).map((p) => p.bytes)).toEqual([[0x40, 2, 0, 9]]);
  });

  it("[MQTT-4.5.0-2] every QoS 1 PUBLISH is acknowledged: no matching subscription, a throwing handler, a removed one", () => {
    const rig = wireRig();
    const sub = rig.client.subscribe("cmd/gone/#", 1, () => undefined);
    rig.client.subscribe("cmd/throws", 1, () => {
      throw new Error("handler failed");
    });
    rig.client.connect();
    rig.step();
    expect(rig.client.unsubscribe(sub)).toBe(true);
    rig.step();
    rig.broker.publish(utf8("nobody/listens"), utf8("a"), 0, 1, 1, 1);
    rig.broker.publish(utf8("cmd/throws"), utf8("b"), 0, 1, 1, 2);
    rig.broker.publish(utf8("cmd/gone/x"), utf8("c"), 0, 1, 1, 3); // e.g. in flight when we unsubscribed
    rig.step();
    const acks = rig.sent(0).filter((p) => p.type === PacketType.PUBACK);
    expect(acks.map((p) => p.packetId)).toEqual([1, 2, 3]);
    expect(rig.client.counters.unrouted).toBe(2);
    expect(rig.client.counters.handlerErrors).toBe(1);
    expect(rig.client.connected).toBe(true);
  });
});

describe("ordering", () => {
  it("[MQTT-4.6.0-1] resends go in the order the PUBLISHes were first sent, whichever were acknowledged", () => {
    const rig = wireRig({ cleanSession: false, inflightWindow: 8 });
    rig.client.connect();
    rig.step();
    rig.broker.autoPuback = false;
    const h = rig.client.topic("t/o");
    for (let i = 0; i < 6; i++) {
      expect(rig.client.publish(h, utf8(`m${i}`), 0, 2, 1, false)).toBe(SENT);
      rig.step();
    }
    const first = rig.sent(0).filter((p) => p.type === PacketType.PUBLISH);
    // Acknowledge m1 and m4 only, out of order.
    for (const i of [4, 1]) {
      const id = first[i]!.packetId;
      rig.broker.sendRaw(Uint8Array.of(0x40, 2, id >> 8, id & 0xff), 0, 4);
    }
    rig.step();
    expect(rig.client.inflight).toBe(4);
    rig.broker.kick();
    rig.step();
    rig.broker.sessionPresent = true;
    rig.broker.autoPuback = true;
    rig.step(100);
    const resent = rig.sent(1).filter((p) => p.type === PacketType.PUBLISH);
    expect(resent.map((p) => p.payload)).toEqual(["m0", "m2", "m3", "m5"]);
    expect(resent.map((p) => p.packetId)).toEqual([0, 2, 3, 5].map((i) => first[i]!.packetId));
  });

  it("[MQTT-4.6.0-2] PUBACKs go in the order the QoS 1 PUBLISHes arrived, also when send space runs short", () => {
    // A 24-byte send buffer: the 10 PUBACKs of one read (40 bytes) do not fit at once; the rest are queued.
    const rig = wireRig({}, { sendBuffer: 24 });
    rig.client.connect();
    rig.step();
    expect(rig.client.connected).toBe(true);
    const ids = [5, 3, 9, 65535, 1, 2, 7, 300, 42, 8];
    for (const id of ids) rig.broker.publish(utf8("in/x"), utf8("p"), 0, 1, 1, id);
    rig.network.pump(1); // one delivery round: the client reads all ten, only six PUBACKs fit the send space
    expect(rig.sent(0).filter((p) => p.type === PacketType.PUBACK).length).toBe(6);
    rig.step();
    const acks = rig.sent(0).filter((p) => p.type === PacketType.PUBACK);
    expect(acks.map((p) => p.packetId)).toEqual(ids);
    expect(rig.client.counters.received).toBe(10);
    // With a roomy link they go in order too, interleaved with QoS 0 messages that get no answer.
    rig.broker.publish(utf8("in/y"), utf8("q"), 0, 1, 1, 11);
    rig.broker.publish(utf8("in/y"), utf8("q"), 0, 1, 0, 0);
    rig.broker.publish(utf8("in/y"), utf8("q"), 0, 1, 1, 10);
    rig.step();
    rig.step();
    expect(rig.sent(0).filter((p) => p.type === PacketType.PUBACK).slice(10).map((p) => p.packetId)).toEqual([11, 10]);
  });
});
