// [MQTT-4.1.0-1] The SIGKILL crash test on Moddable's runtime: test/device/crash-app (the client with a persistent session and
// a SessionJournal over FilesSessionStore, POSIX files under mcsim) streams numbered QoS 1 and QoS 2 messages
// through mosquitto; mcsim is killed with SIGKILL (the whole process group: a power cut, no DISCONNECT) at
// random points and started again with the same client id and files. An MQTT.js QoS 2 subscriber counts:
// 0 QoS 1 lost; 0 QoS 2 lost or duplicated.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCrashStream, startCrashBroker, type CrashLauncher } from "../crash/crash-run.js";
import type { MosquittoBroker } from "../helpers/mosquitto.js";
import { uniqueTopic } from "../helpers/topics.js";
import { buildDir, mcconfig, ROOT, Simulator } from "./moddable.js";

let broker: MosquittoBroker;
beforeAll(async () => {
  broker = await startCrashBroker();
});
afterAll(async () => {
  await broker?.dispose();
});

describe("SIGKILL during a stream on Moddable (mcsim), restart with the same session", () => {
  for (const qos of [1, 2] as const) {
    it(`QoS ${qos}: 3 kills at random points, ${qos === 1 ? "0 lost" : "0 lost, 0 duplicated"}`, async () => {
      const topic = uniqueTopic(`xsmqtt/crash-device/q${qos}`);
      const files = buildDir(`crash-files-q${qos}`);
      mkdirSync(files, { recursive: true });
      const count = 2000; // at most 400 messages/s: 5 s of stream, longer than three kills at 900 ms
      const clientId = `crash-device-${qos}-${process.pid}`;
      const build = mcconfig(path.join(ROOT, "test/device/crash-app/manifest.json"), buildDir("crash-app"), {
        mqttPort: broker.port, topic, clientId, qos, count, files: `${files}/`,
      });
      const log: string[] = [];
      const launch: CrashLauncher = () => {
        const sim = new Simulator(build.app);
        let gone: Promise<void> | null = null;
        return {
          line: (re, ms) => sim.waitFor(re, ms).then((l) => l, () => null),
          kill: () => (gone ??= sim.kill().then(() => { log.push(...sim.lines.filter((l) => /^crash: /.test(l))); })),
          exited: () => gone ?? Promise.resolve(),
        };
      };
      const r = await runCrashStream({
        brokerUrl: broker.url, brokerPort: broker.port, topic, qos, count, kills: 3, killAfterMs: [200, 900],
        durable: true, random: Math.random, timeoutMs: 180_000, dir: files, launch,
        bootLine: /^crash: boot /, doneLine: /^crash: done /,
      });
      const summary = JSON.stringify({ ...r, log: log.slice(-20) });
      expect(r.kills, summary).toBe(3);
      expect(r.lost, summary).toBe(0);
      if (qos === 2) expect(r.duplicates, summary).toBe(0);
    }, 300_000);
  }
});
