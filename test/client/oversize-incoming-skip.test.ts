// An incoming QoS 1 PUBLISH larger than rxBufferSize on a persistent session: with "refuse" the client drops
// the link, the broker redelivers, forever. oversize: "skip" acknowledges it, reports a MessageSkippedError with
// its packet id and size, and goes on with the next message on the same connection.
import { describe, expect, it } from "vitest";
import { MESSAGE_SKIPPED, MessageSkippedError } from "../../src/client/index.js";
import { ascii, tapRig } from "./tap-util.js";

describe("oversize incoming PUBLISH, skip policy", () => {
  it("acknowledges and reports the oversize message, delivers the next one, keeps the connection", () => {
    const rig = tapRig({ rxBufferSize: 256, oversize: "skip", cleanSession: false });
    const got: string[] = [];
    rig.client.subscribe("in/#", 1, (m) => got.push(m.payloadString()));
    rig.client.connect();
    rig.step();
    const topic = ascii("in/big");
    const big = new Uint8Array(5000).fill(0x7a);
    rig.broker.publish(topic, big, 0, big.length, 1, 77);
    rig.broker.publish(topic, ascii("small"), 0, 5, 1, 78);
    rig.step();
    rig.step();
    expect(got).toEqual(["small"]);
    expect(rig.broker.pubacks).toBe(2);
    const skipped = rig.errors.filter((e): e is MessageSkippedError => e instanceof MessageSkippedError);
    expect(skipped.length).toBe(1);
    expect(skipped[0]!.code).toBe(MESSAGE_SKIPPED);
    expect(skipped[0]!.packetId).toBe(77);
    expect(skipped[0]!.size).toBe(5000);
    expect(rig.client.counters.skipped).toBe(1);
    expect(rig.disconnected).toEqual([]);
    expect(rig.network.connections.length).toBe(1);
  });

  it("a skipped message bigger than the default 64 KiB limit is skipped too (no redelivery loop)", () => {
    const rig = tapRig({ rxBufferSize: 256, oversize: "skip" }, { receiveBuffer: 1 << 20 });
    rig.client.subscribe("in/#", 1, () => undefined);
    rig.client.connect();
    rig.step();
    const big = new Uint8Array(60000);
    // ScriptedBroker's own buffer is 64 KiB: send two halves of a 100 kB PUBLISH by hand.
    const header = [0x32, 0xa9, 0x8d, 0x06, 0x00, 0x06, ...ascii("in/big"), 0x00, 0x09]; // remaining 100009
    rig.broker.sendRaw(Uint8Array.from(header), 0, header.length);
    rig.broker.sendRaw(big, 0, 60000);
    rig.broker.sendRaw(big, 0, 40000 - 1);
    rig.step();
    rig.step();
    expect(rig.disconnected).toEqual([]);
    expect(rig.client.counters.skipped).toBe(1);
    expect(rig.broker.pubacks).toBe(1);
  });
});
