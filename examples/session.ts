// Sessions that survive a reboot: the session journal saves accepted QoS 1/2 messages in a file as they enter and
// leave. Run 1 has no network yet: it queues two readings and "loses power" (exits). Run 2 reads them back and
// delivers them. Broker: MQTT_URL (default mqtt://127.0.0.1:1883); file: SESSION_FILE (default ./sensor.session).
import { createNodeHost, FileSessionStore } from "../hosts/node/index.js";
import { MqttClient, SessionJournal } from "../src/client/index.js";

const url = new URL(process.env.MQTT_URL ?? "mqtt://127.0.0.1:1883");
const client = new MqttClient({
  host: createNodeHost(),
  hostname: url.hostname,
  port: Number(url.port || 1883),
  clientId: `sensor-${url.port || 1883}`,
  cleanSession: false,                       // the broker keeps its side of the session too
  journal: new SessionJournal(new FileSessionStore({ path: process.env.SESSION_FILE ?? "sensor.session" })),
  onComplete: () => {
    if (client.inflight + client.queued === 0) {
      console.log("delivered");
      client.close();                        // also closes the store
    }
  },
});

if (client.counters.restored === 0) {
  const handle = client.topic("example/sensor-7/energy");
  for (const reading of ["41.5", "42.0"]) {
    const bytes = new TextEncoder().encode(reading);
    client.publish(handle, bytes, 0, bytes.length, 1, false); // QUEUED (not connected) and saved
  }
  console.log(`saved ${client.queued} readings; power lost`);
  process.exit(0);                           // no close(), no flush: like a reset
}
console.log(`back after the reboot: ${client.counters.restored} readings`);
client.connect();
