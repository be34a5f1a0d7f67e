// The README's "MQTT over WebSockets" example is examples/websocket.ts, quoted verbatim; it runs here against
// aedes behind the ws server (test/helpers/ws-broker.ts) and receives its own QoS 1 message over ws.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWsBroker, type WsBroker } from "../helpers/ws-broker.js";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url);
const tsx = new URL("node_modules/.bin/tsx", root).pathname;

describe("README: MQTT over WebSockets example", () => {
  let broker: WsBroker;
  beforeAll(async () => {
    broker = await startWsBroker({ path: "/mqtt" });
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it("README quotes examples/websocket.ts verbatim", () => {
    const readme = readFileSync(new URL("README.md", root), "utf8");
    const source = readFileSync(new URL("examples/websocket.ts", root), "utf8").trimEnd();
    expect(readme).toContain("```ts\n" + source + "\n```");
  });

  it("connects over ws://…/mqtt, receives its own QoS 1 message and ends", async () => {
    const { stdout } = await run(tsx, ["examples/websocket.ts"], {
      cwd: root.pathname, timeout: 20_000, env: { ...process.env, MQTT_WS_URL: `ws://127.0.0.1:${broker.wsPort}/mqtt` },
    });
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toBe("connected over WebSockets");
    expect(lines[1]).toMatch(/^example\/ws\/\d+ = hello over ws \(qos 1\)$/);
  }, 25_000);
});
