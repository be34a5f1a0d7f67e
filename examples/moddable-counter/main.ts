/**
 * The smallest Moddable app on xsmqtt: the MQTT client (manifests/client.json) over the SDK's TCP socket and
 * timers (manifests/moddable-tcp.json), publishing a counter every second at QoS 0.
 *
 * Config (manifest `config`, or `mcconfig ... key=value`): `mqttHost` (IPv4 address or host name), `mqttPort`,
 * `topic`, `clientId`. Each publish is traced as `counter: published <n>`; until the first CONNACK the client
 * holds publishes in its offline queue, so the broker sees 0, 1, 2, ... in order.
 *
 * Steady state allocates nothing in the client: the payload buffer and topic handle are made once here. (The
 * trace line itself builds a string; drop it and the publish path allocates nothing.)
 * @module
 */
import config from "mc/config";
import Time from "time";
import Timer from "timer";
import type { Host } from "xsmqtt/client/host";
import { MqttClient } from "xsmqtt/client/client";
import { clientCodeMessage, QUEUED } from "xsmqtt/client/codes";
import { writeInteger } from "xsmqtt/codec/text";
import { ModdableClock } from "xsmqtt/moddable/clock";
import { ModdableTCP } from "xsmqtt/moddable/tcp";

/** A config value as text (`key=value` on the mcconfig command line always arrives as a string). */
function setting(key: string, fallback: string): string {
  const value: unknown = Reflect.get(config, key);
  return value === undefined || value === "" ? fallback : String(value);
}

const host: Host = { tcp: ModdableTCP, clock: new ModdableClock(() => Time.ticks), random: Math.random };

const client = new MqttClient({
  host,
  hostname: setting("mqttHost", "127.0.0.1"),
  port: Number(setting("mqttPort", "1883")),
  clientId: setting("clientId", "moddable-counter"),
  keepAlive: 30,
  offlineQueue: 8,
  onConnected() { trace("counter: connected\n"); },
  onDisconnected(code) { trace(`counter: disconnected: ${clientCodeMessage(code)}\n`); },
  onError(error) { trace(`counter: ${error.name}: ${error.message}\n`); },
});

const topic = client.topic(setting("topic", "xsmqtt/example/counter"));
const payload = new Uint8Array(16);
let count = 0;

client.connect();
Timer.repeat(() => {
  const length = writeInteger(payload, 0, count);
  const status = client.publish(topic, payload, 0, length, 0, false);
  if (status >= 0) {
    trace(`counter: published ${count}${status === QUEUED ? " (queued)" : ""}\n`);
    count++;
  } else trace(`counter: ${count} not published: ${clientCodeMessage(status)}\n`);
}, 1000);
