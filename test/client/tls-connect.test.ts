// TLS: the client hands its `tls` options to the host's TLS socket class as `secure`; verification on,
// QoS 1 round trip over TLS; a server certificate from an unknown CA is a ConnectionLostError.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestPki, type TestPki } from "../helpers/certs.js";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { uniqueTopic } from "../helpers/topics.js";
import { ConnectionLostError, SENT } from "../../src/client/index.js";
import { bytes, makeClient, until } from "./util.js";

let broker: MosquittoBroker;
let pki: TestPki;
beforeAll(async () => {
  pki = makeTestPki();
  broker = await startMosquitto({ tls: { cafile: pki.ca.certPath, certfile: pki.server.certPath, keyfile: pki.server.keyPath } });
});
afterAll(async () => {
  await broker?.dispose();
});

describe("TLS", () => {
  it("connects with a verified server certificate and round-trips QoS 1", async () => {
    const topic = uniqueTopic("xsmqtt/tls");
    const { client, events } = makeClient(broker.tlsPort!, {
      clientId: `tls-${process.pid}`, tls: { ca: pki.ca.cert, servername: "localhost" },
    });
    const got: string[] = [];
    client.subscribe(topic, 1, (m) => got.push(m.payloadString()));
    client.connect();
    await until(() => client.connected && client.granted(1) === 1, 5000, "TLS CONNACK + SUBACK");
    const h = client.topic(topic);
    const p = bytes("over-tls");
    expect(client.publish(h, p, 0, p.length, 1, false)).toBe(SENT);
    await until(() => got.length === 1 && client.inflight === 0, 3000, "echo over TLS");
    expect(got).toEqual(["over-tls"]); // QoS 1 round trip over TLS [MQTT-7.1.2-1]
    client.end();
    expect(events.errors).toEqual([]);
  }, 10000);

  it("refuses a server certificate from an unknown CA", async () => {
    const { client, events } = makeClient(broker.tlsPort!, {
      clientId: `tls-bad-${process.pid}`, tls: { ca: pki.otherCa.cert, servername: "localhost" }, reconnect: false,
    });
    client.connect();
    await until(() => events.errors.length >= 1, 5000, "verification failure");
    expect(events.errors[0]).toBeInstanceOf(ConnectionLostError);
    expect(client.connected).toBe(false);
    client.end();
  }, 10000);
});
