// Conformance, client: a protocol violation by the broker, or an inbound packet the client cannot handle, closes
// the network connection it came on (after which the reconnect policy takes over). For each case: a typed
// error with the codec code, the client's socket closed by the client, nothing sent in answer to the
// offending packet, and a later reconnect that works.
import { describe, expect, it } from "vitest";
import {
  CONNACK_RESERVED, INVALID_QOS, INVALID_SUBACK_CODE, INVALID_UTF8, PACKET_ID_ZERO, RESERVED_FLAGS, TOPIC_WILDCARD,
  UNEXPECTED_PACKET,
} from "../../src/codec/codes.js";
import { PACKET_TOO_LARGE, PacketTooLargeError, PROTOCOL_ERROR, ProtocolError } from "../../src/client/index.js";
import { utf8, wireRig } from "./wire-rig.js";

/** A PUBLISH frame from parts (remaining length < 128). */
function publish(first: number, topic: number[], id: number | null, payload: number[]): number[] {
  const body = [topic.length >> 8, topic.length & 0xff, ...topic, ...(id === null ? [] : [id >> 8, id & 0xff]), ...payload];
  return [first, body.length, ...body];
}
const AB = [...utf8("a/b")];

interface Case { name: string; bytes: number[]; code: number }

const afterConnack: Case[] = [
  { name: "a QoS 2 PUBLISH (never subscribed at QoS 2)", bytes: publish(0x34, AB, 1, [0x78]), code: UNEXPECTED_PACKET },
  { name: "a PUBREL", bytes: [0x62, 0x02, 0x00, 0x01], code: UNEXPECTED_PACKET },
  { name: "a PUBREC", bytes: [0x50, 0x02, 0x00, 0x01], code: UNEXPECTED_PACKET },
  { name: "a PUBCOMP", bytes: [0x70, 0x02, 0x00, 0x01], code: UNEXPECTED_PACKET },
  { name: "a PINGREQ (client-bound only as PINGRESP)", bytes: [0xc0, 0x00], code: UNEXPECTED_PACKET },
  { name: "a second CONNACK", bytes: [0x20, 0x02, 0x00, 0x00], code: UNEXPECTED_PACKET },
  { name: "PUBACK with flags 0001 [MQTT-2.2.2-2]", bytes: [0x41, 0x02, 0x00, 0x01], code: RESERVED_FLAGS },
  { name: "SUBACK with flags 0010 [MQTT-2.2.2-2]", bytes: [0x92, 0x03, 0x00, 0x01, 0x00], code: RESERVED_FLAGS },
  { name: "PINGRESP with flags 0100 [MQTT-2.2.2-2]", bytes: [0xd4, 0x00], code: RESERVED_FLAGS },
  { name: "PUBLISH QoS 0 with DUP [MQTT-3.3.1-2]", bytes: publish(0x38, AB, null, [1]), code: RESERVED_FLAGS },
  { name: "PUBLISH QoS 3 [MQTT-3.3.1-4]", bytes: publish(0x36, AB, 1, [1]), code: INVALID_QOS },
  { name: "PUBLISH QoS 1 with packet id 0 [MQTT-2.3.1-1]", bytes: publish(0x32, AB, 0, [1]), code: PACKET_ID_ZERO },
  { name: "PUBLISH topic with a wildcard [MQTT-3.3.2-2]", bytes: publish(0x30, [...utf8("a/+")], null, []), code: TOPIC_WILDCARD },
  { name: "PUBLISH topic with a surrogate [MQTT-1.5.3-1]", bytes: publish(0x30, [0x61, 0xed, 0xa0, 0x80], null, []), code: INVALID_UTF8 },
  { name: "SUBACK return code 3 [MQTT-3.9.3-2]", bytes: [0x90, 0x03, 0x00, 0x01, 0x03], code: INVALID_SUBACK_CODE },
];

const beforeConnack: Case[] = [
  { name: "a PUBLISH before CONNACK", bytes: publish(0x30, AB, null, [1]), code: UNEXPECTED_PACKET },
  { name: "a PINGRESP before CONNACK", bytes: [0xd0, 0x00], code: UNEXPECTED_PACKET },
  { name: "a SUBACK before CONNACK", bytes: [0x90, 0x03, 0x00, 0x01, 0x00], code: UNEXPECTED_PACKET },
  { name: "a PUBACK before CONNACK", bytes: [0x40, 0x02, 0x00, 0x01], code: UNEXPECTED_PACKET },
  { name: "a CONNACK with reserved acknowledge flags", bytes: [0x20, 0x02, 0x02, 0x00], code: CONNACK_RESERVED },
];

function run(c: Case, connected: boolean): void {
  const rig = wireRig();
  const got: string[] = [];
  rig.client.subscribe("a/#", 1, (m) => got.push(m.topicString()));
  rig.client.connect();
  rig.broker.ignoreConnect = !connected;
  rig.step();
  expect(rig.client.connected).toBe(connected);
  const socket = rig.connection(0).socket!;
  const written = rig.bytes(0).length;
  rig.broker.sendRaw(Uint8Array.from(c.bytes), 0, c.bytes.length);
  expect(() => rig.network.pump()).not.toThrow();
  // Closed by the client (the scripted broker only sent bytes), with the codec's code.
  expect(socket.closed).toBe(true);
  expect(rig.errors.length).toBe(1);
  expect(rig.errors[0]).toBeInstanceOf(ProtocolError);
  expect(rig.errors[0]!.code).toBe(c.code);
  expect(rig.disconnected).toEqual(connected ? [PROTOCOL_ERROR] : []);
  // Nothing was delivered or answered (no PUBACK / PUBREC / PUBCOMP for it).
  expect(got).toEqual([]);
  expect(rig.bytes(0).length).toBe(written);
  // The reconnect policy takes over on a new connection.
  rig.broker.ignoreConnect = false;
  rig.step(100);
  expect(rig.network.connections.length).toBe(2);
  expect(rig.client.connected).toBe(true);
}

describe("protocol violations by the broker close the connection", () => {
  for (const c of afterConnack) it(`[MQTT-4.8.0-1] ${c.name}`, () => run(c, true));
  for (const c of beforeConnack) it(`[MQTT-4.8.0-1] ${c.name}`, () => run(c, false));
});

describe("inbound packets the client cannot handle close the connection", () => {
  it("[MQTT-4.8.0-2] a PUBLISH larger than the receive buffer (oversize: refuse)", () => {
    const rig = wireRig({ rxBufferSize: 128, oversize: "refuse" });
    rig.client.subscribe("big/#", 1, () => undefined);
    rig.client.connect();
    rig.step();
    const socket = rig.connection(0).socket!;
    const written = rig.bytes(0).length;
    rig.broker.publish(utf8("big/x"), new Uint8Array(500), 0, 500, 1, 5);
    rig.network.pump();
    expect(socket.closed).toBe(true);
    expect(rig.errors[0]).toBeInstanceOf(PacketTooLargeError);
    expect(rig.disconnected).toEqual([PACKET_TOO_LARGE]);
    expect(rig.bytes(0).length).toBe(written); // no PUBACK for a message it could not take
    rig.step(100);
    expect(rig.client.connected).toBe(true);
  });
});
