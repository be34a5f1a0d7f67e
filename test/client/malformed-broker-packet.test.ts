// Bad input from the broker closes the connection with a typed error carrying the codec code, then the
// client reconnects; nothing is thrown out of socket callbacks.
import { describe, expect, it } from "vitest";
import { MALFORMED_REMAINING_LENGTH, UNEXPECTED_PACKET } from "../../src/codec/codes.js";
import { PROTOCOL_ERROR, ProtocolError } from "../../src/client/index.js";
import { memoryRig } from "./memory-util.js";

function run(raw: number[], code: number): void {
  const rig = memoryRig();
  rig.client.connect();
  rig.step();
  expect(rig.client.connected).toBe(true);
  rig.broker.sendRaw(Uint8Array.from(raw), 0, raw.length);
  expect(() => rig.step()).not.toThrow();
  expect(rig.errors[0]).toBeInstanceOf(ProtocolError);
  expect(rig.errors[0]!.code).toBe(code);
  expect(rig.disconnected).toEqual([PROTOCOL_ERROR]); // a protocol violation closes the connection [MQTT-4.8.0-1]
  expect(rig.client.counters.protocolErrors).toBe(1);
  rig.step(100);
  expect(rig.connected).toEqual([false, false]);
}

describe("malformed or unexpected packets from the broker", () => {
  it("remaining length over 4 bytes", () => run([0x30, 0xff, 0xff, 0xff, 0xff, 0x01], MALFORMED_REMAINING_LENGTH));
  it("a SUBSCRIBE (server-bound type) sent to the client", () => run([0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00], UNEXPECTED_PACKET));
  it("a second CONNACK", () => run([0x20, 0x02, 0x00, 0x00], UNEXPECTED_PACKET));
  it("a PUBREC for a QoS 2 flow we never started", () => run([0x50, 0x02, 0x00, 0x01], UNEXPECTED_PACKET));
  it("a PUBACK for an unknown id is counted, not fatal", () => {
    const rig = memoryRig();
    rig.client.connect();
    rig.step();
    rig.broker.sendRaw(Uint8Array.from([0x40, 0x02, 0x03, 0xe7]), 0, 4);
    rig.step();
    expect(rig.client.connected).toBe(true);
    expect(rig.client.counters.unknownAcks).toBe(1);
    expect(rig.errors).toEqual([]);
  });
});
