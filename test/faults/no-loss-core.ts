/**
 * "No loss, counted": the engine of test/faults/no-loss-short.test.ts and scripts/faults-long.ts.
 *
 * Topology (loopback only):
 * ```
 * MqttClient (hosts/node TCP) ──> fault proxy ──> mosquitto (persistence on, queues unlimited)
 *                                                   ^
 * MQTT.js observer (clean: false, QoS 1, direct) ───┘
 * ```
 * The client publishes a continuous numbered QoS 1 stream and a numbered QoS 0 stream. Faults are injected
 * one after the other: proxy cut (both / up / down), proxy stall (half-open) for longer than 1.5 × keepalive,
 * graceful broker restart (sessions and queues saved), broker SIGKILL + start (only what the last autosave
 * wrote survives). The observer counts distinct and duplicate sequence numbers.
 *
 * Attribution of loss: a QoS 1 message the broker PUBACKed is the broker's responsibility. After a SIGKILL
 * the broker forgets what it acknowledged since its last autosave, so QoS 1 messages published in the
 * window before a SIGKILL (autosave interval + margin) that never arrive are counted as `brokerLost`, not as
 * client loss. Everything else that never arrives is `lost` (the client's) and must be 0.
 *
 * Everything is bounded: fault count, a wall-clock deadline, per-wait timeouts; all sockets, timers,
 * proxies and brokers are closed by {@link runNoLoss} before it returns (also on failure).
 * @module
 */
import { performance } from "node:perf_hooks";
import mqtt, { type MqttClient as MqttJsClient } from "mqtt";
import { createNodeHost } from "../../hosts/node/index.js";
import { MqttClient, QUEUED, SENT, type MqttError } from "../../src/client/index.js";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy.js";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { uniqueTopic } from "../helpers/topics.js";
import { mulberry32 } from "../../sim/chips/environment.js";

/** Kinds of injected faults. */
export type FaultKind = "cut-both" | "cut-up" | "cut-down" | "stall" | "restart" | "sigkill";

/** Options of {@link runNoLoss}. */
export interface NoLossOptions {
  /** Faults to inject (the run stops after this many or at the deadline, whichever first). */
  faults: number;
  /** Wall-clock budget in ms for the fault phase (the drain afterwards has its own bound). */
  maxMs: number;
  /** Relative weights per fault kind (0 = never). */
  weights: Partial<Record<FaultKind, number>>;
  /** Client keepalive, seconds (stall faults last 1.5 × this + margin). Default 1. */
  keepAlive?: number;
  /** Interval between publishes of each stream, ms. Default 5. */
  publishEveryMs?: number;
  /** Traffic time between faults once everything is reconnected, ms. Default 150. */
  dwellMs?: number;
  /** mosquitto autosave interval, seconds (bounds SIGKILL loss). Default 1. */
  autosaveInterval?: number;
  /** Seed of the fault sequence. Default 1. */
  seed?: number;
  /** Progress lines (long runs). */
  log?: (line: string) => void;
}

/** Figures of one run. */
export interface NoLossFigures {
  faultsInjected: number;
  faultsByKind: Record<FaultKind, number>;
  /** QoS 1 messages accepted by `publish` (SENT or QUEUED). */
  sent: number;
  /** Distinct QoS 1 sequence numbers the observer received. */
  received: number;
  /** QoS 1 messages never received and not attributable to a SIGKILL window: the client's loss. */
  lost: number;
  /** QoS 1 messages never received that were published in a SIGKILL window (broker lost unsaved state). */
  brokerLost: number;
  /** QoS 1 deliveries beyond the first per sequence number. */
  duplicates: number;
  qos0Sent: number;
  qos0Received: number;
  qos0Lost: number;
  /** publish() refusals (BUSY / QUEUE_FULL), retried with the same sequence number. */
  refusals: number;
  /** Client counters at the end (resent = DUP resends). */
  clientCounters: Record<string, number>;
  /** Errors the client reported, by class name. */
  errorsByName: Record<string, number>;
  /** Sequence numbers lost by the client (first 20), for the post-mortem. */
  lostSample: number[];
  seconds: number;
  /** Whether the drain completed (every accepted message acknowledged and the observer caught up). */
  drained: boolean;
}

/** The summary line the task asks for. */
export function summaryLine(f: NoLossFigures): string {
  return `faults injected=${f.faultsInjected} sent=${f.sent} received=${f.received} lost=${f.lost} ` +
    `duplicates=${f.duplicates} qos0-lost=${f.qos0Lost}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

/** Small deterministic PRNG (mulberry32). */
export const prng = mulberry32;

const KINDS: readonly FaultKind[] = ["cut-both", "cut-up", "cut-down", "stall", "restart", "sigkill"];

/** Runs the scenario; never throws for loss (the caller asserts on the figures), throws on setup failure. */
export async function runNoLoss(options: NoLossOptions): Promise<NoLossFigures> {
  const keepAlive = options.keepAlive ?? 1;
  const publishEvery = options.publishEveryMs ?? 5;
  const dwell = options.dwellMs ?? 150;
  const autosave = options.autosaveInterval ?? 1;
  const random = prng(options.seed ?? 1);
  const log = options.log ?? ((): void => undefined);
  const start = performance.now();

  let broker: MosquittoBroker | null = null;
  let proxy: FaultProxy | null = null;
  let observer: MqttJsClient | null = null;
  let client: MqttClient | null = null;
  let timer: NodeJS.Timeout | null = null;
  try {
    broker = await startMosquitto({
      persistence: true,
      autosaveInterval: autosave,
      maxQueuedMessages: 0,
      maxInflightMessages: 0,
      logTypes: ["error", "warning"],
      extraConfig: ["max_queued_bytes 0", "autosave_on_changes false"],
    });
    proxy = await startFaultProxy({ targetPort: broker.port });
    const base = uniqueTopic("faults/no-loss");
    const topic1 = `${base}/q1`;
    const topic0 = `${base}/q0`;

    // Observer: persistent session, QoS 1, connected straight to the broker, reconnecting by itself.
    const seen1 = new Map<number, number>();
    const seen0 = new Set<number>();
    let observerConnected = false;
    const observerId = `obs-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
    observer = mqtt.connect(broker.url, {
      protocolVersion: 4, clientId: observerId, clean: false, reconnectPeriod: 100, connectTimeout: 3000,
      keepalive: 10, resubscribe: true,
    });
    observer.on("error", () => undefined);
    observer.on("connect", () => { observerConnected = true; });
    observer.on("close", () => { observerConnected = false; });
    observer.on("message", (t, payload) => {
      const n = Number(payload.toString("latin1"));
      if (t === topic1) seen1.set(n, (seen1.get(n) ?? 0) + 1);
      else if (t === topic0) seen0.add(n);
    });
    if (!(await until(() => observerConnected, 5000))) throw new Error("observer did not connect");
    await observer.subscribeAsync([topic1, topic0], { qos: 1 });

    // The client under test.
    const errorsByName: Record<string, number> = {};
    client = new MqttClient({
      host: createNodeHost(),
      hostname: "127.0.0.1",
      port: proxy.port,
      clientId: `pub-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      cleanSession: false,
      keepAlive,
      connectTimeout: 2000,
      inflightWindow: 32,
      offlineQueue: 512,
      txSlotSize: 128,
      reconnect: { initialDelay: 50, maxDelay: 400, multiplier: 2, stableAfter: 1000 },
      onError: (e: MqttError) => { errorsByName[e.name] = (errorsByName[e.name] ?? 0) + 1; },
    });
    const c = client;
    const h1 = c.topic(topic1);
    const h0 = c.topic(topic0);
    c.connect();
    if (!(await until(() => c.connected, 5000))) throw new Error("client did not connect");

    // Publishing: one QoS 1 and one QoS 0 per tick; a refused publish is retried with the same number.
    const payload = new Uint8Array(16);
    const encode = (n: number): number => {
      const s = String(n);
      for (let i = 0; i < s.length; i++) payload[i] = s.charCodeAt(i);
      return s.length;
    };
    let next1 = 0;
    let next0 = 0;
    let refusals = 0;
    const publishedAt: number[] = []; // QoS 1 seq -> performance.now() when accepted
    let publishing = true;
    const tick = (): void => {
      if (!publishing) return;
      let len = encode(next1);
      let r = c.publish(h1, payload, 0, len, 1, false);
      if (r === SENT || r === QUEUED) {
        publishedAt.push(performance.now());
        next1++;
      } else refusals++;
      len = encode(next0);
      r = c.publish(h0, payload, 0, len, 0, false);
      if (r === SENT || r === QUEUED) next0++;
      else refusals++;
    };
    timer = setInterval(tick, publishEvery);

    // Let the broker autosave the observer's subscription before the first possible SIGKILL.
    await sleep(autosave * 1000 + 500);

    // Faults.
    const totalWeight = KINDS.reduce((s, k) => s + (options.weights[k] ?? 0), 0);
    // The first faults go through every enabled kind once (so short runs cover them all), then random.
    const enabled = KINDS.filter((k) => (options.weights[k] ?? 0) > 0);
    const pick = (): FaultKind => {
      if (injected < enabled.length) return enabled[injected]!;
      let x = random() * totalWeight;
      for (const k of KINDS) {
        x -= options.weights[k] ?? 0;
        if (x < 0) return k;
      }
      return "cut-both";
    };
    const faultsByKind = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
    const killWindows: Array<[number, number]> = [];
    let injected = 0;
    const b = broker;
    const p = proxy;
    const stallMs = Math.ceil(1.5 * keepAlive * 1000) + 600;
    while (injected < options.faults && performance.now() - start < options.maxMs) {
      const kind = pick();
      const connectsBefore = c.counters.connects;
      switch (kind) {
        case "cut-both": p.cut("both"); break;
        case "cut-up": p.cut("up"); break;
        case "cut-down": p.cut("down"); break;
        case "stall":
          p.stall("both");
          await sleep(stallMs);
          p.resume();
          break;
        case "restart":
          await b.restart();
          break;
        case "sigkill": {
          const at = performance.now();
          await b.kill();
          killWindows.push([at - (autosave * 1000 + 1500), at]);
          await b.start();
          break;
        }
      }
      injected++;
      faultsByKind[kind]++;
      // Wait for the client to be back (a one-sided cut is detected by keepalive: up to 1.5 × keepAlive).
      const back = await until(() => c.connected && c.counters.connects > connectsBefore && observerConnected,
        Math.max(8000, stallMs * 3));
      if (!back) log(`fault ${injected} (${kind}): not reconnected within bound; continuing`);
      await sleep(dwell);
      if (injected % 50 === 0) {
        log(`  ${injected} faults, ${next1} qos1 sent, ${seen1.size} received, ${Math.round((performance.now() - start) / 1000)} s`);
      }
    }

    // Drain: stop publishing, wait for every QoS 1 message to be acknowledged and observed.
    publishing = false;
    clearInterval(timer);
    timer = null;
    const drained = await until(() => c.connected && c.inflight === 0 && c.queued === 0 && seen1.size >= next1, 15000);
    if (!drained) {
      // A last chance for stragglers queued for the observer.
      await sleep(1000);
    }
    await sleep(200);

    let lost = 0;
    let brokerLost = 0;
    const lostSample: number[] = [];
    let duplicates = 0;
    for (const count of seen1.values()) duplicates += count - 1;
    for (let n = 0; n < next1; n++) {
      if (seen1.has(n)) continue;
      const t = publishedAt[n] ?? 0;
      if (killWindows.some(([a, z]) => t >= a && t <= z)) brokerLost++;
      else {
        lost++;
        if (lostSample.length < 20) lostSample.push(n);
      }
    }
    let q0 = 0;
    for (let n = 0; n < next0; n++) if (seen0.has(n)) q0++;
    const counters = JSON.parse(JSON.stringify(c.counters)) as Record<string, number>;
    return {
      faultsInjected: injected,
      faultsByKind,
      sent: next1,
      received: [...seen1.keys()].filter((n) => n < next1).length,
      lost,
      brokerLost,
      duplicates,
      qos0Sent: next0,
      qos0Received: q0,
      qos0Lost: next0 - q0,
      refusals,
      clientCounters: counters,
      errorsByName,
      lostSample,
      seconds: (performance.now() - start) / 1000,
      drained,
    };
  } finally {
    if (timer !== null) clearInterval(timer);
    client?.end();
    if (observer !== null) await observer.endAsync(true).catch(() => undefined);
    await proxy?.close();
    await broker?.dispose();
  }
}
