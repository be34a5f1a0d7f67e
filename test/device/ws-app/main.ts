/**
 * The MQTT client on Moddable's runtime over MQTT-over-WebSockets: `webSocketClass` (hosts/moddable/ws.ts, the
 * shared framing over ModdableTCP) as `host.tcp`. Built and run in mcsim by test/device/ws-client.device.ts
 * against aedes behind the `ws` server. Config: `wsPort`, `topic`, `clientId`; `wss=1` with `caPem` (PEM, lines
 * joined by a literal `\n`) and `wsHost` connects over `wss://` through `secureWebSocketClass` (ModdableTLS).
 *
 * It subscribes to `<topic>/in` (QoS 2, with the opt-in QoS 2 engine; resent after each CONNACK) and, on each
 * SUBACK, publishes `ws-q0` (QoS 0), `ws-q1` (QoS 1) and `ws-q2` (QoS 2) to `<topic>/out`. Traces: `ws: connected`,
 * `ws: suback <qos>`, `ws: received <payload> qos <n>`, `ws: acked <n>` (PUBACKs and PUBCOMPs),
 * `ws: disconnected <code>`. The will is `<topic>/will` = `ws-gone` (QoS 1).
 * @module
 */
import config from "mc/config";
import Time from "time";
import Timer from "timer";
import type { Host } from "xsmqtt/client/host";
import { MqttClient } from "xsmqtt/client/client";
import { Qos2Engine } from "xsmqtt/client/qos2";
import { ModdableClock } from "xsmqtt/moddable/clock";
import { webSocketClass } from "xsmqtt/moddable/ws";
import { secureWebSocketClass } from "xsmqtt/moddable/wss";

function setting(key: string, fallback: string): string {
  const value: unknown = Reflect.get(config, key);
  return value === undefined || value === "" ? fallback : String(value);
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

const base = setting("topic", "xsmqtt/ws-device");
trace(`ws: topic ${base}\n`);
const secure = setting("wss", "0") === "1";
const host: Host = {
  tcp: webSocketClass({ path: "/mqtt" }),
  tls: secureWebSocketClass({ path: "/mqtt" }),
  clock: new ModdableClock(() => Time.ticks),
  random: Math.random,
};
const client = new MqttClient({
  host,
  hostname: setting("wsHost", "127.0.0.1"),
  tls: secure ? { ca: setting("caPem", "").split("\\n").join("\n") } : null,
  port: Number(setting("wsPort", "8080")),
  clientId: setting("clientId", "ws-device"),
  keepAlive: 30,
  will: { topic: `${base}/will`, payload: "ws-gone", qos: 1, retain: false },
  qos2: new Qos2Engine(),
  reconnect: { initialDelay: 100, maxDelay: 400, multiplier: 2, stableAfter: 1000 },
  onConnected() { trace("ws: connected\n"); },
  onDisconnected(code) { trace(`ws: disconnected ${code}\n`); },
  onError(error) { trace(`ws: ${error.name}: ${error.message}\n`); },
});
const out = client.topic(`${base}/out`);
const q0 = ascii("ws-q0");
const q1 = ascii("ws-q1");
const q2 = ascii("ws-q2");
client.subscribe(`${base}/in`, 2, (m) => trace(`ws: received ${m.payloadString()} qos ${m.qos}\n`), (granted) => {
  trace(`ws: suback ${granted}\n`); // after every CONNACK: the subscription is resent (clean session)
  client.publish(out, q0, 0, q0.length, 0, false);
  client.publish(out, q1, 0, q1.length, 1, false);
  client.publish(out, q2, 0, q2.length, 2, false);
});
let acked = 0;
Timer.repeat(() => {
  if (client.counters.acked !== acked) {
    acked = client.counters.acked;
    trace(`ws: acked ${acked}\n`);
  }
}, 50);
client.connect();
