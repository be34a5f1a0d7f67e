// The codec on XS: spec vectors, round trips of all 14 packet types through StreamDecoder (whole, split,
// one byte at a time), validation codes, and steady-state loops that must allocate nothing.

import {
  BUFFER_TOO_SMALL, CHUNK, CONNACK_RESERVED, DECODER_FAILED, EMPTY_SUBSCRIPTION, INVALID_CONNACK_CODE, INVALID_FILTER, INVALID_PACKET_TYPE, INVALID_PROTOCOL, INVALID_QOS, INVALID_SUBACK_CODE, INVALID_UTF8, MALFORMED_REMAINING_LENGTH, NEED_MORE, PACKET, PACKET_ID_ZERO, PACKET_TOO_LARGE, PacketType, RESERVED_FLAGS, BufferPool, POOL_EXHAUSTED, StreamDecoder, TOPIC_WILDCARD, UNEXPECTED_PACKET, codeName, encodeAck, encodeConnack, encodeConnect, encodeEmpty, encodePublish, encodeSuback, encodeSubscribe, encodeUnsubscribe, filterLength, filterOffset, filterQos, nextFilter, sizeConnect, sizeDecimal, sizePublish, topicMatches, validateTopicFilter, validateUtf8, writeAscii, writeDecimal, writeInteger, type ConnackInfo, type ConnectInfo, type ServerPacket, type PublishInfo, type SubackInfo, type SubscribeInfo, type UnsubscribeInfo, ServerStreamDecoder,
} from "../../../src/codec/index.js";
import { ascii, bytes, check, checkBytes, checkEqual, fromHex, measureAlloc, WARMUP } from "../harness.js";

const ITERATIONS = 100_000;
const SPLIT = 3; // bytes per decode call in the split loops

// ---------------------------------------------------------------------------------------------------------
// Setup: every buffer, info object, decoder and closure used below exists before any measurement.

const wire = new Uint8Array(1024);
const serverDecoder = new ServerStreamDecoder({
  buffer: new Uint8Array(1024), maxPacketSize: 4096, streamPayloads: false,
});
const clientDecoder = new StreamDecoder({
  buffer: new Uint8Array(1024), maxPacketSize: 4096, role: "client", streamPayloads: false,
});

const connectInfo: ConnectInfo = {
  clientId: ascii("ABCDEF"), cleanSession: true, keepAlive: 60, username: null, password: null, will: null,
};
const connectFull: ConnectInfo = {
  clientId: ascii("dev-1"), cleanSession: false, keepAlive: 300,
  username: ascii("user"), password: bytes(0, 1, 2, 0xff),
  will: { topic: ascii("status/dev-1"), payload: ascii("offline"), qos: 1, retain: true },
};
const connackInfo: ConnackInfo = { sessionPresent: true, returnCode: 0 };
const elementTopic = ascii("ELEMENT14");
const hello = ascii("hello");
const publish0: PublishInfo = {
  topic: elementTopic, topicOffset: 0, topicLength: elementTopic.length,
  payload: hello, payloadOffset: 0, payloadLength: hello.length,
  qos: 0, retain: false, dup: false, packetId: 0,
};
const sensorTopic = ascii("xx/sensors/dev-1/temperature");
const reading = ascii("{\"t\":21.50,\"rh\":40.2}");
const publish1: PublishInfo = {
  topic: sensorTopic, topicOffset: 3, topicLength: sensorTopic.length - 3,
  payload: reading, payloadOffset: 0, payloadLength: reading.length,
  qos: 1, retain: true, dup: true, packetId: 0x1234,
};
const subscribeVector: SubscribeInfo = { packetId: 1, filters: [ascii("element14")], qos: [0], count: 1 };
const subscribeInfo: SubscribeInfo = {
  packetId: 10, filters: [ascii("cmd/dev-1/#"), ascii("a/+/c"), ascii("$SYS/x")], qos: [0, 1, 2], count: 3,
};
const subackInfo: SubackInfo = { packetId: 10, returnCodes: [0, 1, 0x80], count: 3 };
const unsubscribeInfo: UnsubscribeInfo = { packetId: 11, filters: [ascii("cmd/dev-1/#"), ascii("a/+/c")], count: 2 };

/** One packet kind: how to encode it and which decoder must accept it. */
interface Case {
  name: string;
  type: number;
  decoder: StreamDecoder;
  encode(buf: Uint8Array, offset: number): number;
}

const cases: Case[] = [
  { name: "connect", type: PacketType.CONNECT, decoder: serverDecoder, encode: (b, o) => encodeConnect(b, o, connectFull) },
  { name: "connack", type: PacketType.CONNACK, decoder: clientDecoder, encode: (b, o) => encodeConnack(b, o, connackInfo) },
  { name: "publish0", type: PacketType.PUBLISH, decoder: clientDecoder, encode: (b, o) => encodePublish(b, o, publish0) },
  { name: "publish1", type: PacketType.PUBLISH, decoder: serverDecoder, encode: (b, o) => encodePublish(b, o, publish1) },
  { name: "puback", type: PacketType.PUBACK, decoder: clientDecoder, encode: (b, o) => encodeAck(b, o, PacketType.PUBACK, 0x1234) },
  { name: "pubrec", type: PacketType.PUBREC, decoder: serverDecoder, encode: (b, o) => encodeAck(b, o, PacketType.PUBREC, 2) },
  { name: "pubrel", type: PacketType.PUBREL, decoder: clientDecoder, encode: (b, o) => encodeAck(b, o, PacketType.PUBREL, 3) },
  { name: "pubcomp", type: PacketType.PUBCOMP, decoder: serverDecoder, encode: (b, o) => encodeAck(b, o, PacketType.PUBCOMP, 0xffff) },
  { name: "subscribe", type: PacketType.SUBSCRIBE, decoder: serverDecoder, encode: (b, o) => encodeSubscribe(b, o, subscribeInfo) },
  { name: "suback", type: PacketType.SUBACK, decoder: clientDecoder, encode: (b, o) => encodeSuback(b, o, subackInfo) },
  { name: "unsubscribe", type: PacketType.UNSUBSCRIBE, decoder: serverDecoder, encode: (b, o) => encodeUnsubscribe(b, o, unsubscribeInfo) },
  { name: "unsuback", type: PacketType.UNSUBACK, decoder: clientDecoder, encode: (b, o) => encodeAck(b, o, PacketType.UNSUBACK, 11) },
  { name: "pingreq", type: PacketType.PINGREQ, decoder: serverDecoder, encode: (b, o) => encodeEmpty(b, o, PacketType.PINGREQ) },
  { name: "pingresp", type: PacketType.PINGRESP, decoder: clientDecoder, encode: (b, o) => encodeEmpty(b, o, PacketType.PINGRESP) },
  { name: "disconnect", type: PacketType.DISCONNECT, decoder: serverDecoder, encode: (b, o) => encodeEmpty(b, o, PacketType.DISCONNECT) },
];

// Loop results: numbers on one preallocated object (failures are counted, never printed, inside loops).
const tally = { packets: 0, bad: 0, lastBad: 0 };

/** Feeds `buf[0, n)` to `dec` in pieces of `step` bytes; counts packets of `type` into `tally`. */
function feed(dec: StreamDecoder, buf: Uint8Array, n: number, step: number, type: number): void {
  let pos = 0;
  while (pos < n) {
    const end = pos + step < n ? pos + step : n;
    let off = pos;
    while (off < end) {
      const r = dec.decode(buf, off, end);
      if (r < 0) {
        tally.bad++;
        tally.lastBad = r;
        dec.reset();
        return;
      }
      if (r === PACKET) {
        if (dec.packet.type === type && dec.packet.packetLength === n) tally.packets++;
        else tally.bad++;
      }
      const next = dec.offset;
      if (next <= off && r === NEED_MORE) break;
      off = next;
    }
    pos = end;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Vectors from the spec fixtures.

function sameBytes(a: Uint8Array, aOffset: number, aLength: number, b: Uint8Array): boolean {
  if (aLength !== b.length) return false;
  for (let i = 0; i < aLength; i++) if (a[aOffset + i] !== b[i]) return false;
  return true;
}

{
  const expected = fromHex("10 12 00 04 4D 51 54 54 04 02 00 3C 00 06 41 42 43 44 45 46");
  checkEqual("CONNECT vector: size", sizeConnect(connectInfo), expected.length);
  const end = encodeConnect(wire, 0, connectInfo);
  checkBytes("CONNECT vector: bytes", wire, 0, end, expected);
  serverDecoder.reset();
  checkEqual("CONNECT vector: decode", serverDecoder.decode(expected, 0, expected.length), PACKET);
  const p = serverDecoder.packet;
  checkEqual("CONNECT vector: type", p.type, PacketType.CONNECT);
  checkEqual("CONNECT vector: level", p.protocolLevel, 4);
  checkEqual("CONNECT vector: keepAlive", p.keepAlive, 60);
  checkEqual("CONNECT vector: cleanSession", p.cleanSession, true);
  check("CONNECT vector: clientId", sameBytes(p.buffer, p.clientIdOffset, p.clientIdLength, ascii("ABCDEF")));
  checkEqual("CONNECT vector: no username", p.usernameLength, -1);
  checkEqual("CONNECT vector: no will", p.willTopicLength, -1);
  checkEqual("CONNECT vector: zero copy", p.buffer === expected, true);
}
{
  const expected = bytes(0x30, 0x10, 0x00, 0x09, "ELEMENT14", "hello");
  checkEqual("PUBLISH vector: size", sizePublish(publish0), expected.length);
  const end = encodePublish(wire, 0, publish0);
  checkBytes("PUBLISH vector: bytes", wire, 0, end, expected);
  clientDecoder.reset();
  checkEqual("PUBLISH vector: decode", clientDecoder.decode(expected, 0, expected.length), PACKET);
  const p = clientDecoder.packet;
  check("PUBLISH vector: topic", sameBytes(p.buffer, p.topicOffset, p.topicLength, elementTopic));
  check("PUBLISH vector: payload", sameBytes(p.payloadBuffer, p.payloadOffset, p.payloadLength, hello));
  checkEqual("PUBLISH vector: qos", p.qos, 0);
  checkEqual("PUBLISH vector: final", p.final, true);
}
{
  const expected = bytes(0x82, 0x0e, 0x00, 0x01, 0x00, 0x09, "element14", 0x00);
  const end = encodeSubscribe(wire, 0, subscribeVector);
  checkBytes("SUBSCRIBE vector: bytes", wire, 0, end, expected);
  serverDecoder.reset();
  checkEqual("SUBSCRIBE vector: decode", serverDecoder.decode(expected, 0, expected.length), PACKET);
  const p = serverDecoder.packet;
  checkEqual("SUBSCRIBE vector: packetId", p.packetId, 1);
  checkEqual("SUBSCRIBE vector: count", p.listCount, 1);
  const e = p.listOffset;
  check("SUBSCRIBE vector: filter", sameBytes(p.buffer, filterOffset(e), filterLength(p.buffer, e), ascii("element14")));
  checkEqual("SUBSCRIBE vector: qos", filterQos(p.buffer, e), 0);
  checkEqual("SUBSCRIBE vector: list end", nextFilter(p.buffer, e, PacketType.SUBSCRIBE), p.listOffset + p.listLength);
}

// ---------------------------------------------------------------------------------------------------------
// Round trips: each type whole, split in 3-byte pieces and one byte at a time, then field checks.

for (const c of cases) {
  const n = c.encode(wire, 0);
  check(`${c.name}: encodes`, n > 0, `returned ${n} (${codeName(n)})`);
  if (n <= 0) continue;
  for (const step of [n, SPLIT, 1]) {
    tally.packets = 0;
    tally.bad = 0;
    c.decoder.reset();
    feed(c.decoder, wire, n, step, c.type);
    check(`${c.name}: decodes in ${step}-byte pieces`, tally.packets === 1 && tally.bad === 0,
      `packets=${tally.packets} bad=${tally.bad} last=${codeName(tally.lastBad)}`);
  }
}

function decodeOne(dec: StreamDecoder, buf: Uint8Array, n: number): ServerPacket | null {
  dec.reset();
  const r = dec.decode(buf, 0, n);
  // The client decoder's result is a Packet; its callers read only client fields.
  return r === PACKET ? (dec.packet as ServerPacket) : null;
}

{
  const n = encodeConnect(wire, 0, connectFull);
  const p = decodeOne(serverDecoder, wire, n);
  check("connect: fields", p !== null && p.keepAlive === 300 && !p.cleanSession && p.willQos === 1 && p.willRetain &&
    sameBytes(p.buffer, p.clientIdOffset, p.clientIdLength, ascii("dev-1")) &&
    sameBytes(p.buffer, p.willTopicOffset, p.willTopicLength, ascii("status/dev-1")) &&
    sameBytes(p.buffer, p.willPayloadOffset, p.willPayloadLength, ascii("offline")) &&
    sameBytes(p.buffer, p.usernameOffset, p.usernameLength, ascii("user")) &&
    sameBytes(p.buffer, p.passwordOffset, p.passwordLength, bytes(0, 1, 2, 0xff)));
}
{
  const n = encodeConnack(wire, 0, connackInfo);
  checkBytes("connack: bytes", wire, 0, n, fromHex("20 02 01 00"));
  const p = decodeOne(clientDecoder, wire, n);
  check("connack: fields", p !== null && p.sessionPresent && p.returnCode === 0);
}
{
  const n = encodePublish(wire, 0, publish1);
  const p = decodeOne(serverDecoder, wire, n);
  check("publish1: fields", p !== null && p.qos === 1 && p.retain && p.dup && p.packetId === 0x1234 &&
    sameBytes(p.buffer, p.topicOffset, p.topicLength, ascii("sensors/dev-1/temperature")) &&
    sameBytes(p.payloadBuffer, p.payloadOffset, p.payloadLength, reading));
}
{
  const n = encodeSuback(wire, 0, subackInfo);
  checkBytes("suback: bytes", wire, 0, n, fromHex("90 05 00 0a 00 01 80"));
  const p = decodeOne(clientDecoder, wire, n);
  check("suback: fields", p !== null && p.packetId === 10 && p.codesCount === 3 && p.buffer[p.codesOffset + 2] === 0x80);
}
{
  const n = encodeSubscribe(wire, 0, subscribeInfo);
  const p = decodeOne(serverDecoder, wire, n);
  let ok = p !== null && p.listCount === 3;
  if (p !== null) {
    let e = p.listOffset;
    for (let i = 0; ok && i < 3; i++) {
      ok = sameBytes(p.buffer, filterOffset(e), filterLength(p.buffer, e), subscribeInfo.filters[i]!) &&
        filterQos(p.buffer, e) === subscribeInfo.qos[i];
      e = nextFilter(p.buffer, e, PacketType.SUBSCRIBE);
    }
    ok = ok && e === p.listOffset + p.listLength;
  }
  check("subscribe: filters and QoS", ok);
}
{
  const n = encodeUnsubscribe(wire, 0, unsubscribeInfo);
  checkEqual("unsubscribe: first byte", wire[0], 0xa2);
  const p = decodeOne(serverDecoder, wire, n);
  check("unsubscribe: fields", p !== null && p.packetId === 11 && p.listCount === 2);
}
{
  checkEqual("puback: encode", encodeAck(wire, 0, PacketType.PUBACK, 0x1234), 4);
  checkBytes("puback: bytes", wire, 0, 4, fromHex("40 02 12 34"));
  checkEqual("pubrel: encode", encodeAck(wire, 0, PacketType.PUBREL, 3), 4);
  checkBytes("pubrel: bytes", wire, 0, 4, fromHex("62 02 00 03"));
  checkEqual("pingreq: encode", encodeEmpty(wire, 0, PacketType.PINGREQ), 2);
  checkBytes("pingreq: bytes", wire, 0, 2, fromHex("c0 00"));
  checkEqual("disconnect: encode", encodeEmpty(wire, 0, PacketType.DISCONNECT), 2);
  checkBytes("disconnect: bytes", wire, 0, 2, fromHex("e0 00"));
}

// ---------------------------------------------------------------------------------------------------------
// Validation codes.

function decodeCode(dec: StreamDecoder, input: Uint8Array): number {
  dec.reset();
  let off = 0;
  for (;;) {
    const r = dec.decode(input, off, input.length);
    if (r !== PACKET && r !== CHUNK) return r;
    off = dec.offset;
  }
}

function checkCode(name: string, actual: number, expected: number): void {
  check(name, actual === expected, `got ${actual} (${codeName(actual)}), expected ${expected} (${codeName(expected)})`);
}

checkCode("type 0", decodeCode(serverDecoder, fromHex("00 00")), INVALID_PACKET_TYPE);
checkCode("type 15", decodeCode(clientDecoder, fromHex("f0 00")), INVALID_PACKET_TYPE);
checkCode("5-byte remaining length", decodeCode(clientDecoder, fromHex("30 ff ff ff ff 7f")), MALFORMED_REMAINING_LENGTH);
checkCode("SUBSCRIBE flags 0", decodeCode(serverDecoder, bytes(0x80, 0x0e, 0x00, 0x01, 0x00, 0x09, "element14", 0x00)), RESERVED_FLAGS);
checkCode("PUBLISH QoS 3", decodeCode(clientDecoder, bytes(0x36, 0x05, 0x00, 0x01, "a", 0x00, 0x01)), INVALID_QOS);
checkCode("PUBACK id 0", decodeCode(clientDecoder, fromHex("40 02 00 00")), PACKET_ID_ZERO);
checkCode("CONNACK code 6", decodeCode(clientDecoder, fromHex("20 02 00 06")), INVALID_CONNACK_CODE);
checkCode("CONNACK reserved bits", decodeCode(clientDecoder, fromHex("20 02 02 00")), CONNACK_RESERVED);
checkCode("SUBACK code 3", decodeCode(clientDecoder, fromHex("90 03 00 01 03")), INVALID_SUBACK_CODE);
checkCode("SUBSCRIBE without filters", decodeCode(serverDecoder, fromHex("82 02 00 01")), EMPTY_SUBSCRIPTION);
checkCode("CONNECT protocol MQTX", decodeCode(serverDecoder,
  fromHex("10 12 00 04 4D 51 54 58 04 02 00 3C 00 06 41 42 43 44 45 46")), INVALID_PROTOCOL);
checkCode("client decoder given CONNECT", decodeCode(clientDecoder,
  fromHex("10 12 00 04 4D 51 54 54 04 02 00 3C 00 06 41 42 43 44 45 46")), UNEXPECTED_PACKET);
checkCode("server decoder given CONNACK", decodeCode(serverDecoder, fromHex("20 02 00 00")), UNEXPECTED_PACKET);
{
  // maxPacketSize is checked from the remaining length alone: only the header is given here.
  const small = new StreamDecoder({ buffer: new Uint8Array(64), maxPacketSize: 100, role: "client", streamPayloads: false });
  checkCode("over maxPacketSize", decodeCode(small, fromHex("30 e8 07")), PACKET_TOO_LARGE);
  checkCode("after an error", small.decode(fromHex("c0 00"), 0, 2), DECODER_FAILED);
  small.reset();
  checkCode("after reset", small.decode(fromHex("d0 00"), 0, 2), PACKET);
}
{
  const bad: PublishInfo = { ...publish0, topic: ascii("a/+/b"), topicLength: 5 };
  checkCode("PUBLISH topic with +", encodePublish(wire, 0, bad), TOPIC_WILDCARD);
  checkCode("PUBLISH into 4 bytes", encodePublish(new Uint8Array(4), 0, publish0), BUFFER_TOO_SMALL);
  checkCode("PUBACK id 0 (encode)", encodeAck(wire, 0, PacketType.PUBACK, 0), PACKET_ID_ZERO);
  checkCode("filter a/#/b", validateTopicFilter(ascii("a/#/b"), 0, 5), INVALID_FILTER);
  checkCode("UTF-8 surrogate", validateUtf8(fromHex("ed a0 80"), 0, 3), INVALID_UTF8);
  check("topicMatches sensors/+/t", topicMatches(ascii("sensors/+/t"), 0, 11, ascii("sensors/a/t"), 0, 11));
  check("topicMatches # vs $SYS", !topicMatches(ascii("#"), 0, 1, ascii("$SYS/x"), 0, 6));
}
{
  // A PUBLISH larger than the assembly buffer, streamed as CHUNKs.
  const payload = new Uint8Array(200);
  for (let i = 0; i < payload.length; i++) payload[i] = i;
  const info: PublishInfo = { ...publish1, payload, payloadOffset: 0, payloadLength: payload.length };
  const n = encodePublish(wire, 0, info);
  const dec = new StreamDecoder({ buffer: new Uint8Array(48), maxPacketSize: 4096, role: "client", streamPayloads: true });
  let got = 0;
  let finals = 0;
  let sum = 0;
  let bad = 0;
  for (let pos = 0; pos < n; pos += 50) {
    const end = Math.min(pos + 50, n);
    let off = pos;
    while (off < end) {
      const r = dec.decode(wire, off, end);
      if (r < 0) { bad++; break; }
      if (r === CHUNK || r === PACKET) {
        const p = dec.packet;
        for (let i = 0; i < p.payloadLength; i++) sum += p.payloadBuffer[p.payloadOffset + i]! === ((p.chunkOffset + i) & 0xff) ? 1 : 0;
        got += p.payloadLength;
        if (p.final) finals++;
      }
      if (r === NEED_MORE) break;
      off = dec.offset;
    }
  }
  check("streamed PUBLISH: whole payload in order", bad === 0 && got === 200 && sum === 200 && finals === 1,
    `bad=${bad} got=${got} inOrder=${sum} finals=${finals}`);
}

// ---------------------------------------------------------------------------------------------------------
// Steady state: encode + decode whole + decode split, per packet type. Nothing may be allocated.

// The validation checks above leave both decoders failed.
serverDecoder.reset();
clientDecoder.reset();
tally.bad = 0;
tally.packets = 0;
for (const c of cases) {
  const body = (): void => {
    const n = c.encode(wire, 0);
    feed(c.decoder, wire, n, n, c.type);
    feed(c.decoder, wire, n, SPLIT, c.type);
  };
  measureAlloc(`codec.${c.name}`, ITERATIONS, body);
}
check("steady-state loops decoded every packet", tally.bad === 0 && tally.packets === cases.length * 2 * (WARMUP + ITERATIONS),
  `packets=${tally.packets} bad=${tally.bad} last=${codeName(tally.lastBad)}`);

{
  // Streaming a PUBLISH larger than the assembly buffer.
  const payload = new Uint8Array(300);
  const info: PublishInfo = { ...publish1, payload, payloadOffset: 0, payloadLength: payload.length };
  const dec = new StreamDecoder({ buffer: new Uint8Array(48), maxPacketSize: 4096, role: "client", streamPayloads: true });
  const st = { chunks: 0, bad: 0 };
  measureAlloc("codec.publish-streamed", ITERATIONS / 10, () => {
    const n = encodePublish(wire, 0, info);
    for (let pos = 0; pos < n; pos += 64) {
      const end = pos + 64 < n ? pos + 64 : n;
      let off = pos;
      while (off < end) {
        const r = dec.decode(wire, off, end);
        if (r < 0) { st.bad++; dec.reset(); return; }
        if (r === CHUNK || r === PACKET) st.chunks++;
        if (r === NEED_MORE) break;
        off = dec.offset;
      }
    }
  });
  checkEqual("streamed loop: no errors", st.bad, 0);
  // ~330 bytes fed in 64-byte pieces: at least 5 payload pieces per packet.
  check("streamed loop: payload delivered in pieces", st.chunks >= (WARMUP + ITERATIONS / 10) * 5, `chunks=${st.chunks}`);
}
{
  // Payload text writers and topic matching, used per reading / per message.
  const out = new Uint8Array(32);
  const unit = ascii("degC");
  const filter = ascii("sensors/+/temperature");
  const topic = ascii("sensors/dev-1/temperature");
  const st = { v: 0, n: 0, m: 0 };
  measureAlloc("codec.text-writers", ITERATIONS, () => {
    st.v = st.v + 0.37;
    st.n = sizeDecimal(st.v - 50, 2);
    st.n = writeDecimal(out, 0, st.v - 50, 2);
    st.n = writeInteger(out, st.n, st.m - 1000);
  });
  measureAlloc("codec.write-ascii", ITERATIONS, () => {
    st.n = writeAscii(out, 0, unit);
  });
  checkBytes("writeAscii wrote the unit", out, 0, 4, unit);
  measureAlloc("codec.topic-matches", ITERATIONS, () => {
    if (topicMatches(filter, 0, filter.length, topic, 0, topic.length)) st.m++;
  });
  checkEqual("topic matched every time", st.m, WARMUP + ITERATIONS);
}
{
  // Send-slot pool: acquire and release per QoS 1 publish.
  const pool = new BufferPool(4, 64);
  const st = { bad: 0 };
  measureAlloc("codec.pool", ITERATIONS, () => {
    const a = pool.acquire();
    const b = pool.acquire();
    if (a < 0 || b < 0 || pool.release(a) !== 0 || pool.release(b) !== 0) st.bad++;
  });
  checkEqual("pool: acquire/release never failed", st.bad, 0);
  for (let i = 0; i < 4; i++) pool.acquire();
  checkCode("pool: exhausted", pool.acquire(), POOL_EXHAUSTED);
}
