// fast-check generators of VALID MQTT 3.1.1 packets (as models), restricted to what the spec allows so that
// both codecs must agree on them.
import fc from "fast-check";
import type { Model } from "./util.js";

// Any code point except U+0000 and the topic separators/wildcards; surrogate pairs included.
const levelText = fc.string({ unit: "binary", maxLength: 6 }).map((s) => s.replace(/[\u0000/+#]/g, "x"));
const asciiLevel = fc.string({ unit: "binary-ascii", maxLength: 6 }).map((s) => s.replace(/[\u0000/+#]/g, "x"));
const level = fc.oneof(asciiLevel, levelText, fc.constantFrom("sensors", "esp32-0001", "temperature", "$SYS", ""));

/** A valid topic name: non-empty, no wildcards. */
export const topicName = fc.array(level, { minLength: 1, maxLength: 5 })
  .map((levels) => levels.join("/"))
  .filter((t) => t.length > 0);

/** A valid topic filter: whole-level `+`, optional final `#`. */
export const topicFilter = fc.tuple(
  fc.array(fc.oneof(level, fc.constant("+")), { minLength: 0, maxLength: 4 }),
  fc.boolean(),
).map(([levels, hash]) => (hash ? [...levels, "#"] : levels).join("/")).filter((f) => f.length > 0);

const text = fc.string({ unit: "binary", maxLength: 12 }).map((s) => s.replace(/\u0000/g, "x"));
const packetId = fc.integer({ min: 1, max: 0xffff });
const qos = fc.integer({ min: 0, max: 2 });
const payload = fc.uint8Array({ maxLength: 300 });

export const connect: fc.Arbitrary<Model> = fc.record({
  clientId: fc.string({ unit: "binary-ascii", maxLength: 23 }).map((s) => s.replace(/\u0000/g, "x")),
  clean: fc.boolean(),
  keepalive: fc.integer({ min: 0, max: 0xffff }),
  username: fc.option(text, { nil: undefined }),
  password: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: undefined }),
  will: fc.option(fc.record({ topic: topicName, payload: fc.uint8Array({ maxLength: 40 }), qos, retain: fc.boolean() }), { nil: undefined }),
}).map((r) => {
  const m: Model = { cmd: "connect", clientId: r.clientId, clean: r.clientId.length === 0 ? true : r.clean, keepalive: r.keepalive };
  if (r.username !== undefined) {
    m.username = r.username;
    if (r.password !== undefined) m.password = r.password;
  }
  if (r.will !== undefined) m.will = r.will;
  return m;
});

export const connack: fc.Arbitrary<Model> = fc.record({ sessionPresent: fc.boolean(), returnCode: fc.integer({ min: 0, max: 5 }) })
  .map((r) => ({ cmd: "connack", sessionPresent: r.returnCode === 0 && r.sessionPresent, returnCode: r.returnCode }));

export const publish: fc.Arbitrary<Model> = fc.record({ topic: topicName, payload, qos, retain: fc.boolean(), dup: fc.boolean(), id: packetId })
  .map((r): Model => r.qos === 0
    ? { cmd: "publish", topic: r.topic, payload: r.payload, qos: 0, retain: r.retain, dup: false }
    : { cmd: "publish", topic: r.topic, payload: r.payload, qos: r.qos, retain: r.retain, dup: r.dup, messageId: r.id });

const ackOf = (cmd: "puback" | "pubrec" | "pubrel" | "pubcomp" | "unsuback"): fc.Arbitrary<Model> =>
  packetId.map((messageId) => ({ cmd, messageId }));

export const subscribe: fc.Arbitrary<Model> = fc.record({
  messageId: packetId,
  subscriptions: fc.array(fc.record({ topic: topicFilter, qos }), { minLength: 1, maxLength: 5 }),
}).map((r) => ({ cmd: "subscribe", ...r }));

export const suback: fc.Arbitrary<Model> = fc.record({
  messageId: packetId,
  granted: fc.array(fc.constantFrom(0, 1, 2, 0x80), { minLength: 1, maxLength: 5 }),
}).map((r) => ({ cmd: "suback", ...r }));

export const unsubscribe: fc.Arbitrary<Model> = fc.record({
  messageId: packetId,
  unsubscriptions: fc.array(topicFilter, { minLength: 1, maxLength: 5 }),
}).map((r) => ({ cmd: "unsubscribe", ...r }));

const empty = (cmd: "pingreq" | "pingresp" | "disconnect"): fc.Arbitrary<Model> => fc.constant({ cmd });

/** Packets a server sends (a client decoder receives). */
export const toClient: fc.Arbitrary<Model> = fc.oneof(
  connack, publish, ackOf("puback"), ackOf("pubrec"), ackOf("pubrel"), ackOf("pubcomp"), suback, ackOf("unsuback"),
  empty("pingresp"),
);

/** Packets a client sends (a server decoder receives). */
export const toServer: fc.Arbitrary<Model> = fc.oneof(
  connect, publish, ackOf("puback"), ackOf("pubrec"), ackOf("pubrel"), ackOf("pubcomp"), subscribe, unsubscribe,
  empty("pingreq"), empty("disconnect"),
);

/** Any valid packet of any of the 14 types. */
export const anyPacket: fc.Arbitrary<Model> = fc.oneof(toClient, toServer);
