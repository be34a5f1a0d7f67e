/**
 * "No storms": the engine of test/faults/reconnect-storm.test.ts and scripts/storm-fleet.ts.
 *
 * Two fleets of MqttClient instances on the Node host connect to one mosquitto; the broker is stopped
 * (SIGTERM: every connection drops at the same moment), kept down for a while and started again. Every
 * connection attempt is recorded with its time by a socket class wrapping the host's TCPSocket (one
 * construction = one attempt). The fleets differ only in the reconnect policy:
 * - `jitter`: our default policy, exponential backoff with full jitter (`random() × min(max, initial × 2^n)`);
 * - `fixed`: the same client configured with `multiplier: 1`, `maxDelay = initialDelay`, and a host `random`
 *   that always returns ~1, i.e. a fixed interval without jitter (what the peers do: MQTT.js 1 s,
 *   Moddable's wrapper 0.5/1 s, umqtt.robust 2 s).
 *
 * Figures per fleet over the fault window: attempts, peak attempts/s (the most attempts in any sliding
 * window of `windowMs`, scaled to a second), a 1 s histogram, and the time until the whole fleet is back.
 * Bounded: fleet size, down time, and a reconnect deadline; everything is closed before returning.
 * @module
 */
import { performance } from "node:perf_hooks";
import { NodeClock } from "../../hosts/node/clock.js";
import { TCPSocket, type NodeSocketOptions } from "../../hosts/node/tcp.js";
import { MqttClient } from "../../src/client/index.js";
import type { SocketConstructor } from "../../src/client/host.js";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { prng } from "./no-loss-core.js";

/** Options of {@link runStorm}. */
export interface StormOptions {
  /** Clients per policy. */
  clients: number;
  /** How long the broker stays down, ms. */
  downMs: number;
  /** First backoff ceiling (jitter) and the fixed interval (fixed), ms. */
  initialDelay: number;
  /** Cap of the jittered ceiling, ms. */
  maxDelay: number;
  /** Sliding window for the peak rate, ms. Default 100. */
  windowMs?: number;
  /** Bound for the whole fleet to be back after the broker restarted, ms. */
  reconnectBoundMs: number;
  /** Seed of the jitter PRNGs. Default 1. */
  seed?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Figures of one fleet. */
export interface FleetFigures {
  policy: "jitter" | "fixed";
  clients: number;
  /** Connection attempts from the broker stop until the whole fleet was back. */
  attempts: number;
  /** Most attempts in any sliding window of `windowMs`, per second. */
  peakPerSecond: number;
  /** Attempts per 1 s bin from the broker stop. */
  histogram: number[];
  /** Clients back after the restart. */
  reconnected: number;
  /** ms from the broker start until the last client was back (or the bound). */
  allBackMs: number;
  /** ms from the broker start until half the fleet was back. */
  halfBackMs: number;
}

/** Figures of one run. */
export interface StormFigures {
  jitter: FleetFigures;
  fixed: FleetFigures;
  downMs: number;
  windowMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Most events in any window [t, t + windowMs) over sorted times. */
export function slidingPeak(sorted: readonly number[], windowMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= windowMs) lo++;
    if (hi - lo + 1 > best) best = hi - lo + 1;
  }
  return best;
}

interface Fleet {
  policy: "jitter" | "fixed";
  clients: MqttClient[];
  attempts: number[];
  backAt: number[];
  clock: NodeClock;
}

function makeFleet(policy: "jitter" | "fixed", port: number, o: StormOptions): Fleet {
  const attempts: number[] = [];
  const Counting = class extends TCPSocket {
    constructor(options: NodeSocketOptions) {
      attempts.push(performance.now());
      super(options);
    }
  } as unknown as SocketConstructor;
  const clock = new NodeClock();
  const clients: MqttClient[] = [];
  const backAt: number[] = [];
  for (let i = 0; i < o.clients; i++) {
    const random = policy === "jitter" ? prng((o.seed ?? 1) * 100_003 + i) : (): number => 0.999999;
    const index = i;
    backAt.push(0);
    clients.push(new MqttClient({
      host: { tcp: Counting, clock, random },
      hostname: "127.0.0.1",
      port,
      clientId: `storm-${policy}-${process.pid}-${i}`,
      keepAlive: 60,
      connectTimeout: 5000,
      txSlots: 2,
      txSlotSize: 128,
      rxBufferSize: 128,
      inflightWindow: 1,
      offlineQueue: 0,
      maxSubscriptions: 1,
      reconnect: policy === "jitter"
        ? { initialDelay: o.initialDelay, maxDelay: o.maxDelay, multiplier: 2, stableAfter: 30_000 }
        : { initialDelay: o.initialDelay, maxDelay: o.initialDelay, multiplier: 1, stableAfter: 30_000 },
      onConnected: () => { backAt[index] = performance.now(); },
    }));
  }
  return { policy, clients, attempts, backAt, clock };
}

function figures(f: Fleet, t0: number, tStart: number, tEnd: number, windowMs: number): FleetFigures {
  const times = f.attempts.filter((t) => t >= t0 && t <= tEnd).sort((a, b) => a - b);
  const histogram: number[] = [];
  for (const t of times) {
    const bin = Math.floor((t - t0) / 1000);
    while (histogram.length <= bin) histogram.push(0);
    histogram[bin]!++;
  }
  // Counted from the broker stop: a client can get back in while start() still waits for mosquitto's
  // "running" line, i.e. just before tStart; its recovery time is then 0.
  const back = f.backAt.filter((t) => t >= t0).map((t) => Math.max(0, t - tStart)).sort((a, b) => a - b);
  return {
    policy: f.policy,
    clients: f.clients.length,
    attempts: times.length,
    peakPerSecond: Math.round((slidingPeak(times, windowMs) * 1000) / windowMs),
    histogram,
    reconnected: back.length,
    allBackMs: back.length === f.clients.length ? Math.round(back[back.length - 1]!) : Math.round(tEnd - tStart),
    halfBackMs: back.length >= f.clients.length / 2 ? Math.round(back[Math.floor(f.clients.length / 2)]!) : -1,
  };
}

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Runs both fleets against one broker restart. Throws only on setup failure. */
export async function runStorm(o: StormOptions): Promise<StormFigures> {
  const windowMs = o.windowMs ?? 100;
  const log = o.log ?? ((): void => undefined);
  let broker: MosquittoBroker | null = null;
  const fleets: Fleet[] = [];
  try {
    broker = await startMosquitto({ logTypes: ["error", "warning"], startTimeout: 10_000 });
    const port = broker.port;
    fleets.push(makeFleet("jitter", port, o), makeFleet("fixed", port, o));
    // Connect in small batches (the initial connect is not what we measure).
    for (const f of fleets) {
      for (let i = 0; i < f.clients.length; i++) {
        f.clients[i]!.connect();
        if (i % 50 === 49) await sleep(20);
      }
    }
    const all = (): boolean => fleets.every((f) => f.clients.every((c) => c.connected));
    if (!(await until(all, 20_000))) throw new Error("fleet did not connect");
    log(`fleets connected: ${fleets.map((f) => `${f.policy} ${f.clients.length}`).join(", ")}`);
    await sleep(200);

    const t0 = performance.now();
    await broker.stop();
    const stoppedAt = performance.now();
    await sleep(Math.max(0, o.downMs - (stoppedAt - t0)));
    await broker.start();
    const tStart = performance.now();
    const back = await until(all, o.reconnectBoundMs);
    const tEnd = performance.now();
    if (!back) log(`not every client was back within ${o.reconnectBoundMs} ms`);
    return {
      jitter: figures(fleets[0]!, t0, tStart, tEnd, windowMs),
      fixed: figures(fleets[1]!, t0, tStart, tEnd, windowMs),
      downMs: Math.round(tStart - t0),
      windowMs,
    };
  } finally {
    for (const f of fleets) for (const c of f.clients) c.end();
    await broker?.dispose();
  }
}

/** One line per fleet. */
export function stormLines(s: StormFigures): string[] {
  return [s.jitter, s.fixed].map((f) =>
    `storm ${f.policy.padEnd(6)} clients=${f.clients} attempts=${f.attempts} peak=${f.peakPerSecond}/s ` +
    `(most in ${s.windowMs} ms) per-second=[${f.histogram.join(",")}] back=${f.reconnected}/${f.clients} ` +
    `half-back=${f.halfBackMs} ms all-back=${f.allBackMs} ms (broker down ${s.downMs} ms)`);
}
