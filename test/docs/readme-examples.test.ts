// The README's examples are real files that run: the README quotes examples/*.ts verbatim, and this test runs
// them (the client one against a mosquitto of its own), so the documented API cannot drift from the code.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url);
const tsx = new URL("node_modules/.bin/tsx", root).pathname;
const readme = readFileSync(new URL("README.md", root), "utf8");

describe("README examples", () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it.each(["examples/codec.ts", "examples/client.ts", "examples/completion.ts", "examples/session.ts"])("README quotes %s verbatim", (file) => {
    const source = readFileSync(new URL(file, root), "utf8").trimEnd();
    expect(readme).toContain("```ts\n" + source + "\n```");
  });

  it("the codec example encodes a PUBLISH and decodes it from 3-byte chunks", async () => {
    const { stdout } = await run(tsx, ["examples/codec.ts"], { cwd: root.pathname, timeout: 20_000 });
    expect(stdout.trim()).toBe("PUBLISH id=1 qos=1 payload=21.53");
  }, 25_000);

  it("the client example connects, receives its three QoS 1 readings through the wildcard and ends", async () => {
    const { stdout } = await run(tsx, ["examples/client.ts"], {
      cwd: root.pathname, timeout: 20_000, env: { ...process.env, MQTT_URL: broker.url },
    });
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toBe("connected (session present: false)");
    const readings = lines.slice(1);
    expect(readings).toHaveLength(3);
    for (const line of readings) expect(line).toMatch(/^example\/\d+\/temperature = \d+\.\d\d \(qos 1\)$/);
  }, 25_000);

  it("the completion example reports each reading COMPLETED through onComplete, by token", async () => {
    const { stdout } = await run(tsx, ["examples/completion.ts"], {
      cwd: root.pathname, timeout: 20_000, env: { ...process.env, MQTT_URL: broker.url },
    });
    expect(stdout.trim().split("\n")).toEqual([
      "waiting: 2 (packet ids once sent: 0)",
      "reading at QoS 1: COMPLETED",
      "reading at QoS 2: COMPLETED",
    ]);
  }, 25_000);

  it("the session example saves two readings with no network, then delivers them after the 'reboot'", async () => {
    const file = `${mkdtempSync(path.join(tmpdir(), "xsmqtt-example-"))}/sensor.session`;
    const env = { ...process.env, MQTT_URL: broker.url, SESSION_FILE: file };
    const first = await run(tsx, ["examples/session.ts"], { cwd: root.pathname, timeout: 20_000, env: { ...env, MQTT_URL: "mqtt://127.0.0.1:1" } });
    expect(first.stdout.trim()).toBe("saved 2 readings; power lost");
    const second = await run(tsx, ["examples/session.ts"], { cwd: root.pathname, timeout: 20_000, env });
    expect(second.stdout.trim().split("\n")).toEqual(["back after the reboot: 2 readings", "delivered"]);
    rmSync(path.dirname(file), { recursive: true, force: true });
  }, 45_000);
});
