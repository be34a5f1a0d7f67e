/**
 * SIGKILL crash runs: a publisher process (publisher.ts) streams numbered QoS 1 or QoS 2 messages through
 * mosquitto with a persistent session and a session journal; it is killed with SIGKILL at random points and
 * started again with the same client id and files, until it has published every number; an independent MQTT.js
 * QoS 2 subscriber, connected throughout, counts what arrived. Used by the short test in `npm test` and by
 * `npm run test:crash` (long, figures for docs/reliability.md).
 * @module
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { collect, connectObserver } from "../helpers/mqttjs.js";
import { makeTempDir } from "../helpers/tempdir.js";
import type { PublisherConfig } from "./publisher.js";

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The broker every crash run uses: a private mosquitto with an unlimited queue and a wide in-flight window, so
 * the broker is never the one dropping QoS 1/2 (its defaults, 1000 and 20, would under this load).
 */
export function startCrashBroker(): Promise<MosquittoBroker> {
  return startMosquitto({ maxQueuedMessages: 0, maxInflightMessages: 100 });
}

/** A started publisher: its boot and done lines, and SIGKILL. */
export interface CrashProcess {
  /** Resolves with the first line (past or future) matching `re`, or null after `timeoutMs` or on exit. */
  line(re: RegExp, timeoutMs: number): Promise<string | null>;
  /** SIGKILL; resolves once it is gone. */
  kill(): Promise<void>;
  /** Resolves once it has exited (by itself or killed). */
  exited(): Promise<void>;
}

/** Starts a publisher for `cfg` (a Node process by default; the device lane starts mcsim). */
export type CrashLauncher = (cfg: PublisherConfig) => CrashProcess;

/** One stream's settings. */
export interface CrashRunOptions {
  /** How to start the publisher [a Node process running publisher.ts]. */
  launch?: CrashLauncher;
  /** Lines that mark a boot (with `restored=<n>`) and the end of the stream. */
  bootLine?: RegExp;
  doneLine?: RegExp;
  brokerUrl: string;
  brokerPort: number;
  topic: string;
  qos: 1 | 2;
  /** Messages in the stream. */
  count: number;
  /** SIGKILLs before the publisher is left to finish. */
  kills: number;
  /** Each kill lands this many ms after the process said BOOT: uniform in [min, max]. */
  killAfterMs: [number, number];
  /** fsync per journal commit. */
  durable: boolean;
  /** Control: no journal. */
  noJournal?: boolean;
  /** Folder for the publisher's files [a new temp folder, removed afterwards]. */
  dir?: string;
  /** Random source (seeded by the caller for reproducible kill points). */
  random: () => number;
  /** Gives up after this long. */
  timeoutMs: number;
}

/** What a run measured. */
export interface CrashRunResult {
  count: number;
  kills: number;
  /** Numbers never received. */
  lost: number;
  /** Receipts beyond the first, over all numbers. */
  duplicates: number;
  /** Messages the boots read back from the journal, summed. */
  restored: number;
  /** Publisher processes started. */
  boots: number;
  elapsedMs: number;
  /** Lines the publishers printed, for diagnosis. */
  log: string[];
}

/** The Node publisher (publisher.ts) as a child process; its stdout lines go to `log`. */
export function nodeLauncher(log: string[]): CrashLauncher {
  return (cfg) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "publisher.ts"), JSON.stringify(cfg)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines: string[] = [];
    let waiters: { re: RegExp; done: (l: string | null) => void }[] = [];
    let buffer = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const l = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        lines.push(l);
        log.push(l);
        waiters = waiters.filter((w) => (w.re.test(l) ? (w.done(l), false) : true));
      }
    });
    const gone = new Promise<void>((r) => child.once("exit", () => {
      for (const w of waiters) w.done(null);
      waiters = [];
      r();
    }));
    return {
      line(re, timeoutMs) {
        const seen = lines.find((l) => re.test(l));
        if (seen !== undefined) return Promise.resolve(seen);
        if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(null);
        return new Promise((resolve) => {
          const timer = setTimeout(() => {
            waiters = waiters.filter((w) => w.done !== done);
            resolve(null);
          }, timeoutMs);
          const done = (l: string | null): void => { clearTimeout(timer); resolve(l); };
          waiters.push({ re, done });
        });
      },
      async kill() {
        child.kill("SIGKILL");
        await gone;
      },
      exited: () => gone,
    };
  };
}

/** Runs one stream with kills; resolves with the counts. */
export async function runCrashStream(o: CrashRunOptions): Promise<CrashRunResult> {
  const started = Date.now();
  const dir = o.dir ?? makeTempDir("crash");
  const observer = await connectObserver(o.brokerUrl);
  const seen = await collect(observer, o.topic, 2);
  const cfg: PublisherConfig = {
    port: o.brokerPort, topic: o.topic, qos: o.qos, count: o.count, dir, clientId: `crash-${path.basename(dir)}`,
    durable: o.durable, noJournal: o.noJournal,
  };
  const log: string[] = [];
  let boots = 0;
  let restored = 0;
  let kills = 0;
  let finished = false;
  try {
    const launch = o.launch ?? nodeLauncher(log);
    const bootLine = o.bootLine ?? /^BOOT /;
    const doneLine = o.doneLine ?? /^DONE /;
    while (!finished && Date.now() - started < o.timeoutMs) {
      const proc = launch(cfg);
      boots++;
      const boot = await proc.line(bootLine, 60_000);
      if (boot === null) {
        await proc.kill();
        throw new Error(`publisher did not boot: ${log.slice(-5).join(" | ")}`);
      }
      restored += Number(/restored=(\d+)/.exec(boot)?.[1] ?? 0);
      if (kills < o.kills) {
        const [min, max] = o.killAfterMs;
        if ((await proc.line(doneLine, min + o.random() * (max - min))) === null) {
          await proc.kill();
          kills++;
          log.push(`KILL ${kills}`);
        } else finished = true;
      } else {
        finished = (await proc.line(doneLine, Math.max(1000, o.timeoutMs - (Date.now() - started)))) !== null;
      }
      if (finished && o.launch !== undefined) await proc.kill(); // a simulator does not exit by itself
      await proc.exited();
    }
    if (!finished) throw new Error(`publisher did not finish within ${o.timeoutMs} ms: ${log.slice(-5).join(" | ")}`);
    // Everything the publisher completed has been acknowledged by the broker; give delivery a moment.
    const counts = new Map<number, number>();
    const count = (): void => {
      counts.clear();
      for (const m of seen.messages) {
        const n = Number(m.payload.toString());
        counts.set(n, (counts.get(n) ?? 0) + 1);
      }
    };
    const deadline = Date.now() + 5000;
    for (count(); counts.size < o.count && Date.now() < deadline; count()) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200)); // late duplicates, if any, arrive too
    count();
    let lost = 0;
    let duplicates = 0;
    for (let n = 0; n < o.count; n++) {
      const c = counts.get(n) ?? 0;
      if (c === 0) lost++;
      else duplicates += c - 1;
    }
    return { count: o.count, kills, lost, duplicates, restored, boots, elapsedMs: Date.now() - started, log };
  } finally {
    await observer.endAsync(true);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
