// The codec on its own: size, encode into a caller-owned buffer, decode from any chunking. No allocation
// after setup: the info object, buffers and decoder are created once and reused for every packet.
import {
  NEED_MORE, PACKET, PacketType, StreamDecoder, codeMessage, encodePublish, sizePublish, utf8Encode, writeDecimal,
} from "../src/codec/index.js";

const topic = utf8Encode("sensors/esp32-0001/temperature"); // setup time: strings become bytes once
const payload = new Uint8Array(16);
const tx = new Uint8Array(256);
const info = {
  topic, topicOffset: 0, topicLength: topic.length,
  payload, payloadOffset: 0, payloadLength: 0,
  qos: 1, retain: false, dup: false, packetId: 1,
};

// Steady state: the reading as text ("21.53"), size first, then write.
info.payloadLength = writeDecimal(payload, 0, 21.534, 2);
const size = sizePublish(info);
if (size < 0 || size > tx.length) throw new Error(codeMessage(size));
const end = encodePublish(tx, 0, info); // new offset, or a negative code

// Decoding: feed whatever arrives, here three bytes at a time; the decoder reports each packet through
// one reused `packet` object whose offsets point into a buffer (in place when the packet arrived whole).
const decoder = new StreamDecoder({ buffer: new Uint8Array(512), maxPacketSize: 512, role: "client", streamPayloads: false });
for (let at = 0; at < end; at += 3) {
  const chunkEnd = Math.min(end, at + 3);
  let offset = at;
  while (offset < chunkEnd) {
    const status = decoder.decode(tx, offset, chunkEnd);
    if (status < 0) throw new Error(codeMessage(status));
    offset = decoder.offset;
    if (status === NEED_MORE) break;
    if (status === PACKET && decoder.packet.type === PacketType.PUBLISH) {
      const p = decoder.packet;
      const text = String.fromCharCode(...p.payloadBuffer.subarray(p.payloadOffset, p.payloadOffset + p.payloadLength));
      console.log(`PUBLISH id=${p.packetId} qos=${p.qos} payload=${text}`); // PUBLISH id=1 qos=1 payload=21.53
    }
  }
}
