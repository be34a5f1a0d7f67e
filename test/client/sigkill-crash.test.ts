// [MQTT-4.1.0-1] The SIGKILL crash test (short): a publisher process with a persistent session and a file-backed session
// journal is killed at random points during a QoS 1 and a QoS 2 stream and started again with the same client
// id; an independent QoS 2 subscriber counts. 0 QoS 1 lost; 0 QoS 2 lost or duplicated. The long run with
// figures is `npm run test:crash` (docs/reliability.md).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MosquittoBroker } from "../helpers/mosquitto.js";
import { uniqueTopic } from "../helpers/topics.js";
import { mulberry32 } from "../../sim/chips/environment.js";
import { runCrashStream, startCrashBroker } from "../crash/crash-run.js";

let broker: MosquittoBroker;
beforeAll(async () => {
  broker = await startCrashBroker();
});
afterAll(async () => {
  await broker?.dispose();
});

describe("SIGKILL during a stream, restart with the same session (short)", () => {
  for (const qos of [1, 2] as const) {
    it(`QoS ${qos}: 4 kills at random points in a 2,000-message stream, ${qos === 1 ? "0 lost" : "0 lost, 0 duplicated"}`, async () => {
      const seed = Date.now() % 100000;
      const r = await runCrashStream({
        brokerUrl: broker.url, brokerPort: broker.port, topic: uniqueTopic(`xsmqtt/crash/q${qos}`), qos,
        count: 2000, kills: 4, killAfterMs: [5, 80], durable: false, random: mulberry32(seed) /* seeded: a failing run's kill points can be replayed */, timeoutMs: 45_000,
      });
      const summary = `seed ${seed}: ${JSON.stringify({ ...r, log: r.log.filter((l) => !l.startsWith("BOOT")).slice(-12) })}`;
      expect(r.kills, summary).toBe(4);
      expect(r.lost, summary).toBe(0);
      if (qos === 2) expect(r.duplicates, summary).toBe(0);
    }, 60_000);
  }
});
