// A QoS 1 message the broker answers by dropping the connection (mosquitto `max_packet_size 1000` and a 1,500 B
// publish) was resent first after every CONNACK, forever: nothing else got through and the app could not drop
// it. Now, after `poisonAfter` consecutive losses right after sending it, it is set aside and reported with a
// PoisonMessageError carrying its packet id; the rest flows; the app drops or retries it.
import { describe, expect, it } from "vitest";
import { POISON_MESSAGE, PoisonMessageError, SENT } from "../../src/client/index.js";
import { PacketType } from "../../src/codec/codes.js";
import { ascii, publishes, tapRig, type TapRig } from "./tap-util.js";

/** The broker drops the connection on any PUBLISH with a payload over 1000 bytes. */
function strictBroker(rig: TapRig): void {
  rig.broker.onPacket = (p) => {
    if (p.type === PacketType.PUBLISH && p.payloadLength > 1000) rig.broker.kick();
  };
}

describe("poison message (outgoing)", () => {
  it("is set aside after 3 losses right after sending it, reported with its packet id, and the rest flows", () => {
    const rig = tapRig({ txSlotSize: 2048, poisonAfter: 3 });
    strictBroker(rig);
    rig.client.connect();
    rig.step();
    const h = rig.client.topic("p/x");
    const big = new Uint8Array(1500);
    expect(rig.client.publish(h, big, 0, big.length, 1, false)).toBe(SENT);
    rig.step();
    for (let i = 0; i < 3; i++) expect(rig.client.publish(h, ascii(`ok-${i}`), 0, 4, 1, false)).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < 40; i++) rig.step(100);
    const poison = rig.errors.filter((e): e is PoisonMessageError => e instanceof PoisonMessageError);
    expect(poison.length).toBe(1);
    expect(poison[0]!.code).toBe(POISON_MESSAGE);
    expect(poison[0]!.strikes).toBe(3);
    const id = poison[0]!.packetId;
    expect(id).toBeGreaterThan(0);
    // Bounded: three connections died on it, then the link stays up.
    expect(rig.network.connections.length).toBe(4);
    expect(rig.client.connected).toBe(true);
    expect(rig.client.poisoned).toBe(1);
    expect(rig.client.inflight).toBe(1); // it keeps its id and slot until the app decides
    expect(rig.client.counters.poisoned).toBe(1);
    const last = publishes(rig.wire[3]!).map((m) => m.payload);
    expect(last).toEqual(["ok-0", "ok-1", "ok-2"]);
    // The app drops it: id and slot freed.
    expect(rig.client.dropPoisoned(id)).toBe(true);
    expect(rig.client.dropPoisoned(id)).toBe(false);
    expect(rig.client.inflight).toBe(0);
    expect(rig.client.poisoned).toBe(0);
  });

  it("retryPoisoned sends it again with fresh strikes; a broker that now accepts it acknowledges it", () => {
    const rig = tapRig({ txSlotSize: 2048, poisonAfter: 2 });
    strictBroker(rig);
    rig.client.connect();
    rig.step();
    const h = rig.client.topic("p/x");
    rig.client.publish(h, new Uint8Array(1200), 0, 1200, 1, false);
    for (let i = 0; i < 30; i++) rig.step(100);
    const err = rig.errors.find((e): e is PoisonMessageError => e instanceof PoisonMessageError);
    expect(err).toBeDefined();
    rig.broker.onPacket = null; // the broker's limit was raised
    expect(rig.client.retryPoisoned(err!.packetId)).toBe(true);
    rig.step();
    expect(rig.client.inflight).toBe(0);
    expect(rig.client.poisoned).toBe(0);
    expect(rig.broker.lastPayloadLength).toBe(1200);
  });

  it("a plain outage (losses with PUBACKs flowing) never sets anything aside", () => {
    const rig = tapRig({ poisonAfter: 2 });
    rig.client.connect();
    rig.step();
    const h = rig.client.topic("p/y");
    for (let round = 0; round < 6; round++) {
      rig.client.publish(h, ascii(`m${round}`), 0, 2, 1, false);
      rig.step();
      rig.broker.kick();
      rig.step(500);
      rig.step();
    }
    expect(rig.errors.some((e) => e instanceof PoisonMessageError)).toBe(false);
    expect(rig.client.poisoned).toBe(0);
  });
});
