// The reproduction on a real broker: mosquitto with `max_packet_size 1000` drops the connection on a
// 1,500-byte QoS 1 PUBLISH. The old client resent it first after every CONNACK, forever (17-19 reconnects in
// 8 s, nothing else got through). Now it is set aside after `poisonAfter` losses and reported with its packet
// id; the QoS 1 messages behind it reach a subscriber; dropPoisoned frees it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PoisonMessageError, SENT } from "../../src/client/index.js";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { bytes, makeClient, until } from "./util.js";

let broker: MosquittoBroker;
beforeAll(async () => {
  broker = await startMosquitto({ extraConfig: ["max_packet_size 1000"] });
});
afterAll(async () => {
  await broker?.dispose();
});

describe("poison message on mosquitto (max_packet_size 1000)", () => {
  it("is set aside after 3 losses with its packet id; the messages behind it are delivered", async () => {
    const topic = `poison/${process.pid}`;
    const got: string[] = [];
    const sub = makeClient(broker.port, { clientId: `poison-sub-${process.pid}` });
    sub.client.subscribe(`${topic}/#`, 1, (m) => got.push(m.payloadString()));
    sub.client.connect();
    await until(() => sub.client.connected && sub.client.granted(1) === 1, 3000, "subscriber");
    const pub = makeClient(broker.port, {
      clientId: `poison-pub-${process.pid}`, txSlotSize: 2048, poisonAfter: 3,
      reconnect: { initialDelay: 20, maxDelay: 100, multiplier: 2, stableAfter: 5000 },
    });
    pub.client.connect();
    await until(() => pub.client.connected, 3000, "publisher");
    const h = pub.client.topic(`${topic}/x`);
    expect(pub.client.publish(h, new Uint8Array(1500), 0, 1500, 1, false)).toBe(SENT);
    for (let i = 0; i < 3; i++) pub.client.publish(h, bytes(`after-${i}`), 0, 7, 1, false);
    await until(() => got.length === 3, 8000, "the messages behind the poison");
    const poison = pub.events.errors.filter((e): e is PoisonMessageError => e instanceof PoisonMessageError);
    expect(poison.length).toBe(1);
    expect(got).toEqual(["after-0", "after-1", "after-2"]);
    expect(pub.client.counters.connects).toBe(4); // three losses, then it stays up
    expect(pub.client.poisoned).toBe(1);
    expect(pub.client.dropPoisoned(poison[0]!.packetId)).toBe(true);
    await until(() => pub.client.inflight === 0, 3000, "the last PUBACKs");
    pub.client.close();
    sub.client.close();
  }, 15000);
});
