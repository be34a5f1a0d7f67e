/**
 * Fleet benchmark: how many simulated xsmqtt devices (firmware + drivers + simulated chips + client) one
 * Node process keeps connected and publishing every 10 s, and the RSS each costs, against the same number
 * of MQTT.js clients publishing the same payloads on the same topics.
 *
 *   npm run bench:fleet                 (node --expose-gc --import tsx bench/fleet.ts)
 *   BENCH_FLEET_TARGET=2000 npm run bench:fleet
 *
 * Broker: mosquitto on a free loopback port with `max_connections -1`. File descriptors: each side needs
 * one per connection in its own process and mosquitto one per connection in its process, so the soft
 * `ulimit -n` must exceed the target (checked below; raise it with `ulimit -n 65536` or
 * `prlimit --nofile=65536 --pid $$` before running). Each side runs in a fresh child process (RSS never
 * shrinks, so measuring both in one process would be meaningless). RSS is measured after `gc()`, as the
 * delta over the worker's own baseline, at each ramp step; a step stops the ramp if not every client
 * connects within the step timeout. Last line:
 *   fleet devices <n> rss-per-device <bytes> bytes ratio <r>x      (xsmqtt / MQTT.js)
 */
import { execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const PERIOD = 10_000;
const QUANTITIES = ["sht3x/temperature", "sht3x/humidity", "bme280/temperature", "bme280/pressure", "bme280/humidity", "bh1750/illuminance"];

interface Step {
  n: number;
  connected: number;
  rss: number;
  perDevice: number;
  published: number;
  ms: number;
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function steps(target: number): number[] {
  const out: number[] = [];
  for (const n of [250, 1000, 2500, 5000, 7500, 10_000, 15_000, 20_000]) if (n < target) out.push(n);
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

async function workerXsmqtt(port: number, target: number): Promise<void> {
  const { SimDevice } = await import("../sim/device.js");
  gc();
  const base = process.memoryUsage().rss;
  const devices: InstanceType<typeof SimDevice>[] = [];
  for (const n of steps(target)) {
    const t0 = Date.now();
    while (devices.length < n) {
      const d = new SimDevice({
        id: `bx-${process.pid}-${devices.length}`, index: devices.length,
        broker: { hostname: "127.0.0.1", port }, sensors: ["sht3x", "bme280", "bh1750"], period: PERIOD,
        prefix: "bench/xsmqtt", qos: 0, retain: false, senml: false, discovery: false, discoveryPrefix: "homeassistant", seed: 1,
        client: { txSlots: 2, txSlotSize: 256, rxBufferSize: 128, inflightWindow: 2, offlineQueue: 2,
          reconnect: { initialDelay: 2000, maxDelay: 30_000, multiplier: 2, stableAfter: 30_000 } },
      });
      devices.push(d);
      d.start();
      if (devices.length % 200 === 0) await sleep(20); // stagger: 10k devices connect in ~1 s of accepts
    }
    const ok = await waitUntil(() => devices.every((d) => d.firmware.client.connected), 30_000 + n * 3);
    await sleep(1500);
    gc();
    const rss = process.memoryUsage().rss - base;
    let connected = 0;
    let published = 0;
    for (const d of devices) {
      if (d.firmware.client.connected) connected++;
      published += d.firmware.client.counters.sent;
    }
    report({ n, connected, rss, perDevice: rss / n, published, ms: Date.now() - t0 });
    if (!ok) break;
  }
  for (const d of devices) d.stop();
  await sleep(500);
}

async function workerMqttjs(port: number, target: number): Promise<void> {
  const mqtt = (await import("mqtt")).default;
  gc();
  const base = process.memoryUsage().rss;
  type Client = ReturnType<typeof mqtt.connect>;
  const clients: Client[] = [];
  const timers: NodeJS.Timeout[] = [];
  let published = 0;
  const payloads = ["21.53", "45.2", "21.49", "101325", "45.9", "350.0"];
  for (const n of steps(target)) {
    const t0 = Date.now();
    while (clients.length < n) {
      const id = `bj-${process.pid}-${clients.length}`;
      const prefix = `bench/mqttjs/${id}`;
      const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
        clientId: id, protocolVersion: 4, keepalive: 60, reconnectPeriod: 2000, clean: true,
        will: { topic: `${prefix}/status`, payload: Buffer.from("offline"), qos: 1, retain: true },
      });
      c.on("error", () => undefined);
      c.on("connect", () => {
        c.publish(`${prefix}/status`, "online", { qos: 1, retain: true });
        c.subscribe(`${prefix}/cmd/period`, { qos: 1 });
      });
      const publish = (): void => {
        if (!c.connected) return;
        for (let i = 0; i < QUANTITIES.length; i++) c.publish(`${prefix}/${QUANTITIES[i]}`, payloads[i]!, { qos: 0 });
        published += QUANTITIES.length;
      };
      setTimeout(publish, 250);
      timers.push(setInterval(publish, PERIOD));
      clients.push(c);
      if (clients.length % 200 === 0) await sleep(20);
    }
    const ok = await waitUntil(() => clients.every((c) => c.connected), 30_000 + n * 3);
    await sleep(1500);
    gc();
    const rss = process.memoryUsage().rss - base;
    const connected = clients.filter((c) => c.connected).length;
    report({ n, connected, rss, perDevice: rss / n, published, ms: Date.now() - t0 });
    if (!ok) break;
  }
  for (const t of timers) clearInterval(t);
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
}

function report(step: Step): void {
  process.stdout.write(`STEP ${JSON.stringify(step)}\n`);
}

function runWorker(kind: string, port: number, target: number): Promise<Step[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", path.join(here, "fleet.ts"), "--worker", kind, String(port), String(target)],
      { stdio: ["ignore", "pipe", "inherit"] });
    const results: Step[] = [];
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let i: number;
      while ((i = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        if (line.startsWith("STEP ")) {
          const s = JSON.parse(line.slice(5)) as Step;
          results.push(s);
          process.stdout.write(`${kind.padEnd(7)} devices ${String(s.n).padStart(6)} connected ${String(s.connected).padStart(6)} ` +
            `rss ${(s.rss / 1048576).toFixed(1).padStart(7)} MiB  per device ${Math.round(s.perDevice).toString().padStart(7)} B  ` +
            `published ${s.published}  step ${s.ms} ms\n`);
        }
      }
    });
    child.on("error", reject);
    child.on("exit", () => resolve(results));
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--worker") {
    const [, kind, port, target] = args;
    if (kind === "xsmqtt") await workerXsmqtt(Number(port), Number(target));
    else await workerMqttjs(Number(port), Number(target));
    process.exit(0);
  }
  const target = Number(process.env.BENCH_FLEET_TARGET ?? 10_000);
  let limit = Infinity;
  try {
    limit = Number(execFileSync("bash", ["-c", "ulimit -n"]).toString().trim());
  } catch {
    // unknown
  }
  if (limit < target + 512)
    process.stdout.write(`warning: ulimit -n is ${limit}; ${target} connections need more (ulimit -n 65536 or prlimit --nofile=65536 --pid $$)\n`);
  const { startMosquitto } = await import("../test/helpers/mosquitto.js");
  const broker = await startMosquitto({ extraConfig: ["max_connections -1", "max_queued_messages 10"] });
  process.stdout.write(`mosquitto on ${broker.url}, target ${target} devices, publishing every ${PERIOD / 1000} s\n`);
  try {
    const xs = await runWorker("xsmqtt", broker.port, target);
    const js = await runWorker("mqttjs", broker.port, target);
    const xsOk = xs.filter((s) => s.connected === s.n);
    const jsOk = js.filter((s) => s.connected === s.n);
    const best = xsOk[xsOk.length - 1];
    if (!best) {
      process.stdout.write("fleet devices 0 rss-per-device 0 bytes ratio 0x\n");
      return;
    }
    const same = jsOk.find((s) => s.n === best.n) ?? jsOk[jsOk.length - 1];
    const ratio = same ? best.perDevice / same.perDevice : NaN;
    process.stdout.write(`fleet devices ${best.n} rss-per-device ${Math.round(best.perDevice)} bytes ratio ${ratio.toFixed(2)}x\n`);
  } finally {
    await broker.dispose();
  }
}

void main();
