// Conformance, client: what goes first on a connection, the ClientId and CleanSession flag it carries, and what
// the client keeps (or discards) of its session across connections. In-memory transport + wire tap.
import { describe, expect, it } from "vitest";
import { InvalidOptionError, QUEUED, SENT } from "../../src/client/index.js";
import { PacketType } from "../../src/codec/index.js";
import { types, utf8, wireRig, type WireRig } from "./wire-rig.js";

/** Kills the current connection (reset) and lets the client reconnect (reconnect delay 50 ms). */
function bounce(rig: WireRig): void {
  rig.broker.kick();
  rig.step();
  rig.step(100);
}

describe("first packet on every connection", () => {
  it("[MQTT-3.1.0-1] is CONNECT, also with publishes queued, subscriptions owed and resends pending", () => {
    const rig = wireRig({ cleanSession: false });
    const h = rig.client.topic("t/a");
    rig.client.subscribe("cmd/#", 1, () => undefined);
    expect(rig.client.publish(h, utf8("q0"), 0, 2, 0, false)).toBe(QUEUED);
    expect(rig.client.publish(h, utf8("q1"), 0, 2, 1, false)).toBe(QUEUED);
    rig.client.connect();
    // Publishing while the socket opens and while CONNACK is awaited queues; nothing overtakes CONNECT.
    expect(rig.client.publish(h, utf8("q2"), 0, 2, 1, false)).toBe(QUEUED);
    rig.broker.ignoreConnect = true;
    rig.network.pump();
    expect(rig.client.publish(h, utf8("q3"), 0, 2, 0, false)).toBe(QUEUED);
    rig.network.pump();
    expect(types(rig.sent(0))).toEqual(["CONNECT"]); // waiting for CONNACK: CONNECT and nothing else

    // No CONNACK: connect timeout, new connection; this time the broker answers.
    rig.broker.ignoreConnect = false;
    rig.step(2000);
    rig.step(100);
    expect(rig.client.connected).toBe(true);
    expect(types(rig.sent(1))).toEqual(["CONNECT", "SUBSCRIBE", "PUBLISH", "PUBLISH", "PUBLISH", "PUBLISH"]);

    // In-flight resend owed, then a refused connection, then an accepted one.
    rig.broker.autoPuback = false;
    expect(rig.client.publish(h, utf8("q4"), 0, 2, 1, false)).toBe(SENT);
    rig.step();
    rig.broker.connackCode = 3; // server unavailable: the broker answers and closes
    bounce(rig);
    rig.broker.connackCode = 0;
    rig.broker.sessionPresent = true;
    rig.step(100);
    rig.step(100);
    expect(rig.client.connected).toBe(true);
    expect(rig.network.connections.length).toBe(4);
    expect(types(rig.sent(2))).toEqual(["CONNECT"]); // refused with CONNACK 3
    expect(types(rig.sent(3))).toEqual(["CONNECT", "PUBLISH"]); // then the resend of q4
    for (let i = 0; i < rig.network.connections.length; i++) {
      const sent = rig.sent(i);
      expect(sent[0]?.type, `connection ${i}`).toBe(PacketType.CONNECT);
      expect(sent.filter((p) => p.type === PacketType.CONNECT).length, `connection ${i}`).toBe(1);
    }
  });
});

describe("ClientId and CleanSession in every CONNECT", () => {
  it("[MQTT-3.1.3-2] every (re)connect carries the same configured ClientId", () => {
    const rig = wireRig({ clientId: "sensor-ä1", cleanSession: false });
    rig.client.connect();
    rig.step();
    bounce(rig);
    bounce(rig);
    const connects = rig.sent().filter((p) => p.type === PacketType.CONNECT);
    expect(connects.length).toBe(3);
    expect(connects.map((p) => p.clientId)).toEqual(["sensor-ä1", "sensor-ä1", "sensor-ä1"]);
    expect(connects.every((p) => !p.cleanSession)).toBe(true); // [MQTT-3.1.2-4] the session is asked for every time
  });

  it("[MQTT-3.1.3-7] a zero-byte ClientId is refused without CleanSession and sent with CleanSession = 1", () => {
    expect(() => wireRig({ clientId: "", cleanSession: false })).toThrow(InvalidOptionError);
    const rig = wireRig({ clientId: "" });
    rig.client.connect();
    rig.step();
    const connect = rig.sent(0)[0]!;
    expect(connect.type).toBe(PacketType.CONNECT);
    expect(connect.clientId).toBe("");
    expect(connect.cleanSession).toBe(true);
    // The ClientId field is present with length 0: ... 00 0a (keepalive) 00 00 (zero-byte ClientId).
    expect(connect.bytes.slice(-4)).toEqual([0x00, 0x0a, 0x00, 0x00]);
  });
});

/** Sets up a session: one subscription granted, one whose SUBACK is lost, three QoS 1 messages unacknowledged. */
function sessionWithState(cleanSession: boolean): { rig: WireRig; ids: number[]; filters: string[] } {
  const rig = wireRig({ cleanSession, inflightWindow: 8 });
  rig.client.subscribe("cmd/granted/#", 1, () => undefined);
  rig.client.connect();
  rig.step();
  expect(rig.client.granted(1)).toBe(1);
  rig.broker.autoPuback = false;
  const h = rig.client.topic("data/x");
  for (const m of ["m0", "m1", "m2"]) expect(rig.client.publish(h, utf8(m), 0, 2, 1, false)).toBe(SENT);
  rig.step();
  rig.client.subscribe("cmd/lost/#", 1, () => undefined); // written now; the link dies before its SUBACK is read
  rig.broker.kick();
  rig.step();
  expect(rig.client.connected).toBe(false);
  expect(rig.client.inflight).toBe(3);
  const first = rig.sent(0);
  const ids = first.filter((p) => p.type === PacketType.PUBLISH).map((p) => p.packetId);
  const filters = first.filter((p) => p.type === PacketType.SUBSCRIBE).flatMap((p) => p.filters);
  expect(filters).toEqual(["cmd/granted/#", "cmd/lost/#"]);
  return { rig, ids, filters };
}

describe("session state across connections", () => {
  it("[MQTT-3.1.2-4] [MQTT-4.1.0-1] CleanSession = 0: in-flight messages and unacknowledged requests survive the disconnect", () => {
    const { rig, ids } = sessionWithState(false);
    rig.broker.autoPuback = true;
    rig.broker.sessionPresent = true;
    rig.step(100);
    expect(rig.connected).toEqual([false, true]);
    const second = rig.sent(1);
    expect(second[0]!.cleanSession).toBe(false);
    // The three messages are resent as retransmissions of the same session: same ids [MQTT-4.4.0-1], DUP 1
    // [MQTT-3.3.1-1], in order; the SUBSCRIBE whose SUBACK was lost goes again; the granted subscription is not
    // repeated (the broker kept it).
    const publishes = second.filter((p) => p.type === PacketType.PUBLISH);
    expect(publishes.map((p) => [p.packetId, p.dup, p.payload])).toEqual([
      [ids[0], true, "m0"], [ids[1], true, "m1"], [ids[2], true, "m2"],
    ]);
    expect(second.filter((p) => p.type === PacketType.SUBSCRIBE).flatMap((p) => p.filters)).toEqual(["cmd/lost/#"]);
    expect(rig.client.inflight).toBe(0);
  });

  it("[MQTT-3.1.2-6] CleanSession = 1: nothing of the previous session is reused", () => {
    const { rig, ids } = sessionWithState(true);
    rig.broker.autoPuback = true;
    rig.step(100);
    expect(rig.connected).toEqual([false, false]);
    const second = rig.sent(1);
    expect(second[0]!.cleanSession).toBe(true);
    // Decided behaviour: unacknowledged QoS 1 messages are not lost, but they are not retransmissions of the
    // discarded session either: they go as first deliveries of the new one (DUP 0), in their original order.
    const publishes = second.filter((p) => p.type === PacketType.PUBLISH);
    expect(publishes.map((p) => [p.dup, p.payload])).toEqual([[false, "m0"], [false, "m1"], [false, "m2"]]);
    expect(publishes.every((p) => p.packetId > 0)).toBe(true);
    expect(new Set(publishes.map((p) => p.packetId)).size).toBe(ids.length);
    // The broker holds no subscription of the new session: every live subscription is made again.
    expect(second.filter((p) => p.type === PacketType.SUBSCRIBE).flatMap((p) => p.filters).sort())
      .toEqual(["cmd/granted/#", "cmd/lost/#"]);
    expect(rig.client.inflight).toBe(0);
    expect(rig.client.sessionPresent).toBe(false);
  });

  it("[MQTT-3.1.2-6] CleanSession = 1: a Session Present = 1 from the broker does not revive the old session", () => {
    const { rig } = sessionWithState(true);
    rig.broker.autoPuback = true;
    rig.broker.sessionPresent = true; // not conformant: the answer to CleanSession = 1 has Session Present = 0
    rig.step(100);
    expect(rig.connected).toEqual([false, false]);
    const second = rig.sent(1);
    expect(second.filter((p) => p.type === PacketType.PUBLISH).every((p) => !p.dup)).toBe(true);
    expect(second.filter((p) => p.type === PacketType.SUBSCRIBE).flatMap((p) => p.filters).sort())
      .toEqual(["cmd/granted/#", "cmd/lost/#"]);
  });
});
