// QoS 2 against the scripted broker, byte-exact: the four-packet flow in both directions, PUBREL (not PUBLISH)
// resent after a reconnect with the session kept, PUBLISH with DUP for what had no PUBREC, and exactly-once
// delivery of an incoming QoS 2 message redelivered with DUP (same connection and after a reconnect).
import { describe, expect, it } from "vitest";
import { INVALID_QOS, InvalidOptionError, Qos2Engine, SENT } from "../../src/client/index.js";
import { PacketType } from "../../src/codec/codes.js";
import { ascii, packets, publishes, tapRig } from "./tap-util.js";

const T = ascii("q2/in");

describe("QoS 2 (scripted broker)", () => {
  it("[MQTT-4.3.3-1] outgoing: PUBLISH → PUBREC → PUBREL → PUBCOMP; the record and id are kept until PUBCOMP", () => {
    const rig = tapRig({ qos2: new Qos2Engine() });
    rig.broker.autoPubcomp = false;
    rig.client.connect();
    rig.step();
    const h = rig.client.topic("q2/out");
    expect(rig.client.publish(h, ascii("once"), 0, 4, 2, false)).toBe(SENT);
    rig.step();
    const [pub] = publishes(rig.wire[0]!);
    expect(pub).toMatchObject({ payload: "once", qos: 2, dup: false });
    expect(rig.broker.pubrels).toBe(1); // PUBREC answered with PUBREL [MQTT-4.3.3-1]
    expect(rig.broker.lastPubrelId).toBe(pub!.id);
    const rel = packets(rig.wire[0]!).find((p) => p.type === PacketType.PUBREL)!;
    expect(rel.flags).toBe(2); // PUBREL fixed-header flags 0010 [MQTT-3.6.1-1]
    expect(rig.client.inflight).toBe(1); // still in flight until PUBCOMP
    expect(rig.client.counters.acked).toBe(0);
    rig.broker.sendAck(PacketType.PUBCOMP, pub!.id);
    rig.step();
    expect(rig.client.inflight).toBe(0);
    expect(rig.client.counters.acked).toBe(1);
    // A PUBACK or a second PUBCOMP for it is an unknown ack, not a completion.
    rig.broker.sendAck(PacketType.PUBCOMP, pub!.id);
    rig.step();
    expect(rig.client.counters.unknownAcks).toBe(1);
    expect(rig.errors).toEqual([]);
  });

  it("[MQTT-4.4.0-1] [MQTT-4.3.3-1] after a reconnect with the session kept: PUBREL for what was PUBREC'd, PUBLISH with DUP for the rest", () => {
    const rig = tapRig({ qos2: new Qos2Engine(), cleanSession: false });
    rig.broker.sessionPresent = true;
    rig.broker.autoPubcomp = false;
    rig.client.connect();
    rig.step();
    const h = rig.client.topic("q2/out");
    expect(rig.client.publish(h, ascii("a"), 0, 1, 2, false)).toBe(SENT);
    rig.step();
    rig.broker.autoPubrec = false;
    expect(rig.client.publish(h, ascii("b"), 0, 1, 2, false)).toBe(SENT);
    rig.step();
    const [a, b] = publishes(rig.wire[0]!);
    expect(rig.broker.pubrels).toBe(1);
    rig.broker.kick();
    rig.broker.autoPubrec = true;
    rig.broker.autoPubcomp = true;
    rig.run(10, 200);
    expect(rig.connected).toEqual([true, true]);
    const second = packets(rig.wire[1]!).filter((p) => p.type !== PacketType.CONNECT);
    // PUBREL for "a" first (original order), never its PUBLISH again; then "b" as PUBLISH with DUP, same id.
    expect(second[0]).toEqual({ type: PacketType.PUBREL, flags: 2, id: a!.id });
    const again = publishes(rig.wire[1]!);
    expect(again).toEqual([{ ...b!, dup: true }]);
    expect(again.some((p) => p.payload === "a")).toBe(false);
    expect(rig.client.inflight).toBe(0);
    expect(rig.client.counters.acked).toBe(2);
    expect(rig.client.counters.resent).toBe(2);
  });

  it("[MQTT-4.3.3-2] [MQTT-3.3.4-1] incoming: delivered once, PUBREC on every receipt, DUP redelivery (same link and after reconnect) not delivered again, PUBCOMP on PUBREL", () => {
    const engine = new Qos2Engine();
    const rig = tapRig({ qos2: engine, cleanSession: false });
    rig.broker.sessionPresent = true;
    rig.broker.autoPubrel = false; // the test sends PUBREL itself
    const got: string[] = [];
    rig.client.subscribe("q2/#", 2, (m) => got.push(`${m.payloadString()}:${m.qos}:${m.dup}`));
    rig.client.connect();
    rig.run(3, 0);
    expect(rig.client.granted(1)).toBe(2);
    const p = ascii("exactly-once");
    rig.broker.publish(T, p, 0, p.length, 2, 7);
    rig.step();
    expect(got).toEqual(["exactly-once:2:false"]);
    expect(engine.pending).toBe(1);
    rig.broker.publish(T, p, 0, p.length, 2, 7, false, true); // DUP on the same connection
    rig.step();
    rig.broker.kick();
    rig.run(10, 200);
    expect(rig.connected).toEqual([true, true]);
    rig.broker.publish(T, p, 0, p.length, 2, 7, false, true); // redelivered after the reconnect
    rig.step();
    expect(got).toEqual(["exactly-once:2:false"]);
    expect(rig.client.counters.duplicates).toBe(2);
    const recs = (i: number): number[] => packets(rig.wire[i]!).filter((q) => q.type === PacketType.PUBREC).map((q) => q.id);
    expect(recs(0)).toEqual([7, 7]);
    expect(recs(1)).toEqual([7]);
    rig.broker.sendAck(PacketType.PUBREL, 7);
    rig.step();
    expect(packets(rig.wire[1]!).filter((q) => q.type === PacketType.PUBCOMP).map((q) => q.id)).toEqual([7]);
    expect(engine.pending).toBe(0);
    // Released: id 7 now names a new message.
    rig.broker.publish(T, ascii("next"), 0, 4, 2, 7);
    rig.step();
    expect(got).toEqual(["exactly-once:2:false", "next:2:false"]);
    // PUBREL for an id not held is still answered with PUBCOMP.
    rig.broker.sendAck(PacketType.PUBREL, 7);
    rig.broker.sendAck(PacketType.PUBREL, 99);
    rig.step();
    expect(packets(rig.wire[1]!).filter((q) => q.type === PacketType.PUBCOMP).map((q) => q.id)).toEqual([7, 7, 99]);
    expect(rig.errors.map((e) => e.name)).toEqual(["ConnectionLostError"]); // the kick only
  });

  it("a new session (session present 0) forgets the incoming ids", () => {
    const engine = new Qos2Engine();
    const rig = tapRig({ qos2: engine, cleanSession: true });
    rig.broker.autoPubrel = false;
    const got: string[] = [];
    rig.client.subscribe("q2/#", 2, (m) => got.push(m.payloadString()));
    rig.client.connect();
    rig.run(3, 0);
    rig.broker.publish(T, ascii("x"), 0, 1, 2, 3);
    rig.step();
    expect(engine.pending).toBe(1);
    rig.broker.kick();
    rig.run(10, 200);
    expect(engine.pending).toBe(0);
    rig.broker.publish(T, ascii("y"), 0, 1, 2, 3);
    rig.step();
    expect(got).toEqual(["x", "y"]);
  });

  it("the incoming table full ends the connection (not delivered, redelivered later)", () => {
    const rig = tapRig({ qos2: new Qos2Engine({ incoming: 1 }) });
    rig.broker.autoPubrel = false;
    const got: string[] = [];
    rig.client.subscribe("q2/#", 2, (m) => got.push(m.payloadString()));
    rig.client.connect();
    rig.run(3, 0);
    rig.broker.publish(T, ascii("1"), 0, 1, 2, 1);
    rig.broker.publish(T, ascii("2"), 0, 1, 2, 2);
    rig.step();
    expect(got).toEqual(["1"]);
    expect(rig.disconnected.length).toBe(1);
    expect(rig.errors[0]!.message).toMatch(/QoS 2 table full/);
  });

  it("without the qos2 option: publish(…, 2) is INVALID_QOS, subscribe(…, 2) throws, QoS 2 packets end the link", () => {
    const rig = tapRig();
    rig.client.connect();
    rig.step();
    const h = rig.client.topic("q2/out");
    expect(rig.client.publish(h, ascii("x"), 0, 1, 2, false)).toBe(INVALID_QOS);
    expect(() => rig.client.subscribe("q2/#", 2, () => {})).toThrow(InvalidOptionError);
    rig.broker.sendAck(PacketType.PUBREL, 1);
    rig.step();
    expect(rig.disconnected.length).toBe(1);
    expect(() => new Qos2Engine({ incoming: 0 })).toThrow(InvalidOptionError);
    const engine = new Qos2Engine();
    tapRig({ qos2: engine });
    expect(() => tapRig({ qos2: engine })).toThrow(InvalidOptionError);
  });
});

describe("QoS 2 order and bytes", () => {
  it("[MQTT-4.6.0-3] PUBRECs go in the order the QoS 2 PUBLISHes arrived; [MQTT-2.3.1-6] each carries its PUBLISH's id (50 02 id)", () => {
    const rig = tapRig({ qos2: new Qos2Engine() });
    rig.broker.autoPubrel = false;
    rig.client.subscribe("q2/#", 2, () => {});
    rig.client.connect();
    rig.run(3, 0);
    for (const id of [5, 3, 0x1234, 9]) rig.broker.publish(T, ascii("x"), 0, 1, 2, id);
    rig.step();
    const w = rig.wire[0]!;
    expect(packets(w).filter((q) => q.type === PacketType.PUBREC).map((q) => q.id)).toEqual([5, 3, 0x1234, 9]);
    const at = w.findIndex((b, i) => b === 0x50 && w[i + 2] === 0x12);
    expect(w.slice(at, at + 4)).toEqual([0x50, 0x02, 0x12, 0x34]);
  });

  it("[MQTT-4.6.0-4] PUBRELs go in the order the PUBRECs were received; [MQTT-2.3.1-6] each carries the id (62 02 id)", () => {
    const rig = tapRig({ qos2: new Qos2Engine() });
    rig.broker.autoPubrec = false;
    rig.broker.autoPubcomp = false;
    rig.client.connect();
    rig.step();
    const h = rig.client.topic("q2/out");
    for (let i = 0; i < 3; i++) rig.client.publish(h, ascii(`m${i}`), 0, 2, 2, false);
    rig.step();
    const ids = publishes(rig.wire[0]!).map((q) => q.id);
    expect(ids).toHaveLength(3);
    for (const id of [ids[2]!, ids[0]!, ids[1]!]) rig.broker.sendAck(PacketType.PUBREC, id);
    rig.step();
    const rels = packets(rig.wire[0]!).filter((q) => q.type === PacketType.PUBREL);
    expect(rels.map((q) => q.id)).toEqual([ids[2], ids[0], ids[1]]);
    expect(rels.every((q) => q.flags === 2)).toBe(true);
    expect(rig.client.inflight).toBe(3); // until PUBCOMP
  });
});

describe("QoS 2 is optional on the device", () => {
  it("manifests/client.json does not map qos2; manifests/qos2.json adds it on top; no client module imports it", async () => {
    const { readFileSync, readdirSync } = await import("node:fs");
    const root = new URL("../../", import.meta.url);
    const client = readFileSync(new URL("manifests/client.json", root), "utf8");
    expect(client).not.toMatch(/qos2/);
    const q2 = JSON.parse(readFileSync(new URL("manifests/qos2.json", root), "utf8")) as {
      include: string[]; modules: Record<string, string>;
    };
    expect(q2.include).toEqual(["./client.json"]);
    expect(q2.modules).toEqual({ "xsmqtt/client/qos2": "../src/client/qos2" });
    for (const f of readdirSync(new URL("src/client/", root))) {
      if (f === "index.ts" || f === "qos2.ts") continue; // index.ts is the Node barrel, never on the device
      const text = readFileSync(new URL(`src/client/${f}`, root), "utf8");
      expect(text, f).not.toMatch(/from "\.\/qos2\.js"/);
    }
  });
});
