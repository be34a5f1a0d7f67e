// The "firmware" of the SIGKILL crash test: a Node process publishing a numbered QoS 1 or QoS 2 stream through
// the client with a persistent session and a file-backed session journal. It is killed at random points and
// started again with the same client id and files; see crash-run.ts.
//
// Numbering survives the kills without being the client's job: `next` (the first number not yet handed to
// `publish`) is written atomically right after each accepted publish, in the same turn, so no acknowledgement
// can come in between. After a kill the message numbered `next` may have been accepted and saved, but only then
// is it still in the journal: the boot reads the restored messages back (`messages` + `readMessage`) and
// continues after the highest number it finds.
import fs from "node:fs";
import path from "node:path";
import { MqttClient, QUEUED, Qos2Engine, SENT, SessionJournal } from "../../src/client/index.js";
import { FileSessionStore, createNodeHost } from "../../hosts/node/index.js";

/** What crash-run.ts passes as argv[2] (JSON). */
export interface PublisherConfig {
  port: number;
  topic: string;
  qos: 1 | 2;
  count: number;
  dir: string;
  clientId: string;
  /** fsync every journal commit (survives power loss) or not (survives a process kill). */
  durable: boolean;
  /** Without the journal (the control run: shows what a kill loses). */
  noJournal?: boolean;
}

const cfg = JSON.parse(process.argv[2] ?? "{}") as PublisherConfig;
const counterPath = path.join(cfg.dir, "next");
const text = new TextEncoder();

const client = new MqttClient({
  hostname: "127.0.0.1",
  port: cfg.port,
  clientId: cfg.clientId,
  cleanSession: false,
  keepAlive: 30,
  host: createNodeHost(),
  inflightWindow: 16,
  offlineQueue: 64,
  poisonAfter: 0,
  reconnect: { initialDelay: 20, maxDelay: 200, multiplier: 2, stableAfter: 1000 },
  qos2: cfg.qos === 2 ? new Qos2Engine() : null,
  journal: cfg.noJournal === true ? null : new SessionJournal(new FileSessionStore({ path: path.join(cfg.dir, "session.bin"), durable: cfg.durable })),
  onConnected: () => pump(),
  onWritable: () => pump(),
  onComplete: () => pump(),
  onError: (e) => process.stdout.write(`ERROR ${e.name} ${e.message}\n`),
});

let next = fs.existsSync(counterPath) ? Number(fs.readFileSync(counterPath, "utf8")) : 0;
const tokens = new Float64Array(256);
const payload = new Uint8Array(16);
const restored = client.messages(tokens);
for (let k = 0; k < restored; k++) {
  const n = client.readMessage(tokens[k]!, payload);
  const value = Number(new TextDecoder().decode(payload.subarray(0, n)));
  if (value + 1 > next) next = value + 1;
}
process.stdout.write(`BOOT next=${next} restored=${client.counters.restored}\n`);

const topic = client.topic(cfg.topic);
let done = false;

function saveNext(): void {
  const tmp = `${counterPath}.tmp`;
  fs.writeFileSync(tmp, String(next));
  fs.renameSync(tmp, counterPath); // atomic: a kill leaves the old or the new number, never an empty file
}

function pump(): void {
  // Two per turn (at most ~1,000 messages/s with the 2 ms interval): a sensor stream, not a firehose, so the
  // kills land mid-stream rather than after one big burst.
  for (let k = 0; k < 2 && next < cfg.count; k++) {
    const p = text.encode(String(next));
    const rc = client.publish(topic, p, 0, p.length, cfg.qos, false);
    if (rc !== SENT && rc !== QUEUED) break;
    next++;
    saveNext();
  }
  if (!done && next >= cfg.count && client.inflight === 0 && client.queued === 0) {
    done = true;
    process.stdout.write(`DONE sent=${client.counters.sent} resent=${client.counters.resent}\n`);
    client.end();
    setTimeout(() => process.exit(0), 50);
  }
}

setInterval(pump, 2);
client.connect();
