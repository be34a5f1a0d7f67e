// Passwords never appear in logs, errors or counters: during a bad-password run (refusals and retries) we
// capture everything the client emits — every error's message, stack, String(), JSON with own properties and
// util.inspect, onDisconnected codes, the counters as JSON, util.inspect of the client, and any console
// output — and assert the password (and its hex/base64 forms) appears nowhere.
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { recordingClient, sleep, until } from "./util.js";

let broker: MosquittoBroker;
beforeAll(async () => {
  broker = await startMosquitto({ users: { device: "good-password" }, allowAnonymous: false, logTypes: ["error", "warning"] });
}, 20_000);
afterAll(async () => {
  await broker?.dispose();
});

describe("faults: credentials never leak", () => {
  it("a bad password appears in no error, counter, inspect output or console line", async () => {
    const secret = "S3cr3t-pa55w0rd-XYZ";
    const forms = [secret, Buffer.from(secret).toString("hex"), Buffer.from(secret).toString("base64")];
    const captured: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug", "trace"] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => { captured.push(args.map((a) => inspect(a, { depth: 6 })).join(" ")); }));
    const r = recordingClient(broker.port, {
      clientId: `leak-${process.pid}`, username: "device", password: secret,
      reconnect: { initialDelay: 50, maxDelay: 200, multiplier: 2, stableAfter: 10_000 },
      onError: (e) => { captured.push(`onError ${inspect(e, { depth: 6, showHidden: true })}`); },
      onDisconnected: (code) => { captured.push(`onDisconnected ${code}`); },
    });
    try {
      r.client.connect();
      await until(() => r.errors.length >= 3, 5000, "three refusals");
      await sleep(50);
    } finally {
      r.client.end();
      for (const s of spies) s.mockRestore();
    }
    for (const e of r.errors) {
      captured.push(e.message, e.stack ?? "", String(e), JSON.stringify(e, Object.getOwnPropertyNames(e)), inspect(e, { showHidden: true, depth: 6 }));
    }
    captured.push(JSON.stringify(r.client.counters), inspect(r.client, { showHidden: true, depth: 6 }));
    try {
      captured.push(JSON.stringify(r.client));
    } catch (e) {
      captured.push(String(e));
    }
    const text = captured.join("\n");
    expect(r.errors.length).toBeGreaterThanOrEqual(3);
    for (const form of forms) expect(text.includes(form), `password form ${form} leaked`).toBe(false);
    // The broker log is mosquitto's, not ours; checked anyway for the record.
    expect(broker.logs().includes(secret)).toBe(false);
  }, 10_000);
});
