/**
 * test/helpers/mosquitto.ts: the broker helper every integration test stands on.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { makeTestPki } from "../helpers/certs.js";
import { mosquittoBinary, startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";
import { collect, connectObserver } from "../helpers/mqttjs.js";
import { uniqueTopic } from "../helpers/topics.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timeout: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("startMosquitto", () => {
  let broker: MosquittoBroker;
  const pki = makeTestPki();

  beforeAll(async () => {
    broker = await startMosquitto({
      users: { device: "s3cret", observer: "0bserve" },
      persistence: true,
      tls: { cafile: pki.ca.certPath, certfile: pki.server.certPath, keyfile: pki.server.keyPath },
    });
  }, 15000);

  afterAll(async () => {
    const pid = broker?.pid ?? 0;
    await broker?.dispose();
    if (pid > 0) expect(alive(pid)).toBe(false);
  }, 10000);

  it("listens on 127.0.0.1 and MQTT.js round-trips a message", async () => {
    expect(broker.host).toBe("127.0.0.1");
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    expect(alive(broker.pid)).toBe(true);
    const topic = uniqueTopic("mosquitto/roundtrip");
    const sub = await connectObserver(broker.url, { username: "observer", password: "0bserve" });
    const pub = await connectObserver(broker.url, { username: "device", password: "s3cret" });
    try {
      const seen = await collect(sub, topic, 1);
      await pub.publishAsync(topic, Buffer.from([0, 1, 2, 255]), { qos: 1 });
      const [message] = await seen.waitFor(1, 3000);
      expect(message?.topic).toBe(topic);
      expect([...(message?.payload ?? [])]).toEqual([0, 1, 2, 255]);
      expect(message?.qos).toBe(1);
    } finally {
      sub.end(true);
      pub.end(true);
    }
  }, 10000);

  it("the password file rejects a wrong password and anonymous clients", async () => {
    await expect(connectObserver(broker.url, { username: "device", password: "wrong" }, 3000)).rejects.toThrow(/[Nn]ot authorized|[Bb]ad user/);
    await expect(connectObserver(broker.url, {}, 3000)).rejects.toThrow();
  }, 10000);

  it("the TLS listener works with the generated CA and refuses an unrelated CA", async () => {
    const url = broker.tlsUrl!;
    expect(url).toBe(`mqtts://127.0.0.1:${broker.tlsPort}`);
    const ok = await connectObserver(url, { username: "device", password: "s3cret", ca: pki.ca.cert });
    ok.end(true);
    await expect(connectObserver(url, { username: "device", password: "s3cret", ca: pki.otherCa.cert }, 3000)).rejects.toThrow();
  }, 10000);

  it("restart() comes back on the same port and persistence keeps the offline session's messages", async () => {
    const port = broker.port;
    const oldPid = broker.pid;
    const topic = uniqueTopic("mosquitto/persist");
    const clientId = `persist-${process.pid}`;
    const sessionOptions = { username: "observer", password: "0bserve", clientId, clean: false };
    const first = await connectObserver(broker.url, sessionOptions);
    await first.subscribeAsync(topic, { qos: 1 });
    await first.endAsync();

    const pub = await connectObserver(broker.url, { username: "device", password: "s3cret" });
    await pub.publishAsync(topic, "while offline", { qos: 1 });
    await pub.endAsync();

    await broker.restart();
    expect(broker.port).toBe(port);
    expect(broker.pid).not.toBe(oldPid);
    expect(alive(oldPid)).toBe(false);

    // Listener attached before CONNECT: the queued message may arrive in the same read as CONNACK.
    const messages: string[] = [];
    const again = mqtt.connect(broker.url, { ...sessionOptions, protocolVersion: 4, reconnectPeriod: 0 });
    again.on("error", () => undefined);
    again.on("message", (_topic, payload) => messages.push(payload.toString()));
    try {
      await until(() => messages.length === 1, 3000, "queued message after restart");
      expect(messages).toEqual(["while offline"]);
    } finally {
      again.end(true);
    }
  }, 15000);

  it("kill() is a crash (SIGKILL) and start() brings it back on the same port", async () => {
    const port = broker.port;
    const pid = broker.pid;
    await broker.kill();
    expect(alive(pid)).toBe(false);
    expect(broker.pid).toBe(0);
    await expect(connectObserver(broker.url, { username: "device", password: "s3cret" }, 1000)).rejects.toThrow();
    await broker.start();
    expect(broker.port).toBe(port);
    const client = await connectObserver(broker.url, { username: "device", password: "s3cret" });
    client.end(true);
    expect(broker.logs()).toMatch(/mosquitto version 2\.\d+\.\d+ running/);
  }, 15000);
});

describe("startMosquitto options", () => {
  it("maxQueuedMessages bounds what an offline persistent session keeps", async () => {
    const broker = await startMosquitto({ maxQueuedMessages: 2 });
    try {
      const topic = uniqueTopic("mosquitto/queue-bound");
      const session = { clientId: `bounded-${process.pid}`, clean: false };
      const first = await connectObserver(broker.url, session);
      await first.subscribeAsync(topic, { qos: 1 });
      await first.endAsync();
      const pub = await connectObserver(broker.url);
      for (let i = 0; i < 5; i++) await pub.publishAsync(topic, String(i), { qos: 1 });
      await pub.endAsync();
      const messages: string[] = [];
      const again = mqtt.connect(broker.url, { ...session, protocolVersion: 4, reconnectPeriod: 0 });
      again.on("error", () => undefined);
      again.on("message", (_topic, payload) => messages.push(payload.toString()));
      try {
        await until(() => messages.length >= 2, 3000, "queued messages");
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(messages).toEqual(["0", "1"]); // the rest were dropped at the bound
      } finally {
        again.end(true);
      }
      expect(broker.logs()).toMatch(/Config loaded/);
    } finally {
      await broker.dispose();
    }
  }, 10000);
});

describe("startMosquitto mutual TLS", () => {
  it("requireCertificate: a client certificate from the CA is needed", async () => {
    const pki = makeTestPki();
    const broker = await startMosquitto({
      tls: { cafile: pki.ca.certPath, certfile: pki.server.certPath, keyfile: pki.server.keyPath, requireCertificate: true },
    });
    try {
      const ok = await connectObserver(broker.tlsUrl!, { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key });
      ok.end(true);
      await expect(connectObserver(broker.tlsUrl!, { ca: pki.ca.cert }, 3000)).rejects.toThrow();
    } finally {
      await broker.dispose();
    }
  }, 10000);
});

describe("startMosquitto cleanup", () => {
  it("quiet (benchmarks): no per-packet or per-connection logging, readiness still detected; default logs everything", async () => {
    const quiet = await startMosquitto({ quiet: true });
    try {
      const config = readFileSync(path.join(quiet.dir, "mosquitto.conf"), "utf8");
      expect(config).not.toMatch(/^log_type all$/m);
      expect(config).toMatch(/^log_type information$/m); // the "running" line readiness waits for
      expect(config).toMatch(/^connection_messages false$/m);
      const topic = uniqueTopic("mosquitto/quiet");
      const client = await connectObserver(quiet.url);
      try {
        const seen = await collect(client, topic, 1);
        await client.publishAsync(topic, "q", { qos: 1 });
        await seen.waitFor(1, 3000);
      } finally {
        await client.endAsync();
      }
      const log = quiet.logs();
      expect(log).toMatch(/ running\b/);
      expect(log).not.toMatch(/PUBLISH|New connection|New client/);
    } finally {
      await quiet.dispose();
    }
    // The default (tests read the log) still logs every packet.
    const loud = await startMosquitto();
    try {
      const config = readFileSync(path.join(loud.dir, "mosquitto.conf"), "utf8");
      expect(config).toMatch(/^log_type all$/m);
      expect(config).toMatch(/^connection_messages true$/m);
    } finally {
      await loud.dispose();
    }
  }, 15000);

  it("stop() leaves no process", async () => {
    const broker = await startMosquitto();
    const pid = broker.pid;
    expect(alive(pid)).toBe(true);
    await broker.dispose();
    expect(alive(pid)).toBe(false);
    await broker.stop(); // idempotent
  }, 10000);

  it("no broker survives its test process being SIGKILLed (watchdog)", async () => {
    const helper = fileURLToPath(new URL("../helpers/mosquitto.ts", import.meta.url));
    const script = `const { startMosquitto } = await import(${JSON.stringify(helper)});
const b = await startMosquitto(); console.log("PID " + b.pid); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (out += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (out += text));
    try {
      await until(() => /PID \d+/.test(out), 8000, `child broker pid; output: ${out}`);
      const pid = Number(/PID (\d+)/.exec(out)?.[1]);
      expect(alive(pid)).toBe(true);
      child.kill("SIGKILL");
      await until(() => !alive(pid), 3000, "broker killed by its watchdog");
    } finally {
      child.kill("SIGKILL");
    }
  }, 15000);

  it("an explicit MOSQUITTO that does not exist fails with install instructions", async () => {
    const saved = process.env.MOSQUITTO;
    try {
      process.env.MOSQUITTO = "/nonexistent/mosquitto";
      expect(() => mosquittoBinary()).toThrow(/apt-get install -y mosquitto/);
      await expect(startMosquitto()).rejects.toThrow(/MOSQUITTO/);
    } finally {
      if (saved === undefined) delete process.env.MOSQUITTO;
      else process.env.MOSQUITTO = saved;
    }
  });
});
