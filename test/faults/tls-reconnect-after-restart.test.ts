// TLS reconnect after a broker restart (the peers' complaint: the TLS reconnect fails after a drop). A TLS
// client with a persistent session rides out 3 broker restarts (persistence on): each time it reconnects
// over TLS with verification, resumes its session, and QoS 1 messages published while the broker was down
// (held in the offline queue) are delivered; nothing is lost.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUEUED, SENT } from "../../src/client/index.js";
import { makeTestPki, type TestPki } from "../helpers/certs.js";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { uniqueTopic } from "../helpers/topics.js";
import { recordingClient, until, utf8 } from "./util.js";

let broker: MosquittoBroker;
let pki: TestPki;
beforeAll(async () => {
  pki = makeTestPki();
  broker = await startMosquitto({
    persistence: true,
    logTypes: ["error", "warning"],
    tls: { cafile: pki.ca.certPath, certfile: pki.server.certPath, keyfile: pki.server.keyPath },
  });
}, 20_000);
afterAll(async () => {
  await broker?.dispose();
});

describe("faults: TLS reconnect after broker restarts", () => {
  it("reconnects over TLS after 3 restarts and delivers every QoS 1 message", async () => {
    const topic = uniqueTopic("faults/tls-restart");
    const got = new Set<string>();
    const r = recordingClient(broker.tlsPort!, {
      clientId: `tls-restart-${process.pid}`, cleanSession: false,
      tls: { ca: pki.ca.cert, servername: "localhost" },
    });
    const c = r.client;
    try {
      const sub = c.subscribe(topic, 1, (m) => got.add(m.payloadString()));
      c.connect();
      await until(() => c.connected && c.granted(sub) === 1, 5000, "first TLS connection");
      const h = c.topic(topic);
      let n = 0;
      for (let restart = 1; restart <= 3; restart++) {
        let p = utf8(`m${n++}`);
        expect(c.publish(h, p, 0, p.length, 1, false)).toBe(SENT);
        await until(() => c.inflight === 0, 5000, "PUBACK before the restart");
        const stop = broker.stop();
        await until(() => !c.connected, 5000, "the client to see the broker go");
        await stop;
        p = utf8(`m${n++}`);
        expect(c.publish(h, p, 0, p.length, 1, false)).toBe(QUEUED);
        await broker.start();
        await until(() => c.counters.connects === restart + 1, 10_000, `TLS reconnect after restart ${restart}`);
        expect(c.sessionPresent).toBe(true);
      }
      await until(() => got.size === n && c.inflight === 0 && c.queued === 0, 10_000, "every message echoed");
      expect([...got].sort()).toEqual(Array.from({ length: n }, (_, i) => `m${i}`).sort());
      // Only connection losses while the broker was down, nothing else.
      expect(r.errors.every((e) => e.name === "ConnectionLostError")).toBe(true);
    } finally {
      c.end();
    }
  }, 40_000);
});
