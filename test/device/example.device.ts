// The counter example (examples/moddable-counter) on Moddable's runtime, built and run with the commands the
// README's "Use it from your Moddable app" section shows: read from the README, only the broker's port and the
// output folder replaced. An MQTT.js observer on a private mosquitto checks that the counter values arrive
// in order. A second check builds an app outside this repository from the README's include lines, with
// $(XSMQTT) pointing here (manifests resolved for lin and esp32; nothing compiled).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { collect, connectObserver, startMosquitto, type MosquittoBroker } from "../helpers/index.js";
import { buildDir, mcconfig, ROOT, Simulator } from "./moddable.js";

/** The README's Moddable section: its sh block (cd, mcconfig, mcsim) and its json include block. */
function readmeSection(): { cd: string; mkdir: string[]; mcconfig: string[]; mcsim: string[]; include: string[] } {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("## Use it from your Moddable app");
  expect(start, "README has a section 'Use it from your Moddable app'").toBeGreaterThanOrEqual(0);
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const sh = /```sh\n([\s\S]*?)```/.exec(section)?.[1]?.trim().split("\n") ?? [];
  const json = /```json\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  const line = (prefix: string): string[] => {
    const found = sh.find((l) => l.startsWith(prefix));
    expect(found, `README sh block has a line starting with ${prefix}`).toBeDefined();
    return found!.trim().split(/\s+/);
  };
  const include = (JSON.parse(`{${json}}`) as { include: string[] }).include;
  expect(sh.length, "README sh block: cd, mkdir, mcconfig, xvfb-run").toBe(4);
  return { cd: line("cd ")[1]!, mkdir: line("mkdir "), mcconfig: line("mcconfig "), mcsim: line("xvfb-run "), include };
}

/** Module specifiers compiled into a build (the .xsb files under its modules folder). */
function compiledModules(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".xsb")).map((f) => f.slice(0, -4));
}

const readme = readmeSection();
const OUT = buildDir("example");

const running: Simulator[] = [];
afterAll(async () => {
  for (const sim of running) await sim.kill();
});

describe("examples/moddable-counter on mcsim", () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.dispose();
  });

  it("builds with the README's mcconfig line and publishes 0, 1, 2, ... in order to the configured topic", async () => {
    // mcconfig -m -p lin -t build -o <out> manifest.json key=value...
    const [tool, ...args] = readme.mcconfig;
    expect(tool).toBe("mcconfig");
    const flags = args.slice(0, 7);
    expect(flags.filter((_, i) => i !== 6)).toEqual(["-m", "-p", "lin", "-t", "build", "-o"]);
    const readmeOut = flags[6]!;
    expect(readme.mkdir).toEqual(["mkdir", "-p", readmeOut]); // mcconfig wants the -o folder to exist
    expect(args[7]).toBe("manifest.json");
    const config = Object.fromEntries(args.slice(8).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
    expect(Object.keys(config)).toEqual(["mqttHost", "mqttPort", "topic"]);
    const topic = config["topic"]!;

    const build = mcconfig(path.join(ROOT, readme.cd, "manifest.json"), OUT, { ...config, mqttPort: broker.port }, "lin", true);
    // The README's mcsim line runs the app where this build put it.
    expect(readme.mcsim.slice(0, 6)).toEqual(["xvfb-run", "-a", "stdbuf", "-oL", "-eL", "$MODDABLE/build/bin/lin/release/mcsim"]);
    expect(readme.mcsim[6]).toBe(build.app.replace(OUT, readmeOut));
    // Only the client and the TCP/clock adapters are in it: no app, driver, TLS or I2C module.
    const modules = compiledModules(path.join(OUT, "tmp", "lin", "mc", "release", path.basename(path.dirname(build.app)), "modules"));
    expect(modules).toContain("xsmqtt/client/client");
    expect(modules.filter((m) => /^xsmqtt\/(app|drivers|sim)\/|^xsmqtt\/moddable\/(tls|i2c)$|^ssl\//.test(m))).toEqual([]);

    const observer = await connectObserver(broker.url);
    const counter = await collect(observer, topic, 0);
    const sim = new Simulator(build.app);
    running.push(sim);
    await sim.waitFor(/counter: connected/, 20_000);
    const messages = await counter.waitFor(5, 15_000);
    await sim.waitFor(/counter: published 4\b/, 5000);
    const values = messages.map((m) => m.payload.toString());
    expect(values.slice(0, 5)).toEqual(["0", "1", "2", "3", "4"]);
    expect(messages.every((m) => m.topic === topic && m.qos === 0 && !m.retain)).toBe(true);
    expect(sim.count(/not published/)).toBe(0);
    await sim.kill();
    observer.end(true);
  }, 600_000);

  it("an app outside this repository resolves the README's include lines through $(XSMQTT), for lin and esp32", () => {
    expect(readme.include).toEqual([
      "$(MODDABLE)/examples/manifest_base.json", "$(XSMQTT)/manifests/client.json", "$(XSMQTT)/manifests/moddable-tcp.json",
    ]);
    const app = path.join(buildDir("outside"), "my-app");
    mkdirSync(app, { recursive: true });
    writeFileSync(path.join(app, "manifest.json"), JSON.stringify({ include: readme.include, modules: { "*": "./main" } }, null, "\t"));
    copyFileSync(path.join(ROOT, "examples/moddable-counter/main.ts"), path.join(app, "main.ts"));
    const saved = process.env["XSMQTT"];
    process.env["XSMQTT"] = ROOT;
    try {
      for (const platform of ["lin", "esp32"]) {
        // Without -m: mcconfig resolves every manifest and module path and writes the makefile.
        const { log } = mcconfig(path.join(app, "manifest.json"), path.join(buildDir("outside"), `out-${platform}`), {}, platform, false);
        expect(log).not.toMatch(/not found/);
      }
    } finally {
      if (saved === undefined) delete process.env["XSMQTT"];
      else process.env["XSMQTT"] = saved;
    }
  }, 120_000);
});
