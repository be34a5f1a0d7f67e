// CONNACK refusals become typed errors; the password never appears in them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import {
  BadCredentialsError, ConnectionRefusedError, IdentifierRejectedError, MqttError, NotAuthorizedError,
} from "../../src/client/index.js";
import { makeClient, until } from "./util.js";

let broker: MosquittoBroker;
const SECRET = "s3cret-Pa55word-xyzzy";
beforeAll(async () => {
  broker = await startMosquitto({ users: { alice: SECRET }, extraConfig: ["clientid_prefixes ok-"] });
});
afterAll(async () => {
  await broker?.dispose();
});

function noSecret(errors: MqttError[]): void {
  for (const e of errors) {
    expect(e.message).not.toContain(SECRET);
    expect(e.message).not.toContain("wrong-password");
    expect(JSON.stringify(e)).not.toContain("wrong-password");
    expect(String(e.stack)).not.toContain("wrong-password");
  }
}

describe("authentication failures", () => {
  it("wrong password, unknown user, anonymous and a rejected id are typed refusals; good credentials connect", async () => {
    const bad = makeClient(broker.port, { clientId: `ok-bad-${process.pid}`, username: "alice", password: "wrong-password" });
    bad.client.connect();
    await until(() => bad.events.errors.length >= 1, 3000, "refusal");
    bad.client.end();
    const e = bad.events.errors[0]!;
    expect(e).toBeInstanceOf(ConnectionRefusedError);
    // mosquitto 2 answers 5 (not authorised) for bad credentials under 3.1.1; 4 is the other legal answer.
    expect(e instanceof BadCredentialsError || e instanceof NotAuthorizedError).toBe(true);
    expect(e.code).toBe(-114);
    expect(bad.events.connected).toEqual([]);
    expect(bad.events.disconnected).toEqual([]);
    noSecret(bad.events.errors);

    const anon = makeClient(broker.port, { clientId: `ok-anon-${process.pid}` });
    anon.client.connect();
    await until(() => anon.events.errors.length >= 1, 3000, "anonymous refusal");
    anon.client.end();
    expect(anon.events.errors[0]).toBeInstanceOf(ConnectionRefusedError);

    const id = makeClient(broker.port, { clientId: `nope-${process.pid}`, username: "alice", password: SECRET });
    id.client.connect();
    await until(() => id.events.errors.length >= 1, 3000, "identifier refusal");
    id.client.end();
    const ie = id.events.errors[0]!;
    expect(ie instanceof IdentifierRejectedError || ie instanceof NotAuthorizedError).toBe(true);
    noSecret(id.events.errors);

    const good = makeClient(broker.port, { clientId: `ok-good-${process.pid}`, username: "alice", password: SECRET });
    good.client.connect();
    await until(() => good.client.connected, 3000, "CONNACK");
    good.client.end();
    expect(good.events.errors).toEqual([]);
  }, 15000);

  it("refusals are retried with backoff, not in a tight loop", async () => {
    const bad = makeClient(broker.port, {
      clientId: `ok-retry-${process.pid}`, username: "alice", password: "wrong-password",
      reconnect: { initialDelay: 100, maxDelay: 400, multiplier: 2, stableAfter: 1000 },
    });
    bad.client.connect();
    await new Promise((r) => setTimeout(r, 800));
    bad.client.end();
    // full jitter: at most a handful of attempts in 800 ms (a tight loop would make hundreds).
    expect(bad.events.errors.length).toBeGreaterThanOrEqual(1);
    expect(bad.events.errors.length).toBeLessThanOrEqual(12);
    expect(bad.client.counters.connectFailures).toBe(bad.events.errors.length);
  }, 10000);
});
