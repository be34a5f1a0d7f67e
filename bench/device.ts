/**
 * Device footprint benchmark (issue 9, item 5): xsmqtt on Moddable's own runtime against Moddable's MQTT
 * clients, all built the same way with the Moddable SDK's mcconfig for `lin` and run in its simulator.
 *
 *   npm run bench:device                    (tsx bench/device.ts)
 *   npm run bench:device -- --rounds 2000 --ref HEAD --no-firmware --keep
 *
 * Needs MODDABLE (the SDK, with its lin tools and mcsim built), xvfb-run and mosquitto. It builds:
 *  (a) bench/device/xsmqtt-publisher: our client publishing like a sensor, through a generated manifest that
 *      maps ONLY the client-role codec and the client modules one by one, derived from src/codec and
 *      src/client at run time (every .ts except index.ts barrels, *-server.ts and .d.ts);
 *  (b) bench/device/moddable-publisher: Moddable's ECMA-419 example client
 *      ($MODDABLE/examples/io/tcp/mqttclient, `embedded:network/mqtt/client`) doing the same publishing;
 *  (c) Moddable's classic client ($MODDABLE/modules/network/mqtt) through its mqttbasic example, for size;
 *  (d) the whole firmware (./manifest.json, unchanged) inside a wrapper manifest whose entry module
 *      (bench/device/firmware-probe) takes the runtime's baseline, runs the firmware's own `main`, and after 15 s
 *      of QoS 1 readings (3 simulated sensors, period 1 s) reports its heap and stack high-water marks; sizes
 *      per layer come from the same build, without the probe's modules.
 * (a), (b) and (d) are instrumented release builds (`mcconfig -m -i -p lin -t build -o <tmp>`: the .xsb are the
 * release ones; -i only turns on XS's instrumentation, which tracks the stack high-water mark). They run
 * headless (`xvfb-run -a stdbuf -oL -eL mcsim mc.so`) against one private mosquitto, one after the other,
 * and report through trace() the figures of bench/device/meter (the XS machine's own slot, chunk and stack
 * counters, plus Moddable's `instrumentation` module as a cross-check; CPU time of the XS thread).
 *
 * Options: --rounds N (3 QoS 1 messages per round, default 1000); --ref <git ref> measures that commit's
 * files (git archive of the whole commit into the temp dir) instead of the working tree's (the bench
 * apps themselves always come from the working tree); --no-firmware; --keep keeps the temp
 * dir; --timeout <s> per app run (default 300); --cache <dir> keeps the build folders there, so a later run
 * rebuilds only what changed (a full set of builds takes several minutes on 2 cores).
 * The last line: `device xsb codec+client <n> B moddable-mqttclient <m> B ratio <r>x heap <h> B moddable-heap <k> B`.
 * @module
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { startMosquitto } from "../test/helpers/mosquitto.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const LAYERS = ["codec", "client"] as const;

// ---------------------------------------------------------------------------------------------- options

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const rounds = Number(option("--rounds") ?? 1000);
const ref = option("--ref");
const withFirmware = !process.argv.includes("--no-firmware");
const keep = process.argv.includes("--keep");
const runTimeout = Number(option("--timeout") ?? 300) * 1000;
const cache = option("--cache");

const MODDABLE = process.env["MODDABLE"];
if (!MODDABLE) {
  console.error("bench:device: MODDABLE is not set. Point it at a Moddable SDK with the lin tools and mcsim built");
  console.error("(e.g. `export MODDABLE=$HOME/moddable`; see the Moddable SDK's Linux getting-started guide).");
  process.exit(2);
}
const toolDir = path.join(MODDABLE, "build", "bin", "lin", "release");
const mcsim = path.join(toolDir, "mcsim");
for (const tool of ["mcconfig", "mcsim"]) {
  if (!existsSync(path.join(toolDir, tool))) {
    console.error(`bench:device: ${path.join(toolDir, tool)} not found: build the Moddable lin tools first`);
    process.exit(2);
  }
}
const env = { ...process.env, MODDABLE, PATH: `${toolDir}:${path.join(repo, "node_modules", ".bin")}:${process.env["PATH"]}` };

// ---------------------------------------------------------------------------------------------- helpers

const work = mkdtempSync(path.join(os.tmpdir(), "xsmqtt-bench-device-"));
function log(line = ""): void {
  console.log(line);
}
function kb(n: number): string {
  return `${(n / 1024).toFixed(1)} KB`;
}
function pad(s: string | number, n: number): string {
  return String(s).padStart(n);
}

/** The tree measured: the working tree, or `--ref` exported with git archive (never touching the checkout). */
function sourceTree(): string {
  if (!ref) return repo;
  // Under --cache the tree has a stable path per commit, so mcconfig's make sees the same sources again.
  const commitId = execFileSync("git", ["rev-parse", ref], { cwd: repo, encoding: "utf8" }).trim();
  const tree = cache ? path.join(path.resolve(cache), `tree-${commitId.slice(0, 12)}`) : path.join(work, "tree");
  if (cache && existsSync(path.join(tree, "manifest.json"))) return tree;
  mkdirSync(tree, { recursive: true });
  const tar = execFileSync("git", ["archive", ref], { cwd: repo, maxBuffer: 1 << 30 }); // the whole commit: manifests include siblings
  execFileSync("tar", ["-x", "-C", tree], { input: tar });
  return tree;
}

/**
 * Device modules of one layer: what the device manifest for the codec + client (`manifests/client.json`) maps
 * under `xsmqtt/<layer>/`; for trees without it, every .ts in src/<layer> except barrels, server-role files and
 * declarations. Opt-in modules (`manifests/qos2.json`) are measured apart.
 */
function layerFiles(tree: string, layer: string): string[] {
  const manifest = path.join(tree, "manifests", "client.json");
  if (existsSync(manifest)) {
    const modules = (JSON.parse(readFileSync(manifest, "utf8")) as { modules: Record<string, string> }).modules;
    return Object.keys(modules).filter((k) => k.startsWith(`xsmqtt/${layer}/`)).map((k) => k.slice(`xsmqtt/${layer}/`.length)).sort();
  }
  return readdirSync(path.join(tree, "src", layer))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && f !== "index.ts" && !f.endsWith("-server.ts") && !f.endsWith(".test.ts"))
    .map((f) => f.slice(0, -3))
    .sort();
}

/**
 * The opt-in module(s) of `manifests/<name>` (`qos2.json`: the QoS 2 engine; `journal.json`: the session journal),
 * specifier -> file without extension, in `tree`.
 */
function optInModules(tree: string, name: string): Record<string, string> {
  const manifest = path.join(tree, "manifests", name);
  if (!existsSync(manifest)) return {};
  const modules = (JSON.parse(readFileSync(manifest, "utf8")) as { modules: Record<string, string> }).modules;
  const out: Record<string, string> = {};
  for (const [spec, file] of Object.entries(modules)) out[spec] = path.resolve(path.dirname(manifest), file);
  return out;
}

interface Build {
  ok: boolean;
  log: string;
  modules: string; // folder of the .xsb files
  app: string; // mc.so
}

/** `mcconfig -m [-i] -p lin -t build -o <out> <manifest> key=value...`; never launches anything. */
function mcconfig(manifest: string, label: string, config: string[], instrument: boolean, cwd = path.dirname(manifest)): Build {
  const out = path.join(cache ? path.resolve(cache) : work, `out-${label}`);
  mkdirSync(out, { recursive: true });
  const args = ["-m", ...(instrument ? ["-i"] : []), "-p", "lin", "-t", "build", "-o", out, manifest, ...config];
  const started = Date.now();
  const r = spawnSync("mcconfig", args, { cwd, env, encoding: "utf8", maxBuffer: 1 << 26 });
  const text = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  writeFileSync(path.join(work, `build-${label}.log`), `mcconfig ${args.join(" ")}\n${text}`);
  const goal = instrument ? "instrument" : "release";
  const name = path.basename(path.dirname(manifest));
  const build = {
    ok: r.status === 0,
    log: text,
    modules: path.join(out, "tmp", "lin", "mc", goal, name, "modules"),
    app: path.join(out, "bin", "lin", "mc", goal, name, "mc.so"),
  };
  log(`  built ${label} in ${((Date.now() - started) / 1000).toFixed(0)} s: ${build.ok ? "ok" : `FAILED (exit ${r.status})`}`);
  return build;
}

/** The first error lines of a failed build. */
function buildErrors(text: string): string[] {
  return text.split("\n").filter((l) => /error|Error|not found|failure/.test(l) && !/^#/.test(l)).slice(0, 6);
}

/** Every .xsb under a modules folder, by its path there (e.g. `xsmqtt/codec/ack.xsb`). */
function xsbSizes(modules: string): Map<string, number> {
  const sizes = new Map<string, number>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".xsb")) sizes.set(path.relative(modules, full), statSync(full).size);
    }
  };
  if (existsSync(modules)) walk(modules);
  return sizes;
}
function sumWhere(sizes: Map<string, number>, test: (key: string) => boolean): number {
  let n = 0;
  for (const [k, v] of sizes) if (test(k)) n += v;
  return n;
}
function find(sizes: Map<string, number>, suffix: string): number {
  for (const [k, v] of sizes) if (k.endsWith(suffix)) return v;
  return 0;
}

/**
 * The parts of an .xsb (XS's atom format: big-endian size, 4-letter type): SYMB is the module's table of
 * names (every identifier and property name it uses, each module its own), CODE the bytecode with its
 * string literals.
 */
function xsbParts(file: string): { names: number; code: number } {
  const parts = { names: 0, code: 0 };
  if (!existsSync(file)) return parts;
  const bytes = readFileSync(file);
  for (let at = 8; at + 8 <= bytes.length;) {
    const size = bytes.readUInt32BE(at);
    const type = bytes.toString("latin1", at + 4, at + 8);
    if (type === "SYMB") parts.names += size;
    else if (type === "CODE") parts.code += size;
    if (size < 8) break;
    at += size;
  }
  return parts;
}

/** Runs an app in mcsim headless and collects its `bench <key> <value>` lines until `done` or `fail`. */
function runApp(app: string, label: string): Promise<Map<string, string>> {
  return new Promise((resolve) => {
    const figures = new Map<string, string>();
    let output = "";
    let keys: string[] = [];
    const child = spawn("xvfb-run", ["-a", "stdbuf", "-oL", "-eL", mcsim, app], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const stop = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL"); // our own process group only
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      figures.set("fail", `timeout after ${runTimeout / 1000} s`);
      stop();
    }, runTimeout);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      let nl: number;
      while ((nl = output.indexOf("\n")) >= 0) {
        const line = output.slice(0, nl);
        output = output.slice(nl + 1);
        // mcsim (-i builds) prints XS's instruments once a second and then resets the stack peak and the GC
        // count; the whole-run stack high-water mark and GC count come from these samples.
        if (line.startsWith("instruments key: ")) {
          keys = line.slice(17).split(",");
          continue;
        }
        if (line.startsWith("instruments: ")) {
          const v = line.slice(13).split(",").map(Number);
          const stack = v[keys.indexOf("Stack used")] ?? 0;
          const gcs = v[keys.indexOf("Garbage collections")] ?? 0;
          const phase = figures.has("phase") ? "steady" : "setup";
          figures.set(`sampled.${phase}.stack.bytes`, String(Math.max(Number(figures.get(`sampled.${phase}.stack.bytes`) ?? 0), stack)));
          figures.set(`sampled.${phase}.gc`, String(Number(figures.get(`sampled.${phase}.gc`) ?? 0) + gcs));
          continue;
        }
        const m = /^bench (\S+) (.*)$/.exec(line);
        if (!m) continue;
        figures.set(m[1]!, m[2]!);
        if (m[1] === "done" || m[1] === "fail") stop();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", () => {
      clearTimeout(timer);
      writeFileSync(path.join(work, `run-${label}.log`), [...figures].map(([k, v]) => `${k} ${v}`).join("\n") + "\n");
      resolve(figures);
    });
  });
}

/** What costs bytes in a source file: counts read with the TypeScript compiler API. */
interface SourceShape {
  functions: number; // functions, methods, accessors, constructors, arrows
  classes: number;
  fields: number; // class property declarations (each is initialised by code in the constructor)
  stringBytes: number; // string and template literal text, excluding module specifiers
  throws: number;
  exports: number;
}
function shapeOf(file: string): SourceShape {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const s: SourceShape = { functions: 0, classes: 0, fields: 0, stringBytes: 0, throws: 0, exports: 0 };
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && !ts.isFunctionTypeNode(node) && !ts.isMethodSignature(node) && !ts.isCallSignatureDeclaration(node) &&
      !ts.isConstructSignatureDeclaration(node) && !ts.isIndexSignatureDeclaration(node) && !ts.isConstructorTypeNode(node) &&
      (node as ts.FunctionLikeDeclaration).body !== undefined) s.functions++;
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) s.classes++;
    if (ts.isPropertyDeclaration(node) && !(ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Ambient)) s.fields++;
    if (ts.isThrowStatement(node)) s.throws++;
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && !ts.isImportDeclaration(node.parent) &&
      !ts.isExportDeclaration(node.parent) && !ts.isLiteralTypeNode(node.parent) && !ts.isExternalModuleReference(node.parent)) s.stringBytes += node.text.length;
    if (ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) s.stringBytes += node.text.length;
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return; // types cost nothing
    ts.forEachChild(node, visit);
  };
  visit(source);
  for (const st of source.statements) {
    if (ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) &&
      !ts.isInterfaceDeclaration(st) && !ts.isTypeAliasDeclaration(st)) {
      s.exports += ts.isVariableStatement(st) ? st.declarationList.declarations.length : 1;
    }
  }
  return s;
}

/**
 * Device modules reachable from the publisher's imports through the sources' relative imports (type-only
 * imports excluded): a file of a layer that nothing reaches is linked by the directory rule but never used.
 */
function reachable(tree: string): Set<string> {
  const main = readFileSync(path.join(here, "device", "xsmqtt-publisher", "main.ts"), "utf8");
  const todo = [...main.matchAll(/^import (?!type )[^;]*?from "xsmqtt\/(codec|client)\/([\w-]+)"/gm)].map((m) => `${m[1]}/${m[2]}`);
  const seen = new Set<string>();
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const file = path.join(tree, "src", `${id}.ts`);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^(?:import|export) (?!type )[^;]*?from "(\.\.?\/[\w/-]+)\.js"/gm)) {
      todo.push(path.posix.join(path.posix.dirname(id), m[1]!));
    }
  }
  return seen;
}

/** mcconfig's default `creation` (tools/mcconfig.js filterCreation), used by esp32 when no target sets one. */
function defaultCreation(): { chunk: number; heap: number; stack: number; source: string } {
  const text = readFileSync(path.join(MODDABLE!, "tools", "mcconfig.js"), "utf8");
  const num = (re: RegExp, fallback: number): number => Number(re.exec(text)?.[1] ?? fallback);
  const esp32 = JSON.parse(readFileSync(path.join(MODDABLE!, "build", "devices", "esp32", "manifest.json"), "utf8")) as { creation?: unknown };
  return {
    chunk: num(/creation\.chunk\.initial = (\d+)/, 32768),
    heap: num(/creation\.heap\.initial = (\d+)/, 2048),
    stack: num(/creation\.stack \?\?= (\d+)/, 384),
    source: esp32.creation === undefined ? "tools/mcconfig.js filterCreation (build/devices/esp32/manifest.json sets none)" : "build/devices/esp32/manifest.json",
  };
}

/** XS version from an .xsb's VERS atom (major, minor, patch): what compiled the bytecode. */
function xsVersion(file: string): string {
  if (!existsSync(file)) return "XS ?";
  const b = readFileSync(file);
  return b.toString("latin1", 12, 16) === "VERS" ? `XS ${b[16]}.${b[17]}.${b[18]}` : "XS ?";
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const tree = sourceTree();
  const commit = ref ? execFileSync("git", ["rev-parse", "--short", ref], { cwd: repo, encoding: "utf8" }).trim() : "working tree";
  log(`bench:device  Moddable SDK at ${MODDABLE}; lin simulator (mcsim, headless); node ${process.version}`);
  log(`  sources: ${ref ? `${ref} (${commit}, via git archive)` : `working tree of ${repo}`}; temp ${work}`);

  const broker = await startMosquitto({ quiet: true, maxInflightMessages: 0, maxQueuedMessages: 100000 });
  const config = [`port=${broker.port}`, `rounds=${rounds}`];
  log(`  mosquitto on 127.0.0.1:${broker.port}; ${rounds} rounds x 3 QoS 1 messages, window 4`);

  try {
    // (a) our publisher: a generated manifest includes bench/device/xsmqtt-publisher/manifest.json and maps
    // the device modules one by one (preloaded, as the firmware preloads them).
    const files: Record<string, string[]> = {};
    const modules: Record<string, string> = {};
    const preload: string[] = [];
    for (const layer of LAYERS) {
      files[layer] = layerFiles(tree, layer);
      for (const f of files[layer]!) {
        modules[`xsmqtt/${layer}/${f}`] = path.join(tree, "src", layer, f);
        preload.push(`xsmqtt/${layer}/${f}`);
      }
    }
    // The opt-in QoS 2 engine and session journal are built too (preloaded, unused by the publisher) so their
    // bytecode can be reported.
    const qos2 = optInModules(tree, "qos2.json");
    const journal = optInModules(tree, "journal.json");
    for (const [spec, file] of Object.entries({ ...qos2, ...journal })) {
      modules[spec] = file;
      preload.push(spec);
    }
    const oursDir = path.join(work, "xsmqtt-publisher");
    mkdirSync(oursDir);
    const oursManifest = path.join(oursDir, "manifest.json");
    writeFileSync(oursManifest, JSON.stringify({
      include: [path.join(here, "device", "xsmqtt-publisher", "manifest.json")],
      modules,
      preload,
    }, null, "\t"));
    log(`  codec modules: ${files["codec"]!.join(" ")}`);
    log(`  client modules: ${files["client"]!.join(" ")}`);

    const ours = mcconfig(oursManifest, "xsmqtt-publisher", config, true);
    const peer = mcconfig(path.join(here, "device", "moddable-publisher", "manifest.json"), "moddable-publisher", config, true);
    const classic = mcconfig(path.join(MODDABLE!, "examples", "network", "mqtt", "mqttbasic", "manifest.json"), "mqttbasic", [], false);
    // (d) the firmware, unchanged, inside a wrapper whose entry (bench/device/firmware-probe) takes the baseline,
    // runs the firmware's own main module, and reports its high-water marks after `benchSeconds` of readings.
    let firmware: Build | undefined;
    if (withFirmware) {
      const fwDir = path.join(cache ? path.resolve(cache) : work, "firmware");
      mkdirSync(fwDir, { recursive: true });
      const fwManifest = path.join(fwDir, "manifest.json");
      writeFileSync(fwManifest, JSON.stringify({
        include: [path.join(tree, "manifest.json"), path.join(here, "device", "meter", "manifest.json")],
        creation: { main: "xsmqtt-bench/firmware-main" },
        modules: {
          "xsmqtt-bench/firmware-main": path.join(here, "device", "firmware-probe", "main"),
          "xsmqtt-bench/firmware-baseline": path.join(here, "device", "firmware-probe", "baseline"),
        },
      }, null, "\t"));
      firmware = mcconfig(fwManifest, "firmware", [`mqttHost=127.0.0.1`, `mqttPort=${broker.port}`, "deviceId=bench-fw", "qos=1", "period=1000", "benchSeconds=15"], true, tree); // "./" includes resolve from the working directory
    }
    if (!ours.ok || !peer.ok || !classic.ok) process.exitCode = 1;
    if (!peer.ok) log(`Moddable publisher does not build: ${buildErrors(peer.log).join(" | ")}`);
    if (!ours.ok) {
      log("xsmqtt publisher does not build:");
      for (const l of buildErrors(ours.log)) log(`    ${l}`);
    }

    const oursRun = ours.ok ? await runApp(ours.app, "xsmqtt") : new Map<string, string>();
    const peerRun = peer.ok ? await runApp(peer.app, "moddable") : new Map<string, string>();
    const fwRun = firmware?.ok ? await runApp(firmware.app, "firmware") : new Map<string, string>();

    // ------------------------------------------------------------------------------------------ sizes
    log(`  bytecode: ${xsVersion(path.join(ours.modules, "main.xsb"))}`);
    const oursXsb = xsbSizes(ours.modules);
    const peerXsb = xsbSizes(peer.modules);
    const classicXsb = xsbSizes(classic.modules);
    log();
    log(".xsb bytes per file (release bytecode: names = the module's SYMB table, code = CODE incl. string literals;");
    log("source shape from the TypeScript AST: functions incl. methods/arrows, class fields, string literal bytes,");
    log("throw sites, exported bindings)");
    log(`${"module".padEnd(26)}${pad("xsb B", 8)}${pad("names", 7)}${pad("code", 7)}${pad("src B", 8)}${pad("fns", 6)}${pad("fields", 8)}${pad("str B", 7)}${pad("throws", 8)}${pad("exports", 9)}`);
    const layerTotal: Record<string, number> = {};
    const layerNames: Record<string, number> = {};
    const layerShape: Record<string, { functions: number; fields: number; strings: number }> = {};
    for (const layer of LAYERS) {
      const rows = files[layer]!.map((f) => {
        const src = path.join(tree, "src", layer, `${f}.ts`);
        return { f, xsb: oursXsb.get(`xsmqtt/${layer}/${f}.xsb`) ?? 0, parts: xsbParts(path.join(ours.modules, "xsmqtt", layer, `${f}.xsb`)), src: statSync(src).size, shape: shapeOf(src) };
      }).sort((a, b) => b.xsb - a.xsb);
      layerTotal[layer] = rows.reduce((n, r) => n + r.xsb, 0);
      layerNames[layer] = rows.reduce((n, r) => n + r.parts.names, 0);
      layerShape[layer] = rows.reduce((a, r) => ({ functions: a.functions + r.shape.functions, fields: a.fields + r.shape.fields, strings: a.strings + r.shape.stringBytes }), { functions: 0, fields: 0, strings: 0 });
      for (const r of rows) {
        const s = r.shape;
        log(`${`${layer}/${r.f}`.padEnd(26)}${pad(r.xsb, 8)}${pad(r.parts.names, 7)}${pad(r.parts.code, 7)}${pad(r.src, 8)}${pad(s.functions, 6)}${pad(s.fields, 8)}${pad(s.stringBytes, 7)}${pad(s.throws, 8)}${pad(s.exports, 9)}`);
      }
      const sh = layerShape[layer]!;
      log(`${`${layer} total`.padEnd(26)}${pad(layerTotal[layer]!, 8)}${pad(layerNames[layer]!, 7)}${pad(layerTotal[layer]! - layerNames[layer]! - 20 * rows.length, 7)}${pad("", 8)}${pad(sh.functions, 6)}${pad(sh.fields, 8)}${pad(sh.strings, 7)}  (${rows.length} modules)`);
    }
    const codecClient = layerTotal["codec"]! + layerTotal["client"]!;
    const qos2Bytes = Object.keys(qos2).reduce((n, spec) => n + (oursXsb.get(`${spec}.xsb`) ?? 0), 0);
    if (qos2Bytes > 0) {
      log(`qos2 (opt-in, manifests/qos2.json)   ${pad(qos2Bytes, 8)} B: QoS 0/1 build ${codecClient} B, with QoS 2 ${codecClient + qos2Bytes} B`);
    }
    const journalBytes = Object.keys(journal).reduce((n, spec) => n + (oursXsb.get(`${spec}.xsb`) ?? 0), 0);
    if (journalBytes > 0) {
      log(`journal (opt-in, manifests/journal.json) ${pad(journalBytes, 8)} B: with QoS 2 and the journal ${codecClient + qos2Bytes + journalBytes} B`);
    }
    const oursApp = oursXsb.get("main.xsb") ?? 0;
    const oursAll = sumWhere(oursXsb, () => true);
    const mqttclient = find(peerXsb, "network/mqtt/client.xsb");
    const mqttclientParts = xsbParts([...peerXsb.keys()].filter((k) => k.endsWith("network/mqtt/client.xsb")).map((k) => path.join(peer.modules, k))[0] ?? "");
    const dnsResolver = find(peerXsb, "network/dns/resolver/udp.xsb");
    const peerConfig = find(peerXsb, "mqttclient/config.xsb");
    const peerApp = peerXsb.get("main.xsb") ?? 0;
    const peerAll = sumWhere(peerXsb, () => true);
    const classicMqtt = classicXsb.get("mqtt.xsb") ?? 0;
    const target = 16 * 1024;
    log();
    log("layer                                        xsmqtt     Moddable ECMA-419 mqttclient   Moddable classic mqtt");
    log(`codec (client role)                    ${pad(layerTotal["codec"]!, 10)} B`);
    log(`client                                 ${pad(layerTotal["client"]!, 10)} B`);
    log(`codec + client                         ${pad(codecClient, 10)} B ${pad(mqttclient, 14)} B (client.xsb) ${pad(classicMqtt, 14)} B (mqtt.xsb)`);
    log(`  of which names (SYMB)                ${pad(layerNames["codec"]! + layerNames["client"]!, 10)} B ${pad(mqttclientParts.names, 14)} B`);
    log(`  + name resolution / config                      ${pad(dnsResolver + peerConfig, 14)} B (dns/resolver/udp ${dnsResolver}, mqttclient/config ${peerConfig})`);
    log(`bench app (main)                       ${pad(oursApp, 10)} B ${pad(peerApp, 14)} B`);
    log(`whole app, every .xsb incl. runtime    ${pad(oursAll, 10)} B ${pad(peerAll, 14)} B`);
    const used = reachable(tree);
    const unused = LAYERS.flatMap((layer) => files[layer]!.filter((f) => !used.has(`${layer}/${f}`)).map((f) => ({ id: `${layer}/${f}`, bytes: oursXsb.get(`xsmqtt/${layer}/${f}.xsb`) ?? 0 })));
    const unusedBytes = unused.reduce((n, u) => n + u.bytes, 0);
    log(`  not imported by any client-role module (linked by the directory rule only): ${unused.length ? unused.map((u) => `${u.id} ${u.bytes} B`).join(", ") : "none"}; ` +
      `reachable codec + client ${codecClient - unusedBytes} B`);
    log(`target codec + client <= ${target} B: ${codecClient <= target ? "met" : `MISSED by ${codecClient - target} B (${(codecClient / target).toFixed(2)}x the budget)`}; ` +
      `${(codecClient / mqttclient).toFixed(2)}x the ECMA-419 client, ${(codecClient / classicMqtt).toFixed(2)}x the classic one`);

    if (firmware) {
      log();
      if (firmware.ok) {
        const fw = xsbSizes(firmware.modules);
        const part = (prefix: string): number => sumWhere(fw, (k) => k.startsWith(prefix));
        const fwLayers: [string, number][] = [
          ["xsmqtt/codec", part("xsmqtt/codec/")], ["xsmqtt/client", part("xsmqtt/client/")], ["xsmqtt/drivers", part("xsmqtt/drivers/")],
          ["xsmqtt/app", part("xsmqtt/app/")], ["xsmqtt/moddable (hosts)", part("xsmqtt/moddable/")],
          ["main (hosts/moddable/main)", fw.get("main.xsb") ?? 0], ["xsmqtt/sim (lin only)", part("xsmqtt/sim/")],
        ];
        const ourTotal = fwLayers.reduce((n, [, v]) => n + v, 0);
        const fwAll = sumWhere(fw, (k) => !k.startsWith("xsmqtt-bench/"));
        log(`firmware (manifest.json of ${ref ? `${ref} ${commit}` : "the working tree"}, built for lin; the bench's probe modules left out): every .xsb ${fwAll} B, xsmqtt's ${ourTotal} B`);
        for (const [name, v] of fwLayers) log(`  ${name.padEnd(30)}${pad(v, 8)} B`);
        log(`  ${"Moddable runtime modules".padEnd(30)}${pad(fwAll - ourTotal, 8)} B`);
        const strays = [...fw.keys()].filter((k) => /xsmqtt\/(codec|client)\/(index|.*-server)\.xsb$/.test(k));
        log(`  barrels or server-role modules in the device build: ${strays.length ? strays.join(" ") : "none"}`);
      } else {
        log("firmware (manifest.json): does not build for lin yet; first errors:");
        for (const l of buildErrors(firmware.log)) log(`    ${l}`);
      }
    }

    // ------------------------------------------------------------------------------------------ heap
    const num = (m: Map<string, string>, k: string): number => Number(m.get(k) ?? NaN);
    for (const [name, run] of [["xsmqtt", oursRun], ["moddable", peerRun]] as const) {
      if (run.has("fail") || !run.has("done")) {
        log(`${name} run FAILED: ${run.get("fail") ?? "no result"} (logs in ${work}; --keep keeps them)`);
        process.exitCode = 1;
      }
    }
    const slotSize = num(oursRun, "slot.size") || num(peerRun, "slot.size");
    /** Live heap above the runtime's baseline, bytes on this runtime: the worst of the GC'd samples. */
    const live = (m: Map<string, string>): { slots: number; chunks: number; bytes: number } => {
      const base = { s: num(m, "baseline.slots"), c: num(m, "baseline.chunks") };
      const samples = [["connected.slots", "connected.chunks"], ["warm.slots", "warm.chunks"], ["live.slots", "live.chunks"]]
        .map(([s, c]) => ({ slots: num(m, s!) - base.s, chunks: num(m, c!) - base.c }));
      const slots = Math.max(...samples.map((x) => x.slots));
      const chunks = Math.max(...samples.map((x) => x.chunks));
      return { slots, chunks, bytes: slots * slotSize + chunks };
    };
    const ol = live(oursRun);
    const pl = live(peerRun);
    const pool = num(oursRun, "pool.bytes");
    const creation = defaultCreation();
    log();
    log(`heap and stack on the XS machine (lin, 64-bit: ${slotSize} B per slot; esp32 has 16 B slots, its chunks are at most these)`);
    log(`${"".padEnd(56)}${pad("xsmqtt", 14)}${pad("moddable", 14)}`);
    const row = (label: string, a: number | string, b: number | string): void => log(`${label.padEnd(56)}${pad(a, 14)}${pad(b, 14)}`);
    row("runtime baseline at main (slots / chunk B)", `${oursRun.get("baseline.slots")}/${oursRun.get("baseline.chunks")}`, `${peerRun.get("baseline.slots")}/${peerRun.get("baseline.chunks")}`);
    for (const [k, v] of oursRun) if (k.startsWith("mark.")) row(`live after ${k.slice(5)}, GC'd (xsmqtt)`, v, "");
    for (const [k, v] of peerRun) if (k.startsWith("mark.")) row(`live after ${k.slice(5)}, GC'd (moddable)`, "", v);
    row("live after CONNACK, GC'd (slots / chunk B)", `${oursRun.get("connected.slots")}/${oursRun.get("connected.chunks")}`, `${peerRun.get("connected.slots")}/${peerRun.get("connected.chunks")}`);
    row("live in steady state, GC'd (slots / chunk B)", `${oursRun.get("warm.slots")}/${oursRun.get("warm.chunks")}`, `${peerRun.get("warm.slots")}/${peerRun.get("warm.chunks")}`);
    row("live at the end, GC'd (slots / chunk B)", `${oursRun.get("live.slots")}/${oursRun.get("live.chunks")}`, `${peerRun.get("live.slots")}/${peerRun.get("live.chunks")}`);
    row("client's live heap above baseline: slots", ol.slots, pl.slots);
    row("                                   chunk B", ol.chunks, pl.chunks);
    row(`                                   B (${slotSize} B slots + chunks)`, ol.bytes, pl.bytes);
    row("                                   B at esp32's 16 B slots", ol.slots * 16 + ol.chunks, pl.slots * 16 + pl.chunks);
    row("XS high-water mark, setup+connect (slots / chunk B)", `${oursRun.get("setup.peak.slots")}/${oursRun.get("setup.peak.chunks")}`, `${peerRun.get("setup.peak.slots")}/${peerRun.get("setup.peak.chunks")}`);
    row("XS high-water mark, steady state (slots / chunk B)", `${oursRun.get("steady.peak.slots")}/${oursRun.get("steady.peak.chunks")}`, `${peerRun.get("steady.peak.slots")}/${peerRun.get("steady.peak.chunks")}`);
    row("  allocated in steady state (peak - live at warm)", `${num(oursRun, "steady.peak.slots") - num(oursRun, "warm.slots")}/${num(oursRun, "steady.peak.chunks") - num(oursRun, "warm.chunks")}`,
      `${num(peerRun, "steady.peak.slots") - num(peerRun, "warm.slots")}/${num(peerRun, "steady.peak.chunks") - num(peerRun, "warm.chunks")}`);
    const perMsg = (m: Map<string, string>, k: string): string => {
      const [a, b] = (m.get(k) ?? "NaN/NaN").split("/").map(Number);
      const n = num(m, "steady.messages");
      return `${(a! / n).toFixed(2)}/${(b! / n).toFixed(1)}`;
    };
    row("  allocated per message in publish (slots / chunk B)", perMsg(oursRun, "steady.alloc.publish"), perMsg(peerRun, "steady.alloc.publish"));
    row("  allocated per message elsewhere (receive, timers)", perMsg(oursRun, "steady.alloc.other"), perMsg(peerRun, "steady.alloc.other"));
    row("heap reserved by the runtime (slots / chunk B)", `${oursRun.get("reserved.slots")}/${oursRun.get("reserved.chunks")}`, `${peerRun.get("reserved.slots")}/${peerRun.get("reserved.chunks")}`);
    const stackSlots = (m: Map<string, string>, phase: string): number =>
      Math.ceil(Number(m.get(`sampled.${phase}.stack.bytes`) ?? 0) / (num(m, "slot.size") || 32));
    row("stack high-water, slots: start+600 msgs|steady (of)", `${stackSlots(oursRun, "setup")}|${stackSlots(oursRun, "steady")} (${oursRun.get("stack.size")})`,
      `${stackSlots(peerRun, "setup")}|${stackSlots(peerRun, "steady")} (${peerRun.get("stack.size")})`);
    row("GCs: start+600 msgs|steady (incl. 1-2 forced)", `${oursRun.get("sampled.setup.gc")}|${oursRun.get("sampled.steady.gc")}`, `${peerRun.get("sampled.setup.gc")}|${peerRun.get("sampled.steady.gc")}`);
    for (const [label, key] of [["slot B", "instr.slots.bytes"], ["chunk B", "instr.chunks.bytes"], ["stack B", "instr.stack.bytes"]] as const) {
      row(`instrumentation module at the end: ${label} in use`, oursRun.get(key) ?? "", peerRun.get(key) ?? "");
    }
    const msgs = (m: Map<string, string>): number => num(m, "acked");
    row("messages acknowledged", `${oursRun.get("acked")}/${oursRun.get("messages")}`, `${peerRun.get("acked")}/${peerRun.get("messages")}`);
    row("CPU per message, XS thread, CONNACK to last PUBACK (us)", (num(oursRun, "cpu.us") / msgs(oursRun)).toFixed(1), (num(peerRun, "cpu.us") / msgs(peerRun)).toFixed(1));
    row("  of which inside the publish call (us)", (num(oursRun, "publish.cpu.us") / msgs(oursRun)).toFixed(1), (num(peerRun, "publish.cpu.us") / msgs(peerRun)).toFixed(1));
    row("wall time per message (us)", (num(oursRun, "wall.us") / msgs(oursRun)).toFixed(0), (num(peerRun, "wall.us") / msgs(peerRun)).toFixed(0));
    log(`configured pools (tx slots x size + rx buffer): ${pool} B`);
    const heapOk = ol.bytes <= pl.bytes + pool;
    log(`target heap <= Moddable's + pools (${pl.bytes} + ${pool} = ${pl.bytes + pool} B): ${heapOk ? "met" : `MISSED by ${ol.bytes - pl.bytes - pool} B (${(ol.bytes / (pl.bytes + pool)).toFixed(1)}x)`}`);

    // esp32 default creation with 25 % to spare: what the app keeps live (runtime baseline included), and the
    // deepest stack; slot counts carry over to esp32, chunk bytes are 64-bit here (an upper bound).
    const liveSlotsAll = Math.max(num(oursRun, "connected.slots"), num(oursRun, "warm.slots"), num(oursRun, "live.slots"));
    const liveChunksAll = Math.max(num(oursRun, "connected.chunks"), num(oursRun, "warm.chunks"), num(oursRun, "live.chunks"));
    const stackPeak = Math.max(stackSlots(oursRun, "setup"), stackSlots(oursRun, "steady"), num(oursRun, "setup.peak.stack"), num(oursRun, "steady.peak.stack"));
    const fit = (used: number, size: number): string => `${used}/${size} = ${((used / size) * 100).toFixed(0)} % used, ${used <= size * 0.75 ? "fits with >= 25 % spare" : `NO 25 % spare (needs <= ${Math.floor(size * 0.75)})`}`;
    log(`esp32 default creation (${creation.source}): chunk ${creation.chunk} B, heap ${creation.heap} slots, stack ${creation.stack} slots`);
    log(`  xsmqtt publisher: heap slots ${fit(liveSlotsAll, creation.heap)}; chunks ${fit(liveChunksAll, creation.chunk)}; stack ${fit(stackPeak, creation.stack)}`);
    log(`  suggested creation.stack for this app: ${Math.ceil((stackPeak * 1.25) / 32) * 32} slots (peak ${stackPeak} + 25 %)`);

    if (firmware?.ok) {
      if (!fwRun.has("done")) log(`firmware run FAILED: ${fwRun.get("fail") ?? "no result"}`);
      else {
        const fs = num(fwRun, "slot.size");
        const ls = num(fwRun, "live.slots") - num(fwRun, "baseline.slots");
        const lc = num(fwRun, "live.chunks") - num(fwRun, "baseline.chunks");
        const st = Math.max(num(fwRun, "peak.stack"), stackSlots(fwRun, "setup"));
        log(`firmware (3 simulated sensors, QoS 1, period 1 s, 15 s of readings): live heap above baseline ${ls} slots + ${lc} chunk B = ${ls * fs + lc} B (${ls * 16 + lc} B at 16 B slots);`);
        log(`  live in all ${fwRun.get("live.slots")} slots / ${fwRun.get("live.chunks")} chunk B; XS high-water ${fwRun.get("peak.slots")}/${fwRun.get("reserved.slots")} slots, ${fwRun.get("peak.chunks")}/${fwRun.get("reserved.chunks")} chunk B`);
        log(`  stack high-water ${st} slots of its creation.stack ${fwRun.get("stack.size")}; against esp32's default: heap ${fit(num(fwRun, "live.slots"), creation.heap)}; chunks ${fit(num(fwRun, "live.chunks"), creation.chunk)}; stack ${fit(st, creation.stack)}`);
        log(`  garbage collections in the run: ${fwRun.get("sampled.setup.gc")}; creation.stack with 25 % over the measured peak: ${Math.ceil((st * 1.25) / 32) * 32} slots`);
      }
    }

    log();
    const ratio = codecClient / mqttclient;
    log(`device xsb codec+client ${codecClient} B moddable-mqttclient ${mqttclient} B ratio ${ratio.toFixed(2)}x heap ${ol.bytes} B moddable-heap ${pl.bytes} B`);
  } finally {
    await broker.dispose();
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
