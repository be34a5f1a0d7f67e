// Conformance, client: Packet Identifiers on the wire: allocation of unused ids, ids kept on resends and freed
// only by their ack, acks that carry the id of what they answer, and the QoS 1 sender and receiver flows.
import { describe, expect, it } from "vitest";
import { SENT } from "../../src/client/index.js";
import { PacketType } from "../../src/codec/index.js";
import { utf8, wireRig } from "./wire-rig.js";

function puback(id: number): Uint8Array {
  return Uint8Array.of(0x40, 0x02, id >> 8, id & 0xff);
}

describe("Packet Identifier allocation", () => {
  it("[MQTT-2.3.1-2] SUBSCRIBE, UNSUBSCRIBE and QoS 1 PUBLISH outstanding together all get distinct unused ids", () => {
    const rig = wireRig({ inflightWindow: 8 });
    const sub = rig.client.subscribe("a/#", 1, () => undefined);
    rig.client.connect();
    rig.step();
    rig.broker.autoPuback = false;
    // Stall the link: nothing the client writes is answered until resume, so every request stays outstanding.
    rig.connection(0).stalled = true;
    const h = rig.client.topic("t");
    for (let i = 0; i < 3; i++) expect(rig.client.publish(h, utf8(`p${i}`), 0, 2, 1, false)).toBe(SENT);
    rig.client.subscribe("b/#", 1, () => undefined);
    rig.client.unsubscribe(sub);
    rig.client.subscribe("c/+", 0, () => undefined);
    for (let i = 3; i < 6; i++) expect(rig.client.publish(h, utf8(`p${i}`), 0, 2, 1, false)).toBe(SENT);
    rig.step(5); // the client's batch timer writes what it staged
    const requests = rig.sent(0).filter((p) => p.type === PacketType.PUBLISH || p.type === PacketType.SUBSCRIBE ||
      p.type === PacketType.UNSUBSCRIBE);
    // a/# (granted at connect), then 3 PUBLISH, SUBSCRIBE b/#, UNSUBSCRIBE a/#, SUBSCRIBE c/+, 3 PUBLISH.
    expect(requests.length).toBe(10);
    const outstanding = requests.slice(1).map((p) => p.packetId);
    expect(outstanding.every((id) => id >= 1 && id <= 65535)).toBe(true);
    expect(new Set(outstanding).size).toBe(outstanding.length);
    rig.connection(0).stalled = false;
    rig.step();
    expect(rig.broker.releaseAcks()).toBe(6);
    rig.step();
    expect(rig.client.inflight).toBe(0);
  });

  it("[MQTT-2.3.1-2] [MQTT-2.3.1-3] across the 65535 -> 1 wrap, an id still unacknowledged is never handed out again", () => {
    const rig = wireRig({ inflightWindow: 16, txSlots: 32 });
    rig.client.connect();
    rig.step();
    rig.broker.autoPuback = false;
    const outstanding = new Set<number>();
    const arrived: number[] = [];
    const problems: string[] = [];
    let publishes = 0;
    let wrapped = false;
    let last = 0;
    rig.broker.onPacket = (packet) => {
      if (packet.type !== PacketType.PUBLISH) return;
      const id = packet.packetId;
      publishes++;
      if (outstanding.has(id) && problems.length < 5) problems.push(`id ${id} reused while unacknowledged (publish ${publishes})`);
      if (id < last) wrapped = true;
      last = id;
      outstanding.add(id);
      arrived.push(id);
    };
    const h = rig.client.topic("t");
    const p = utf8("x");
    expect(rig.client.publish(h, p, 0, 1, 1, false)).toBe(SENT);
    rig.step();
    const held = arrived.pop()!; // the first message stays unacknowledged for the whole run
    // Rounds of 8 messages, each acknowledged by us (the scripted broker only holds its acks): 70,000 ids.
    for (let round = 0; round < 8750; round++) {
      for (let i = 0; i < 8; i++) expect(rig.client.publish(h, p, 0, 1, 1, false)).toBe(SENT);
      rig.step(5);
      for (const id of arrived) {
        outstanding.delete(id);
        rig.broker.sendRaw(puback(id), 0, 4);
      }
      arrived.length = 0;
      rig.network.pump();
    }
    expect(problems).toEqual([]);
    expect(publishes).toBe(70001);
    expect(wrapped).toBe(true);
    expect(rig.client.inflight).toBe(1); // only the held one
    expect(outstanding).toEqual(new Set([held]));
    // Its id is freed by its PUBACK, not before.
    rig.broker.sendRaw(puback(held), 0, 4);
    rig.step();
    expect(rig.client.inflight).toBe(0);
  });

  it("[MQTT-4.4.0-1] [MQTT-2.3.1-3] [MQTT-3.3.1-1] CleanSession = 0, session kept: unacknowledged PUBLISHes go first, same ids, DUP 1", () => {
    const rig = wireRig({ cleanSession: false });
    rig.client.connect();
    rig.step();
    rig.broker.autoPuback = false;
    const h = rig.client.topic("t/x");
    for (const m of ["a", "b", "c"]) expect(rig.client.publish(h, utf8(m), 0, 1, 1, true)).toBe(SENT);
    rig.step();
    const originals = rig.sent(0).filter((p) => p.type === PacketType.PUBLISH);
    expect(originals.map((p) => [p.payload, p.dup, p.qos, p.retain])).toEqual([
      ["a", false, 1, true], ["b", false, 1, true], ["c", false, 1, true],
    ]);
    rig.broker.kick();
    rig.step();
    rig.broker.sessionPresent = true;
    rig.step(100);
    expect(rig.connected).toEqual([false, true]);
    const resent = rig.sent(1);
    expect(resent.slice(0, 4).map((p) => p.type)).toEqual([PacketType.CONNECT, PacketType.PUBLISH, PacketType.PUBLISH,
      PacketType.PUBLISH]);
    expect(resent.slice(1).map((p) => [p.packetId, p.payload, p.dup, p.qos, p.retain])).toEqual(
      originals.map((p) => [p.packetId, p.payload, true, 1, true]));
    // Byte for byte the original packet with the DUP bit (0x08) added.
    for (let i = 0; i < 3; i++) {
      expect(resent[i + 1]!.bytes).toEqual([originals[i]!.bytes[0]! | 0x08, ...originals[i]!.bytes.slice(1)]);
    }
    // Until acknowledged the ids stay taken: a new message gets a fresh one.
    expect(rig.client.publish(h, utf8("d"), 0, 1, 1, false)).toBe(SENT);
    rig.step();
    const d = rig.sent(1).at(-1)!;
    expect(originals.map((p) => p.packetId)).not.toContain(d.packetId);
    expect(rig.broker.releaseAcks()).toBe(4);
    rig.step();
    expect(rig.client.inflight).toBe(0);
  });
});

describe("acknowledgements carry the id of what they answer", () => {
  it("[MQTT-2.3.1-6] the PUBACK for a QoS 1 PUBLISH with id 0x1234 is exactly 40 02 12 34", () => {
    const rig = wireRig();
    rig.client.subscribe("cmd/#", 1, () => undefined);
    rig.client.connect();
    rig.step();
    const before = rig.sent(0).length;
    rig.broker.publish(utf8("cmd/x"), utf8("1"), 0, 1, 1, 0x1234);
    rig.broker.publish(utf8("cmd/y"), utf8("2"), 0, 1, 1, 0xfffe);
    rig.step();
    const acks = rig.sent(0).slice(before);
    expect(acks.map((p) => p.bytes)).toEqual([[0x40, 0x02, 0x12, 0x34], [0x40, 0x02, 0xff, 0xfe]]);
  });
});

describe("QoS 1 flows", () => {
  it("[MQTT-4.3.2-1] sender: new id, QoS 1, DUP 0; unacknowledged until the PUBACK with that id", () => {
    const rig = wireRig();
    rig.client.connect();
    rig.step();
    rig.broker.autoPuback = false;
    const h = rig.client.topic("t/q1");
    expect(rig.client.publish(h, utf8("one"), 0, 3, 1, false)).toBe(SENT);
    expect(rig.client.publish(h, utf8("two"), 0, 3, 1, false)).toBe(SENT);
    rig.step();
    const [one, two] = rig.sent(0).filter((p) => p.type === PacketType.PUBLISH);
    expect([one!.qos, one!.dup, two!.qos, two!.dup]).toEqual([1, false, 1, false]);
    expect(one!.flags).toBe(0x02);
    expect(one!.packetId).not.toBe(two!.packetId);
    expect(rig.client.inflight).toBe(2);
    // A PUBACK for some other id releases nothing.
    const other = one!.packetId === 777 || two!.packetId === 777 ? 778 : 777;
    rig.broker.sendRaw(puback(other), 0, 4);
    rig.step();
    expect(rig.client.inflight).toBe(2);
    expect(rig.client.counters.unknownAcks).toBe(1);
    // Each PUBACK releases exactly its own message; nothing was re-sent meanwhile.
    rig.broker.sendRaw(puback(two!.packetId), 0, 4);
    rig.step();
    expect(rig.client.inflight).toBe(1);
    rig.broker.sendRaw(puback(one!.packetId), 0, 4);
    rig.step();
    expect(rig.client.inflight).toBe(0);
    expect(rig.sent(0).filter((p) => p.type === PacketType.PUBLISH).length).toBe(2);
  });

  it("[MQTT-4.3.2-2] receiver: PUBACK with the id after the handler owns it; the same id again is a new message", () => {
    const rig = wireRig();
    const got: [string, boolean, number][] = [];
    let acksWhileHandling = -1;
    rig.client.subscribe("cmd/#", 1, (m) => {
      got.push([m.payloadString(), m.dup, m.packetId]);
      // Inside the handler the PUBACK for this message has not been written yet.
      acksWhileHandling = rig.sent(0).filter((p) => p.type === PacketType.PUBACK).length;
    });
    rig.client.connect();
    rig.step();
    rig.broker.publish(utf8("cmd/a"), utf8("first"), 0, 5, 1, 42);
    rig.step();
    expect(acksWhileHandling).toBe(0);
    rig.broker.publish(utf8("cmd/a"), utf8("again"), 0, 5, 1, 42, false, true); // same id, DUP 1
    rig.step();
    expect(acksWhileHandling).toBe(1);
    rig.broker.publish(utf8("cmd/a"), utf8("third"), 0, 5, 1, 42); // same id, DUP 0
    rig.step();
    expect(got).toEqual([["first", false, 42], ["again", true, 42], ["third", false, 42]]);
    const acks = rig.sent(0).filter((p) => p.type === PacketType.PUBACK);
    expect(acks.map((p) => p.bytes)).toEqual([[0x40, 2, 0, 42], [0x40, 2, 0, 42], [0x40, 2, 0, 42]]);
  });
});
