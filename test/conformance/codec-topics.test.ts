// Conformance, codec (and the client's router built on it): topic names and filters: wildcard placement,
// lengths, U+0000, the BOM kept as a character, the `$` rule, and byte-exact matching.
import { describe, expect, it } from "vitest";
import { InvalidOptionError } from "../../src/client/index.js";
import {
  EMPTY_TOPIC, encodeConnect, encodePublish, encodeSubscribe, encodeUnsubscribe, INVALID_FILTER, INVALID_UTF8,
  STRING_TOO_LONG, TOPIC_WILDCARD, topicMatches, utf8Encode, validateTopicFilter, validateTopicName,
} from "../../src/codec/index.js";
import { bytes, encodeInto, expectAccepted, expectRefused, field, frame } from "./codec-util.js";
import { utf8, wireRig } from "./wire-rig.js";

const name = (t: string | Uint8Array): number => {
  const b = typeof t === "string" ? utf8Encode(t) : t;
  return validateTopicName(b, 0, b.length);
};
const filter = (t: string | Uint8Array): number => {
  const b = typeof t === "string" ? utf8Encode(t) : t;
  return validateTopicFilter(b, 0, b.length);
};
const matches = (f: string | Uint8Array, t: string | Uint8Array): boolean => {
  const fb = typeof f === "string" ? utf8Encode(f) : f;
  const tb = typeof t === "string" ? utf8Encode(t) : t;
  return topicMatches(fb, 0, fb.length, tb, 0, tb.length);
};
const publishTopic = (t: Uint8Array): number => encodeInto((b) => encodePublish(b, 0, {
  topic: t, topicOffset: 0, topicLength: t.length, payload: bytes(""), payloadOffset: 0, payloadLength: 0,
  qos: 0, retain: false, dup: false, packetId: 0,
}), t.length + 16).result;
const subscribeFilter = (f: Uint8Array): number =>
  encodeInto((b) => encodeSubscribe(b, 0, { packetId: 1, filters: [f], qos: [0], count: 1 }), f.length + 16).result;

describe("wildcards", () => {
  it("[MQTT-4.7.1-1] wildcards are allowed in topic filters, never in topic names", () => {
    for (const t of ["+", "#", "a/+", "a/#", "+/b", "a/+/c", "sport/tennis/#"]) {
      expect(name(t), t).toBe(TOPIC_WILDCARD);
      expect(filter(t), t).toBe(0);
    }
    for (const t of ["a+", "a#b", "#a"]) expect(name(t), t).toBe(TOPIC_WILDCARD); // not even inside a level
    expectRefused(frame(0x30, field("a/+")), "client", TOPIC_WILDCARD);
    expectAccepted(frame(0x82, 0, 1, field("a/+"), 0, field("#"), 1), "server");
    const will = { topic: bytes("w/#"), payload: bytes(""), qos: 0, retain: false };
    expect(encodeInto((b) => encodeConnect(b, 0, { clientId: bytes("c"), cleanSession: true, keepAlive: 0, username: null, password: null, will })).result)
      .toBe(TOPIC_WILDCARD);
  });

  it("[MQTT-4.7.1-2] '#' stands alone or after '/', and is the last character", () => {
    for (const f of ["#", "/#", "a/#", "a/b/#", "+/#", "a//#"]) expect(filter(f), f).toBe(0);
    for (const f of ["a#", "a/b#", "#/", "#/a", "a/#/", "a/#/b", "##", "a/##"]) expect(filter(f), f).toBe(INVALID_FILTER);
    expectRefused(frame(0x82, 0, 1, field("a/#/b"), 0), "server", INVALID_FILTER);
    expectRefused(frame(0xa2, 0, 1, field("a#")), "server", INVALID_FILTER);
    expect(subscribeFilter(bytes("a/b#"))).toBe(INVALID_FILTER);
    // '#' also matches the parent level and any number of levels.
    expect([matches("a/#", "a"), matches("a/#", "a/b/c"), matches("#", "a/b"), matches("a/#", "ab")]).toEqual([true, true, true, false]);
  });

  it("[MQTT-4.7.1-3] '+' occupies a whole level", () => {
    for (const f of ["+", "/+", "+/", "a//+", "+/+/+", "a/+/b", "+/#"]) expect(filter(f), f).toBe(0);
    for (const f of ["a+", "+a", "a/+b", "a/b+/c", "++", "+#"]) expect(filter(f), f).toBe(INVALID_FILTER);
    expectRefused(frame(0x82, 0, 1, field("a/+b"), 0), "server", INVALID_FILTER);
    expect(encodeInto((b) => encodeUnsubscribe(b, 0, { packetId: 1, filters: [bytes("x+/y")], count: 1 })).result).toBe(INVALID_FILTER);
    // '+' matches exactly one level, which may be empty.
    expect([matches("a/+", "a/b"), matches("a/+", "a/"), matches("a/+", "a/b/c"), matches("+/+", "/x")]).toEqual([true, true, false, true]);
  });

  it("[MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with '$'", () => {
    expect(matches("#", "$SYS/broker/load")).toBe(false);
    expect(matches("+/broker/load", "$SYS/broker/load")).toBe(false);
    expect(matches("+", "$x")).toBe(false);
    expect(matches("$SYS/#", "$SYS/broker/load")).toBe(true);
    expect(matches("$SYS/+/load", "$SYS/broker/load")).toBe(true);
    expect(matches("a/+", "a/$x")).toBe(true); // only the first character of the topic counts
  });
});

describe("lengths and characters", () => {
  it("[MQTT-4.7.3-1] topic names and filters are at least one character long", () => {
    expect([name(""), filter("")]).toEqual([EMPTY_TOPIC, EMPTY_TOPIC]);
    expect([name("/"), filter("/"), name("a"), filter("a")]).toEqual([0, 0, 0, 0]);
    expect(publishTopic(new Uint8Array(0))).toBe(EMPTY_TOPIC);
    expect(subscribeFilter(new Uint8Array(0))).toBe(EMPTY_TOPIC);
    expectRefused(frame(0x30, field(), "payload"), "client", EMPTY_TOPIC);
    expectRefused(frame(0x82, 0, 1, field(), 0), "server", EMPTY_TOPIC);
    expectRefused(frame(0xa2, 0, 1, field()), "server", EMPTY_TOPIC);
  });

  it("[MQTT-4.7.3-2] topic names and filters do not contain U+0000", () => {
    for (const t of [bytes(0), bytes("a", 0), bytes("a/", 0, "/b")]) {
      expect(name(t)).toBe(INVALID_UTF8);
      expect(filter(t)).toBe(INVALID_UTF8);
      expect(publishTopic(t)).toBe(INVALID_UTF8);
      expect(subscribeFilter(t)).toBe(INVALID_UTF8);
    }
    expectRefused(frame(0x30, field("a", 0)), "client", INVALID_UTF8);
    expectRefused(frame(0x82, 0, 1, field("a/", 0, "/#"), 0), "server", INVALID_UTF8);
    expectRefused(frame(0xa2, 0, 1, field(0, "+")), "server", INVALID_UTF8);
  });

  it("[MQTT-4.7.3-3] topic names and filters encode to at most 65,535 bytes", () => {
    const max = new Uint8Array(65_535).fill(0x61);
    const over = new Uint8Array(65_536).fill(0x61);
    expect([name(max), filter(max), name(over), filter(over)]).toEqual([0, 0, STRING_TOO_LONG, STRING_TOO_LONG]);
    // Bytes, not characters: 21,846 x "€" is 65,538 bytes.
    const euros = "€".repeat(21_846);
    expect([name(euros), filter(euros)]).toEqual([STRING_TOO_LONG, STRING_TOO_LONG]);
    expect(name("€".repeat(21_845))).toBe(0); // 65,535 bytes
    expect(publishTopic(over)).toBe(STRING_TOO_LONG);
    expect(subscribeFilter(over)).toBe(STRING_TOO_LONG);
    const encoded = publishTopic(max);
    expect(encoded).toBe(1 + 3 + 2 + 65_535); // fixed header with a 3-byte remaining length
    const maxFilter = new Uint8Array(65_535).fill(0x2f); // "////…": a valid filter of empty levels
    expect(subscribeFilter(maxFilter)).toBe(1 + 3 + 2 + 2 + 65_535 + 1);
    const client = wireRig().client;
    expect(() => client.topic("x".repeat(65_536))).toThrow(InvalidOptionError);
    expect(() => client.subscribe("x".repeat(65_536), 0, () => undefined)).toThrow(InvalidOptionError);
  });

  it("[MQTT-1.5.3-3] EF BB BF is U+FEFF, kept as a character: never skipped or stripped", () => {
    const bom = bytes(0xef, 0xbb, 0xbf, "a/b");
    expect([...utf8Encode("\uFEFFa/b")]).toEqual([...bom]);
    expect(name(bom)).toBe(0);
    const p = expectAccepted(frame(0x30, field(bom), "x"), "client");
    expect([p.topicOffset, p.topicLength]).toEqual([4, 6]);
    expect([...p.buffer.subarray(p.topicOffset, p.topicOffset + p.topicLength)]).toEqual([...bom]);
    // Matching treats it as the character it is.
    expect(matches("\uFEFFa/b", bom)).toBe(true);
    expect(matches("\uFEFFa/+", bom)).toBe(true);
    expect(matches("+/b", bom)).toBe(true);
    expect(matches("a/b", bom)).toBe(false);
    expect(matches("a/#", bom)).toBe(false);
    // The client delivers it with the BOM, to the subscription holding it only, and publishes it unchanged.
    const rig = wireRig();
    const withBom: string[] = [];
    const without: string[] = [];
    rig.client.subscribe("\uFEFFa/#", 0, (m) => withBom.push(m.topicString()));
    rig.client.subscribe("a/#", 0, (m) => without.push(m.topicString()));
    rig.client.connect();
    rig.step();
    rig.broker.publish(bom, utf8("x"), 0, 1, 0, 0);
    rig.step();
    expect(withBom).toEqual(["\uFEFFa/b"]);
    expect(without).toEqual([]);
    const h = rig.client.topic("\uFEFFa/b");
    rig.client.publish(h, utf8("y"), 0, 1, 0, false);
    rig.step();
    expect(rig.sent(0).at(-1)!.topic).toEqual([...bom]);
  });

  it("[MQTT-4.7.3-4] matching compares bytes: no case folding, normalisation or trimming", () => {
    expect(matches("a/b", "a/b")).toBe(true);
    expect(matches("a/b", "A/b")).toBe(false);
    expect(matches("ACCOUNTS", "Accounts")).toBe(false);
    expect(matches("caf\u00e9", "cafe\u0301")).toBe(false); // precomposed vs decomposed é
    expect(matches("cafe\u0301", "caf\u00e9")).toBe(false);
    expect(matches("caf\u00e9/+", "cafe\u0301/x")).toBe(false);
    expect(matches("a/b", "a/b/")).toBe(false);
    expect(matches("a/b", "/a/b")).toBe(false);
    expect(matches("a/b", "a/b ")).toBe(false);
    expect(matches("a//b", "a/b")).toBe(false);
    expect(matches("\uFF21", "A")).toBe(false); // fullwidth A
    // The client's router is the same matcher: a subscription receives only byte-identical topics.
    const rig = wireRig();
    const got: string[] = [];
    rig.client.subscribe("caf\u00e9/+", 0, (m) => got.push(m.topicString()));
    rig.client.connect();
    rig.step();
    for (const t of ["caf\u00e9/1", "cafe\u0301/2", "CAF\u00c9/3", "caf\u00e9/4"]) rig.broker.publish(utf8(t), utf8("x"), 0, 1, 0, 0);
    rig.step();
    expect(got).toEqual(["caf\u00e9/1", "caf\u00e9/4"]);
  });
});
