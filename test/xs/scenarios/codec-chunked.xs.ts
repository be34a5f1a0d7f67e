// The stream decoder's chunked path on XS: PUBLISH packets (ASCII and multi-byte topics, payloads that need the
// 8-byte block copy) fed in pseudo-random 1..64-byte pieces, as the codec benchmark does. Checks every packet, then
// proves the steady-state loop allocates nothing.

import {
  encodePublish, NEED_MORE, PACKET, StreamDecoder, utf8Encode, validateTopicName, type PublishInfo,
} from "../../../src/codec/index.js";
import { bytes, check, checkBytes, checkEqual, measureAlloc, print, WARMUP } from "../harness.js";

const PACKETS = 12;
const ITERATIONS = 2000;

// Setup: every array, info object and the decoder exist before any measurement.
const asciiTopic = utf8Encode("sensors/esp32-0001/temperature");
// "capteurs/é/日本/😀/température" as UTF-8 bytes, spelled out, and through utf8Encode: XS strings (Moddable's
// builds, no mxCESU8) are UTF-8 inside and charCodeAt returns the whole code point above U+FFFF, not a surrogate
// pair; utf8Encode used to write 3 wrong bytes (ff 98 80) for it here.
const utf8Topic = bytes("capteurs/", 0xc3, 0xa9, "/", 0xe6, 0x97, 0xa5, 0xe6, 0x9c, 0xac, "/", 0xf0, 0x9f, 0x98, 0x80,
  "/temp", 0xc3, 0xa9, "rature");
const encodedTopic = utf8Encode("capteurs/é/日本/😀/température");
checkBytes("utf8Encode writes 4 bytes for a character above U+FFFF", encodedTopic, 0, encodedTopic.length, utf8Topic);
const escaped = utf8Encode("\uD83D\uDE00|\u{1F600}|\uD800");
checkBytes("utf8Encode of a surrogate pair, a code point escape and a lone surrogate", escaped, 0, escaped.length,
  bytes(0xf0, 0x9f, 0x98, 0x80, "|", 0xf0, 0x9f, 0x98, 0x80, "|", 0xef, 0xbf, 0xbd));
const payload = new Uint8Array(256);
for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + 3) & 0xff;
const info: PublishInfo = {
  topic: asciiTopic, topicOffset: 0, topicLength: asciiTopic.length, payload, payloadOffset: 0, payloadLength: 0,
  qos: 1, retain: false, dup: false, packetId: 1,
};
const stream = new Uint8Array(PACKETS * 320);
let length = 0;
for (let k = 0; k < PACKETS; k++) {
  const topic = k % 3 === 2 ? utf8Topic : asciiTopic;
  info.topic = topic;
  info.topicLength = topic.length;
  info.payloadLength = k % 4 === 3 ? 5 : 256 - k; // a short one now and then: packets start and end mid-piece
  info.qos = k % 3;
  info.packetId = info.qos > 0 ? 100 + k : 0;
  length = encodePublish(stream, length, info);
}
check("stream encoded", length > 0, `encodePublish returned ${length}`);

// Piece bounds 1..64 bytes from an LCG (same generator as bench/codec.ts).
const boundsList: number[] = [0];
{
  let a = 12345;
  let pos = 0;
  while (pos < length) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    pos = Math.min(length, pos + 1 + (a >>> 26));
    boundsList.push(pos);
  }
}
const bounds = Int32Array.from(boundsList);
/** Whole length of the packet starting at `at` in `stream` (fixed header included). */
function packetLengthAt(at: number): number {
  let pos = at + 1;
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = stream[pos++]!;
    value += (b & 0x7f) << shift;
    shift += 7;
    if (b < 0x80) break;
  }
  return pos - at + value;
}
const decoder = new StreamDecoder({ buffer: new Uint8Array(512), maxPacketSize: 4096, role: "client", streamPayloads: false });
const st = { packets: 0, bad: 0, sum: 0, topicsOk: 0 };

function feedAll(): void {
  for (let c = 0; c + 1 < bounds.length; c++) {
    const end = bounds[c + 1]!;
    let offset = bounds[c]!;
    for (;;) {
      const r = decoder.decode(stream, offset, end);
      if (r === NEED_MORE) break;
      if (r !== PACKET) {
        st.bad++;
        decoder.reset();
        break;
      }
      const p = decoder.packet;
      st.packets++;
      st.sum = (st.sum + p.payloadBuffer[p.payloadOffset + p.payloadLength - 1]! + p.packetId + p.topicLength) & 0xffffff;
      offset = decoder.offset;
    }
  }
}

// Vectors: one pass, every packet checked against what was encoded.
{
  let expectedSum = 0;
  for (let k = 0; k < PACKETS; k++) {
    const n = k % 4 === 3 ? 5 : 256 - k;
    const qos = k % 3;
    expectedSum = (expectedSum + payload[n - 1]! + (qos > 0 ? 100 + k : 0) + (k % 3 === 2 ? utf8Topic.length : asciiTopic.length)) & 0xffffff;
  }
  feedAll();
  checkEqual("chunked: no errors", st.bad, 0);
  checkEqual("chunked: every packet", st.packets, PACKETS);
  checkEqual("chunked: payload ends, ids and topic lengths", st.sum, expectedSum);
  checkEqual("multi-byte topic is valid", validateTopicName(utf8Topic, 0, utf8Topic.length), 0);
  st.packets = 0;
}

// Steady state: nothing may be allocated.
measureAlloc("codec.chunked-publish", ITERATIONS, feedAll);
check("chunked loop decoded every packet", st.bad === 0 && st.packets === (WARMUP + ITERATIONS) * PACKETS,
  `packets=${st.packets} bad=${st.bad}`);

// A body after a fixed header that arrived alone: decoded where it lies, nothing assembled, nothing allocated.
{
  const first = (stream[1]! & 0x80) !== 0 ? 3 : 2; // header length of the first packet
  const firstLength = packetLengthAt(0);
  const hs = { inPlace: 0, bad: 0 };
  measureAlloc("codec.header-then-body", ITERATIONS, () => {
    if (decoder.decode(stream, 0, first) !== NEED_MORE) hs.bad++;
    if (decoder.decode(stream, first, firstLength) !== PACKET) hs.bad++;
    else if (decoder.packet.buffer === stream) hs.inPlace++;
  });
  check("header then body: decoded in place every time", hs.bad === 0 && hs.inPlace === WARMUP + ITERATIONS,
    `inPlace=${hs.inPlace} bad=${hs.bad}`);
}

// Speed on XS, for information (not asserted): packets per second of the loop above.
{
  const t0 = Date.now();
  for (let i = 0; i < 500; i++) feedAll();
  const ms = Date.now() - t0;
  print(`xs-info codec.chunked-publish ${ms > 0 ? Math.round((500 * PACKETS * 1000) / ms) : 0} packets/s`);
}
