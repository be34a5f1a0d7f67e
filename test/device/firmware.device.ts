// The firmware on Moddable's runtime: the landed manifest.json built by the real mcconfig for lin, run in mcsim
// (headless) against private mosquitto brokers, observed by MQTT.js. One scenario per `it`; a failure fails
// the device lane. Builds share one output folder, so a config change relinks in seconds; scenarios run in
// order (the lane runs with fileParallelism off).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  collect, connectObserver, makeTestPki, startMosquitto, type MosquittoBroker, type TestPki,
} from "../helpers/index.js";
import { buildDir, mcconfig, ROOT, Simulator } from "./moddable.js";

const MANIFEST = path.join(ROOT, "manifest.json");
const OUT = buildDir("firmware");
const PREFIX = "xsmqtt";

/** Builds the firmware with these config overrides (mcconfig `key=value`). */
function buildFirmware(config: Record<string, string | number>): string {
  return mcconfig(MANIFEST, OUT, { period: 1000, discovery: "true", ...config }).app;
}

/** PEM text as one mcconfig argument (main.ts turns `\n` back into line breaks). */
function flatPem(pem: string): string {
  return pem.trim().split("\n").join("\\n");
}

/** A name other than `localhost` that /etc/hosts maps to 127.0.0.1 (resolved by `Net.resolve` on the device). */
function loopbackAlias(): string | undefined {
  let hosts = "";
  try {
    hosts = readFileSync("/etc/hosts", "utf8");
  } catch {
    return undefined;
  }
  for (const line of hosts.split("\n")) {
    const [address, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (address !== "127.0.0.1") continue;
    const alias = names.find((n) => n !== "" && n.toLowerCase() !== "localhost");
    if (alias !== undefined) return alias;
  }
  return undefined;
}

const running: Simulator[] = [];

/** Runs `app` in mcsim and waits until it connected and an MQTT.js observer saw 6 of its readings. */
async function expectReadings(app: string, brokerUrl: string, id: string): Promise<Simulator> {
  const observer = await connectObserver(brokerUrl);
  try {
    const readings = await collect(observer, `${PREFIX}/${id}/+/+`);
    const sim = start(app);
    await sim.waitFor(/xsmqtt connected/, 30_000);
    await readings.waitFor(6, 15_000);
    return sim;
  } finally {
    observer.end(true);
  }
}
function start(app: string): Simulator {
  const sim = new Simulator(app);
  running.push(sim);
  return sim;
}

// The first build compiles every module (minutes on a busy 2-core machine); later ones only relink the config.
beforeAll(() => {
  buildFirmware({ mqttHost: "127.0.0.1", mqttPort: 1, deviceId: "warm-up" });
}, 900_000);

afterAll(async () => {
  for (const sim of running) await sim.kill();
});

describe("firmware on mcsim over TCP", () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto({ persistence: true, autosaveInterval: 1 });
  });
  afterAll(async () => {
    await broker.dispose();
  });

  it("publishes readings, retained online and Home Assistant discovery; the will says offline when the process is killed", async () => {
    const id = `dev-basic-${process.pid}`;
    const app = buildFirmware({ mqttHost: "localhost", mqttPort: broker.port, deviceId: id });
    const observer = await connectObserver(broker.url);
    const status = await collect(observer, `${PREFIX}/${id}/status`);
    const readings = await collect(observer, `${PREFIX}/${id}/+/+`);
    const discovery = await collect(observer, `homeassistant/+/${id}/+/config`);
    const sim = start(app);
    await sim.waitFor(/xsmqtt connected/, 20_000);
    await readings.waitFor(12, 15_000);
    const online = (await status.waitFor(1, 10_000))[0]!;
    expect(online.payload.toString()).toBe("online");
    expect(online.retain || status.messages.length > 0).toBe(true);
    await discovery.waitFor(6, 10_000);
    const temperature = discovery.messages.find((m) => m.topic.endsWith("/sht3x_temperature/config"));
    expect(temperature).toBeDefined();
    const payload = JSON.parse(temperature!.payload.toString()) as Record<string, unknown>;
    expect(payload["unit_of_meas"] ?? payload["unit_of_measurement"]).toBe("°C");
    const value = readings.messages.find((m) => m.topic === `${PREFIX}/${id}/sht3x/temperature`);
    expect(Number(value?.payload.toString())).toBeGreaterThan(-40);

    await sim.kill(); // power cut: no DISCONNECT, so the broker publishes the will after keepalive or at once on socket close
    const offline = await status.waitFor(2, 15_000);
    expect(offline[offline.length - 1]!.payload.toString()).toBe("offline");
    // A new subscriber sees the retained state.
    const late = await connectObserver(broker.url);
    const retained = await collect(late, `${PREFIX}/${id}/status`);
    expect((await retained.waitFor(1, 5000))[0]!.payload.toString()).toBe("offline");
    late.end(true);
    observer.end(true);
  }, 90_000);

  it("loses no QoS 1 reading across a broker restart (counted by an independent persistent subscriber)", async () => {
    const id = `dev-restart-${process.pid}`;
    // A 3 s period: the outage (restart plus the reconnect backoff) fits in the one round the offline queue holds,
    // so nothing is dropped and every document must arrive; a longer outage would drop the oldest, counted.
    const app = buildFirmware({ mqttHost: "127.0.0.1", mqttPort: broker.port, deviceId: id, qos: 1, senml: "true", statsPeriod: 500, period: 3000 });
    // A persistent session: the broker keeps what arrives for it while it is away and across the restart.
    const observer = await connectObserver(broker.url, { clientId: `obs-${id}`, clean: false, reconnectPeriod: 200 });
    const docs = await collect(observer, `${PREFIX}/${id}/senml`, 1);
    const sim = start(app);
    await sim.waitFor(/xsmqtt connected/, 20_000);
    await docs.waitFor(2, 15_000);
    const beforeRestart = sim.lines.length;
    await broker.restart();
    // The firmware reconnects on its own (backoff), then runs a few more rounds.
    await sim.waitForAfter(beforeRestart, /xsmqtt connected/, 30_000);
    await new Promise((r) => setTimeout(r, 7000));
    const last = await sim.waitForAfter(sim.lines.length, /xsmqtt stats:/, 2000);
    const senml = Number(/senml=(\d+)/.exec(last)![1]);
    const dropped = Number(/dropped=(\d+)/.exec(last)![1]);
    await new Promise((r) => setTimeout(r, 2500)); // let the last acknowledged ones arrive
    const unique = new Set(docs.messages.map((m) => m.payload.toString()));
    expect(dropped).toBe(0);
    expect(senml).toBeGreaterThanOrEqual(4);
    // Every document the firmware had published by the stats line reached the subscriber (duplicates allowed).
    expect(unique.size).toBeGreaterThanOrEqual(senml);
    await sim.kill();
    observer.end(true);
  }, 120_000);

  const alias = loopbackAlias();
  it.skipIf(alias === undefined)(`resolves the broker's host name through Net.resolve (${alias ?? "no loopback alias in /etc/hosts"})`, async () => {
    const id = `dev-dns-${process.pid}`;
    const app = buildFirmware({ mqttHost: alias!, mqttPort: broker.port, deviceId: id });
    const sim = await expectReadings(app, broker.url, id);
    expect(sim.count(/ENOTFOUND/)).toBe(0);
    await sim.kill();
  }, 90_000);

  it("reports a simulated sensor fault on its error topic and ok when the sensor recovers", async () => {
    const id = `dev-fault-${process.pid}`;
    const app = buildFirmware({ mqttHost: "127.0.0.1", mqttPort: broker.port, deviceId: id, simFault: "bme280:absent:3000:7000" });
    const observer = await connectObserver(broker.url);
    const errors = await collect(observer, `${PREFIX}/${id}/bme280/error`);
    const sim = start(app);
    await sim.waitFor(/fault bme280:absent:3000:7000 set/, 20_000);
    await sim.waitFor(/fault bme280:absent:3000:7000 cleared/, 20_000);
    const deadline = Date.now() + 15_000;
    const payloads = (): string[] => errors.messages.map((m) => m.payload.toString());
    while (Date.now() < deadline && !(payloads().some((p) => p !== "ok") && payloads()[payloads().length - 1] === "ok"
      && payloads().lastIndexOf("ok") > payloads().findIndex((p) => p !== "ok"))) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const seen = payloads();
    const faultAt = seen.findIndex((p) => p !== "ok");
    expect(faultAt, `error topic saw ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(0);
    expect(seen.lastIndexOf("ok")).toBeGreaterThan(faultAt);
    await sim.kill();
    observer.end(true);
  }, 90_000);
});

describe("firmware on mcsim over TLS (RSA test PKI: Moddable's TLS offers ECDHE_RSA/DHE_RSA)", () => {
  let pki: TestPki;
  let broker: MosquittoBroker;
  let mutual: MosquittoBroker;
  beforeAll(async () => {
    pki = makeTestPki(undefined, "rsa");
    broker = await startMosquitto({ tls: { cafile: pki.ca.certPath, certfile: pki.server.certPath, keyfile: pki.server.keyPath } });
    // Moddable's TLS signs the client's CertificateVerify only under RSA or ECDHE_RSA key exchange, and
    // OpenSSL's default order picks DHE_RSA for it: the mutual-TLS broker offers ECDHE_RSA first (README, TLS).
    mutual = await startMosquitto({
      tls: { cafile: pki.ca.certPath, certfile: pki.server.certPath, keyfile: pki.server.keyPath, requireCertificate: true },
      extraConfig: ["ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"],
    });
  }, 60_000);
  afterAll(async () => {
    await broker.dispose();
    await mutual.dispose();
  });

  it("verifies the broker against the test CA and publishes over TLS", async () => {
    const id = `dev-tls-${process.pid}`;
    const app = buildFirmware({ mqttHost: "localhost", mqttPort: broker.tlsPort!, mqttTls: "1", caPem: flatPem(pki.ca.cert), deviceId: id });
    await (await expectReadings(app, broker.url, id)).kill();
  }, 90_000);

  it("refuses a broker whose certificate does not chain to the configured CA, with the typed TLS error", async () => {
    const id = `dev-tls-wrong-ca-${process.pid}`;
    const app = buildFirmware({ mqttHost: "localhost", mqttPort: broker.tlsPort!, mqttTls: "1", caPem: flatPem(pki.otherCa.cert), deviceId: id });
    const sim = start(app);
    const line = await sim.waitFor(/xsmqtt error:/, 30_000);
    expect(line).toMatch(/TlsVerificationError: .*CERT_REJECTED/);
    expect(sim.count(/xsmqtt connected/)).toBe(0);
    await sim.kill();
  }, 90_000);

  it("authenticates with a client certificate to a broker that requires one (mutual TLS)", async () => {
    const id = `dev-mtls-${process.pid}`;
    const app = buildFirmware({
      mqttHost: "localhost", mqttPort: mutual.tlsPort!, mqttTls: "1", deviceId: id,
      caPem: flatPem(pki.ca.cert), certPem: flatPem(pki.client.cert), keyPem: flatPem(pki.client.key),
    });
    await (await expectReadings(app, mutual.url, id)).kill();
  }, 90_000);
});
