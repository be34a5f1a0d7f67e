/**
 * MQTT.js as an independent observer: a second, unrelated implementation that checks what our client put
 * on the wire (and publishes to it) through the real broker.
 * @module
 */
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";

export type { MqttClient } from "mqtt";

/** One received message, as the observer saw it. */
export interface ObservedMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  dup: boolean;
}

/** What {@link collect} returns. */
export interface Collector {
  /** Messages in arrival order (live array). */
  readonly messages: ObservedMessage[];
  /** Resolves with `messages` once at least `count` arrived; rejects after `timeoutMs` (default 5000). */
  waitFor(count: number, timeoutMs?: number): Promise<ObservedMessage[]>;
  /** Stops recording (and unsubscribes when still connected). */
  stop(): Promise<void>;
}

/**
 * Connects MQTT.js to `url` and resolves once CONNACK arrives. No automatic reconnect (tests reason about
 * connections explicitly). Rejects on error or after `timeoutMs` (default 5000), closing the client.
 * @param options MQTT.js options (username, password, clientId, clean, ca, ...), merged over the defaults.
 */
export function connectObserver(url: string, options: IClientOptions = {}, timeoutMs = 5000): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
      clientId: `observer-${process.pid}-${Math.random().toString(16).slice(2, 10)}`,
      ...options,
    });
    const fail = (error: unknown): void => {
      clearTimeout(timer);
      client.removeListener("connect", ok);
      client.end(true);
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const ok = (): void => {
      clearTimeout(timer);
      client.removeListener("error", fail);
      client.removeListener("close", onClose);
      // Later errors must not crash the test process; tests look at state instead.
      client.on("error", () => undefined);
      resolve(client);
    };
    const onClose = (): void => fail(new Error(`observer connection to ${url} closed before CONNACK`));
    const timer = setTimeout(() => fail(new Error(`observer could not connect to ${url} within ${timeoutMs} ms`)), timeoutMs);
    client.once("connect", ok);
    client.once("error", fail);
    client.once("close", onClose);
  });
}

/**
 * Subscribes `client` to `filter` at `qos` (resolves after SUBACK) and records matching messages.
 * @throws (rejects) when the broker refuses the subscription.
 */
export async function collect(client: MqttClient, filter: string, qos: 0 | 1 | 2 = 1): Promise<Collector> {
  const messages: ObservedMessage[] = [];
  const waiters = new Set<() => void>();
  const matches = (topic: string): boolean => topicMatches(filter, topic);
  const onMessage = (topic: string, payload: Buffer, packet: { qos: 0 | 1 | 2; retain: boolean; dup: boolean }): void => {
    if (!matches(topic)) return;
    messages.push({ topic, payload: Buffer.from(payload), qos: packet.qos, retain: packet.retain, dup: packet.dup });
    for (const wake of waiters) wake();
  };
  client.on("message", onMessage);
  const granted = await client.subscribeAsync(filter, { qos });
  if (granted.some((grant) => grant.qos === 128)) {
    client.removeListener("message", onMessage);
    throw new Error(`subscription to ${filter} refused`);
  }
  return {
    messages,
    waitFor(count, timeoutMs = 5000) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const wake = (): void => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(messages);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`collect(${filter}): ${messages.length} of ${count} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    async stop() {
      client.removeListener("message", onMessage);
      if (client.connected) await client.unsubscribeAsync(filter).catch(() => undefined);
    },
  };
}

/** MQTT 3.1.1 filter matching for the observer's own bookkeeping (with the `$` rule). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  if (topic.startsWith("$") && (f[0] === "#" || f[0] === "+")) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === "#") return true;
    if (i >= t.length) return false;
    if (level !== "+" && level !== t[i]) return false;
  }
  return f.length === t.length;
}
