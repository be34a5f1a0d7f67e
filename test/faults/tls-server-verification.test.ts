// TLS server verification is on by default: no CA given → Node's default roots, which do not trust our
// test CA → refused; a CA that did not sign the server → refused; the right CA but the wrong host name →
// refused; the right CA and name → connects and round-trips QoS 1. Every refusal is a typed
// ConnectionLostError, TlsVerificationError whose `reason` is the TLS verification code, and the client never reaches CONNECTED.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TLS_VERIFY_ERRORS } from "../../hosts/node/index.js";
import { ConnectionLostError, SENT, TlsVerificationError } from "../../src/client/index.js";
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
    tls: { cafile: pki.ca.certPath, certfile: pki.server.certPath, keyfile: pki.server.keyPath },
  });
}, 20_000);
afterAll(async () => {
  await broker?.dispose();
});

async function refused(tls: Record<string, string>, name: string): Promise<ConnectionLostError> {
  const r = recordingClient(broker.tlsPort!, { clientId: `tls-${name}-${process.pid}`, tls, reconnect: false });
  r.client.connect();
  try {
    await until(() => r.errors.length > 0, 5000, `${name}: a TLS error`);
    expect(r.connected).toEqual([]);
    expect(r.client.connected).toBe(false);
    const e = r.errors[0]!;
    expect(e).toBeInstanceOf(ConnectionLostError);
    expect(e).toBeInstanceOf(TlsVerificationError); // the typed form of a refused certificate
    return e as ConnectionLostError;
  } finally {
    r.client.end();
  }
}

describe("faults: TLS server verification", () => {
  it("is on by default: no CA option → the test CA is not trusted → typed error", async () => {
    const e = await refused({ servername: "localhost" }, "default-roots");
    expect(TLS_VERIFY_ERRORS.has(e.reason ?? "")).toBe(true);
  }, 10_000);

  it("wrong CA → typed error with the verification code", async () => {
    const e = await refused({ ca: pki.otherCa.cert, servername: "localhost" }, "wrong-ca");
    expect(TLS_VERIFY_ERRORS.has(e.reason ?? "")).toBe(true);
    expect(e.reason).not.toBe("ERR_TLS_CERT_ALTNAME_INVALID");
  }, 10_000);

  it("wrong host name (127.0.0.1 with servername wrong.example) → ERR_TLS_CERT_ALTNAME_INVALID", async () => {
    const e = await refused({ ca: pki.ca.cert, servername: "wrong.example" }, "wrong-name");
    expect(e.reason).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    expect(e.message).toContain("ERR_TLS_CERT_ALTNAME_INVALID");
  }, 10_000);

  it("right CA and name → connects and round-trips QoS 1", async () => {
    const topic = uniqueTopic("faults/tls-ok");
    const got: string[] = [];
    const r = recordingClient(broker.tlsPort!, { clientId: `tls-ok-${process.pid}`, tls: { ca: pki.ca.cert, servername: "localhost" } });
    try {
      const sub = r.client.subscribe(topic, 1, (m) => got.push(m.payloadString()));
      r.client.connect();
      await until(() => r.client.connected && r.client.granted(sub) === 1, 5000, "TLS CONNACK + SUBACK");
      const p = utf8("tls-qos1");
      expect(r.client.publish(r.client.topic(topic), p, 0, p.length, 1, false)).toBe(SENT);
      await until(() => got.length === 1 && r.client.inflight === 0, 5000, "QoS 1 echo over TLS");
      expect(got).toEqual(["tls-qos1"]);
      expect(r.errors).toEqual([]);
    } finally {
      r.client.end();
    }
  }, 10_000);
});
