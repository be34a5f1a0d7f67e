// MQTT over WebSockets on the Node host: the same client, with a socket class whose bytes travel in
// WebSocket binary frames (subprotocol "mqtt"). Broker: MQTT_WS_URL (default ws://127.0.0.1:8080/mqtt);
// wss:// uses TLS and verifies the server with Node's default roots.
import { createNodeHost, webSocketClass } from "../hosts/node/index.js";
import { MqttClient, type MqttMessage } from "../src/client/index.js";

const url = new URL(process.env.MQTT_WS_URL ?? "ws://127.0.0.1:8080/mqtt");
const secure = url.protocol === "wss:";
const transport = webSocketClass({ path: url.pathname, secure });   // the path comes from the factory
const client = new MqttClient({
  host: secure ? { ...createNodeHost(), tls: transport } : { ...createNodeHost(), tcp: transport },
  hostname: url.hostname,
  port: Number(url.port || (secure ? 443 : 80)),
  tls: secure ? {} : null,                                          // wss: host.tls, verification on
  clientId: `ws-example-${process.pid}`,
  onConnected: () => console.log("connected over WebSockets"),
});
const topic = `example/ws/${process.pid}`;
const hello = client.topic(topic);
const payload = new TextEncoder().encode("hello over ws");
client.subscribe(topic, 1, (m: MqttMessage) => {
  console.log(`${m.topicString()} = ${m.payloadString()} (qos ${m.qos})`);
  client.end();
}, () => client.publish(hello, payload, 0, payload.length, 1, false));
client.connect();
