// The incoming reproduction on a real broker: a QoS 1 PUBLISH larger than the client's receive buffer,
// to a persistent session. With "refuse" the client drops the link and mosquitto redelivers it after every
// reconnect, forever. With oversize: "skip" it is acknowledged once, reported, and the next message arrives on
// the same connection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MessageSkippedError } from "../../src/client/index.js";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { bytes, makeClient, sleep, until } from "./util.js";

let broker: MosquittoBroker;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.dispose();
});

describe("oversize incoming PUBLISH on mosquitto, persistent session", () => {
  it("skip: acknowledged once, reported, no reconnect loop, the next message delivered", async () => {
    const topic = `skip/${process.pid}`;
    const got: string[] = [];
    const sub = makeClient(broker.port, {
      clientId: `skip-sub-${process.pid}`, cleanSession: false, rxBufferSize: 256, oversize: "skip",
    });
    sub.client.subscribe(`${topic}/#`, 1, (m) => got.push(m.payloadString()));
    sub.client.connect();
    await until(() => sub.client.connected && sub.client.granted(1) === 1, 3000, "subscriber");
    const pub = makeClient(broker.port, { clientId: `skip-pub-${process.pid}`, txSlotSize: 4096 });
    pub.client.connect();
    await until(() => pub.client.connected, 3000, "publisher");
    const h = pub.client.topic(`${topic}/x`);
    pub.client.publish(h, new Uint8Array(2000), 0, 2000, 1, false);
    pub.client.publish(h, bytes("small"), 0, 5, 1, false);
    await until(() => got.length === 1, 4000, "the message after the oversize one");
    await sleep(300);
    expect(got).toEqual(["small"]);
    const skipped = sub.events.errors.filter((e): e is MessageSkippedError => e instanceof MessageSkippedError);
    expect(skipped.length).toBe(1);
    expect(skipped[0]!.size).toBe(2000);
    expect(sub.client.counters.connects).toBe(1);
    expect(sub.events.disconnected).toEqual([]);
    pub.client.close();
    sub.client.close();
  }, 15000);
});
