// Codec benchmark: xsmqtt against mqtt-packet in one process, same inputs.
// Run: npm run bench:codec   (node --expose-gc --import tsx bench/codec.ts)
// Operations per packet kind: encode; decode one packet; decode a 1000-packet stream; decode that stream in
// random 1..64-byte chunks (same chunking for both). Both sides fully decode every packet (ours validates
// UTF-8, topics, flags and lengths) and every result feeds a sink that is printed, so nothing is optimised away.
// GC events are PerformanceObserver 'gc' entries inside each measured window, scaled per 50,000 packets.
import { PerformanceObserver, performance } from "node:perf_hooks";
import mqttPacket from "mqtt-packet";
import {
  encodeAck, encodeConnect, encodeEmpty, encodePublish, encodeSubscribe, NEED_MORE, PACKET, PacketType, StreamDecoder, utf8Encode, type ConnectInfo, type PublishInfo, type SubscribeInfo, ServerStreamDecoder,
} from "../src/codec/index.js";

const gcMarks: number[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMarks.push(entry.startTime);
}).observe({ entryTypes: ["gc"] });

const gc = (globalThis as { gc?: () => void }).gc;
// Results feed this sink (a typed array, so accumulating allocates no heap numbers).
const sinkBox = new Float64Array(1);

interface Kind {
  name: string;
  role: "client" | "server";
  encode: (buf: Uint8Array) => number;
  object: mqttPacket.Packet;
}

function publishKind(name: string, qos: number, size: number): Kind {
  const topic = "sensors/esp32-0001/temperature";
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = 0x30 + (i % 10);
  const info: PublishInfo = {
    topic: utf8Encode(topic), topicOffset: 0, topicLength: topic.length, payload, payloadOffset: 0, payloadLength: size,
    qos, retain: false, dup: false, packetId: qos > 0 ? 4242 : 0,
  };
  const object = { cmd: "publish", topic, payload: Buffer.from(payload), qos, retain: false, dup: false, messageId: qos > 0 ? 4242 : undefined } as mqttPacket.IPublishPacket;
  return { name, role: "client", encode: (buf) => encodePublish(buf, 0, info), object };
}

const subscribeInfo: SubscribeInfo = {
  packetId: 7, filters: ["sensors/+/temperature", "cmd/esp32-0001/#", "$SYS/broker/uptime"].map(utf8Encode), qos: [1, 1, 0], count: 3,
};
const connectInfo: ConnectInfo = {
  clientId: utf8Encode("esp32-0001"), cleanSession: true, keepAlive: 60, username: utf8Encode("device"),
  password: utf8Encode("s3cret-pass"), will: { topic: utf8Encode("status/esp32-0001"), payload: utf8Encode("offline"), qos: 1, retain: true },
};

const kinds: Kind[] = [
  publishKind("publish-q0-16B", 0, 16),
  publishKind("publish-q1-256B", 1, 256),
  publishKind("publish-q0-4KiB", 0, 4096),
  { name: "puback", role: "client", encode: (buf) => encodeAck(buf, 0, PacketType.PUBACK, 4242), object: { cmd: "puback", messageId: 4242 } },
  { name: "pingreq", role: "server", encode: (buf) => encodeEmpty(buf, 0, PacketType.PINGREQ), object: { cmd: "pingreq" } },
  {
    name: "subscribe-3", role: "server", encode: (buf) => encodeSubscribe(buf, 0, subscribeInfo),
    object: { cmd: "subscribe", messageId: 7, subscriptions: [{ topic: "sensors/+/temperature", qos: 1 }, { topic: "cmd/esp32-0001/#", qos: 1 }, { topic: "$SYS/broker/uptime", qos: 0 }] },
  },
  {
    name: "connect-will-auth", role: "server", encode: (buf) => encodeConnect(buf, 0, connectInfo),
    object: {
      cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clientId: "esp32-0001", clean: true, keepalive: 60, username: "device",
      password: Buffer.from("s3cret-pass"), will: { topic: "status/esp32-0001", payload: Buffer.from("offline"), qos: 1, retain: true },
    },
  },
];

const STREAM_PACKETS = 1000;

interface Sample { rate: number; events: number; packets: number }

/** Runs `batch` (which handles `perBatch` packets) for `ms`; returns packets/s and the GC events inside. */
async function measureOnce(batch: () => void, perBatch: number, ms: number): Promise<Sample> {
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 5)); // let the observer deliver the forced GC
  const t0 = performance.now();
  let packets = 0;
  while (performance.now() - t0 < ms) {
    batch();
    packets += perBatch;
  }
  const t1 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 5));
  const events = gcMarks.filter((t) => t >= t0 && t <= t1).length;
  return { rate: packets / ((t1 - t0) / 1000), events, packets };
}

/** Warms both sides up, then alternates them for ROUNDS rounds; the best round of each counts (the machine is
 * shared, so the best round is the one least disturbed), GC events are summed over all rounds. */
async function compare(ours: () => void, theirs: () => void, perBatch: number): Promise<{ ours: number; theirs: number; gcOurs: number; gcTheirs: number }> {
  const ROUNDS = 5;
  const MS = 120;
  const warmEnd = performance.now() + 200;
  while (performance.now() < warmEnd) { ours(); theirs(); }
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(await measureOnce(ours, perBatch, MS));
    b.push(await measureOnce(theirs, perBatch, MS));
  }
  const best = (xs: Sample[]) => Math.max(...xs.map((x) => x.rate));
  const gcPer50k = (xs: Sample[]) => (xs.reduce((n, x) => n + x.events, 0) * 50_000) / xs.reduce((n, x) => n + x.packets, 0);
  return { ours: best(a), theirs: best(b), gcOurs: gcPer50k(a), gcTheirs: gcPer50k(b) };
}

function chunkBounds(length: number, seed: number): Int32Array {
  let a = seed >>> 0;
  const bounds: number[] = [0];
  let pos = 0;
  while (pos < length) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    pos = Math.min(length, pos + 1 + (a >>> 26)); // 1..64
    bounds.push(pos);
  }
  return Int32Array.from(bounds);
}

interface Row { kind: string; op: string; ours: number; theirs: number; gcOurs: number; gcTheirs: number }
const rows: Row[] = [];

async function benchKind(kind: Kind): Promise<void> {
  const out = new Uint8Array(8192);
  const frameLength = kind.encode(out);
  if (frameLength < 0) throw new Error(`encode failed ${frameLength}`);
  const frame = out.slice(0, frameLength);
  const theirFrame = mqttPacket.generate(kind.object);
  if (!Buffer.from(frame).equals(theirFrame)) throw new Error(`${kind.name}: encoders disagree`);
  const decoderOptions = { buffer: new Uint8Array(8192), maxPacketSize: 1 << 20, streamPayloads: false };
  const decoder = kind.role === "server" ? new ServerStreamDecoder(decoderOptions) : new StreamDecoder(decoderOptions);
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  parser.on("packet", (p: mqttPacket.Packet) => { sinkBox[0] = sinkBox[0]! + ((p as { length?: number }).length ?? 1); });
  parser.on("error", (e: Error) => { throw e; });

  const stream = new Uint8Array(frameLength * STREAM_PACKETS);
  for (let i = 0; i < STREAM_PACKETS; i++) stream.set(frame, i * frameLength);
  const theirStream = Buffer.from(stream);
  const bounds = chunkBounds(stream.length, 12345);
  const theirChunks = Array.from({ length: bounds.length - 1 }, (_, i) => theirStream.subarray(bounds[i]!, bounds[i + 1]!));
  const ENCODE_BATCH = 1000;

  const ops: [string, () => void, () => void, number][] = [
    ["encode",
      () => { for (let i = 0; i < ENCODE_BATCH; i++) sinkBox[0] = sinkBox[0]! + kind.encode(out); },
      () => { for (let i = 0; i < ENCODE_BATCH; i++) sinkBox[0] = sinkBox[0]! + mqttPacket.generate(kind.object).length; },
      ENCODE_BATCH],
    ["decode-1",
      () => {
        for (let i = 0; i < ENCODE_BATCH; i++) {
          if (decoder.decode(frame, 0, frameLength) !== PACKET) throw new Error("decode failed");
          sinkBox[0] = sinkBox[0]! + decoder.packet.remainingLength;
        }
      },
      () => { for (let i = 0; i < ENCODE_BATCH; i++) parser.parse(theirFrame); },
      ENCODE_BATCH],
    ["decode-stream",
      () => {
        let offset = 0;
        let status: number;
        while ((status = decoder.decode(stream, offset, stream.length)) === PACKET) {
          sinkBox[0] = sinkBox[0]! + decoder.packet.remainingLength;
          offset = decoder.offset;
        }
        if (status !== NEED_MORE) throw new Error("stream failed");
      },
      () => { parser.parse(theirStream); },
      STREAM_PACKETS],
    ["chunked",
      () => {
        for (let c = 0; c + 1 < bounds.length; c++) {
          const end = bounds[c + 1]!;
          let offset = bounds[c]!;
          let status: number;
          while ((status = decoder.decode(stream, offset, end)) === PACKET) {
            sinkBox[0] = sinkBox[0]! + decoder.packet.remainingLength;
            offset = decoder.offset;
          }
          if (status !== NEED_MORE) throw new Error("chunked failed");
        }
      },
      () => { for (let c = 0; c < theirChunks.length; c++) parser.parse(theirChunks[c]!); },
      STREAM_PACKETS],
  ];
  for (const [op, ours, theirs, per] of ops) {
    const result = await compare(ours, theirs, per);
    rows.push({ kind: kind.name, op, ...result });
  }
}

function fmt(rate: number): string {
  return rate >= 1e6 ? `${(rate / 1e6).toFixed(2)} M/s` : `${(rate / 1e3).toFixed(1)} k/s`;
}
function ratio(r: Row): string {
  const x = r.ours / r.theirs;
  return x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

if (!gc) console.log("note: run with --expose-gc for a clean GC baseline");
console.log(`node ${process.version}, ${process.arch}`);
// `--only name` runs one packet kind (the summary line needs publish-q1-256B).
const onlyIndex = process.argv.indexOf("--only");
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
for (const kind of kinds) if (only === undefined || kind.name === only) await benchKind(kind);

console.log("");
console.log(`${"packet".padEnd(20)}${"operation".padEnd(15)}${"xsmqtt".padStart(12)}${"mqtt-packet".padStart(14)}${"ratio".padStart(9)}${"gc/50k ours".padStart(13)}${"gc/50k theirs".padStart(15)}`);
for (const r of rows) {
  console.log(`${r.kind.padEnd(20)}${r.op.padEnd(15)}${fmt(r.ours).padStart(12)}${fmt(r.theirs).padStart(14)}${(ratio(r) + "x").padStart(9)}${r.gcOurs.toFixed(2).padStart(13)}${r.gcTheirs.toFixed(2).padStart(15)}`);
}
console.log(`(sink ${sinkBox[0]! % 1000})`);
const key = rows.filter((r) => r.kind === "publish-q1-256B");
const pick = (op: string) => key.find((r) => r.op === op)!;
const gcMax = Math.max(...key.map((r) => r.gcOurs));
console.log(`codec publish-q1-256B encode ${ratio(pick("encode"))}x decode ${ratio(pick("decode-stream"))}x chunked ${ratio(pick("chunked"))}x gc ${Number(gcMax.toFixed(2))}`);
