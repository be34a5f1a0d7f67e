// QoS 2 over MQTT over WebSockets (issue 11): the unchanged MqttClient with a Qos2Engine, over the ws transport
// (hosts/node/ws.ts), against aedes behind the `ws` server (test/helpers/ws-broker.ts). Streams of numbered
// messages are counted by number on the far side: an independent MQTT.js client on the broker's plain TCP
// listener, or our handler. Each way, once on a steady connection and once with the WebSocket killed
// server-side mid-stream (reconnect with cleanSession false and the same client id; aedes keeps the session,
// including its QoS 2 dedup store, in memory across client reconnects). Will and plain reconnect over ws are
// covered in test/hosts/ws-client.test.ts.
//
// Each way has a failure it catches (checked by breaking the client on purpose): outgoing, resending PUBLISH
// instead of PUBREL after a reconnect (the subscriber sees duplicates) or reporting a completion twice;
// incoming, an engine that does not recognise a redelivered packet id (the handler sees a duplicate).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createNodeHost } from "../../hosts/node/index.js";
import { webSocketClass } from "../../hosts/node/ws.js";
import { BUSY, COMPLETED, QUEUED, QUEUE_FULL, Qos2Engine, SENT, type MqttClient } from "../../src/client/index.js";
import type { Host } from "../../src/client/host.js";
import { connectObserver, type MqttClient as ObserverClient } from "../helpers/mqttjs.js";
import { uniqueTopic } from "../helpers/topics.js";
import { startWsBroker, type WsBroker } from "../helpers/ws-broker.js";
import { bytes, makeClient, sleep, until } from "./util.js";

const TOTAL = 300;
const DROP_AT = 150;
/** The incoming stream across a drop goes one exchange at a time (see that test): shorter. */
const PACED_TOTAL = 100;
const PACED_DROP_AT = 50;
/** Time for late duplicates to show up after the last expected message, before counting is final. */
const SETTLE_MS = 300;

let broker: WsBroker;
beforeAll(async () => {
  broker = await startWsBroker({ path: "/mqtt" });
});
afterAll(async () => {
  await broker?.stop();
});

/** Clients and observers of the running test, ended even when it fails (a reconnecting client would linger). */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function wsHost(): Host {
  return { ...createNodeHost(), tcp: webSocketClass({ path: broker.path }) };
}

/** Counts messages numbered 0…total-1 by number: each must arrive exactly once. */
class ExactlyOnceTally {
  readonly #seen: Uint8Array;
  unique = 0;
  duplicates = 0;
  /** Payloads that are not a number of this stream. */
  foreign = 0;

  constructor(readonly total: number) {
    this.#seen = new Uint8Array(total);
  }

  record(payload: string): void {
    const n = Number(payload);
    if (payload === "" || !Number.isInteger(n) || n < 0 || n >= this.total) {
      this.foreign++;
      return;
    }
    if (this.#seen[n] === 0) {
      this.#seen[n] = 1;
      this.unique++;
    } else this.duplicates++;
  }

  /** Numbers never seen (for a readable failure). */
  missing(): number[] {
    const out: number[] = [];
    for (let n = 0; n < this.total; n++) if (this.#seen[n] === 0) out.push(n);
    return out;
  }

  get summary(): { unique: number; duplicates: number; foreign: number } {
    return { unique: this.unique, duplicates: this.duplicates, foreign: this.foreign };
  }
}

/** Every completion the client reported, per token, to check "exactly one COMPLETED per token". */
class CompletionLedger {
  readonly #statuses = new Map<number, number[]>();

  readonly onComplete = (token: number, status: number): void => {
    const list = this.#statuses.get(token);
    if (list === undefined) this.#statuses.set(token, [status]);
    else list.push(status);
  };

  get reported(): number {
    let n = 0;
    for (const list of this.#statuses.values()) n += list.length;
    return n;
  }

  /** Tokens (of `issued`) not reported exactly once as COMPLETED, and reported tokens never issued. */
  problems(issued: readonly number[]): { token: number; statuses: number[] }[] {
    const out: { token: number; statuses: number[] }[] = [];
    const known = new Set(issued);
    for (const token of issued) {
      const statuses = this.#statuses.get(token) ?? [];
      if (statuses.length !== 1 || statuses[0] !== COMPLETED) out.push({ token, statuses });
    }
    for (const [token, statuses] of this.#statuses) if (!known.has(token)) out.push({ token, statuses });
    return out;
  }
}

/**
 * Publishes "0", "1", … "total-1" at QoS 2 as fast as the client takes them: on BUSY it waits for
 * `onWritable`, on QUEUE_FULL (offline queue full while reconnecting) it retries shortly. Re-entrant calls
 * (callbacks run at the end of `publish`) only ask the running loop to go on, so numbers stay in order.
 */
class NumberedQos2Stream {
  next = 0;
  /** Completion token of each accepted message, in number order. */
  readonly tokens: number[] = [];
  /** Statuses other than SENT, QUEUED, BUSY and QUEUE_FULL (none expected). */
  readonly refusals: number[] = [];
  #client: MqttClient | null = null;
  #handle = -1;
  #filling = false;
  #again = false;
  #retry: NodeJS.Timeout | null = null;

  constructor(readonly total: number) {}

  start(client: MqttClient, topic: string): void {
    this.#client = client;
    this.#handle = client.topic(topic);
    this.fill();
  }

  get done(): boolean {
    return this.next === this.total;
  }

  fill(): void {
    if (this.#client === null) return;
    if (this.#filling) {
      this.#again = true;
      return;
    }
    this.#filling = true;
    try {
      do {
        this.#again = false;
        this.#publishWhileAccepted(this.#client);
      } while (this.#again && !this.done);
    } finally {
      this.#filling = false;
    }
  }

  stop(): void {
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = null;
    this.#client = null;
  }

  #publishWhileAccepted(client: MqttClient): void {
    while (this.next < this.total) {
      const payload = bytes(String(this.next));
      const status = client.publish(this.#handle, payload, 0, payload.length, 2, false);
      if (status === SENT || status === QUEUED) {
        this.tokens.push(client.lastToken);
        this.next++;
        continue;
      }
      if (status === QUEUE_FULL) {
        this.#retry ??= setTimeout(() => {
          this.#retry = null;
          this.fill();
        }, 20);
      } else if (status !== BUSY) this.refusals.push(status); // BUSY: onWritable calls fill() again
      return;
    }
  }
}

/** An MQTT.js QoS 2 subscriber on aedes's plain TCP listener: independent of our client and transport. */
async function independentSubscriber(topic: string, tally: ExactlyOnceTally): Promise<ObserverClient> {
  const subscriber = await connectObserver(broker.url);
  cleanups.push(() => subscriber.endAsync(true));
  subscriber.on("message", (t, payload) => {
    if (t === topic) tally.record(payload.toString());
  });
  const [grant] = await subscriber.subscribeAsync(topic, { qos: 2 });
  expect(grant?.qos).toBe(2);
  return subscriber;
}

describe("QoS 2 over WebSockets against aedes", () => {
  it(`publishes ${TOTAL} numbered QoS 2 messages over ws: an independent MQTT.js subscriber sees each exactly once, onComplete once per token`, async () => {
    const topic = uniqueTopic("xsmqtt/q2ws-out");
    const tally = new ExactlyOnceTally(TOTAL);
    await independentSubscriber(topic, tally);
    const ledger = new CompletionLedger();
    const stream = new NumberedQos2Stream(TOTAL);
    const { client, events } = makeClient(broker.wsPort, {
      clientId: `q2ws-out-${process.pid}`, host: wsHost(), qos2: new Qos2Engine(),
      onComplete: ledger.onComplete, onWritable: () => stream.fill(),
    });
    cleanups.push(() => {
      stream.stop();
      client.end();
    });
    client.connect();
    await until(() => client.connected, 5000, "CONNACK over ws");
    stream.start(client, topic);

    await until(() => stream.done, 15_000, `all publishes accepted (${stream.next})`);
    await until(() => client.inflight === 0 && ledger.reported >= TOTAL, 15_000, `every PUBCOMP (${ledger.reported})`);
    await until(() => tally.unique === TOTAL, 15_000, `subscriber saw all (${tally.unique}, missing ${tally.missing().slice(0, 10).join(",")})`);
    await sleep(SETTLE_MS);
    expect(stream.refusals).toEqual([]);
    expect(tally.summary).toEqual({ unique: TOTAL, duplicates: 0, foreign: 0 }); // 0 lost, 0 duplicated
    expect(new Set(stream.tokens).size).toBe(TOTAL); // one distinct token per message
    expect(ledger.problems(stream.tokens)).toEqual([]); // each token: exactly one COMPLETED
    expect(client.counters.acked).toBe(TOTAL);
    expect(client.counters.reconnects).toBe(0);
    expect(events.errors).toEqual([]);
  }, 40_000);

  it(`receives ${TOTAL} numbered QoS 2 messages published by MQTT.js and delivers each to the handler exactly once`, async () => {
    const topic = uniqueTopic("xsmqtt/q2ws-in");
    const tally = new ExactlyOnceTally(TOTAL);
    // aedes does not limit QoS 2 deliveries in flight to a subscriber: the table must hold the whole stream.
    const engine = new Qos2Engine({ incoming: TOTAL });
    const { client, events } = makeClient(broker.wsPort, { clientId: `q2ws-in-${process.pid}`, host: wsHost(), qos2: engine });
    cleanups.push(() => client.end());
    client.subscribe(topic, 2, (m) => {
      expect(m.qos).toBe(2);
      tally.record(m.payloadString());
    });
    client.connect();
    await until(() => client.connected && client.granted(1) === 2, 5000, "CONNACK + SUBACK granting 2 over ws");

    const publisher = await connectObserver(broker.url);
    cleanups.push(() => publisher.endAsync(true));
    // All at once: many QoS 2 exchanges interleave on our connection.
    await Promise.all(Array.from({ length: TOTAL }, (_, n) => publisher.publishAsync(topic, String(n), { qos: 2 })));

    await until(() => tally.unique === TOTAL, 15_000, `handler saw all (${tally.unique}, missing ${tally.missing().slice(0, 10).join(",")})`);
    await until(() => engine.pending === 0, 10_000, `every PUBREL (${engine.pending} pending)`);
    await sleep(SETTLE_MS);
    expect(tally.summary).toEqual({ unique: TOTAL, duplicates: 0, foreign: 0 }); // 0 lost, 0 delivered twice
    expect(client.counters.reconnects).toBe(0);
    expect(events.errors).toEqual([]);
  }, 40_000);

  it(`publishes ${TOTAL} numbered QoS 2 messages with the WebSocket killed server-side as aedes sends a PUBCOMP past #${DROP_AT}: reconnect, resume, 0 lost, 0 duplicated`, async () => {
    const topic = uniqueTopic("xsmqtt/q2ws-drop-out");
    const tally = new ExactlyOnceTally(TOTAL);
    await independentSubscriber(topic, tally);
    const ledger = new CompletionLedger();
    let dropped = 0;
    const stream = new NumberedQos2Stream(TOTAL);
    const { client, events } = makeClient(broker.wsPort, {
      clientId: `q2ws-drop-out-${process.pid}`, host: wsHost(), qos2: new Qos2Engine(), cleanSession: false,
      offlineQueue: 64, onComplete: ledger.onComplete, onWritable: () => stream.fill(), onConnected: () => stream.fill(),
    });
    cleanups.push(() => {
      stream.stop();
      client.end();
    });
    // aedes reports a kept session (sessionPresent) only when it holds subscriptions for it.
    client.subscribe(uniqueTopic("xsmqtt/q2ws-drop-out-session"), 2, () => undefined);
    const earlier = new Set(broker.sockets);
    client.connect();
    await until(() => client.connected && client.granted(1) === 2, 5000, "CONNACK + SUBACK over ws");
    const ours = [...broker.sockets].filter((ws) => !earlier.has(ws));
    expect(ours).toHaveLength(1);
    // Killed as aedes sends its first PUBCOMP (0x70) past #DROP_AT: it has released that packet id already, and
    // the PUBCOMP is lost (sent into the closed socket). The window then holds messages in every phase,
    // including this one, where only a resent PUBREL (never the PUBLISH again) keeps it exactly once
    // [MQTT-4.3.3-1]. Messages published meanwhile go into the dead connection, then the offline queue.
    const serverSide = ours[0]!;
    const send = serverSide.send.bind(serverSide) as (data: unknown, cb?: (error?: Error) => void) => void;
    serverSide.send = ((data: unknown, cb?: (error?: Error) => void): void => {
      if (dropped === 0 && stream.next >= DROP_AT && Buffer.isBuffer(data) && data[0] === 0x70) dropped = broker.dropAll();
      send(data, cb);
    }) as typeof serverSide.send;
    stream.start(client, topic);

    await until(() => stream.done, 20_000, `all publishes accepted (${stream.next})`);
    await until(() => client.inflight === 0 && client.queued === 0 && ledger.reported >= TOTAL, 15_000,
      `every PUBCOMP (${ledger.reported})`);
    await until(() => tally.unique === TOTAL, 15_000, `subscriber saw all (${tally.unique}, missing ${tally.missing().slice(0, 10).join(",")})`);
    await sleep(SETTLE_MS);
    expect(dropped).toBe(1);
    expect(events.connected).toEqual([false, true]); // the same session resumed
    expect(client.counters.reconnects).toBe(1);
    expect(client.counters.resent).toBeGreaterThan(0); // the interrupted window went again (PUBLISH DUP / PUBREL)
    expect(stream.refusals).toEqual([]);
    expect(tally.summary).toEqual({ unique: TOTAL, duplicates: 0, foreign: 0 }); // 0 lost, 0 duplicated
    expect(ledger.problems(stream.tokens)).toEqual([]); // each token: exactly one COMPLETED, drop or not
    expect(events.errors.every((e) => e.name === "ConnectionLostError")).toBe(true);
  }, 40_000);

  it(`receives ${PACED_TOTAL} numbered QoS 2 messages, one exchange at a time, with the WebSocket killed server-side from the handler at #${PACED_DROP_AT}: the redelivery is recognised, each delivered once`, async () => {
    const topic = uniqueTopic("xsmqtt/q2ws-drop-in");
    const tally = new ExactlyOnceTally(PACED_TOTAL);
    const engine = new Qos2Engine();
    let dropped = 0;
    const { client, events } = makeClient(broker.wsPort, {
      clientId: `q2ws-drop-in-${process.pid}`, host: wsHost(), qos2: engine, cleanSession: false,
    });
    cleanups.push(() => client.end());
    client.subscribe(topic, 2, (m) => {
      tally.record(m.payloadString());
      // Killed while this message is being handled: our PUBREC for it (written after the handler returns) is
      // lost, so aedes redelivers it on the resumed session and the engine must recognise its packet id.
      if (tally.unique === PACED_DROP_AT + 1 && dropped === 0) dropped = broker.dropAll();
    });
    client.connect();
    await until(() => client.connected && client.granted(1) === 2, 5000, "CONNACK + SUBACK granting 2 over ws");

    const publisher = await connectObserver(broker.url);
    cleanups.push(() => publisher.endAsync(true));
    // Paced: the next message only once ours has been released (PUBREL in, PUBCOMP out). aedes's in-memory store
    // (aedes-persistence 11.0.0) holds one PUBREL per persistent session: on a second PUBREC its outgoingUpdate
    // overwrites the first stored PUBREL's packet id (PUBRELs carry no brokerId/brokerCounter, so `undefined ===
    // undefined` matches), and after a reconnect aedes resends PUBLISH for messages it had PUBREL'd and never
    // PUBRELs one of them. Concurrent exchanges would test that broker bug, not the client.
    for (let n = 0; n < PACED_TOTAL; n++) {
      await publisher.publishAsync(topic, String(n), { qos: 2 });
      await until(() => tally.unique > n && engine.pending === 0, 10_000, `message ${n} delivered and released`);
    }

    await sleep(SETTLE_MS);
    expect(dropped).toBe(1);
    expect(events.connected).toEqual([false, true]); // the same session resumed
    expect(tally.summary).toEqual({ unique: PACED_TOTAL, duplicates: 0, foreign: 0 }); // 0 lost, 0 delivered twice
    expect(client.counters.duplicates).toBe(1); // the redelivery of #PACED_DROP_AT arrived and was not delivered again
    expect(events.errors.every((e) => e.name === "ConnectionLostError")).toBe(true);
  }, 40_000);
});
