// Conformance, codec: the CONNECT packet: protocol name and level, the reserved flag, and agreement between
// the Will / User Name / Password flags and the payload fields, on encode (every flag combination) and decode.
import { describe, expect, it } from "vitest";
import {
  CONNECT_RESERVED_FLAG, encodeConnect, INVALID_PROTOCOL, INVALID_WILL, TRAILING_BYTES, TRUNCATED,
  type ConnectInfo, type WillInfo,
} from "../../src/codec/index.js";
import { bytes, connectFrame, encodeInto, expectAccepted, expectRefused, field, frame } from "./codec-util.js";

const WILL: WillInfo = { topic: bytes("w/t"), payload: bytes("bye"), qos: 1, retain: true };

/** Every combination of will (none, QoS 0/1/2, retain or not), user name and password (only with a user name). */
function combinations(): ConnectInfo[] {
  const out: ConnectInfo[] = [];
  const wills: (WillInfo | null)[] = [null];
  for (const qos of [0, 1, 2]) for (const retain of [false, true]) wills.push({ ...WILL, qos, retain });
  for (const will of wills) {
    for (const username of [null, bytes("user")]) {
      for (const password of username === null ? [null] : [null, Uint8Array.of(0, 0xff, 1)]) {
        for (const cleanSession of [false, true]) {
          out.push({ clientId: bytes("dev-1"), cleanSession, keepAlive: 60, username, password, will });
        }
      }
    }
  }
  return out;
}

/** Encodes and decodes; @returns the bytes and the decoded packet. */
function roundTrip(info: ConnectInfo) {
  const { result, out } = encodeInto((b, o) => encodeConnect(b, o, info));
  expect(result).toBeGreaterThan(0);
  const packet = expectAccepted(Uint8Array.from(out), "server");
  return { out, packet, flags: out[9]! };
}

describe("CONNECT variable header", () => {
  it("[MQTT-3.1.2-1] we write protocol name \"MQTT\" level 4, and refuse any other name or level", () => {
    for (const info of combinations()) {
      expect(roundTrip(info).out.slice(2, 9)).toEqual([0, 4, 0x4d, 0x51, 0x54, 0x54, 4]);
    }
    expectRefused(frame(0x10, field("MQIsdp"), 3, 2, 0, 60, field("id")), "server", INVALID_PROTOCOL);
    expectRefused(frame(0x10, field("mqtt"), 4, 2, 0, 60, field("id")), "server", INVALID_PROTOCOL);
    expectRefused(frame(0x10, field("MQTX"), 4, 2, 0, 60, field("id")), "server", INVALID_PROTOCOL);
    expectRefused(frame(0x10, field("MQTT"), 3, 2, 0, 60, field("id")), "server", INVALID_PROTOCOL);
    expectRefused(frame(0x10, field("MQTT"), 5, 2, 0, 60, field("id")), "server", INVALID_PROTOCOL);
  });

  it("[MQTT-3.1.2-3] the reserved flag (bit 0) is never set by us, and refused on decode", () => {
    for (const info of combinations()) expect(roundTrip(info).flags & 0x01).toBe(0);
    expectRefused(connectFrame(0x03, field("id")), "server", CONNECT_RESERVED_FLAG);
    expectRefused(connectFrame(0x01, field("id")), "server", CONNECT_RESERVED_FLAG);
  });
});

describe("Will flags and fields", () => {
  it("[MQTT-3.1.2-9] Will Flag = 1: Will Topic and Will Message are in the payload", () => {
    for (const info of combinations().filter((c) => c.will !== null)) {
      const { flags, packet, out } = roundTrip(info);
      expect(flags & 0x04).toBe(0x04);
      expect(out.slice(packet.willTopicOffset, packet.willTopicOffset + packet.willTopicLength)).toEqual([...bytes("w/t")]);
      expect(out.slice(packet.willPayloadOffset, packet.willPayloadOffset + packet.willPayloadLength)).toEqual([...bytes("bye")]);
    }
    expectRefused(connectFrame(0x06, field("id"), field("w")), "server", TRUNCATED); // Will Message missing
    expectRefused(connectFrame(0x06, field("id")), "server", TRUNCATED); // both missing
  });

  it("[MQTT-3.1.2-11] Will Flag = 0: Will QoS, Will Retain 0 and no Will fields; stray will bytes are refused", () => {
    for (const info of combinations().filter((c) => c.will === null)) {
      const { flags, packet } = roundTrip(info);
      expect(flags & 0x3c).toBe(0); // bits 5-2: Will Retain, Will QoS, Will Flag
      expect([packet.willTopicOffset, packet.willPayloadOffset]).toEqual([-1, -1]);
    }
    expectRefused(connectFrame(0x02, field("id"), field("w/t"), field("bye")), "server", TRAILING_BYTES);
  });

  it("[MQTT-3.1.2-13] Will Flag = 0: Will QoS must be 0", () => {
    expectRefused(connectFrame(0x0a, field("id")), "server", INVALID_WILL); // QoS 1
    expectRefused(connectFrame(0x12, field("id")), "server", INVALID_WILL); // QoS 2
    expectRefused(connectFrame(0x1a, field("id")), "server", INVALID_WILL); // QoS 3
  });

  it("[MQTT-3.1.2-15] Will Flag = 0: Will Retain must be 0", () => {
    expectRefused(connectFrame(0x22, field("id")), "server", INVALID_WILL);
    // With the will, retain is written as given.
    expect(roundTrip({ ...combinations()[0]!, will: { ...WILL, retain: true } }).flags & 0x20).toBe(0x20);
    expect(roundTrip({ ...combinations()[0]!, will: { ...WILL, retain: false } }).flags & 0x20).toBe(0);
  });
});

describe("User Name and Password flags and fields", () => {
  it("[MQTT-3.1.2-18] User Name Flag = 0: no User Name in the payload; a stray one is refused", () => {
    for (const info of combinations().filter((c) => c.username === null)) {
      const { flags, packet } = roundTrip(info);
      expect(flags & 0x80).toBe(0);
      expect(packet.usernameOffset).toBe(-1);
    }
    expectRefused(connectFrame(0x02, field("id"), field("user")), "server", TRAILING_BYTES);
  });

  it("[MQTT-3.1.2-19] User Name Flag = 1: a User Name is in the payload; a missing one is refused", () => {
    for (const info of combinations().filter((c) => c.username !== null)) {
      const { flags, packet, out } = roundTrip(info);
      expect(flags & 0x80).toBe(0x80);
      expect(out.slice(packet.usernameOffset, packet.usernameOffset + packet.usernameLength)).toEqual([...bytes("user")]);
    }
    expectRefused(connectFrame(0x82, field("id")), "server", TRUNCATED);
  });

  it("[MQTT-3.1.2-20] Password Flag = 0: no Password in the payload; a stray one is refused", () => {
    for (const info of combinations().filter((c) => c.password === null)) {
      const { flags, packet } = roundTrip(info);
      expect(flags & 0x40).toBe(0);
      expect(packet.passwordOffset).toBe(-1);
    }
    expectRefused(connectFrame(0x82, field("id"), field("user"), field("pw")), "server", TRAILING_BYTES);
  });

  it("[MQTT-3.1.2-21] Password Flag = 1: a Password is in the payload; a missing one is refused", () => {
    for (const info of combinations().filter((c) => c.password !== null)) {
      const { flags, packet, out } = roundTrip(info);
      expect(flags & 0x40).toBe(0x40);
      expect(out.slice(packet.passwordOffset, packet.passwordOffset + packet.passwordLength)).toEqual([0, 0xff, 1]);
    }
    expectRefused(connectFrame(0xc2, field("id"), field("user")), "server", TRUNCATED);
  });
});

describe("CONNECT payload", () => {
  it("[MQTT-3.1.3-1] fields come in the order ClientId, Will Topic, Will Message, User Name, Password", () => {
    const all: ConnectInfo = { clientId: bytes("dev-1"), cleanSession: true, keepAlive: 60, username: bytes("user"), password: bytes("pw"), will: WILL };
    const { out } = roundTrip(all);
    expect(out.slice(12)).toEqual([
      0, 5, ...bytes("dev-1"), 0, 3, ...bytes("w/t"), 0, 3, ...bytes("bye"), 0, 4, ...bytes("user"), 0, 2, ...bytes("pw"),
    ]);
    for (const info of combinations()) {
      const { packet } = roundTrip(info);
      const offsets = [packet.clientIdOffset, packet.willTopicOffset, packet.willPayloadOffset, packet.usernameOffset,
        packet.passwordOffset].filter((o) => o >= 0);
      expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
    }
  });

  it("[MQTT-3.1.3-3] the ClientId is always present and is the first payload field, also when zero bytes long", () => {
    for (const info of combinations()) expect(roundTrip(info).packet.clientIdOffset).toBe(14); // 2 + 10 + 2
    const { out, packet } = roundTrip({ ...combinations()[1]!, clientId: new Uint8Array(0) });
    expect(out.slice(10, 14)).toEqual([0, 60, 0, 0]); // keepalive, then a zero-length ClientId field
    expect(packet.clientIdLength).toBe(0);
    expectRefused(frame(0x10, field("MQTT"), 4, 2, 0, 60), "server", TRUNCATED); // no ClientId field at all
  });
});
