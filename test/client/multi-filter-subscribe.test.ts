// Several filters per SUBSCRIBE and per UNSUBSCRIBE (issue 11 item 2), on the scripted broker, byte-exact:
// one packet for N filters, each filter's granted QoS reported (per id and through onSuback), an UNSUBACK
// callback, grouped packets resent as one after a reconnect without session, single-filter calls unchanged.
import { describe, expect, it } from "vitest";
import { InvalidOptionError, ProtocolError, Qos2Engine, SubscribeError } from "../../src/client/index.js";
import { PacketType } from "../../src/codec/codes.js";
import { ascii, packets, tapRig } from "./tap-util.js";

const count = (w: number[], type: number): number => packets(w).filter((p) => p.type === type).length;

describe("several filters per SUBSCRIBE / UNSUBSCRIBE", () => {
  it("[MQTT-3.9.3-1] subscribeMany: one SUBSCRIBE, each filter's granted QoS (in order) per id and through onSuback", () => {
    const rig = tapRig({ qos2: new Qos2Engine() });
    rig.broker.subackFor = (k, requested) => (k === 1 ? 0x80 : k === 2 ? 1 : requested); // refuse #2, downgrade #3
    const subacks: [number, number][] = [];
    const got: string[] = [];
    rig.client.connect();
    rig.step();
    const ids = rig.client.subscribeMany(["a/+", "b/#", "c/x"], [0, 1, 2], (m) => got.push(m.topicString()),
      (granted, id) => subacks.push([id, granted]));
    expect(ids).toHaveLength(3);
    rig.run(3, 0);
    expect(count(rig.wire[0]!, PacketType.SUBSCRIBE)).toBe(1);
    expect(rig.broker.lastFilterCount).toBe(3);
    expect(ids.map((id) => rig.client.granted(id))).toEqual([0, 0x80, 1]);
    expect(subacks).toEqual([[ids[0], 0], [ids[1], 0x80], [ids[2], 1]]);
    expect(rig.errors.filter((e) => e instanceof SubscribeError)).toHaveLength(1);
    rig.broker.publish(ascii("a/1"), ascii("x"), 0, 1, 0, 0);
    rig.broker.publish(ascii("c/x"), ascii("x"), 0, 1, 0, 0);
    rig.step();
    expect(got).toEqual(["a/1", "c/x"]);
  });

  it("a single qos applies to every filter; single-filter subscribe still sends one filter per packet", () => {
    const rig = tapRig();
    rig.client.connect();
    rig.step();
    const ids = rig.client.subscribeMany(["a/1", "a/2"], 1, () => {});
    const one = rig.client.subscribe("z/1", 0, () => {});
    const two = rig.client.subscribe("z/2", 1, () => {});
    rig.run(3, 0);
    expect(count(rig.wire[0]!, PacketType.SUBSCRIBE)).toBe(3);
    expect([...ids, one, two].map((id) => rig.client.granted(id))).toEqual([1, 1, 0, 1]);
  });

  it("unsubscribeMany: one UNSUBSCRIBE for N filters; onUnsuback once per id when the UNSUBACK arrives", () => {
    const rig = tapRig();
    rig.client.connect();
    rig.step();
    const got: string[] = [];
    const ids = rig.client.subscribeMany(["u/1", "u/2", "u/3"], 1, (m) => got.push(m.topicString()));
    rig.run(3, 0);
    const unsubacked: number[] = [];
    expect(rig.client.unsubscribeMany([ids[0]!, ids[2]!, 999], (id) => unsubacked.push(id))).toBe(2);
    expect(unsubacked).toEqual([]); // not before the UNSUBACK
    rig.run(3, 0);
    expect(count(rig.wire[0]!, PacketType.UNSUBSCRIBE)).toBe(1);
    expect(rig.broker.lastFilterCount).toBe(2);
    expect(unsubacked).toEqual([ids[0], ids[2]]);
    expect(rig.client.granted(ids[0]!)).toBe(-1);
    expect(rig.client.granted(ids[1]!)).toBe(1);
    // The single-filter call has an UNSUBACK callback too.
    const single: number[] = [];
    expect(rig.client.unsubscribe(ids[1]!, (id) => single.push(id))).toBe(true);
    rig.run(3, 0);
    expect(single).toEqual([ids[1]]);
    for (const t of ["u/1", "u/2", "u/3"]) rig.broker.publish(ascii(t), ascii("x"), 0, 1, 0, 0);
    rig.step();
    expect(got).toEqual([]);
    expect(() => rig.client.unsubscribe(ids[1]!, 5 as unknown as () => void)).toThrow(InvalidOptionError);
  });

  it("after a reconnect without session the group goes out again as one SUBSCRIBE", () => {
    const rig = tapRig();
    rig.client.connect();
    rig.step();
    const ids = rig.client.subscribeMany(["r/1", "r/2", "r/3"], 1, () => {});
    const solo = rig.client.subscribe("r/solo", 0, () => {});
    rig.run(3, 0);
    rig.broker.kick();
    rig.run(10, 200);
    expect(rig.connected).toEqual([false, false]);
    expect(count(rig.wire[1]!, PacketType.SUBSCRIBE)).toBe(2);
    expect([...ids, solo].map((id) => rig.client.granted(id))).toEqual([1, 1, 1, 0]);
  });

  it("[MQTT-3.9.3-1] a SUBACK whose code count differs from the filter count ends the connection", () => {
    const rig = tapRig();
    rig.client.connect();
    rig.step();
    rig.broker.onPacket = (p) => {
      if (p.type !== PacketType.SUBSCRIBE) return;
      rig.broker.sendRaw(Uint8Array.from([0x90, 0x04, p.packetId >> 8, p.packetId & 0xff, 1, 1]), 0, 6);
    };
    rig.client.subscribeMany(["x/1", "x/2", "x/3"], 1, () => {});
    rig.run(2, 0);
    expect(rig.errors.some((e) => e instanceof ProtocolError && /2 return codes for 3 filters/.test(e.message))).toBe(true);
  });

  it("refuses bad arguments at the edge, subscribing nothing", () => {
    const rig = tapRig({ maxSubscriptions: 2 });
    expect(() => rig.client.subscribeMany([], 1, () => {})).toThrow(InvalidOptionError);
    expect(() => rig.client.subscribeMany(["a", "b", "c"], 1, () => {})).toThrow(/subscription table full/);
    expect(() => rig.client.subscribeMany(["a", "b#"], 1, () => {})).toThrow(InvalidOptionError);
    expect(() => rig.client.subscribeMany(["a", "b"], [1], () => {})).toThrow(InvalidOptionError);
    expect(() => rig.client.subscribeMany(["a", "b"], 2, () => {})).toThrow(/qos2/);
    expect(() => rig.client.unsubscribeMany(5 as unknown as number[])).toThrow(InvalidOptionError);
    expect(rig.client.subscribeMany(["a", "b"], 1, () => {})).toHaveLength(2);
  });
});
