// An idle client sends PINGREQ every keepAlive; the broker's log shows them and the PINGRESPs come back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { makeClient, sleep, until } from "./util.js";

let broker: MosquittoBroker;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.dispose();
});

describe("keepalive pings", () => {
  it("pings about once per keepAlive when idle and stays connected", async () => {
    const id = `ka-${process.pid}`;
    const { client, events } = makeClient(broker.port, { clientId: id, keepAlive: 1 });
    client.connect();
    await until(() => client.connected, 3000, "CONNACK");
    await sleep(3300);
    const log = broker.logs();
    const pings = log.split("\n").filter((l) => l.includes(`Received PINGREQ from ${id}`)).length;
    // Idle for 3.3 s with keepAlive 1 s: PINGREQs keep the gap within keepAlive [MQTT-3.1.2-23].
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(pings).toBeLessThanOrEqual(4);
    expect(client.counters.pingsSent).toBe(pings);
    expect(client.counters.pingsReceived).toBeGreaterThanOrEqual(2);
    expect(client.connected).toBe(true);
    expect(events.disconnected).toEqual([]);
    client.end();
  }, 10000);
});
