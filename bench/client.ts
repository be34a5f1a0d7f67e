/**
 * Client benchmark: xsmqtt (on hosts/node) against MQTT.js 5, through one mosquitto on loopback.
 *
 *   node --expose-gc --import tsx bench/client.ts [--rounds N]          (npm run bench:client; BENCH_ROUNDS=N)
 *
 * Broker: mosquitto started `quiet` (no per-packet logging, which would make the broker the bottleneck) with
 * `set_tcp_nodelay true`, shared by both libraries. Each library runs in a fresh child process per round
 * (clean JIT, heap and RSS); the order alternates between rounds (xsmqtt first in odd-numbered rounds) and the
 * machine may be shared, so every figure is given as median and best over the rounds (default 3), and the
 * ratios as the median [range] of the per-round ratios, each round pairing runs made back to back.
 *
 * Per child, in this order:
 * - qos0 cpu/msg: ONE publisher connection, no subscriber in the process (the broker drops the messages),
 *   16-byte QoS 0 payloads at the SAME fixed rate for both libraries (QOS0_RATE msg/s, released every ~2 ms
 *   timer tick by the same pacing loop). CPU = process.cpuUsage() (user + system, all threads: the library's
 *   JS, GC, and the kernel's loopback TCP send work its write syscalls do). After a warm-up, CPU_ROUNDS
 *   interleaved pairs of (pacing loop without sending, pacing loop sending); "net" = sending minus idle per
 *   message (the library's cost), "gross" = sending per message (library + pacing loop); medians over the
 *   pairs. A third child per round measures the floor: a bare net.Socket writing the same bytes with the same
 *   pacing, one write per turn (what any library pays for the syscalls alone).
 * - qos1 throughput: QOS1_COUNT messages with at most WINDOW unacknowledged (xsmqtt: inflightWindow 16;
 *   MQTT.js: publish callbacks counted, at most 16 outstanding), until the last PUBACK.
 * - qos0 burst: QOS0_BURST 16-byte QoS 0 as fast as the library's backpressure allows (xsmqtt: until BUSY,
 *   resume on onWritable; MQTT.js: slices of 1000, continue when the slice's callbacks came back), then one
 *   QoS 1 marker; timed until the marker's PUBACK, i.e. until the broker has taken in the whole burst (so no
 *   backlog spills into the next measurement either).
 * - latency p50/p99 (QoS 0 and 1): a publisher and a subscriber connection of the same library in the same
 *   process, LAT_COUNT messages at LAT_RATE msg/s; publish call → message handler. Percentiles per round, and
 *   pooled over all rounds' samples.
 * - rss / heap: after the run and a gc().
 * MQTT.js gets its fastest reasonable settings: protocol 3.1.1, TCP_NODELAY like xsmqtt, no debug logging
 * (`log` no-op), `reschedulePings: false` (no timer re-arm per packet), number cache on (default). xsmqtt runs
 * with its defaults on the Node host (8 KiB emulated send buffer), window 16.
 *
 * Last line: `client qos0-cpu-per-msg <r>x qos1-throughput <t>x p99 <p>x` (xsmqtt / MQTT.js; cpu (net) and
 * qos1 = median of the per-round ratios; p99 = the worse of the QoS 0 and QoS 1 ratios of the pooled p99s;
 * lower is better for cpu and p99, higher for throughput). Figures are printed, never asserted.
 * @module
 */
import { spawn } from "node:child_process";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { createNodeHost, TCPSocket, type NodeSocketOptions } from "../hosts/node/index.js";
import { BUSY, MqttClient, QUEUED, SENT, type MqttClientOptions } from "../src/client/index.js";
import { startMosquitto } from "../test/helpers/mosquitto.js";

const QOS0_RATE = 20_000; // msg/s, the same for both libraries
const QOS0_SECONDS = 4; // measured pairs in all: half idle pacing loop, half sending (see cpuPerMessage)
const WARMUP_SECONDS = 1.5;
const CPU_ROUNDS = 8;
const QOS0_BURST = 200_000;
const QOS1_COUNT = 40_000;
const WINDOW = 16;
const LAT_COUNT = 10_000;
const LAT_RATE = 2_000;
const DEFAULT_ROUNDS = 3;

interface Result {
  lib: string;
  /** Net of the pacing loop, µs per message. */
  qos0Cpu: number;
  /** Including the pacing loop. */
  qos0CpuGross: number;
  /** Event-loop active time per message, net of the pacing loop. */
  qos0Loop: number;
  /** Node socket writes (syscalls) per message in the CPU run, when known. */
  qos0Syscalls: number;
  qos0Burst: number;
  qos1Throughput: number;
  qos0P50: number;
  qos0P99: number;
  qos1P50: number;
  qos1P99: number;
  /** Every latency sample (ms, rounded to 0.1 µs), QoS 0 and QoS 1, for the pooled percentiles. */
  lat0: number[];
  lat1: number[];
  /** QoS 0 publishes refused (BUSY: the emulated 8 KiB send buffer full after a pacing stall) in the CPU run. */
  qos0Refused: number;
  rssMb: number;
  heapMb: number;
}

const noop = (): void => undefined;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const now = (): number => performance.now();
const median = (v: number[]): number => {
  const s = [...v].sort((x, y) => x - y);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function percentile(values: Float64Array, p: number): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function payload16(): Uint8Array {
  return new Uint8Array(16).fill(0x61);
}

/**
 * CPU per message at QOS0_RATE, net of the pacing loop itself: the same loop is run without sending
 * (baseline) and subtracted. Warm-up first so the JIT has compiled both libraries' hot paths. Interleaved
 * pairs and medians: on a shared machine drift between one long baseline and one long run would dominate.
 */
async function cpuPerMessage(send: () => void): Promise<{ net: number; gross: number; loop: number; sent: number }> {
  await paced(Math.floor(QOS0_RATE * WARMUP_SECONDS), QOS0_RATE, send);
  await sleep(100);
  const per = Math.floor((QOS0_RATE * QOS0_SECONDS) / (2 * CPU_ROUNDS));
  const nets: number[] = [];
  const grosses: number[] = [];
  const loops: number[] = [];
  for (let r = 0; r < CPU_ROUNDS; r++) {
    const b0 = process.cpuUsage();
    const e0 = performance.eventLoopUtilization();
    await paced(per, QOS0_RATE, () => undefined);
    const b = process.cpuUsage(b0);
    const eb = performance.eventLoopUtilization(e0);
    const c0 = process.cpuUsage();
    const e1 = performance.eventLoopUtilization();
    await paced(per, QOS0_RATE, send);
    const c = process.cpuUsage(c0);
    const ec = performance.eventLoopUtilization(e1);
    grosses.push((c.user + c.system) / per);
    nets.push((c.user + c.system - b.user - b.system) / per);
    loops.push(((ec.active - eb.active) * 1000) / per); // ms → µs
  }
  return { gross: median(grosses), net: median(nets), loop: median(loops), sent: Math.floor(QOS0_RATE * WARMUP_SECONDS) + per * CPU_ROUNDS };
}

/** Paced loop: releases the messages due at `rate` per second every ~2 ms timer tick until `total` sent. */
async function paced(total: number, rate: number, send: () => void): Promise<void> {
  const start = now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((now() - start) / 1000) * rate) + 1);
    while (sent < due) {
      send();
      sent++;
    }
    await sleep(2);
  }
}

// ------------------------------------------------------------------------------------------------ xsmqtt

/** Node writes made by the sockets of this process (the host's own counter; read-only use). */
const xsSockets: TCPSocket[] = [];
class CountedTCPSocket extends TCPSocket {
  constructor(options: NodeSocketOptions) {
    super(options);
    xsSockets.push(this);
  }
}

function xsClient(port: number, clientId: string, extra: Partial<MqttClientOptions> = {}): {
  client: MqttClient; ready: Promise<void>; writable: { fn: () => void }; socket: () => TCPSocket | undefined;
} {
  const writable = { fn: (): void => undefined };
  let resolve = (): void => undefined;
  const ready = new Promise<void>((r) => (resolve = r));
  const first = xsSockets.length;
  const client = new MqttClient({
    host: { ...createNodeHost(), tcp: CountedTCPSocket }, hostname: "127.0.0.1", port, clientId, keepAlive: 60,
    inflightWindow: WINDOW, offlineQueue: 0, txSlots: WINDOW, rxBufferSize: 4096,
    ...extra,
    onConnected: () => resolve(),
    onWritable: () => writable.fn(),
    onError: (e) => console.error(`xsmqtt error: ${e.message}`),
  });
  client.connect();
  return { client, ready, writable, socket: () => xsSockets[first] };
}

async function xsLatency(port: number, qos: 0 | 1): Promise<[number, number, number[]]> {
  const sub = xsClient(port, `bench-xs-lsub${qos}`, { inflightWindow: 256, txSlots: 256 });
  const pub = xsClient(port, `bench-xs-lpub${qos}`, { inflightWindow: 256, txSlots: 256 });
  await Promise.all([sub.ready, pub.ready]);
  const sentAt = new Float64Array(LAT_COUNT);
  const latency = new Float64Array(LAT_COUNT);
  let received = 0;
  let subscribed = false;
  const topic = `bench/xs/lat${qos}`;
  sub.client.subscribe(topic, qos, (m) => {
    const p = m.payload;
    const o = m.payloadOffset;
    const i = ((p[o]! << 24) | (p[o + 1]! << 16) | (p[o + 2]! << 8) | p[o + 3]!) >>> 0;
    latency[i] = now() - sentAt[i]!;
    received++;
  }, () => (subscribed = true));
  while (!subscribed) await sleep(5);
  const h = pub.client.topic(topic);
  const buf = new Uint8Array(16);
  let i = 0;
  await paced(LAT_COUNT, LAT_RATE, () => {
    buf[0] = i >>> 24; buf[1] = (i >>> 16) & 0xff; buf[2] = (i >>> 8) & 0xff; buf[3] = i & 0xff;
    sentAt[i] = now();
    const s = pub.client.publish(h, buf, 0, 16, qos, false);
    if (s < 0) console.error(`xsmqtt latency publish status ${s}`);
    i++;
  });
  const deadline = now() + 5000;
  while (received < LAT_COUNT && now() < deadline) await sleep(5);
  if (received < LAT_COUNT) console.error(`xsmqtt latency qos${qos}: ${received}/${LAT_COUNT} received`);
  pub.client.end();
  sub.client.end();
  const got = latency.subarray(0, received);
  return [percentile(got, 50), percentile(got, 99), Array.from(got, (v) => Math.round(v * 1e4) / 1e4)];
}

async function runXs(port: number): Promise<Result> {
  const p = payload16();
  // QoS 0 CPU at a fixed rate.
  const { client, ready, socket } = xsClient(port, "bench-xs-cpu");
  await ready;
  const h = client.topic("bench/xs/cpu");
  await sleep(100);
  let failed = 0;
  const writes0 = socket()?.nodeWrites ?? 0;
  const cpu = await cpuPerMessage(() => {
    if (client.publish(h, p, 0, 16, 0, false) !== SENT) failed++;
  });
  const syscalls = ((socket()?.nodeWrites ?? 0) - writes0) / cpu.sent;
  client.end();

  // QoS 1 throughput, window 16.
  let qos1Throughput: number;
  {
    const { client, ready, writable } = xsClient(port, "bench-xs-qos1");
    await ready;
    const h = client.topic("bench/xs/qos1");
    let sent = 0;
    const t0 = now();
    let t1 = 0;
    await new Promise<void>((resolve) => {
      // xsmqtt has no per-message ack callback: once the last message is out, look every loop iteration.
      const poll = (): void => {
        if (client.inflight > 0) setImmediate(poll);
        else {
          t1 = now();
          resolve();
        }
      };
      writable.fn = (): void => {
        while (sent < QOS1_COUNT) {
          const s = client.publish(h, p, 0, 16, 1, false);
          if (s === BUSY) return;
          if (s !== SENT && s !== QUEUED) throw new Error(`publish status ${s}`);
          sent++;
        }
        writable.fn = noop;
        poll();
      };
      writable.fn();
    });
    qos1Throughput = QOS1_COUNT / ((t1 - t0) / 1000);
    client.end();
  }
  // QoS 0 burst throughput.
  let qos0Burst: number;
  {
    const { client, ready, writable } = xsClient(port, "bench-xs-burst");
    writable.fn = noop;
    await ready;
    const h = client.topic("bench/xs/burst");
    let sent = 0;
    const t0 = now();
    await new Promise<void>((resolve) => {
      writable.fn = (): void => {
        while (sent < QOS0_BURST) {
          const s = client.publish(h, p, 0, 16, 0, false);
          if (s === BUSY) return;
          sent++;
        }
        resolve();
      };
      writable.fn();
    });
    // A QoS 1 marker: its PUBACK means the broker has taken in the whole burst (same connection, in order).
    while (client.publish(h, p, 0, 16, 1, false) === BUSY) await sleep(1);
    while (client.inflight > 0) await sleep(1);
    qos0Burst = QOS0_BURST / ((now() - t0) / 1000);
    client.end();
  }
  const [qos0P50, qos0P99, lat0] = await xsLatency(port, 0);
  const [qos1P50, qos1P99, lat1] = await xsLatency(port, 1);
  globalThis.gc?.();
  const mem = process.memoryUsage();
  return {
    lib: "xsmqtt", qos0Cpu: cpu.net, qos0CpuGross: cpu.gross, qos0Loop: cpu.loop, qos0Syscalls: syscalls, qos0Refused: failed,
    qos0Burst, qos1Throughput, qos0P50, qos0P99, qos1P50, qos1P99, lat0, lat1,
    rssMb: mem.rss / 1048576, heapMb: mem.heapUsed / 1048576,
  };
}

// ------------------------------------------------------------------------------------------------ MQTT.js

type WriteGeneric = (this: Socket, writev: boolean, data: unknown, encoding: string, cb: (error?: Error) => void) => void;
let mqttjsWrites = 0;

async function mqttjsClient(port: number, clientId: string): Promise<mqtt.MqttClient> {
  const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    protocolVersion: 4, clientId, reconnectPeriod: 0, keepalive: 60, reschedulePings: false, log: noop,
  });
  const stream = c.stream as unknown as Socket & { _writeGeneric: WriteGeneric };
  stream.setNoDelay(true);
  // Count the Node-level writes (each one write/writev syscall), like the host's counter on our side:
  // one counter increment per Node write, nothing per message.
  const write = stream._writeGeneric;
  stream._writeGeneric = function (this: Socket, writev, data, encoding, cb) {
    mqttjsWrites++;
    write.call(this, writev, data, encoding, cb);
  };
  await new Promise<void>((resolve, reject) => {
    c.once("connect", () => resolve());
    c.once("error", reject);
  });
  return c;
}

async function mqttjsLatency(port: number, qos: 0 | 1): Promise<[number, number, number[]]> {
  const [sub, pub] = await Promise.all([mqttjsClient(port, `bench-mj-lsub${qos}`), mqttjsClient(port, `bench-mj-lpub${qos}`)]);
  const sentAt = new Float64Array(LAT_COUNT);
  const latency = new Float64Array(LAT_COUNT);
  let received = 0;
  const topic = `bench/mj/lat${qos}`;
  sub.on("message", (_t, payload) => {
    const i = payload.readUInt32BE(0);
    latency[i] = now() - sentAt[i]!;
    received++;
  });
  await sub.subscribeAsync(topic, { qos });
  let i = 0;
  await paced(LAT_COUNT, LAT_RATE, () => {
    // A fresh buffer per message: MQTT.js queues the payload by reference until the stream is uncorked.
    const b = Buffer.alloc(16);
    b.writeUInt32BE(i, 0);
    sentAt[i] = now();
    pub.publish(topic, b, { qos });
    i++;
  });
  const deadline = now() + 5000;
  while (received < LAT_COUNT && now() < deadline) await sleep(5);
  if (received < LAT_COUNT) console.error(`MQTT.js latency qos${qos}: ${received}/${LAT_COUNT} received`);
  await Promise.all([pub.endAsync(), sub.endAsync()]);
  const got = latency.subarray(0, received);
  return [percentile(got, 50), percentile(got, 99), Array.from(got, (v) => Math.round(v * 1e4) / 1e4)];
}

async function runMqttjs(port: number): Promise<Result> {
  const p = Buffer.from(payload16());
  const c = await mqttjsClient(port, "bench-mj-cpu");
  await sleep(100);
  const writes0 = mqttjsWrites;
  const cpu = await cpuPerMessage(() => {
    c.publish("bench/mj/cpu", p, { qos: 0 });
  });
  const syscalls = (mqttjsWrites - writes0) / cpu.sent;
  await c.endAsync();

  // QoS 1 throughput, window 16.
  let qos1Throughput: number;
  {
    const c2 = await mqttjsClient(port, "bench-mj-qos1");
    const t0 = now();
    await new Promise<void>((resolve) => {
      let sent = 0;
      let acked = 0;
      let outstanding = 0;
      const fill = (): void => {
        while (outstanding < WINDOW && sent < QOS1_COUNT) {
          sent++;
          outstanding++;
          c2.publish("bench/mj/qos1", p, { qos: 1 }, () => {
            outstanding--;
            acked++;
            if (acked === QOS1_COUNT) resolve();
            else fill();
          });
        }
      };
      fill();
    });
    qos1Throughput = QOS1_COUNT / ((now() - t0) / 1000);
    await c2.endAsync();
  }
  // QoS 0 burst throughput.
  let qos0Burst: number;
  {
    const c1 = await mqttjsClient(port, "bench-mj-burst");
    const t0 = now();
    let done = 0;
    await new Promise<void>((resolve) => {
      // Respect the stream: publish in slices, continue when the callbacks of the slice came back.
      let sent = 0;
      const slice = (): void => {
        const end = Math.min(QOS0_BURST, sent + 1000);
        for (; sent < end; sent++) {
          c1.publish("bench/mj/burst", p, { qos: 0 }, () => {
            done++;
            // A QoS 1 marker: its PUBACK means the broker has taken in the whole burst.
            if (done === QOS0_BURST) c1.publish("bench/mj/burst", p, { qos: 1 }, () => resolve());
            else if (done === sent) slice();
          });
        }
      };
      slice();
    });
    qos0Burst = QOS0_BURST / ((now() - t0) / 1000);
    await c1.endAsync();
  }
  const [qos0P50, qos0P99, lat0] = await mqttjsLatency(port, 0);
  const [qos1P50, qos1P99, lat1] = await mqttjsLatency(port, 1);
  globalThis.gc?.();
  const mem = process.memoryUsage();
  return {
    lib: "MQTT.js", qos0Cpu: cpu.net, qos0CpuGross: cpu.gross, qos0Loop: cpu.loop, qos0Syscalls: syscalls, qos0Refused: 0,
    qos0Burst, qos1Throughput, qos0P50, qos0P99, qos1P50, qos1P99, lat0, lat1,
    rssMb: mem.rss / 1048576, heapMb: mem.heapUsed / 1048576,
  };
}

// ------------------------------------------------------------------------------------------------ floor

/**
 * The CPU floor of the QoS 0 test: no MQTT library, a bare net.Socket (TCP_NODELAY) writing the very bytes
 * xsmqtt sends (its CONNECT aside) with the same pacing, gathered per turn into ONE write, as both libraries
 * do. What a library costs above this is its own work.
 */
async function runFloor(port: number): Promise<{ qos0Cpu: number; qos0CpuGross: number; qos0Syscalls: number }> {
  const { connect } = await import("node:net");
  const sock = connect({ host: "127.0.0.1", port, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    sock.once("connect", () => resolve());
    sock.once("error", reject);
  });
  const clientId = Buffer.from("bench-floor");
  // CONNECT (MQTT 3.1.1, clean session, keepalive 60), then wait for the CONNACK.
  sock.write(Buffer.concat([Buffer.from([0x10, 12 + clientId.length, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, clientId.length]), clientId]));
  await new Promise((resolve) => sock.once("data", resolve));
  const topic = Buffer.from("bench/fl/cpu");
  const packet = Buffer.concat([Buffer.from([0x30, 2 + topic.length + 16, 0, topic.length]), topic, Buffer.from(payload16())]);
  const pending = Buffer.alloc(64 * 1024);
  let length = 0;
  let queued = false;
  let writes = 0;
  const send = (): void => {
    queued = false;
    writes++;
    sock.write(Buffer.from(pending.subarray(0, length)));
    length = 0;
  };
  await sleep(100);
  const cpu = await cpuPerMessage(() => {
    packet.copy(pending, length);
    length += packet.length;
    if (!queued) {
      queued = true;
      process.nextTick(send);
    }
  });
  sock.end();
  return { qos0Cpu: cpu.net, qos0CpuGross: cpu.gross, qos0Syscalls: writes / cpu.sent };
}

// ------------------------------------------------------------------------------------------------ driver

function runChild<T = Result>(lib: string, port: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", lib, String(port)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (code !== 0 || line === undefined) reject(new Error(`${lib} child failed (${code}): ${out}`));
      else resolve(JSON.parse(line.slice(7)) as T);
    });
  });
}

const f = (n: number, d = 1): string => n.toFixed(d);

/** Metrics: key, label, unit, decimals, whether lower is better. */
const METRICS: ReadonlyArray<[keyof Result, string, string, number, boolean]> = [
  ["qos0Cpu", "qos0 cpu/msg net", "us", 2, true],
  ["qos0CpuGross", "qos0 cpu/msg gross", "us", 2, true],
  ["qos0Loop", "qos0 loop-active/msg net", "us", 2, true],
  ["qos0Syscalls", "qos0 socket writes/msg", "", 3, true],
  ["qos0Burst", "qos0 burst", "msg/s", 0, false],
  ["qos1Throughput", "qos1 throughput (w=16)", "msg/s", 0, false],
  ["qos0P50", "qos0 latency p50", "ms", 3, true],
  ["qos0P99", "qos0 latency p99", "ms", 3, true],
  ["qos1P50", "qos1 latency p50", "ms", 3, true],
  ["qos1P99", "qos1 latency p99", "ms", 3, true],
  ["rssMb", "rss after run", "MB", 1, true],
  ["heapMb", "heap after run", "MB", 1, true],
];

function stats(values: number[], lowerIsBetter: boolean): { best: number; median: number; min: number; max: number } {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { best: lowerIsBetter ? min : max, median: median(values), min, max };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    const port = Number(args[2]);
    const r = args[1] === "xsmqtt" ? await runXs(port) : args[1] === "floor" ? await runFloor(port) : await runMqttjs(port);
    process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
    process.exit(0);
  }
  const roundsArg = args.indexOf("--rounds");
  const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : Number(process.env.BENCH_ROUNDS ?? DEFAULT_ROUNDS);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error("--rounds: positive integer required");
  const broker = await startMosquitto({ quiet: true, maxQueuedMessages: 0, maxInflightMessages: 0, extraConfig: ["set_tcp_nodelay true"] });
  const xs: Result[] = [];
  const mj: Result[] = [];
  const floor: number[] = [];
  try {
    console.log(`broker mosquitto (quiet, set_tcp_nodelay) on 127.0.0.1:${broker.port}; node ${process.version}; ${rounds} rounds, order alternating`);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ["xsmqtt", "floor", "mqttjs"] : ["mqttjs", "floor", "xsmqtt"];
      for (const lib of order) {
        if (lib === "floor") {
          const fl = await runChild<{ qos0Cpu: number; qos0CpuGross: number; qos0Syscalls: number }>(lib, broker.port);
          floor.push(fl.qos0Cpu);
          console.log(`round ${r + 1} floor    cpu ${f(fl.qos0Cpu, 2)} us net (${f(fl.qos0CpuGross, 2)} gross, ${f(fl.qos0Syscalls, 3)} writes/msg)  (bare socket, same bytes)`);
          continue;
        }
        const res = await runChild(lib, broker.port);
        (lib === "xsmqtt" ? xs : mj).push(res);
        console.log(
          `round ${r + 1} ${res.lib.padEnd(8)} cpu ${f(res.qos0Cpu, 2)} us net (${f(res.qos0CpuGross, 2)} gross, ${f(res.qos0Syscalls, 3)} writes/msg)` +
            `  burst ${f(res.qos0Burst, 0)}  qos1 ${f(res.qos1Throughput, 0)} msg/s` +
            `  p50/p99 qos0 ${f(res.qos0P50, 3)}/${f(res.qos0P99, 3)} qos1 ${f(res.qos1P50, 3)}/${f(res.qos1P99, 3)} ms` +
            `  rss ${f(res.rssMb)} MB${res.qos0Refused > 0 ? `  (${res.qos0Refused} QoS 0 publishes refused: BUSY)` : ""}`,
        );
      }
    }
  } finally {
    await broker.dispose();
  }
  console.log("");
  console.log(`qos0 cpu: one publisher per process, ${QOS0_RATE} msg/s of 16-byte QoS 0 for both, released every ~2 ms; ` +
    `process.cpuUsage (user+sys, all threads, incl. kernel loopback send); ${CPU_ROUNDS} interleaved idle/sending pairs after ` +
    `${WARMUP_SECONDS} s warm-up, median; net = sending minus idle pacing loop`);
  console.log(`latency: publisher + subscriber of the same library in one process, ${LAT_RATE} msg/s, ${LAT_COUNT} messages`);
  console.log(`${"metric".padEnd(26)} ${"xsmqtt median (best)".padStart(24)} ${"MQTT.js median (best)".padStart(24)}   ratio median [range]`);
  const ratioOf = (key: keyof Result, i: number): number => (xs[i]![key] as number) / (mj[i]![key] as number);
  for (const [key, label, unit, d, lower] of METRICS) {
    const a = stats(xs.map((r) => r[key] as number), lower);
    const b = stats(mj.map((r) => r[key] as number), lower);
    const ratios = xs.map((_, i) => ratioOf(key, i));
    const rs = stats(ratios, lower);
    console.log(
      `${label.padEnd(26)} ${`${f(a.median, d)} (${f(a.best, d)}) ${unit}`.padStart(24)} ${`${f(b.median, d)} (${f(b.best, d)}) ${unit}`.padStart(24)}` +
        `   ${f(rs.median, 2)}x [${f(rs.min, 2)}-${f(rs.max, 2)}]`,
    );
  }
  const fm = median(floor);
  console.log(
    `qos0 cpu floor (bare net.Socket writing the same bytes, one write per turn, same pacing): ${f(fm, 2)} us/msg net ` +
      `(median of ${floor.map((v) => f(v, 2)).join(", ")}); above it (median of per-round differences): ` +
      `xsmqtt ${f(median(xs.map((r, i) => r.qos0Cpu - floor[i]!)), 2)} us, MQTT.js ${f(median(mj.map((r, i) => r.qos0Cpu - floor[i]!)), 2)} us`,
  );
  // Latency percentiles over every sample of every round (a p99 per round rests on few samples).
  const pooled = (rs: Result[], key: "lat0" | "lat1", p: number): number => percentile(Float64Array.from(rs.flatMap((r) => r[key])), p);
  const lat = {
    xs0: [pooled(xs, "lat0", 50), pooled(xs, "lat0", 99)], mj0: [pooled(mj, "lat0", 50), pooled(mj, "lat0", 99)],
    xs1: [pooled(xs, "lat1", 50), pooled(xs, "lat1", 99)], mj1: [pooled(mj, "lat1", 50), pooled(mj, "lat1", 99)],
  };
  console.log(
    `latency pooled over ${rounds} rounds (${rounds * LAT_COUNT} samples each): qos0 p50/p99 xsmqtt ${f(lat.xs0[0]!, 3)}/${f(lat.xs0[1]!, 3)} ms, ` +
      `MQTT.js ${f(lat.mj0[0]!, 3)}/${f(lat.mj0[1]!, 3)} ms; qos1 p50/p99 xsmqtt ${f(lat.xs1[0]!, 3)}/${f(lat.xs1[1]!, 3)} ms, ` +
      `MQTT.js ${f(lat.mj1[0]!, 3)}/${f(lat.mj1[1]!, 3)} ms`,
  );
  const cpu = xs.map((_, i) => ratioOf("qos0Cpu", i));
  const q1 = xs.map((_, i) => ratioOf("qos1Throughput", i));
  const p99 = Math.max(lat.xs0[1]! / lat.mj0[1]!, lat.xs1[1]! / lat.mj1[1]!);
  const best = (key: keyof Result, lower: boolean): number =>
    stats(xs.map((r) => r[key] as number), lower).best / stats(mj.map((r) => r[key] as number), lower).best;
  console.log(
    `best vs best: qos0-cpu-per-msg ${f(best("qos0Cpu", true), 2)}x qos1-throughput ${f(best("qos1Throughput", false), 2)}x ` +
      `p99 ${f(Math.max(best("qos0P99", true), best("qos1P99", true)), 2)}x`,
  );
  console.log(
    "last line: cpu and qos1 = median of the per-round ratios; p99 = the worse of the QoS 0 and QoS 1 ratios of the pooled p99s",
  );
  console.log(`client qos0-cpu-per-msg ${f(median(cpu), 2)}x qos1-throughput ${f(median(q1), 2)}x p99 ${f(p99, 2)}x`);
}

await main();
