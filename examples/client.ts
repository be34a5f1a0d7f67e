// The client on the Node host: connect, subscribe with a wildcard handler, publish QoS 1 readings without
// allocating, end cleanly. Broker: MQTT_URL (default mqtt://127.0.0.1:1883), e.g. `npm start` prints its URL.
import { createNodeHost } from "../hosts/node/index.js";
import { MqttClient, SENT, type MqttMessage } from "../src/client/index.js";
import { writeDecimal } from "../src/codec/index.js";

const url = new URL(process.env.MQTT_URL ?? "mqtt://127.0.0.1:1883");
const client = new MqttClient({
  host: createNodeHost(),                    // TCP/TLS socket classes, clock, random: the host seam
  hostname: url.hostname,
  port: Number(url.port || 1883),
  clientId: `example-${process.pid}`,
  keepAlive: 30,
  will: { topic: "example/status", payload: "offline", qos: 1, retain: true },
  txSlots: 8, txSlotSize: 128, rxBufferSize: 512, inflightWindow: 4, offlineQueue: 4,
  onConnected: (sessionPresent) => console.log(`connected (session present: ${sessionPresent})`),
  onError: (error) => console.log(`error ${error.name}: ${error.message}`),
});

let received = 0;
client.subscribe("example/+/temperature", 1, (m: MqttMessage) => {
  // `m` is one reused view: topic and payload are offsets into the receive buffer. The *String() helpers
  // allocate and are for convenience, not for the steady state.
  console.log(`${m.topicString()} = ${m.payloadString()} (qos ${m.qos})`);
  if (++received === 3) client.end();        // DISCONNECT: the broker discards the will
});

const handle = client.topic(`example/${process.pid}/temperature`); // encoded once, a number from now on
const text = new Uint8Array(16);
let reading = 0;
client.connect();
const timer = setInterval(() => {
  if (!client.connected) return;
  const length = writeDecimal(text, 0, 20 + Math.sin(reading++) * 2, 2); // text into a reused buffer
  const status = client.publish(handle, text, 0, length, 1, false);      // SENT, QUEUED, or a negative code
  if (status !== SENT) console.log(`publish status ${status}`);
  if (reading === 3) clearInterval(timer);
}, 100);
