// Conformance, codec: what our encoders refuse to produce (so neither our client nor a test broker built on the
// codec can put it on the wire), each paired with the decode side refusing the same thing from a peer.
// A refused encode returns the code and writes nothing.
import { describe, expect, it } from "vitest";
import {
  EMPTY_SUBSCRIPTION, encodeConnect, encodePublish, encodeSuback, encodeSubscribe, encodeUnsubscribe, INVALID_FIELD,
  INVALID_QOS, INVALID_SUBACK_CODE, INVALID_UTF8, INVALID_WILL, PACKET_ID_ZERO, PASSWORD_WITHOUT_USERNAME,
  RESERVED_FLAGS, sizeConnect, sizePublish, sizeSubscribe, sizeUnsubscribe, SUBSCRIBE_RESERVED, TOPIC_WILDCARD,
  utf8Encode, type ConnectInfo, type PublishInfo, type SubscribeInfo, type UnsubscribeInfo,
} from "../../src/codec/index.js";
import { bytes, connectFrame, encodeInto, expectAccepted, expectRefused, field, frame } from "./codec-util.js";

function pub(patch: Partial<PublishInfo> = {}): PublishInfo {
  const topic = patch.topic ?? bytes("a/b");
  const payload = patch.payload ?? bytes("hi");
  return {
    topic, topicOffset: 0, topicLength: topic.length, payload, payloadOffset: 0, payloadLength: payload.length,
    qos: 0, retain: false, dup: false, packetId: 0, ...patch,
  };
}
function sub(filters: Uint8Array[], qos: number[], packetId = 1): SubscribeInfo {
  return { packetId, filters, qos, count: filters.length };
}
function unsub(filters: Uint8Array[], packetId = 1): UnsubscribeInfo {
  return { packetId, filters, count: filters.length };
}
function conn(patch: Partial<ConnectInfo> = {}): ConnectInfo {
  return { clientId: bytes("id"), cleanSession: true, keepAlive: 60, username: null, password: null, will: null, ...patch };
}
const publishCode = (info: PublishInfo): number => {
  const size = sizePublish(info);
  const { result } = encodeInto((b, o) => encodePublish(b, o, info));
  expect(size < 0 ? size : 0).toBe(result < 0 ? result : 0); // size and encode agree
  return result;
};
const subscribeCode = (info: SubscribeInfo): number => {
  const { result } = encodeInto((b, o) => encodeSubscribe(b, o, info));
  expect(sizeSubscribe(info) < 0 ? sizeSubscribe(info) : 0).toBe(result < 0 ? result : 0);
  return result;
};
const unsubscribeCode = (info: UnsubscribeInfo): number => {
  const { result } = encodeInto((b, o) => encodeUnsubscribe(b, o, info));
  expect(sizeUnsubscribe(info) < 0 ? sizeUnsubscribe(info) : 0).toBe(result < 0 ? result : 0);
  return result;
};
const connectCode = (info: ConnectInfo): number => {
  const { result } = encodeInto((b, o) => encodeConnect(b, o, info));
  expect(sizeConnect(info) < 0 ? sizeConnect(info) : 0).toBe(result < 0 ? result : 0);
  return result;
};

describe("ServerPacket Identifier", () => {
  it("[MQTT-2.3.1-1] QoS 1/2 PUBLISH, SUBSCRIBE and UNSUBSCRIBE with packet id 0 are not encoded, and refused on decode", () => {
    expect(publishCode(pub({ qos: 1, packetId: 0 }))).toBe(PACKET_ID_ZERO);
    expect(publishCode(pub({ qos: 2, packetId: 0 }))).toBe(PACKET_ID_ZERO);
    expect(subscribeCode(sub([bytes("a")], [0], 0))).toBe(PACKET_ID_ZERO);
    expect(unsubscribeCode(unsub([bytes("a")], 0))).toBe(PACKET_ID_ZERO);
    expect(publishCode(pub({ qos: 1, packetId: 65536 }))).toBe(INVALID_FIELD); // 16 bits
    expect(publishCode(pub({ qos: 1, packetId: 1 }))).toBeGreaterThan(0);
    expectRefused(frame(0x32, field("t"), 0, 0), "client", PACKET_ID_ZERO);
    expectRefused(frame(0x34, field("t"), 0, 0), "server", PACKET_ID_ZERO);
    expectRefused(frame(0x82, 0, 0, field("a"), 0), "server", PACKET_ID_ZERO);
    expectRefused(frame(0xa2, 0, 0, field("a")), "server", PACKET_ID_ZERO);
  });
});

describe("PUBLISH fixed header", () => {
  it("[MQTT-3.3.1-2] DUP on a QoS 0 PUBLISH is not encoded, and refused on decode", () => {
    expect(publishCode(pub({ qos: 0, dup: true }))).toBe(RESERVED_FLAGS);
    expect(publishCode(pub({ qos: 1, dup: true, packetId: 3 }))).toBeGreaterThan(0);
    expectRefused(frame(0x38, field("t")), "client", RESERVED_FLAGS);
    expectRefused(frame(0x39, field("t")), "server", RESERVED_FLAGS);
  });

  it("[MQTT-3.3.1-4] QoS 3 is not encoded, and a PUBLISH with both QoS bits set is refused on decode", () => {
    expect(publishCode(pub({ qos: 3, packetId: 1 }))).toBe(INVALID_QOS);
    expect(publishCode(pub({ qos: -1, packetId: 1 }))).toBe(INVALID_QOS);
    for (const first of [0x36, 0x37, 0x3e, 0x3f]) {
      expectRefused(frame(first, field("t"), 0, 1), "client", INVALID_QOS);
      expectRefused(frame(first, field("t"), 0, 1), "server", INVALID_QOS);
    }
  });

  it("[MQTT-3.3.2-2] a topic name with a wildcard is not encoded, and refused on decode", () => {
    for (const t of ["a/+", "+", "#", "a/#", "x/+/y", "a+b", "a#"]) {
      expect(publishCode(pub({ topic: bytes(t) })), t).toBe(TOPIC_WILDCARD);
      expectRefused(frame(0x30, field(t)), "client", TOPIC_WILDCARD);
      expectRefused(frame(0x30, field(t)), "server", TOPIC_WILDCARD);
    }
  });
});

describe("SUBSCRIBE / UNSUBSCRIBE / SUBACK payloads", () => {
  it("[MQTT-3.8.3-3] a SUBSCRIBE without any filter is not encoded, and refused on decode", () => {
    expect(subscribeCode(sub([], []))).toBe(EMPTY_SUBSCRIPTION);
    expectRefused(frame(0x82, 0, 1), "server", EMPTY_SUBSCRIPTION);
  });

  it("[MQTT-3.10.3-2] an UNSUBSCRIBE without any filter is not encoded, and refused on decode", () => {
    expect(unsubscribeCode(unsub([]))).toBe(EMPTY_SUBSCRIPTION);
    expectRefused(frame(0xa2, 0, 1), "server", EMPTY_SUBSCRIPTION);
  });

  it("[MQTT-3.8.3-4] a requested QoS above 2 or with reserved bits is not encoded, and refused on decode", () => {
    for (const q of [3, 4, 0x81, 0xff]) expect(subscribeCode(sub([bytes("a")], [q])), `qos ${q}`).toBe(INVALID_QOS);
    for (const q of [0, 1, 2]) expect(subscribeCode(sub([bytes("a")], [q]))).toBeGreaterThan(0);
    expectRefused(frame(0x82, 0, 1, field("a"), 3), "server", INVALID_QOS);
    for (const q of [0x04, 0x08, 0x40, 0x80, 0x81, 0xfc, 0xff]) expectRefused(frame(0x82, 0, 1, field("a"), q), "server", SUBSCRIBE_RESERVED);
    // The second entry is checked as well as the first.
    expectRefused(frame(0x82, 0, 1, field("a"), 1, field("b"), 0x42), "server", SUBSCRIBE_RESERVED);
  });

  it("[MQTT-3.9.3-2] SUBACK return codes other than 0x00, 0x01, 0x02, 0x80 are not encoded, and refused on decode", () => {
    const suback = (codes: number[]): number =>
      encodeInto((b, o) => encodeSuback(b, o, { packetId: 1, returnCodes: codes, count: codes.length })).result;
    expect(suback([0, 1, 2, 0x80])).toBe(8);
    for (const c of [3, 0x7f, 0x81, 0xff]) {
      expect(suback([0, c]), `code ${c}`).toBe(INVALID_SUBACK_CODE);
      expectRefused(frame(0x90, 0, 1, 0, c), "client", INVALID_SUBACK_CODE);
    }
  });
});

describe("CONNECT flags", () => {
  it("[MQTT-3.1.2-22] a password without a user name is not encoded, and refused on decode", () => {
    expect(connectCode(conn({ password: bytes("pw") }))).toBe(PASSWORD_WITHOUT_USERNAME);
    expect(connectCode(conn({ username: bytes("u"), password: bytes("pw") }))).toBeGreaterThan(0);
    expectRefused(connectFrame(0x42, field("id"), field("pw")), "server", PASSWORD_WITHOUT_USERNAME);
  });

  it("[MQTT-3.1.2-14] a Will QoS of 3 is not encoded, and refused on decode; 0, 1 and 2 are", () => {
    const will = (qos: number) => ({ topic: bytes("w"), payload: bytes("bye"), qos, retain: false });
    expect(connectCode(conn({ will: will(3) }))).toBe(INVALID_QOS);
    for (const qos of [0, 1, 2]) {
      const { result, out } = encodeInto((b, o) => encodeConnect(b, o, conn({ will: will(qos) })));
      expect(result).toBeGreaterThan(0);
      expect((out[9]! >> 3) & 3).toBe(qos); // connect flags byte: bits 4-3 Will QoS
      expectAccepted(Uint8Array.from(out), "server");
    }
    expectRefused(connectFrame(0x1e, field("id"), field("w"), field("")), "server", INVALID_WILL);
  });

  it("[MQTT-3.1.3-7] a zero-byte ClientId without CleanSession is not encoded", () => {
    expect(connectCode(conn({ clientId: new Uint8Array(0), cleanSession: false }))).toBe(INVALID_FIELD);
    expect(connectCode(conn({ clientId: new Uint8Array(0), cleanSession: true }))).toBeGreaterThan(0);
  });
});

describe("UTF-8 encoded strings", () => {
  // Ill-formed sequences: a surrogate, an overlong '/', a truncated sequence, above U+10FFFF, a stray byte.
  const illFormed = [[0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0xff], [0x80]];

  it("[MQTT-1.5.3-1] ill-formed UTF-8 is not encoded in any string field, and refused on decode", () => {
    for (const bad of illFormed) {
      const s = bytes("a", bad, "b");
      expect(publishCode(pub({ topic: s })), `topic ${bad}`).toBe(INVALID_UTF8);
      expect(subscribeCode(sub([s], [0])), `filter ${bad}`).toBe(INVALID_UTF8);
      expect(unsubscribeCode(unsub([s])), `filter ${bad}`).toBe(INVALID_UTF8);
      expect(connectCode(conn({ clientId: s })), `client id ${bad}`).toBe(INVALID_UTF8);
      expect(connectCode(conn({ username: s })), `user name ${bad}`).toBe(INVALID_UTF8);
      expect(connectCode(conn({ will: { topic: s, payload: bytes(""), qos: 0, retain: false } })), `will topic ${bad}`).toBe(INVALID_UTF8);
      expectRefused(frame(0x30, field(s)), "client", INVALID_UTF8);
      expectRefused(frame(0x82, 0, 1, field(s), 0), "server", INVALID_UTF8);
      expectRefused(frame(0xa2, 0, 1, field(s)), "server", INVALID_UTF8);
      expectRefused(connectFrame(0x02, field(s)), "server", INVALID_UTF8);
      expectRefused(connectFrame(0x82, field("id"), field(s)), "server", INVALID_UTF8);
      expectRefused(connectFrame(0x06, field("id"), field(s), field("")), "server", INVALID_UTF8);
    }
    // JS strings cannot smuggle a surrogate in: utf8Encode writes a lone surrogate as U+FFFD (EF BF BD).
    expect([...utf8Encode("\uD800")]).toEqual([0xef, 0xbf, 0xbd]);
    expect([...utf8Encode("a\uDC00b")]).toEqual([0x61, 0xef, 0xbf, 0xbd, 0x62]);
    expect([...utf8Encode("\u{1F600}")]).toEqual([0xf0, 0x9f, 0x98, 0x80]); // a well-formed pair stays one code point
  });

  it("[MQTT-1.5.3-2] U+0000 is not encoded in any string field, and refused on decode", () => {
    const s = bytes("a", 0, "b");
    expect(publishCode(pub({ topic: s }))).toBe(INVALID_UTF8);
    expect(subscribeCode(sub([s], [0]))).toBe(INVALID_UTF8);
    expect(unsubscribeCode(unsub([s]))).toBe(INVALID_UTF8);
    expect(connectCode(conn({ clientId: s }))).toBe(INVALID_UTF8);
    expect(connectCode(conn({ username: s }))).toBe(INVALID_UTF8);
    expect(connectCode(conn({ will: { topic: s, payload: bytes(""), qos: 0, retain: false } }))).toBe(INVALID_UTF8);
    expectRefused(frame(0x30, field(s)), "client", INVALID_UTF8);
    expectRefused(frame(0x82, 0, 1, field(s), 0), "server", INVALID_UTF8);
    expectRefused(frame(0xa2, 0, 1, field(s)), "server", INVALID_UTF8);
    expectRefused(connectFrame(0x02, field(s)), "server", INVALID_UTF8);
    expectRefused(connectFrame(0x82, field("id"), field(s)), "server", INVALID_UTF8);
    // Binary fields may hold 0x00: the will message and the password are not UTF-8 strings.
    expectAccepted(connectFrame(0xc6, field("id"), field("w"), field(0, 1), field("u"), field(0, 0)), "server");
  });

  it("[MQTT-3.1.3-4] the ClientId must be well-formed UTF-8 (encode and decode)", () => {
    expect(connectCode(conn({ clientId: bytes(0xff) }))).toBe(INVALID_UTF8);
    expectRefused(connectFrame(0x02, field(0xff)), "server", INVALID_UTF8);
    expect(connectCode(conn({ clientId: bytes("dév-1") }))).toBeGreaterThan(0);
  });

  it("[MQTT-3.1.3-10] the Will Topic must be well-formed UTF-8 (encode and decode)", () => {
    const will = { topic: bytes(0xed, 0xa0, 0x80), payload: bytes("x"), qos: 1, retain: false };
    expect(connectCode(conn({ will }))).toBe(INVALID_UTF8);
    expectRefused(connectFrame(0x0e, field("id"), field(0xed, 0xa0, 0x80), field("x")), "server", INVALID_UTF8);
    expectAccepted(connectFrame(0x0e, field("id"), field("wé/ü"), field("x")), "server");
  });

  it("[MQTT-3.1.3-11] the User Name must be well-formed UTF-8 (encode and decode)", () => {
    expect(connectCode(conn({ username: bytes(0xc3) }))).toBe(INVALID_UTF8);
    expectRefused(connectFrame(0x82, field("id"), field(0xc3)), "server", INVALID_UTF8);
    expectAccepted(connectFrame(0x82, field("id"), field("jürgen")), "server");
  });

  it("[MQTT-3.8.3-1] SUBSCRIBE topic filters must be well-formed UTF-8 (encode and decode)", () => {
    expect(subscribeCode(sub([bytes("ok/#"), bytes(0xed, 0xbf, 0xbf)], [0, 1]))).toBe(INVALID_UTF8);
    expectRefused(frame(0x82, 0, 1, field("ok/#"), 0, field(0xed, 0xbf, 0xbf), 1), "server", INVALID_UTF8);
    expectAccepted(frame(0x82, 0, 1, field("ü/+/#"), 1), "server");
  });
});
