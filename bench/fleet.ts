/**
 * Fleet benchmark: how many simulated xsmqtt devices one Node process keeps connected and publishing every
 * 10 s, and what each costs in memory, against the same number of MQTT.js clients doing the same traffic.
 *
 *   npm run bench:fleet                       (node --expose-gc --import tsx bench/fleet.ts)
 *   BENCH_FLEET_TARGET=2000 npm run bench:fleet
 *   BENCH_FLEET_KINDS=device,mqttjs npm run bench:fleet      (a subset of the four fleets below)
 *   BENCH_FLEET_DEVICE_CLIENT='{"txSlots":2}' ...            (experiments: client overrides for `device`)
 *
 * ## What is measured
 * Five fleets, each in its own fresh child process (RSS never shrinks, so two fleets in one process could not
 * be told apart), one after the other, against ONE mosquitto broker running in its own process (quiet log,
 * `max_connections -1`); the broker's memory is printed for information and never counted. Every member of
 * every fleet holds one real TCP connection of its own to the broker (no sharing), connects with keepalive
 * 60 s and publishes the same six readings (QoS 0) every 10 s:
 * - `socket`  the floor: a bare `net.Socket` per connection (a pre-encoded CONNECT, six PUBLISHes encoded per
 *             round into a throwaway buffer by one shared ticker). No client state at all: what Node itself
 *             charges per connected socket doing this traffic. Nothing MQTT-level can cost less in Node.
 * - `host`    the Node host's ECMA-419 socket (hosts/node TCPSocket) per connection, driven like `socket`
 *             (same bytes, written and read through the ECMA-419 API): what the host layer adds to Node's.
 * - `client`  xsmqtt's MqttClient alone (hosts/node TCPSocket, one shared clock), sized exactly as the
 *             firmware sizes it (`firmwareClientSizing`), with the firmware's will, `online` status (QoS 1,
 *             retained) on connect, the period-command subscription and one sample timer per client.
 * - `device`  the whole simulated board (sim/device.ts): firmware, three sensor drivers, three simulated
 *             chips on a simulated I2C bus, and the client above. This is "rss-per-device" of the last line.
 * - `mqttjs`  MQTT.js 5 clients with the same will, status, subscription, topics and payloads (one
 *             `setInterval` per client, as an application would write it).
 * So `client` vs `mqttjs` is apples to apples (a client and its connection); `device` additionally carries a
 * whole firmware and its simulated hardware, which MQTT.js does not have.
 *
 * ## How
 * Ramp in steps (250, 1000, 2500, 5000, 7500, 10000 ... up to the target). At each step the fleet grows to
 * n (200 new connections every 20 ms), then the step waits until every member is connected (CONNACK) AND has
 * published at least one round of readings, then runs `gc()` twice and samples `process.memoryUsage()` every
 * 2.5 s until RSS moved less than 512 KiB twice in a row (V8 gives the grown young generation and freed pages
 * back over several seconds after a burst; sampling at once overstates RSS by a few KB per connection):
 * rss, heapUsed, external (C++ side of ArrayBuffers, Node buffers, ...) and arrayBuffers (part of external). Every figure is the delta over the same worker's own baseline (sampled
 * after its modules are loaded and its shared objects built, before the first connection), divided by n.
 * After the last step the fleet keeps running one more full period (every member publishes again) and is
 * sampled again ("steady"): that sample is the one the summary uses. A step that does not get every member
 * connected within its timeout ends that fleet's ramp.
 *
 * ## File descriptors
 * Every worker needs one per connection, and so does mosquitto. When the soft `ulimit -n` is too low the
 * bench re-executes itself under `bash -c 'ulimit -n <N>; exec node ...'` (raising the soft limit up to the
 * hard limit needs no privilege); when the hard limit is too low it says so and the ramp stops where
 * connections fail. By hand: `ulimit -n 65536` (or `prlimit --nofile=65536 --pid $$`) before running.
 *
 * Last line:
 *   fleet devices <n> rss-per-device <bytes> bytes ratio <r>x      (xsmqtt device / MQTT.js client, RSS)
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const self = fileURLToPath(import.meta.url);
const PERIOD = 10_000;
/** Memory is sampled every SETTLE_MS (after gc()) until RSS moved less than SETTLE_BYTES twice in a row. */
const SETTLE_MS = 2_500;
const SETTLE_BYTES = 512 * 1024;
const SETTLE_TRIES = 12;
const HOSTNAME = "127.0.0.1";
const SENSORS = ["sht3x", "bme280", "bh1750"] as const;
const QUANTITIES = ["sht3x/temperature", "sht3x/humidity", "bme280/temperature", "bme280/pressure", "bme280/humidity", "bh1750/illuminance"];
/** Typical payloads of those six readings (what the simulated chips produce, same lengths). */
const PAYLOADS = ["21.53", "45.2", "21.49", "101325", "45.9", "350.0"];
const RECONNECT = { initialDelay: 2000, maxDelay: 30_000, multiplier: 2, stableAfter: 30_000 };

type Kind = "socket" | "host" | "client" | "device" | "mqttjs";
const KINDS: readonly Kind[] = ["socket", "host", "client", "device", "mqttjs"];
const LABEL: Record<Kind, string> = {
  socket: "floor: bare net.Socket",
  host: "xsmqtt host socket only",
  client: "xsmqtt client only",
  device: "xsmqtt firmware+sim",
  mqttjs: "MQTT.js client",
};

interface Mem {
  rss: number;
  heap: number;
  external: number;
  arrayBuffers: number;
}

interface Step extends Mem {
  n: number;
  connected: number;
  published: number;
  /** ms from the step's first new member to every member connected. */
  connectMs: number;
  /** ms from the step's first new member to every member having published a round. */
  publishMs: number;
  /** ms spent sampling until RSS settled. */
  settleMs: number;
  steady: boolean;
  /** Broker RSS (bytes) at the sample; filled by the orchestrator, informative only. */
  brokerRss?: number;
}

/** One fleet as the ramp drives it. */
interface FleetUnderTest {
  /** Creates and starts member `i`. */
  add(i: number): void;
  /** Members connected now. */
  connected(): number;
  /** True when member `i` has published at least one round of readings. */
  published(i: number): boolean;
  /** Readings published so far (all members). */
  readings(): number;
  stop(): Promise<void>;
}

// ------------------------------------------------------------------------------------------------ worker

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error("run with node --expose-gc");
  g();
  g();
}

/**
 * A settled sample. Right after a burst of activity RSS still holds a grown young generation and freed pages
 * that V8's memory reducer gives back over the next seconds (measured: +2..3 KB per bare socket at 3,000
 * sockets one second after the ramp, gone 5 s later). So: gc() and sample every SETTLE_MS until RSS moved
 * less than SETTLE_BYTES twice in a row (at most SETTLE_TRIES samples).
 */
async function settled(): Promise<{ mem: Mem; ms: number }> {
  const t0 = Date.now();
  let prev = memory();
  let calm = 0;
  for (let i = 0; i < SETTLE_TRIES && calm < 2; i++) {
    await sleep(SETTLE_MS);
    const m = memory();
    calm = Math.abs(m.rss - prev.rss) < SETTLE_BYTES ? calm + 1 : 0;
    prev = m;
  }
  return { mem: prev, ms: Date.now() - t0 };
}

/** The baseline: settled, after modules and shared objects, before any connection. */
async function baseline(): Promise<Mem> {
  return (await settled()).mem;
}

function memory(): Mem {
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function steps(target: number): number[] {
  const out: number[] = [];
  for (const n of [250, 1000, 2500, 5000, 7500, 10_000, 15_000, 20_000, 30_000, 50_000]) if (n < target) out.push(n);
  out.push(target);
  return out;
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(100);
  }
  return check();
}

function report(step: Step): void {
  process.stdout.write(`STEP ${JSON.stringify(step)}\n`);
}

async function ramp(fleet: FleetUnderTest, target: number, base: Mem): Promise<void> {
  let count = 0;
  const delta = (m: Mem): Mem => ({
    rss: m.rss - base.rss, heap: m.heap - base.heap, external: m.external - base.external,
    arrayBuffers: m.arrayBuffers - base.arrayBuffers,
  });
  let lastOk = 0;
  for (const n of steps(target)) {
    const t0 = Date.now();
    const first = count;
    while (count < n) {
      fleet.add(count++);
      if (count % 200 === 0) await sleep(20); // 10,000 connections arrive over ~1 s
    }
    const timeout = 30_000 + n * 3;
    const ok = await waitUntil(() => fleet.connected() === n, timeout);
    const connectMs = Date.now() - t0;
    let from = first;
    const all = ok && await waitUntil(() => {
      while (from < n && fleet.published(from)) from++;
      if (from < n) return false;
      for (let i = 0; i < first; i++) if (!fleet.published(i)) return false;
      return true;
    }, PERIOD + 5_000);
    const publishMs = Date.now() - t0;
    const { mem, ms: settleMs } = await settled();
    const m = delta(mem);
    report({ n, connected: fleet.connected(), published: fleet.readings(), connectMs, publishMs, settleMs, steady: false, ...m });
    if (!all) break;
    lastOk = n;
  }
  if (lastOk > 0 && lastOk === count) {
    // One more full period: every member publishes again; then the steady-state sample.
    const before = fleet.readings();
    await sleep(PERIOD);
    const { mem, ms: settleMs } = await settled();
    const m = delta(mem);
    const published = fleet.readings();
    report({ n: count, connected: fleet.connected(), published, connectMs: 0, publishMs: 0, settleMs, steady: published > before, ...m });
  }
  await fleet.stop();
}

/** The floor: bare sockets, no client. Only what Node needs per connected socket with this traffic. */
async function workerSocket(port: number, target: number): Promise<void> {
  const net = await import("node:net");
  const { encodeConnect, sizeConnect } = await import("../src/codec/connect.js");
  const { encodePublish, sizePublish } = await import("../src/codec/publish.js");
  const { utf8Encode } = await import("../src/codec/text.js");
  // Bench bookkeeping, allocated before the baseline: CONNACK seen, next round due, rounds published.
  const acked = new Uint8Array(target);
  const due = new Float64Array(target);
  const rounds = new Uint32Array(target);
  const sockets: import("node:net").Socket[] = new Array(target);
  const payloads = PAYLOADS.map((p) => utf8Encode(p));
  let connected = 0;
  let readings = 0;
  const ignore = (): void => undefined;
  const roundOf = (i: number): Buffer => {
    // Six PUBLISHes encoded into a throwaway buffer (topic strings too): nothing per device is kept.
    const prefix = `bench/socket/bs-${process.pid}-${i}/`;
    const infos = QUANTITIES.map((q, k) => ({
      topic: utf8Encode(prefix + q), topicOffset: 0, topicLength: 0, payload: payloads[k]!, payloadOffset: 0,
      payloadLength: payloads[k]!.length, qos: 0, retain: false, dup: false, packetId: 0,
    }));
    let size = 0;
    for (const info of infos) {
      info.topicLength = info.topic.length;
      size += sizePublish(info);
    }
    const out = Buffer.alloc(size);
    let o = 0;
    for (const info of infos) o = encodePublish(out, o, info);
    return out;
  };
  const ticker = setInterval(() => {
    const now = Date.now();
    for (let i = 0; i < target; i++) {
      const s = sockets[i];
      if (s === undefined || acked[i] === 0 || due[i]! > now) continue;
      due[i] = now + PERIOD;
      s.write(roundOf(i));
      rounds[i]!++;
      readings += QUANTITIES.length;
    }
  }, 100);
  const base = await baseline();
  await ramp({
    add(i) {
      const s = net.connect({ host: HOSTNAME, port });
      s.setNoDelay(true);
      s.on("connect", () => {
        const info = { clientId: utf8Encode(`bs-${process.pid}-${i}`), cleanSession: true, keepAlive: 60, username: null, password: null, will: null };
        const out = Buffer.alloc(sizeConnect(info));
        encodeConnect(out, 0, info);
        s.write(out);
      });
      s.on("data", () => {
        if (acked[i] === 1) return; // PINGRESP-free: publishes keep the link alive; nothing else arrives
        acked[i] = 1;
        connected++;
        due[i] = Date.now() + 250;
      });
      s.on("error", ignore);
      s.on("close", () => {
        if (acked[i] === 1) connected--;
        acked[i] = 0;
      });
      sockets[i] = s;
    },
    connected: () => connected,
    published: (i) => rounds[i]! > 0,
    readings: () => readings,
    async stop() {
      clearInterval(ticker);
      for (const s of sockets) s?.destroy();
      await sleep(200);
    },
  }, target, base);
}

/** The Node host's ECMA-419 socket per connection, the same traffic as the floor, no client. */
async function workerHost(port: number, target: number): Promise<void> {
  const { TCPSocket } = await import("../hosts/node/tcp.js");
  const { encodeConnect, sizeConnect } = await import("../src/codec/connect.js");
  const { encodePublish, sizePublish } = await import("../src/codec/publish.js");
  const { utf8Encode } = await import("../src/codec/text.js");
  const state = new Uint8Array(target); // 0 connecting, 1 CONNECT sent, 2 CONNACK seen, 3 closed
  const due = new Float64Array(target);
  const rounds = new Uint32Array(target);
  const sockets: InstanceType<typeof TCPSocket>[] = new Array(target);
  const payloads = PAYLOADS.map((p) => utf8Encode(p));
  const scratch = new Uint8Array(65536);
  let connected = 0;
  let readings = 0;
  const roundOf = (i: number): Uint8Array => {
    const prefix = `bench/host/bh-${process.pid}-${i}/`;
    const infos = QUANTITIES.map((q, k) => ({
      topic: utf8Encode(prefix + q), topicOffset: 0, topicLength: 0, payload: payloads[k]!, payloadOffset: 0,
      payloadLength: payloads[k]!.length, qos: 0, retain: false, dup: false, packetId: 0,
    }));
    let size = 0;
    for (const info of infos) {
      info.topicLength = info.topic.length;
      size += sizePublish(info);
    }
    const out = new Uint8Array(size);
    let o = 0;
    for (const info of infos) o = encodePublish(out, o, info);
    return out;
  };
  const ticker = setInterval(() => {
    const now = Date.now();
    for (let i = 0; i < target; i++) {
      const s = sockets[i];
      if (s === undefined || state[i] !== 2 || due[i]! > now) continue;
      due[i] = now + PERIOD;
      try {
        s.write(roundOf(i));
      } catch {
        continue; // would block: next tick
      }
      rounds[i]!++;
      readings += QUANTITIES.length;
    }
  }, 100);
  const base = await baseline();
  await ramp({
    add(i) {
      sockets[i] = new TCPSocket({
        address: HOSTNAME, port, nodelay: true,
        onWritable() {
          if (state[i] !== 0) return;
          const info = { clientId: utf8Encode(`bh-${process.pid}-${i}`), cleanSession: true, keepAlive: 60, username: null, password: null, will: null };
          const out = new Uint8Array(sizeConnect(info));
          encodeConnect(out, 0, info);
          this.write(out);
          state[i] = 1;
        },
        onReadable(count) {
          this.read(scratch.subarray(0, Math.min(count, scratch.length)));
          if (state[i] !== 1) return;
          state[i] = 2;
          connected++;
          due[i] = Date.now() + 250;
        },
        onError() {
          if (state[i] === 2) connected--;
          state[i] = 3;
        },
      });
    },
    connected: () => connected,
    published: (i) => rounds[i]! > 0,
    readings: () => readings,
    async stop() {
      clearInterval(ticker);
      for (const s of sockets) s?.close();
      await sleep(200);
    },
  }, target, base);
}

/** xsmqtt's MqttClient alone, sized like the firmware's, doing the firmware's traffic. */
async function workerClient(port: number, target: number): Promise<void> {
  const { MqttClient } = await import("../src/client/client.js");
  const { TCPSocket, TLSSocket, NodeClock } = await import("../hosts/node/index.js");
  const { validateConfig } = await import("../src/app/config.js");
  const { firmwareClientSizing } = await import("../src/app/firmware.js");
  const { utf8Encode } = await import("../src/codec/text.js");
  const clock = new NodeClock();
  const host = { tcp: TCPSocket, tls: TLSSocket, clock, random: Math.random };
  const rounds = new Uint32Array(target);
  const clients: InstanceType<typeof MqttClient>[] = [];
  const payloads = PAYLOADS.map((p) => utf8Encode(p));
  const online = utf8Encode("online");
  const noop = (): void => undefined;
  let readings = 0;
  const base = await baseline();
  await ramp({
    add(i) {
      const id = `bc-${process.pid}-${i}`;
      const prefix = `bench/client/${id}`;
      // The same sizing the firmware gives its client (every client of this fleet gets its own validation,
      // as every firmware does; nothing about the client itself is shared).
      const sizing = firmwareClientSizing(validateConfig({
        broker: { hostname: HOSTNAME, port }, deviceId: id, prefix: "bench/client", discovery: false,
        sensors: SENSORS.map((kind) => ({ kind, data: 21, clock: 22 })),
      }));
      const c = new MqttClient({
        host, hostname: HOSTNAME, port, clientId: id, keepAlive: 60, cleanSession: true,
        will: { topic: `${prefix}/status`, payload: "offline", qos: 1, retain: true },
        ...sizing, overflow: "drop-oldest", reconnect: RECONNECT,
        onConnected: () => void c.publish(status, online, 0, online.length, 1, true),
      });
      // Handles 0..5: the readings, 6: status.
      for (const q of QUANTITIES) c.topic(`${prefix}/${q}`);
      const status = c.topic(`${prefix}/status`);
      c.subscribe(`${prefix}/cmd/period`, 1, noop);
      const timer = clock.timer(() => {
        if (!c.connected) return clock.schedule(timer, 250); // first round once connected
        clock.schedule(timer, PERIOD);
        for (let k = 0; k < QUANTITIES.length; k++) c.publish(k, payloads[k]!, 0, payloads[k]!.length, 0, false);
        readings += QUANTITIES.length;
        rounds[i]!++;
      });
      c.connect();
      clock.schedule(timer, 250);
      clients.push(c);
    },
    connected: () => {
      let n = 0;
      for (const c of clients) if (c.connected) n++;
      return n;
    },
    published: (i) => rounds[i]! > 0,
    readings: () => readings,
    async stop() {
      for (const c of clients) c.end();
      await sleep(500); // the worker exits after this (its sample timers would keep the loop alive)
    },
  }, target, base);
}

/** The whole simulated board: firmware + drivers + simulated chips and bus + client. */
async function workerDevice(port: number, target: number): Promise<void> {
  const { SimDevice } = await import("../sim/device.js");
  const devices: InstanceType<typeof SimDevice>[] = [];
  // Client overrides for experiments (default: none, the firmware sizes its client from its configuration).
  const overrides = JSON.parse(process.env.BENCH_FLEET_DEVICE_CLIENT ?? "{}") as Record<string, unknown>;
  const base = await baseline();
  await ramp({
    add(i) {
      const d = new SimDevice({
        id: `bd-${process.pid}-${i}`, index: i, broker: { hostname: HOSTNAME, port }, sensors: SENSORS, period: PERIOD,
        prefix: "bench/device", qos: 0, retain: false, senml: false, discovery: false, discoveryPrefix: "homeassistant",
        seed: 1, client: { reconnect: RECONNECT, ...overrides },
      });
      devices.push(d);
      d.start();
    },
    connected: () => {
      let n = 0;
      for (const d of devices) if (d.firmware.client.connected) n++;
      return n;
    },
    published: (i) => devices[i]!.firmware.counters.readings >= QUANTITIES.length,
    readings: () => {
      let n = 0;
      for (const d of devices) n += d.firmware.counters.readings;
      return n;
    },
    async stop() {
      for (const d of devices) d.stop();
      await sleep(500);
    },
  }, target, base);
}

/** MQTT.js clients doing the same traffic. */
async function workerMqttjs(port: number, target: number): Promise<void> {
  const mqtt = (await import("mqtt")).default;
  type Client = ReturnType<typeof mqtt.connect>;
  const clients: Client[] = [];
  const timers: NodeJS.Timeout[] = [];
  const rounds = new Uint32Array(target);
  const offline = Buffer.from("offline");
  let readings = 0;
  const base = await baseline();
  await ramp({
    add(i) {
      const id = `bj-${process.pid}-${i}`;
      const prefix = `bench/mqttjs/${id}`;
      const c = mqtt.connect(`mqtt://${HOSTNAME}:${port}`, {
        clientId: id, protocolVersion: 4, keepalive: 60, reconnectPeriod: RECONNECT.initialDelay, clean: true,
        will: { topic: `${prefix}/status`, payload: offline, qos: 1, retain: true },
      });
      c.on("error", () => undefined);
      c.on("connect", () => {
        c.publish(`${prefix}/status`, "online", { qos: 1, retain: true });
        c.subscribe(`${prefix}/cmd/period`, { qos: 1 });
      });
      const publish = (): void => {
        if (!c.connected) return;
        for (let k = 0; k < QUANTITIES.length; k++) c.publish(`${prefix}/${QUANTITIES[k]}`, PAYLOADS[k]!, { qos: 0 });
        readings += QUANTITIES.length;
        rounds[i]!++;
      };
      // First round once connected (like the firmware: 250 ms after start), then every period.
      c.once("connect", () => setTimeout(publish, 250));
      timers.push(setInterval(publish, PERIOD));
      clients.push(c);
    },
    connected: () => {
      let n = 0;
      for (const c of clients) if (c.connected) n++;
      return n;
    },
    published: (i) => rounds[i]! > 0,
    readings: () => readings,
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    },
  }, target, base);
}

// ------------------------------------------------------------------------------------------ orchestrator

function brokerRss(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
const pad = (s: string | number, w: number): string => String(s).padStart(w);

function header(): string {
  return `${"fleet".padEnd(8)}${pad("n", 7)}${pad("conn", 7)}${pad("connect", 9)}${pad("publish", 9)}${pad("settle", 8)}` +
    `${pad("rss MiB", 9)}${pad("rss/dev", 10)}${pad("heap/dev", 10)}${pad("ext/dev", 9)}${pad("ab/dev", 9)}` +
    `${pad("published", 11)}${pad("broker", 9)}\n` +
    `${"".padEnd(8)}${pad("", 7)}${pad("", 7)}${pad("ms", 9)}${pad("ms", 9)}${pad("ms", 8)}${pad("", 9)}${pad("KB", 10)}${pad("KB", 10)}` +
    `${pad("KB", 9)}${pad("KB", 9)}${pad("readings", 11)}${pad("MiB", 9)}\n`;
}

function row(kind: Kind, s: Step): string {
  return `${kind.padEnd(8)}${pad(s.n, 7)}${pad(s.connected, 7)}${pad(s.steady ? "steady:" : s.connectMs, 9)}` +
    `${pad(s.steady ? "+period" : s.publishMs, 9)}${pad(s.settleMs, 8)}` +
    `${pad((s.rss / 1048576).toFixed(1), 9)}${pad(kb(s.rss / s.n), 10)}${pad(kb(s.heap / s.n), 10)}${pad(kb(s.external / s.n), 9)}` +
    `${pad(kb(s.arrayBuffers / s.n), 9)}${pad(s.published, 11)}${pad(s.brokerRss === undefined ? "?" : (s.brokerRss / 1048576).toFixed(0), 9)}\n`;
}

function runWorker(kind: Kind, port: number, target: number, brokerPid: () => number): Promise<Step[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", self, "--worker", kind, String(port), String(target)],
      { stdio: ["ignore", "pipe", "inherit"], cwd: path.join(here, "..") });
    const results: Step[] = [];
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let i: number;
      while ((i = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        if (!line.startsWith("STEP ")) {
          if (line.length > 0) process.stdout.write(`  [${kind}] ${line}\n`);
          continue;
        }
        const s = JSON.parse(line.slice(5)) as Step;
        s.brokerRss = brokerRss(brokerPid());
        results.push(s);
        process.stdout.write(row(kind, s));
      }
    });
    child.on("error", reject);
    child.on("exit", () => resolve(results));
  });
}

function softLimit(): number {
  try {
    return Number(execFileSync("bash", ["-c", "ulimit -Sn"]).toString().trim());
  } catch {
    return Infinity;
  }
}

function hardLimit(): number {
  try {
    const h = execFileSync("bash", ["-c", "ulimit -Hn"]).toString().trim();
    return h === "unlimited" ? Infinity : Number(h);
  } catch {
    return Infinity;
  }
}

/** Re-runs this process with a raised soft `ulimit -n` when needed. Returns true when it did (and is done). */
async function raiseFileLimit(needed: number): Promise<boolean> {
  const soft = softLimit();
  if (soft >= needed || process.env.BENCH_FLEET_REEXEC === "1") return false;
  const hard = hardLimit();
  const want = Math.min(needed, hard);
  if (want <= soft) {
    process.stdout.write(`warning: ulimit -n is ${soft} (hard ${hard}); ${needed} are needed; raise the hard limit (as root: prlimit --nofile=65536 --pid $$)\n`);
    return false;
  }
  process.stdout.write(`raising ulimit -n from ${soft} to ${want} (hard limit ${hard}) for this run\n`);
  const code = await new Promise<number>((resolve) => {
    const child = spawn("bash", ["-c", `ulimit -n ${want} && exec "$0" "$@"`, process.execPath, ...process.execArgv, self, ...process.argv.slice(2)],
      { stdio: "inherit", env: { ...process.env, BENCH_FLEET_REEXEC: "1" } });
    child.on("exit", (c) => resolve(c ?? 1));
  });
  process.exitCode = code;
  return true;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--worker") {
    const [, kind, port, target] = args;
    const p = Number(port);
    const t = Number(target);
    if (kind === "socket") await workerSocket(p, t);
    else if (kind === "host") await workerHost(p, t);
    else if (kind === "client") await workerClient(p, t);
    else if (kind === "device") await workerDevice(p, t);
    else await workerMqttjs(p, t);
    process.exit(0);
  }
  const target = Number(process.env.BENCH_FLEET_TARGET ?? 10_000);
  const kinds = (process.env.BENCH_FLEET_KINDS?.split(",") ?? KINDS).filter((k): k is Kind => (KINDS as readonly string[]).includes(k));
  if (await raiseFileLimit(target + 1024)) return;

  const { startMosquitto } = await import("../test/helpers/mosquitto.js");
  const broker = await startMosquitto({ quiet: true, extraConfig: ["max_connections -1", "max_queued_messages 10"] });
  process.stdout.write(`fleet benchmark: target ${target} connections per fleet, six QoS 0 readings every ${PERIOD / 1000} s each\n` +
    `node ${process.version} (V8 ${process.versions.v8}), ${os.cpus().length} cpus, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `ulimit -n ${softLimit()}\n` +
    `broker: mosquitto pid ${broker.pid} on ${broker.url}, its own process (quiet log, max_connections -1, ` +
    `max_queued_messages 10); its RSS is the last column, never counted\n` +
    `each fleet: a fresh worker process; ramp ${steps(target).join(", ")}; a step is sampled once every member is ` +
    `connected and has published a round, then gc() + sample every ${SETTLE_MS} ms until RSS moved < ${SETTLE_BYTES / 1024} KiB ` +
    `twice in a row ("settle"); then once more after a full period (steady)\n` +
    `per-device figures: delta over the worker's own baseline (after its modules and shared objects, before any ` +
    `connection), divided by n; ext includes ab (ArrayBuffers)\n\n`);
  const results = new Map<Kind, Step[]>();
  try {
    process.stdout.write(header());
    for (const kind of kinds) {
      const steps = await runWorker(kind, broker.port, target, () => broker.pid);
      results.set(kind, steps);
    }
  } finally {
    await broker.dispose();
  }

  // Summary at the largest n every fleet reached with all members connected (steady sample preferred).
  const final = (kind: Kind): Step | undefined => {
    const ok = (results.get(kind) ?? []).filter((s) => s.connected === s.n);
    const steady = ok.filter((s) => s.steady);
    return steady[steady.length - 1] ?? ok[ok.length - 1];
  };
  process.stdout.write("\nper connection at the last step every member was connected (steady sample: after one more full period)\n");
  process.stdout.write("(marginal: RSS growth per connection between the last two ramp steps; fixed costs cancel out)\n");
  process.stdout.write(`${"".padEnd(26)}${pad("n", 7)}${pad("rss B", 9)}${pad("heap B", 9)}${pad("ext B", 9)}${pad("marginal B", 12)}${pad("vs MQTT.js", 12)}\n`);
  const js = final("mqttjs");
  const marginal = (kind: Kind): number => {
    const ramp = (results.get(kind) ?? []).filter((s) => !s.steady && s.connected === s.n);
    const a = ramp[ramp.length - 2];
    const b = ramp[ramp.length - 1];
    return a && b ? (b.rss - a.rss) / (b.n - a.n) : NaN;
  };
  for (const kind of kinds) {
    const s = final(kind);
    if (!s) {
      process.stdout.write(`${LABEL[kind].padEnd(26)}  (no step with every member connected)\n`);
      continue;
    }
    const ratio = js ? (s.rss / s.n) / (js.rss / js.n) : NaN;
    const m = marginal(kind);
    process.stdout.write(`${LABEL[kind].padEnd(26)}${pad(s.n, 7)}${pad(Math.round(s.rss / s.n), 9)}${pad(Math.round(s.heap / s.n), 9)}` +
      `${pad(Math.round(s.external / s.n), 9)}${pad(Number.isFinite(m) ? Math.round(m) : "-", 12)}` +
      `${pad(Number.isFinite(ratio) ? ratio.toFixed(2) + "x" : "-", 12)}\n`);
  }
  const floor = final("socket");
  const host = final("host");
  const client = final("client");
  const device = final("device");
  const per = (st: Step | undefined): number => (st ? st.rss / st.n : NaN);
  const show = (v: number): string => (Number.isFinite(v) ? String(Math.round(v)) : "-");
  const hx = (st: Step | undefined): number => (st ? (st.heap + st.external) / st.n : NaN);
  const layer = (label: string, hi: Step | undefined, lo: Step | undefined): string =>
    `  ${label.padEnd(58)}${pad(show(lo ? per(hi) - per(lo) : per(hi)), 8)} B${pad(show(lo ? hx(hi) - hx(lo) : hx(hi)), 9)} B\n`;
  process.stdout.write("layers per connection (differences between rows above; RSS moves by a few KB between runs, " +
    "heap+external by ~0.1 KB):\n" +
    `  ${"".padEnd(58)}${pad("RSS", 10)}${pad("heap+ext", 11)}\n` +
    layer("Node net.Socket, connected, doing the traffic (the floor)", floor, undefined) +
    layer("+ xsmqtt host socket (hosts/node TCPSocket)", host, floor) +
    layer("+ MqttClient (pools, tables, staging views, timers)", client, host) +
    layer("+ firmware, drivers, simulated chips and bus", device, client));
  if (js) {
    const goal = per(js) / 10;
    process.stdout.write(`target: <= 1/10 of an MQTT.js client = ${Math.round(goal)} B per device\n`);
    if (floor) {
      const f = per(floor);
      process.stdout.write(`floor: a bare connected net.Socket alone costs ${Math.round(f)} B = ${(f / goal).toFixed(1)}x the target: ` +
        (f >= goal ? "1/10 is out of reach in Node for anything that holds its own TCP connection\n"
          : `the target leaves ${Math.round(goal - f)} B above the floor for everything else\n`));
      if (client) process.stdout.write(`above the floor: xsmqtt client ${show(per(client) - f)} B, MQTT.js client ${show(per(js) - f)} B ` +
        `(ratio ${((per(client) - f) / (per(js) - f)).toFixed(2)}x)\n`);
    }
  }
  if (!device) {
    process.stdout.write("fleet devices 0 rss-per-device 0 bytes ratio 0x\n");
    return;
  }
  const same = js ? js : undefined;
  const ratio = same ? (device.rss / device.n) / (same.rss / same.n) : NaN;
  process.stdout.write(`fleet devices ${device.n} rss-per-device ${Math.round(device.rss / device.n)} bytes ratio ${ratio.toFixed(2)}x\n`);
}

void main();
