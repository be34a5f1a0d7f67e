// Long SIGKILL crash run: `npm run test:crash -- [--kills 100] [--count 5000] [--rounds 2] [--seed 1] [--fast]`.
// Per QoS (1 and 2) and round: a publisher with a persistent session and a file-backed session journal
// (fsync per commit unless --fast) streams --count numbered messages through mosquitto and is SIGKILLed --kills
// times at random points (5–150 ms after each boot), restarted each time with the same client id and files; an
// independent MQTT.js QoS 2 subscriber counts. Then a control round without the journal shows what the same
// kills lose. Prints one line per round and a summary; exits non-zero on any QoS 1 loss or QoS 2 loss/duplicate.
import { uniqueTopic } from "../test/helpers/topics.js";
import { runCrashStream, startCrashBroker, type CrashRunResult } from "../test/crash/crash-run.js";
import { mulberry32 } from "../sim/chips/environment.js";
import { numberOption } from "./options.js";

const kills = numberOption("--kills", 100);
const count = numberOption("--count", 5000);
const rounds = numberOption("--rounds", 2);
const random = mulberry32(numberOption("--seed", 1));
const durable = !process.argv.includes("--fast");

const broker = await startCrashBroker();
console.log(`crash-long: ${rounds} round(s) x QoS 1/2, ${count} messages, ${kills} SIGKILLs each, fsync ${durable ? "on" : "off"}, mosquitto ${broker.port}`);
const line = (label: string, r: CrashRunResult): string =>
  `${label}: messages=${r.count} kills=${r.kills} boots=${r.boots} lost=${r.lost} duplicates=${r.duplicates} ` +
  `restored=${r.restored} seconds=${(r.elapsedMs / 1000).toFixed(1)}`;
let failed = false;
const totals = { 1: { kills: 0, lost: 0, dup: 0, messages: 0 }, 2: { kills: 0, lost: 0, dup: 0, messages: 0 } };
try {
  for (let round = 1; round <= rounds; round++) {
    for (const qos of [1, 2] as const) {
      const r = await runCrashStream({
        brokerUrl: broker.url, brokerPort: broker.port, topic: uniqueTopic(`xsmqtt/crash-long/q${qos}`), qos, count,
        kills, killAfterMs: [5, 150], durable, random, timeoutMs: 30 * 60_000,
      });
      console.log(line(`round ${round} QoS ${qos} journal`, r));
      const t = totals[qos];
      t.kills += r.kills;
      t.lost += r.lost;
      t.dup += r.duplicates;
      t.messages += r.count;
      if (r.lost > 0 || (qos === 2 && r.duplicates > 0)) failed = true;
    }
  }
  for (const qos of [1, 2] as const) {
    const r = await runCrashStream({
      brokerUrl: broker.url, brokerPort: broker.port, topic: uniqueTopic(`xsmqtt/crash-long/control${qos}`), qos,
      count: Math.min(count, 2000), kills: 20, killAfterMs: [5, 150], durable, noJournal: true, random, timeoutMs: 10 * 60_000,
    });
    console.log(line(`control QoS ${qos} WITHOUT journal`, r));
  }
} finally {
  await broker.dispose();
}
console.log(`summary: QoS 1 ${totals[1].messages} messages, ${totals[1].kills} kills, lost ${totals[1].lost}, duplicates ${totals[1].dup} (allowed); ` +
  `QoS 2 ${totals[2].messages} messages, ${totals[2].kills} kills, lost ${totals[2].lost}, duplicates ${totals[2].dup}`);
process.exit(failed ? 1 : 0);
