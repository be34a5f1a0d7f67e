// Per-message completion: each QoS 1/2 publish gets a token (client.lastToken); onComplete(token, status)
// says which readings the broker has. Broker: MQTT_URL (default mqtt://127.0.0.1:1883).
import { createNodeHost } from "../hosts/node/index.js";
import { COMPLETED, MqttClient, Qos2Engine, clientCodeName } from "../src/client/index.js";

const url = new URL(process.env.MQTT_URL ?? "mqtt://127.0.0.1:1883");
const pending = new Map<number, string>();   // token → what it was (an app's own bookkeeping)
const client = new MqttClient({
  host: createNodeHost(),
  hostname: url.hostname,
  port: Number(url.port || 1883),
  clientId: `completion-${process.pid}`,
  qos2: new Qos2Engine(),                    // QoS 2 support is opt-in (a separate module on the device)
  onComplete: (token, status) => {
    // COMPLETED (PUBACK / PUBCOMP), DROPPED_OLDEST (offline queue overflow) or POISON_MESSAGE (set aside)
    console.log(`${pending.get(token)}: ${clientCodeName(status)}`);
    pending.delete(token);
    if (status === COMPLETED && pending.size === 0) client.end();
  },
});

const handle = client.topic(`example/${process.pid}/energy`);
const reading = new TextEncoder().encode("42.0");
for (const qos of [1, 2]) {
  client.publish(handle, reading, 0, reading.length, qos, false); // QUEUED: not connected yet
  pending.set(client.lastToken, `reading at QoS ${qos}`);
}
const into = new Float64Array(4);
console.log(`waiting: ${client.messages(into)} (packet ids once sent: ${client.packetIdOf(into[0]!)})`);
client.connect();
