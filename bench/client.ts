/**
 * Client benchmark: xsmqtt (on hosts/node) against MQTT.js 5, through one mosquitto on loopback.
 *
 *   node --expose-gc --import tsx bench/client.ts            (npm run bench:client)
 *
 * Each library runs in its own child process (clean RSS and heap), against the same broker:
 * - qos0 cpu/msg: both publish 16-byte QoS 0 messages at the SAME fixed rate; process.cpuUsage() around it.
 * - qos0 throughput: 16-byte QoS 0 as fast as the library's backpressure allows (publisher side, until flushed).
 * - qos1 throughput: window of 16 in flight (MQTT.js: outstanding callbacks counted, at most 16).
 * - latency p50/p99: publish → receive by a subscriber in the same process with the same library, paced.
 * - rss / heap after the run.
 * Last line: `client qos0-cpu-per-msg <r>x qos1-throughput <t>x p99 <p>x` (ratios xsmqtt / MQTT.js;
 * lower is better for cpu and p99, higher for throughput). Figures are printed, never asserted.
 * @module
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { createNodeHost } from "../hosts/node/index.js";
import { BUSY, MqttClient, QUEUED, SENT } from "../src/client/index.js";
import { startMosquitto } from "../test/helpers/mosquitto.js";

const QOS0_RATE = 10_000; // msg/s for the CPU comparison (below what a logging mosquitto absorbs)
const QOS0_RATE_SECONDS = 3;
const WARMUP_SECONDS = 1.5;
const CPU_ROUNDS = 6; // both libraries get the same JIT warm-up at the same rate first
const QOS0_BURST = 200_000;
const QOS1_COUNT = 30_000;
const WINDOW = 16;
const LAT_COUNT = 4_000;
const LAT_RATE = 2_000;

interface Result {
  lib: string;
  /** Net of the pacing loop. */
  qos0CpuUsPerMsg: number;
  /** Including the pacing loop. */
  qos0CpuGross: number;
  /** Event-loop active time per message, net of the pacing loop. */
  qos0LoopUsPerMsg: number;
  qos0Throughput: number;
  qos1Throughput: number;
  qos0P50: number;
  qos0P99: number;
  qos1P50: number;
  qos1P99: number;
  rssMb: number;
  heapMb: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const now = (): number => performance.now();

function percentile(values: Float64Array, p: number): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function payload16(): Uint8Array {
  return new Uint8Array(16).fill(0x61);
}

/**
 * CPU per message at a fixed rate, net of the pacing loop itself: the same loop is run without sending
 * (baseline) and subtracted. Warm-up first so the JIT has compiled both libraries' hot paths.
 */
async function cpuPerMessage(send: () => void): Promise<{ net: number; gross: number; loop: number }> {
  await paced(Math.floor(QOS0_RATE * WARMUP_SECONDS), QOS0_RATE, send);
  await sleep(100);
  // Interleaved rounds (idle loop, then sending), median of the per-round figures: the machine is shared,
  // so drift between one long baseline and one long run would dominate the difference.
  const per = Math.floor((QOS0_RATE * QOS0_RATE_SECONDS) / CPU_ROUNDS);
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
    // Event-loop active time (ms → us): the library's JS plus the syscalls it makes on the main thread.
    loops.push(((ec.active - eb.active) * 1000) / per);
  }
  const median = (v: number[]): number => [...v].sort((x, y) => x - y)[v.length >> 1] ?? NaN;
  return { gross: median(grosses), net: median(nets), loop: median(loops) };
}

/** Paced loop: sends at `rate` per second (bursts every ~2 ms timer tick) until `total` sent. */
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

function xsClient(port: number, clientId: string, extra: Partial<ConstructorParameters<typeof MqttClient>[0]> = {}): {
  client: MqttClient; ready: Promise<void>; writable: { fn: () => void };
} {
  const writable = { fn: (): void => undefined };
  let resolve = (): void => undefined;
  const ready = new Promise<void>((r) => (resolve = r));
  const client = new MqttClient({
    host: createNodeHost(), hostname: "127.0.0.1", port, clientId, keepAlive: 60,
    inflightWindow: WINDOW, offlineQueue: 0, txSlots: WINDOW, rxBufferSize: 4096,
    ...extra,
    onConnected: () => resolve(),
    onWritable: () => writable.fn(),
    onError: (e) => console.error(`xsmqtt error: ${e.message}`),
  });
  client.connect();
  return { client, ready, writable };
}

async function runXs(port: number): Promise<Result> {
  const p = payload16();
  let cpuUs: number;
  let cpuGross: number;
  let loopUs: number;
  // QoS 0 CPU at a fixed rate.
  {
    const { client, ready } = xsClient(port, "bench-xs-cpu");
    await ready;
    const h = client.topic("bench/xs/cpu");
    await sleep(100);
    let failed = 0;
    const r = await cpuPerMessage(() => {
      if (client.publish(h, p, 0, 16, 0, false) !== SENT) failed++;
    });
    cpuUs = r.net;
    cpuGross = r.gross;
    loopUs = r.loop;
    console.error(`xsmqtt qos0 at ${QOS0_RATE}/s: ${(client.counters.writes / client.counters.sent).toFixed(3)} socket writes per message`);
    if (failed > 0) console.error(`xsmqtt: ${failed} QoS 0 publishes refused at ${QOS0_RATE}/s`);
    client.end();
  }
  // QoS 0 burst throughput.
  let qos0Throughput: number;
  {
    const { client, ready, writable } = xsClient(port, "bench-xs-burst");
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
    qos0Throughput = QOS0_BURST / ((now() - t0) / 1000);
    client.end();
  }
  // QoS 1 throughput, window 16.
  let qos1Throughput: number;
  {
    const { client, ready, writable } = xsClient(port, "bench-xs-qos1");
    await ready;
    const h = client.topic("bench/xs/qos1");
    let sent = 0;
    const t0 = now();
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (sent === QOS1_COUNT && client.inflight === 0) {
          clearInterval(check);
          resolve();
        }
      }, 1);
      writable.fn = (): void => {
        while (sent < QOS1_COUNT) {
          const s = client.publish(h, p, 0, 16, 1, false);
          if (s === BUSY) return;
          if (s !== SENT && s !== QUEUED) throw new Error(`publish status ${s}`);
          sent++;
        }
      };
      writable.fn();
    });
    qos1Throughput = QOS1_COUNT / ((now() - t0) / 1000);
    client.end();
  }
  // Latency, QoS 0 and 1.
  const lat = async (qos: number): Promise<[number, number]> => {
    const { client, ready } = xsClient(port, `bench-xs-lat${qos}`, { inflightWindow: 256, txSlots: 256 });
    await ready;
    const sentAt = new Float64Array(LAT_COUNT);
    const latency = new Float64Array(LAT_COUNT);
    let received = 0;
    const buf = new Uint8Array(16);
    const dv = new DataView(buf.buffer);
    let subscribed = false;
    client.subscribe(`bench/xs/lat${qos}`, qos, (m) => {
      const i = new DataView(m.payload.buffer, m.payload.byteOffset + m.payloadOffset, 4).getUint32(0);
      latency[i] = now() - sentAt[i]!;
      received++;
    }, () => (subscribed = true));
    while (!subscribed) await sleep(5);
    const h = client.topic(`bench/xs/lat${qos}`);
    let i = 0;
    await paced(LAT_COUNT, LAT_RATE, () => {
      dv.setUint32(0, i);
      sentAt[i] = now();
      const s = client.publish(h, buf, 0, 16, qos, false);
      if (s < 0) console.error(`xsmqtt latency publish status ${s}`);
      i++;
    });
    const deadline = now() + 5000;
    while (received < LAT_COUNT && now() < deadline) await sleep(5);
    client.end();
    return [percentile(latency.subarray(0, received), 50), percentile(latency.subarray(0, received), 99)];
  };
  const [q0p50, q0p99] = await lat(0);
  const [q1p50, q1p99] = await lat(1);
  globalThis.gc?.();
  const mem = process.memoryUsage();
  return {
    lib: "xsmqtt", qos0CpuUsPerMsg: cpuUs, qos0CpuGross: cpuGross, qos0LoopUsPerMsg: loopUs, qos0Throughput, qos1Throughput,
    qos0P50: q0p50, qos0P99: q0p99, qos1P50: q1p50, qos1P99: q1p99,
    rssMb: mem.rss / 1048576, heapMb: mem.heapUsed / 1048576,
  };
}

// ------------------------------------------------------------------------------------------------ MQTT.js

async function mqttjsClient(port: number, clientId: string): Promise<mqtt.MqttClient> {
  const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, clientId, reconnectPeriod: 0, keepalive: 60 });
  await new Promise<void>((resolve, reject) => {
    c.once("connect", () => resolve());
    c.once("error", reject);
  });
  return c;
}

async function runMqttjs(port: number): Promise<Result> {
  const p = Buffer.from(payload16());
  let cpuUs: number;
  let cpuGross: number;
  let loopUs: number;
  {
    const c = await mqttjsClient(port, "bench-mj-cpu");
    await sleep(100);
    const r = await cpuPerMessage(() => {
      c.publish("bench/mj/cpu", p, { qos: 0 });
    });
    cpuUs = r.net;
    cpuGross = r.gross;
    loopUs = r.loop;
    await c.endAsync();
  }
  let qos0Throughput: number;
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
            if (done === QOS0_BURST) resolve();
            else if (done === sent) slice();
          });
        }
      };
      slice();
    });
    qos0Throughput = QOS0_BURST / ((now() - t0) / 1000);
    await c1.endAsync();
  }
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
  const lat = async (qos: 0 | 1): Promise<[number, number]> => {
    const c3 = await mqttjsClient(port, `bench-mj-lat${qos}`);
    const sentAt = new Float64Array(LAT_COUNT);
    const latency = new Float64Array(LAT_COUNT);
    let received = 0;
    c3.on("message", (_t, payload) => {
      const i = payload.readUInt32BE(0);
      latency[i] = now() - sentAt[i]!;
      received++;
    });
    await c3.subscribeAsync(`bench/mj/lat${qos}`, { qos });
    let i = 0;
    await paced(LAT_COUNT, LAT_RATE, () => {
      const b = Buffer.alloc(16);
      b.writeUInt32BE(i, 0);
      sentAt[i] = now();
      c3.publish(`bench/mj/lat${qos}`, b, { qos });
      i++;
    });
    const deadline = now() + 5000;
    while (received < LAT_COUNT && now() < deadline) await sleep(5);
    await c3.endAsync();
    return [percentile(latency.subarray(0, received), 50), percentile(latency.subarray(0, received), 99)];
  };
  const [q0p50, q0p99] = await lat(0);
  const [q1p50, q1p99] = await lat(1);
  globalThis.gc?.();
  const mem = process.memoryUsage();
  return {
    lib: "MQTT.js", qos0CpuUsPerMsg: cpuUs, qos0CpuGross: cpuGross, qos0LoopUsPerMsg: loopUs, qos0Throughput, qos1Throughput,
    qos0P50: q0p50, qos0P99: q0p99, qos1P50: q1p50, qos1P99: q1p99,
    rssMb: mem.rss / 1048576, heapMb: mem.heapUsed / 1048576,
  };
}

// ------------------------------------------------------------------------------------------------ driver

function runChild(lib: string, port: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", lib, String(port)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (code !== 0 || line === undefined) reject(new Error(`${lib} child failed (${code}): ${out}`));
      else resolve(JSON.parse(line.slice(7)) as Result);
    });
  });
}

const f = (n: number, d = 1): string => n.toFixed(d);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    const port = Number(args[2]);
    const r = args[1] === "xsmqtt" ? await runXs(port) : await runMqttjs(port);
    process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
    process.exit(0);
  }
  const broker = await startMosquitto({ maxQueuedMessages: 0, maxInflightMessages: 0});
  try {
    const xs = await runChild("xsmqtt", broker.port);
    const mj = await runChild("mqttjs", broker.port);
    console.log(`broker mosquitto on 127.0.0.1:${broker.port}; node ${process.version}`);
    console.log(`qos0 cpu at ${QOS0_RATE} msg/s, ${CPU_ROUNDS} interleaved rounds over ${QOS0_RATE_SECONDS} s after ${WARMUP_SECONDS} s warm-up, median; net = minus the idle pacing loop`);
    console.log("lib       qos0 cpu/msg net (gross)  loop-active/msg  qos0 burst     qos1 (w=16)   qos0 p50/p99      qos1 p50/p99      rss     heap");
    for (const r of [xs, mj]) {
      console.log(
        `${r.lib.padEnd(9)} ${f(r.qos0CpuUsPerMsg, 2).padStart(7)} us (${f(r.qos0CpuGross, 2)} us)  ${f(r.qos0LoopUsPerMsg, 2).padStart(8)} us  ` +
          `${f(r.qos0Throughput, 0).padStart(8)} msg/s ` +
          `${f(r.qos1Throughput, 0).padStart(7)} msg/s  ${f(r.qos0P50, 2)}/${f(r.qos0P99, 2)} ms     ` +
          `${f(r.qos1P50, 2)}/${f(r.qos1P99, 2)} ms     ${f(r.rssMb)} MB ${f(r.heapMb)} MB`,
      );
    }
    const p99 = Math.max(xs.qos0P99 / mj.qos0P99, xs.qos1P99 / mj.qos1P99);
    console.log(`event-loop active time per QoS 0 message (JS + main-thread syscalls): ${f(xs.qos0LoopUsPerMsg / mj.qos0LoopUsPerMsg, 2)}x`);
    console.log(
      `client qos0-cpu-per-msg ${f(xs.qos0CpuUsPerMsg / mj.qos0CpuUsPerMsg, 2)}x ` +
        `qos1-throughput ${f(xs.qos1Throughput / mj.qos1Throughput, 2)}x p99 ${f(p99, 2)}x`,
    );
  } finally {
    await broker.dispose();
  }
}

await main();
