/**
 * The npm package as a user gets it: `npm pack` (which builds dist/ in `prepack`), an offline `npm install` of
 * the tarball into a fresh project, then
 * - the tarball holds only what users need (compiled JS, declarations, README, package.json);
 * - every `exports` entry resolves to JS with a declaration beside it;
 * - a TypeScript file importing every entry type-checks with `tsc` (nodenext, no skipLibCheck) and runs on plain
 *   `node` (no loader);
 * - the README's "Use it from Node" example, taken from the README, type-checks and runs against mosquitto;
 * - the `xsmqtt-sim` bin runs the simulator against its embedded broker and exits 0.
 *
 * The pack runs in a copy of the package's sources (with this clone's node_modules linked), so its `prepack`
 * build never touches the working tree's dist/ while someone else's run uses it.
 *
 * Offline: the tarball's own dependency (aedes, the simulator's embedded broker) is copied into the project
 * from this clone's node_modules (the production entries of package-lock.json) before `npm install --offline`,
 * which then only unpacks the tarball; TypeScript and @types/node come from the clone as well.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type MosquittoBroker } from "../helpers/mosquitto.js";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const tsc = path.join(root, "node_modules/typescript/bin/tsc");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  name: string; version: string; exports: Record<string, string | { types: string; default: string }>; bin: Record<string, string>;
};

/** The README's "Use it from Node" TypeScript example. */
function readmeExample(): string {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const at = readme.indexOf("## Use it from Node");
  expect(at).toBeGreaterThan(0);
  const block = /```ts\n([\s\S]*?)\n```/.exec(readme.slice(at));
  expect(block).not.toBeNull();
  return block![1]!;
}

const CONSUMER = `import { MqttClient, SENT, type MqttClientOptions } from "xsmqtt";
import { MqttClient as SameClient, type Host } from "xsmqtt/client";
import { StreamDecoder, encodePublish, sizePublish, utf8Encode } from "xsmqtt/codec";
import { createNodeHost } from "xsmqtt/node";
import { SHT3x, BME280, BH1750, type I2CConstructor } from "xsmqtt/drivers";
import { Firmware, validateConfig, discoveryDocuments, type DiagnosticsProvider, type FirmwareOptions } from "xsmqtt/app";

const host: Host = createNodeHost({ clock: { unref: true } });
const options: MqttClientOptions = { host, hostname: "127.0.0.1", clientId: "pack" };
const provider: DiagnosticsProvider = { mac: "24:0a:c4:00:00:01", rssi: () => -60, freeHeap: () => 150000 };
const config = validateConfig({ broker: { hostname: "127.0.0.1" }, deviceId: "pack-1", sensors: [{ kind: "sht3x", data: 21, clock: 22 }] });
const docs = discoveryDocuments(config);
const io: I2CConstructor | null = null;
const firmwareOptions: Partial<FirmwareOptions> = { diagnostics: provider };
const topic = utf8Encode("a/b");
const info = { topic, topicOffset: 0, topicLength: topic.length, payload: topic, payloadOffset: 0, payloadLength: 0,
  qos: 0, retain: false, dup: false, packetId: 0 };
console.log(JSON.stringify({
  client: typeof MqttClient, same: MqttClient === SameClient, sent: SENT, decoder: typeof StreamDecoder,
  publish: encodePublish(new Uint8Array(16), 0, info) === sizePublish(info), drivers: [SHT3x, BME280, BH1750].length,
  firmware: typeof Firmware, docs: docs.length, hostname: options.hostname, io, diagnostics: typeof firmwareOptions.diagnostics,
}));
`;

describe("npm package: pack, install, import, run", () => {
  let dir: string;
  let project: string;
  let tarball: string;
  let files: string[] = [];
  let broker: MosquittoBroker;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), `xsmqtt-pack-${process.pid}-`));
    project = path.join(dir, "project");
    broker = await startMosquitto();
    const copy = path.join(dir, "xsmqtt");
    for (const entry of ["package.json", "package-lock.json", "README.md", "tsconfig.json", "tsconfig.build.json", "src", "hosts/node", "sim"])
      cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
    symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: copy, timeout: 180_000 });
    const packed = JSON.parse(stdout.slice(stdout.indexOf("["))) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(dir, packed[0]!.filename);
    files = packed[0]!.files.map((f) => f.path);

    // A fresh project; the tarball's dependencies from this clone, so the install needs no network.
    cpSync(path.join(root, "node_modules/typescript"), path.join(project, "node_modules/typescript"), { recursive: true });
    const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
      packages: Record<string, { dev?: boolean; link?: boolean }>;
    };
    for (const [entry, meta] of Object.entries(lock.packages)) {
      if (entry === "" || meta.dev || meta.link || !existsSync(path.join(root, entry))) continue;
      cpSync(path.join(root, entry), path.join(project, entry), { recursive: true });
    }
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", type: "module", private: true }));
    await run("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], { cwd: project, timeout: 120_000 });
  }, 300_000);

  afterAll(async () => {
    await broker?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("ships compiled JS with declarations, the README and package.json, and nothing else", () => {
    expect(files).toContain("package.json");
    expect(files).toContain("README.md");
    for (const f of files) {
      if (f === "package.json" || f === "README.md") continue;
      expect(f, f).toMatch(/^dist\/(src|hosts\/node|sim)\/.+\.(js|d\.ts)$/);
    }
    expect(files.filter((f) => f.endsWith(".js")).length).toBe(files.filter((f) => f.endsWith(".d.ts")).length);
    for (const bin of Object.values(pkg.bin)) expect(files).toContain(bin.replace(/^\.\//, ""));
    console.log(`packed ${files.length} files`);
  });

  it("every exports entry resolves to JS with a declaration beside it", () => {
    const installed = path.join(project, "node_modules", pkg.name);
    expect(Object.keys(pkg.exports).sort()).toEqual([".", "./app", "./client", "./codec", "./drivers", "./node", "./package.json"]);
    for (const [entry, target] of Object.entries(pkg.exports)) {
      if (typeof target === "string") continue;
      expect(existsSync(path.join(installed, target.default)), `${entry} → ${target.default}`).toBe(true);
      expect(existsSync(path.join(installed, target.types)), `${entry} → ${target.types}`).toBe(true);
    }
  });

  it("imports every entry from TypeScript (tsc, nodenext, library types checked) and runs on plain node", async () => {
    writeFileSync(path.join(project, "consumer.ts"), CONSUMER);
    writeFileSync(path.join(project, "hello.ts"), readmeExample());
    writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        target: "es2022", module: "nodenext", moduleResolution: "nodenext", strict: true, outDir: "out",
        types: ["node"], skipLibCheck: false,
      },
      files: ["consumer.ts", "hello.ts"],
    }));
    await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project, timeout: 120_000 });
    const { stdout } = await run(process.execPath, ["out/consumer.js"], { cwd: project, timeout: 20_000 });
    expect(JSON.parse(stdout)).toEqual({
      client: "function", same: true, sent: 0, decoder: "function", publish: true, drivers: 3, firmware: "function",
      docs: 6, hostname: "127.0.0.1", io: null, diagnostics: "object",
    });
  }, 150_000);

  it("the README's Node example runs against mosquitto", async () => {
    const { stdout } = await run(process.execPath, ["out/hello.js"], {
      cwd: project, timeout: 20_000, env: { ...process.env, MQTT_URL: broker.url },
    });
    expect(stdout.trim()).toMatch(/^hello\/\d+: hello from node$/);
  }, 30_000);

  it("npx xsmqtt-sim runs the simulator against its embedded broker and exits 0", async () => {
    const { stdout } = await run("npx", ["--offline", "xsmqtt-sim", "--duration", "3s", "--json", "--period", "1s", "--devices", "2"], {
      cwd: project, timeout: 30_000,
    });
    const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const exit = lines.at(-1)!;
    expect(exit["type"]).toBe("exit");
    expect(exit["devices"]).toBe(2);
    expect(exit["readings"] as number).toBeGreaterThanOrEqual(12);
    expect(lines.some((l) => l["type"] === "device" && l["state"] === "connected")).toBe(true);
    const help = await run("npx", ["--offline", "xsmqtt-sim", "--help"], { cwd: project, timeout: 20_000 });
    expect(help.stdout).toMatch(/xsmqtt-sim/);
  }, 60_000);
});
