// QoS 2 against mosquitto: the four-packet flow in both directions (seen in the broker's log and by an MQTT.js
// QoS 2 observer), PUBREL (not PUBLISH) resent after a reconnect for a message the broker had PUBREC'd, and
// exactly-once across a broker restart with persistence on, outgoing and incoming, counted by an independent
// QoS 2 subscriber and by our handler.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy.js";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { collect, connectObserver } from "../helpers/mqttjs.js";
import { uniqueTopic } from "../helpers/topics.js";
import { Qos2Engine, SENT } from "../../src/client/index.js";
import { NumberedPublisher, bytes, countNumbered, makeClient, sleep, until } from "./util.js";

let broker: MosquittoBroker;
let proxy: FaultProxy;
beforeAll(async () => {
  broker = await startMosquitto({ persistence: true, maxQueuedMessages: 0, maxInflightMessages: 20 });
  proxy = await startFaultProxy({ targetPort: broker.port });
});
afterAll(async () => {
  await proxy?.close();
  await broker?.dispose();
});

const count = (text: string, re: RegExp): number => text.split("\n").filter((l) => re.test(l)).length;

describe("QoS 2 through mosquitto", () => {
  it("[MQTT-4.3.3-1] [MQTT-4.3.3-2] publishes and receives QoS 2: PUBLISH → PUBREC → PUBREL → PUBCOMP each way, delivered once", async () => {
    const base = uniqueTopic("xsmqtt/q2flow");
    const observer = await connectObserver(broker.url);
    const seen = await collect(observer, `${base}/out/#`, 2);
    const id = `q2flow-${process.pid}`;
    const { client, events } = makeClient(broker.port, { clientId: id, qos2: new Qos2Engine() });
    const received: string[] = [];
    client.subscribe(`${base}/in/#`, 2, (m) => received.push(`${m.payloadString()}:${m.qos}`));
    client.connect();
    await until(() => client.connected && client.granted(1) === 2, 3000, "CONNACK + SUBACK granting 2");
    const h = client.topic(`${base}/out/x`);
    const p = bytes("exactly-once-out");
    expect(client.publish(h, p, 0, p.length, 2, false)).toBe(SENT);
    const msgs = await seen.waitFor(1, 3000);
    expect(msgs.map((m) => [m.payload.toString(), m.qos])).toEqual([["exactly-once-out", 2]]);
    await until(() => client.inflight === 0, 3000, "PUBCOMP");
    expect(client.counters.acked).toBe(1);
    await observer.publishAsync(`${base}/in/y`, "exactly-once-in", { qos: 2 });
    await until(() => received.length === 1, 3000, "incoming QoS 2");
    await until(() => count(broker.logs(), new RegExp(`Received PUBCOMP from ${id}`)) === 1, 3000, "our PUBCOMP");
    const log = broker.logs();
    // Outgoing: PUBLISH (q2) → PUBREC → PUBREL → PUBCOMP [MQTT-4.3.3-1].
    expect(count(log, new RegExp(`Received PUBLISH from ${id} \\(d0, q2`))).toBe(1);
    expect(count(log, new RegExp(`Sending PUBREC to ${id}`))).toBe(1);
    expect(count(log, new RegExp(`Received PUBREL from ${id}`))).toBe(1);
    expect(count(log, new RegExp(`Sending PUBCOMP to ${id}`))).toBe(1);
    // Incoming: PUBLISH (q2) → our PUBREC → PUBREL → our PUBCOMP [MQTT-4.3.3-2].
    expect(count(log, new RegExp(`Sending PUBLISH to ${id} \\(d0, q2`))).toBe(1);
    expect(count(log, new RegExp(`Received PUBREC from ${id}`))).toBe(1);
    expect(count(log, new RegExp(`Sending PUBREL to ${id}`))).toBe(1);
    await sleep(200);
    expect(received).toEqual(["exactly-once-in:2"]);
    expect(await seen.waitFor(1)).toHaveLength(1);
    client.end();
    expect(events.errors).toEqual([]);
    await observer.endAsync();
  }, 20000);

  it("[MQTT-4.4.0-1] after a reconnect with the session kept, resends PUBREL (not the PUBLISH) for a message the broker PUBREC'd", async () => {
    const base = uniqueTopic("xsmqtt/q2rel");
    const observer = await connectObserver(broker.url);
    const seen = await collect(observer, `${base}/#`, 2);
    const id = `q2rel-${process.pid}`;
    const { client, events } = makeClient(proxy.port, { clientId: id, cleanSession: false, qos2: new Qos2Engine() });
    client.connect();
    await until(() => client.connected, 3000, "CONNACK");
    // PUBREC held 300 ms on its way down; once the broker has sent it, the way up stalls: our PUBREL is held.
    proxy.delay(300);
    const h = client.topic(`${base}/x`);
    expect(client.publish(h, bytes("released-once"), 0, 13, 2, false)).toBe(SENT);
    await until(() => count(broker.logs(), new RegExp(`Sending PUBREC to ${id}`)) === 1, 3000, "PUBREC sent");
    proxy.stall("up");
    await sleep(800); // the delayed PUBREC reaches us; our PUBREL waits in the stalled proxy
    proxy.cut("both");
    proxy.resume();
    await until(() => events.connected.length === 2, 5000, "reconnect");
    expect(events.connected).toEqual([false, true]);
    await until(() => client.inflight === 0, 3000, "PUBCOMP after the resent PUBREL");
    const log = broker.logs();
    expect(count(log, new RegExp(`Received PUBLISH from ${id}`))).toBe(1); // never the PUBLISH again
    expect(count(log, new RegExp(`Received PUBREL from ${id}`))).toBe(1); // the resent one [MQTT-4.3.3-1]
    expect(client.counters.resent).toBe(1);
    await sleep(200);
    expect((await seen.waitFor(1)).map((m) => m.payload.toString())).toEqual(["released-once"]);
    client.end();
    await observer.endAsync();
  }, 20000);
});

describe("QoS 2 across a mosquitto restart with persistence on", () => {
  const TOTAL = 2000;
  const RESTART_AT = 700;

  it(`outgoing: ${TOTAL} QoS 2 publishes, restart at ${RESTART_AT}: an independent QoS 2 subscriber sees each exactly once`, async () => {
    const topic = uniqueTopic("xsmqtt/q2restart-out");
    const observed = await countNumbered(broker.url, `obs-q2r-${process.pid}`, topic, 2, TOTAL);
    const stream = new NumberedPublisher(TOTAL, 2, RESTART_AT, () => void broker.restart());
    const { client } = makeClient(broker.port, {
      clientId: `q2r-out-${process.pid}`,
      cleanSession: false,
      inflightWindow: 16,
      offlineQueue: 256,
      qos2: new Qos2Engine(),
      onWritable: stream.fill,
      onConnected: stream.fill,
    });
    stream.attach(client, topic);
    client.connect();
    await until(() => stream.next === TOTAL, 30000, "all publishes accepted");
    await until(() => client.inflight === 0 && client.queued === 0, 15000, "all completed (PUBCOMP)");
    await until(() => observed.unique === TOTAL, 15000, `observer saw all (${observed.unique})`);
    await sleep(500);
    expect(stream.restarted).toBe(true);
    expect(client.counters.reconnects).toBeGreaterThanOrEqual(1);
    expect(observed.unique).toBe(TOTAL); // 0 lost
    expect(observed.duplicates).toBe(0); // 0 duplicated
    client.end();
    stream.stop();
    await observed.end();
  }, 60000);

  it(`incoming: ${TOTAL} QoS 2 messages queued for our persistent session, restart at ${RESTART_AT}: our handler gets each exactly once`, async () => {
    const broker = await startMosquitto({ persistence: true, maxQueuedMessages: 0, maxInflightMessages: 0 });
    const proxy = await startFaultProxy({ targetPort: broker.port });
    try {
      await incomingAcrossRestart(broker, proxy);
    } finally {
      await proxy.close();
      await broker.dispose();
    }
  }, 60000);

  async function incomingAcrossRestart(broker: MosquittoBroker, proxy: FaultProxy): Promise<void> {
    const topic = uniqueTopic("xsmqtt/q2restart-in");
    const id = `q2r-in-${process.pid}`;
    const got = new Uint8Array(TOTAL);

    let unique = 0;
    let duplicates = 0;
    let restarted = false;
    // Its own broker with max_inflight_messages 0: mosquitto 2.0.11 does not hold QoS 2 deliveries to a
    // non-zero max_inflight_messages (each PUBCOMP releases another burst of that many PUBLISHes), and across a
    // restart it restores only that many in-flight messages as PUBREL: the rest, PUBREL'd and completed by
    // us, come back as new DUP PUBLISHes with ids we have released, which no receiver can tell from new
    // messages. Unlimited in-flight, the whole backlog is in flight at once: the table is sized for it.
    // mosquitto 2.0.11 also restores a message it had sent PUBREL for (state wait_for_pubcomp) as a DUP PUBLISH,
    // not as PUBREL [MQTT-4.3.3-1]: a restart between its PUBREL and our PUBCOMP's arrival would redeliver a
    // message whose id we have released. So the restart comes with the broker → client direction stalled for
    // 300 ms first, then the connection is cut: every PUBCOMP we sent has arrived; what the broker sent meanwhile
    // (PUBLISH, PUBREL) is lost in flight, and its DUP redelivery of ids we still hold is what the exactly-once
    // check exercises.
    const engine = new Qos2Engine({ incoming: 4096 });
    const { client, events } = makeClient(proxy.port, { clientId: id, cleanSession: false, qos2: engine });
    client.subscribe(topic, 2, (m) => {
      const i = ((m.payload[m.payloadOffset]! << 24) | (m.payload[m.payloadOffset + 1]! << 16) |
        (m.payload[m.payloadOffset + 2]! << 8) | m.payload[m.payloadOffset + 3]!) >>> 0;
      if (i >= TOTAL) return;
      if (got[i] === 0) {
        got[i] = 1;
        unique++;
      } else duplicates++;
      if (unique === RESTART_AT && !restarted) {
        restarted = true;
        proxy.stall("down");
        void sleep(300).then(() => {
          proxy.cut("both"); // what the stall held is lost with the connection
          return broker.restart();
        }).then(() => proxy.resume());
      }
    });
    client.connect();
    await until(() => client.connected && client.granted(1) === 2, 3000, "SUBACK 2");
    client.end(); // offline: the broker queues for the session
    const publisher = await connectObserver(broker.url);
    const payload = Buffer.alloc(4);
    for (let i = 0; i < TOTAL; i++) {
      payload.writeUInt32BE(i);
      await publisher.publishAsync(topic, Buffer.from(payload), { qos: 2 });
    }
    await publisher.endAsync();
    client.connect();
    await until(() => unique === TOTAL, 30000, "the handler saw every message");
    await sleep(500);
    expect(restarted).toBe(true);
    expect(client.counters.reconnects).toBeGreaterThanOrEqual(2);
    expect(unique).toBe(TOTAL); // 0 lost
    expect(duplicates).toBe(0); // 0 duplicated to the handler
    expect(client.counters.duplicates).toBeGreaterThan(0); // DUP redeliveries recognised and not delivered
    expect(events.errors.every((e) => e.name === "ConnectionLostError")).toBe(true);
    await until(() => engine.pending === 0, 5000, "every PUBREL");
    client.end();
  }
});
