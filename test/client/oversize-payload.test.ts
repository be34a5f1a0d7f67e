// PUBLISH larger than rxBufferSize: "refuse" ends the connection with PacketTooLargeError; "stream" delivers
// chunks (chunkOffset / payloadTotal / final) and acks after the final one.
import { describe, expect, it } from "vitest";
import { PACKET_TOO_LARGE, PacketTooLargeError } from "../../src/client/index.js";
import { ascii, memoryRig } from "./memory-util.js";

const topic = ascii("big/blob");
const payload = new Uint8Array(1000).map((_, i) => i & 0xff);

describe("oversize incoming payloads", () => {
  it("refuse: PacketTooLargeError, connection closed, reconnect", () => {
    const rig = memoryRig({ rxBufferSize: 128, oversize: "refuse" });
    rig.client.subscribe("big/#", 1, () => undefined);
    rig.client.connect();
    rig.step();
    rig.broker.publish(topic, payload, 0, payload.length, 1, 9);
    rig.step();
    expect(rig.errors[0]).toBeInstanceOf(PacketTooLargeError);
    expect(rig.disconnected).toEqual([PACKET_TOO_LARGE]); // no room for it: connection closed [MQTT-4.8.0-2]
    rig.step(100);
    expect(rig.client.connected).toBe(true);
  });

  it("stream: chunks reassemble to the payload, PUBACK after the final chunk", () => {
    const rig = memoryRig({ rxBufferSize: 128, oversize: "stream", maxIncomingPacketSize: 4096 });
    const got = new Uint8Array(payload.length);
    const chunks: [number, number, number, boolean][] = [];
    rig.client.subscribe("big/#", 1, (m) => {
      chunks.push([m.chunkOffset, m.payloadLength, m.payloadTotal, m.final]);
      got.set(m.payload.subarray(m.payloadOffset, m.payloadOffset + m.payloadLength), m.chunkOffset);
      expect(m.topicString()).toBe("big/blob");
      if (!m.final) expect(rig.broker.pubacks).toBe(0);
    });
    rig.client.connect();
    rig.step();
    rig.broker.publish(topic, payload, 0, payload.length, 1, 9);
    rig.step();
    expect(rig.errors).toEqual([]);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.at(-1)![3]).toBe(true);
    expect(chunks.every((c) => c[2] === 1000)).toBe(true);
    expect(got).toEqual(payload);
    expect(rig.broker.pubacks).toBe(1);
    expect(rig.client.counters.received).toBe(1);
  });

  it("stream still refuses above maxIncomingPacketSize", () => {
    const rig = memoryRig({ rxBufferSize: 128, oversize: "stream", maxIncomingPacketSize: 512 });
    rig.client.connect();
    rig.step();
    rig.broker.publish(topic, payload, 0, payload.length, 0, 0);
    rig.step();
    expect(rig.errors[0]).toBeInstanceOf(PacketTooLargeError);
  });
});
