/**
 * The SIGKILL crash test's firmware on Moddable's runtime (the Node twin is test/crash/publisher.ts): a numbered
 * QoS 1 or QoS 2 stream through the client with a persistent session and a `SessionJournal` over
 * `FilesSessionStore` (embedded:storage/files; POSIX under mcsim, rooted at the manifest's `files` config).
 * test/device/crash.device.ts kills mcsim with SIGKILL at random points and starts it again; an MQTT.js
 * subscriber counts.
 *
 * Numbering: `next` (the first number not yet accepted by `publish`) is written to its own small file right after
 * each accepted publish, in the same turn, so no acknowledgement comes in between; after a kill, the message
 * numbered `next` may have been accepted and saved, and then it is among the restored messages: the boot
 * continues after the highest number it reads back. Config: `mqttPort`, `topic`, `clientId`, `qos`, `count`.
 * Traces: `crash: boot next=<n> restored=<n>`, `crash: done sent=<n> resent=<n>`.
 * @module
 */
import config from "mc/config";
import Time from "time";
import Timer from "timer";
import type { Host } from "xsmqtt/client/host";
import { MqttClient } from "xsmqtt/client/client";
import { QUEUED, SENT } from "xsmqtt/client/codes";
import { SessionJournal } from "xsmqtt/client/journal";
import { Qos2Engine } from "xsmqtt/client/qos2";
import { ModdableClock } from "xsmqtt/moddable/clock";
import { FilesSessionStore } from "xsmqtt/moddable/file-store";
import { ModdableTCP } from "xsmqtt/moddable/tcp";

function setting(key: string, fallback: string): string {
  const value: unknown = Reflect.get(config, key);
  return value === undefined || value === "" ? fallback : String(value);
}

const qos = setting("qos", "1") === "2" ? 2 : 1;
const count = Number(setting("count", "300"));
const host: Host = { tcp: ModdableTCP, clock: new ModdableClock(() => Time.ticks), random: Math.random };
const client = new MqttClient({
  host,
  hostname: "127.0.0.1",
  port: Number(setting("mqttPort", "1883")),
  clientId: setting("clientId", "crash-device"),
  cleanSession: false,
  keepAlive: 30,
  inflightWindow: 16,
  offlineQueue: 32,
  txSlotSize: 64,
  poisonAfter: 0,
  reconnect: { initialDelay: 20, maxDelay: 200, multiplier: 2, stableAfter: 1000 },
  qos2: qos === 2 ? new Qos2Engine() : null,
  journal: new SessionJournal(new FilesSessionStore({ path: "xsmqtt-crash.session" })),
  onConnected() { pump(); },
  onWritable() { pump(); },
  onComplete() { pump(); },
  onError(error) { trace(`crash: ${error.name}: ${error.message}\n`); },
});

// The app's own counter: 4 bytes in a file of its own (a 4-byte write is whole after a process kill).
const counter = new FilesSessionStore({ path: "xsmqtt-crash.next" });
const counterBytes = new Uint8Array(4);
if (counter.open(4) < 0) trace("crash: counter file failed\n");
counter.read(0, counterBytes);
let next = counterBytes[0]! | counterBytes[1]! << 8 | counterBytes[2]! << 16;
const tokens = new Float64Array(64);
const payload = new Uint8Array(12);
const restored = client.messages(tokens);
for (let k = 0; k < restored; k++) {
  const n = client.readMessage(tokens[k]!, payload);
  let value = 0;
  for (let i = 0; i < n; i++) value = value * 10 + payload[i]! - 48;
  if (value + 1 > next) next = value + 1;
}
trace(`crash: boot next=${next} restored=${client.counters.restored}\n`);

const topic = client.topic(setting("topic", "xsmqtt/crash-device"));
const digits = new Uint8Array(12);
let done = false;

function pump(): void {
  for (let k = 0; k < 2 && next < count; k++) { // 400 messages/s at most: kills land mid-stream
    let n = next;
    let len = 0;
    do {
      digits[11 - len++] = 48 + n % 10;
      n = Math.floor(n / 10);
    } while (n > 0);
    const rc = client.publish(topic, digits, 12 - len, len, qos, false);
    if (rc !== SENT && rc !== QUEUED) break;
    next++;
    counterBytes[0] = next & 0xff;
    counterBytes[1] = (next >> 8) & 0xff;
    counterBytes[2] = (next >> 16) & 0xff;
    counter.write(0, counterBytes);
  }
  if (!done && next >= count && client.inflight === 0 && client.queued === 0) {
    done = true;
    trace(`crash: done sent=${client.counters.sent} resent=${client.counters.resent}\n`);
  }
}

Timer.repeat(pump, 5);
client.connect();
