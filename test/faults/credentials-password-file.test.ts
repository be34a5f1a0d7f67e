// Username/password through a mosquitto password file (mosquitto_passwd, allow_anonymous false): the right
// password connects; a wrong password, an unknown user and no credentials are refused with a typed
// ConnectionRefusedError (mosquitto 2.0 answers CONNACK 5 → NotAuthorizedError; 4 → BadCredentialsError)
// [MQTT-3.2.2-5]; the client never reaches CONNECTED and, when it retries, it backs off.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BadCredentialsError, CONNECTION_REFUSED, ConnectionRefusedError, NotAuthorizedError,
} from "../../src/client/index.js";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { recordingClient, sleep, until } from "./util.js";
import { createNodeHost } from "../../hosts/node/index.js";

let broker: MosquittoBroker;
beforeAll(async () => {
  broker = await startMosquitto({ users: { device: "right-Pa55" }, allowAnonymous: false, logTypes: ["error", "warning", "notice"] });
}, 20_000);
afterAll(async () => {
  await broker?.dispose();
});

async function refusal(username: string | null, password: string | null): Promise<ConnectionRefusedError> {
  const r = recordingClient(broker.port, { clientId: `cred-${process.pid}-${Math.random()}`, username, password, reconnect: false });
  try {
    r.client.connect();
    await until(() => r.errors.length > 0, 5000, "refusal");
    const e = r.errors[0]!;
    expect(e).toBeInstanceOf(ConnectionRefusedError);
    expect(e.code).toBe(CONNECTION_REFUSED);
    expect(e instanceof BadCredentialsError || e instanceof NotAuthorizedError).toBe(true);
    expect(r.connected).toEqual([]);
    return e as ConnectionRefusedError;
  } finally {
    r.client.end();
  }
}

describe("faults: credentials via a mosquitto password file", () => {
  it("right password → connects", async () => {
    const r = recordingClient(broker.port, { clientId: `cred-ok-${process.pid}`, username: "device", password: "right-Pa55" });
    try {
      r.client.connect();
      await until(() => r.client.connected, 5000, "CONNACK 0");
      expect(r.errors).toEqual([]);
    } finally {
      r.client.end();
    }
  }, 10_000);

  it("wrong password → typed refusal", async () => {
    const e = await refusal("device", "wrong-Pa55");
    console.log(`mosquitto refused a wrong password with CONNACK ${e.returnCode} (${e.name})`);
  }, 10_000);

  it("unknown user and anonymous → typed refusal", async () => {
    await refusal("nobody", "whatever");
    await refusal(null, null);
  }, 10_000);

  it("retries after a refusal back off (no hammering): attempts in 2 s stay few", async () => {
    // Full jitter draws each delay in [0, ceiling]; pinning random() near 1 makes every delay its ceiling, so
    // the count is a property of the backoff, not of luck: 100, 200, 400, 800 ms → attempts at about 0, 0.1,
    // 0.3, 0.7 and 1.5 s, the next at 3.1 s. A fixed 100 ms retry would make 20.
    const r = recordingClient(broker.port, {
      host: { ...createNodeHost(), random: () => 0.999 },
      clientId: `cred-retry-${process.pid}`, username: "device", password: "wrong",
      reconnect: { initialDelay: 100, maxDelay: 5000, multiplier: 2, stableAfter: 10_000 },
    });
    try {
      r.client.connect();
      await sleep(2000);
      expect(r.client.counters.connectFailures).toBeGreaterThanOrEqual(4);
      expect(r.client.counters.connectFailures).toBeLessThanOrEqual(5);
      expect(r.errors.every((e) => e instanceof ConnectionRefusedError)).toBe(true);
      expect(r.client.counters.connects).toBe(0);
    } finally {
      r.client.end();
    }
  }, 10_000);
});
