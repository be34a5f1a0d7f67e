// Mutual TLS (mosquitto `require_certificate true`): with the client certificate and key the client
// connects and round-trips QoS 1; without them the broker refuses the handshake and the client reports a
// typed ConnectionLostError and never reaches CONNECTED.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionLostError, SENT } from "../../src/client/index.js";
import { makeTestPki, type TestPki } from "../helpers/certs.js";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { uniqueTopic } from "../helpers/topics.js";
import { recordingClient, until, utf8 } from "./util.js";

let broker: MosquittoBroker;
let pki: TestPki;
beforeAll(async () => {
  pki = makeTestPki();
  broker = await startMosquitto({
    logTypes: ["error", "warning"],
    tls: { cafile: pki.ca.certPath, certfile: pki.server.certPath, keyfile: pki.server.keyPath, requireCertificate: true },
  });
}, 20_000);
afterAll(async () => {
  await broker?.dispose();
});

describe("faults: mutual TLS", () => {
  it("connects with the client certificate and round-trips QoS 1", async () => {
    const topic = uniqueTopic("faults/mtls");
    const got: string[] = [];
    const r = recordingClient(broker.tlsPort!, {
      clientId: `mtls-ok-${process.pid}`,
      tls: { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key, servername: "localhost" },
    });
    try {
      const sub = r.client.subscribe(topic, 1, (m) => got.push(m.payloadString()));
      r.client.connect();
      await until(() => r.client.connected && r.client.granted(sub) === 1, 5000, "mTLS CONNACK + SUBACK");
      const p = utf8("mtls");
      expect(r.client.publish(r.client.topic(topic), p, 0, p.length, 1, false)).toBe(SENT);
      await until(() => got.length === 1 && r.client.inflight === 0, 5000, "QoS 1 echo");
      expect(r.errors).toEqual([]);
    } finally {
      r.client.end();
    }
  }, 10_000);

  it("fails without a client certificate: typed error, never connected", async () => {
    const r = recordingClient(broker.tlsPort!, {
      clientId: `mtls-none-${process.pid}`, tls: { ca: pki.ca.cert, servername: "localhost" }, reconnect: false,
    });
    try {
      r.client.connect();
      await until(() => r.errors.length > 0, 5000, "handshake refusal");
      expect(r.errors[0]).toBeInstanceOf(ConnectionLostError);
      expect(r.connected).toEqual([]);
      expect(r.client.connected).toBe(false);
    } finally {
      r.client.end();
    }
  }, 10_000);
});
