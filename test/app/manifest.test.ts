/**
 * The mcconfig manifests, checked without the Moddable SDK: the app's manifest.json, the module manifests in
 * manifests/ that it (and any other Moddable app) includes, and the example in examples/moddable-counter.
 *
 * Includes of our own manifests (`./…`, `../…`: relative to the including manifest, as mcconfig resolves them)
 * are followed, once each, as mcconfig does; `$(MODDABLE)/…` includes are the SDK's. Checked: every mapped
 * module exists as a .ts file; every `xsmqtt/...` import of the device sources resolves through the merged
 * module map (relative imports resolve as mcconfig resolves them: against the importing module's
 * specifier); every module manifest is self-contained (every import, type-only ones included, resolves inside
 * its own include closure, so its typings work in the including app's TypeScript build), maps each file
 * under its one `xsmqtt/<layer>/<file>` specifier, preloads what it maps, and maps no barrel (index),
 * server-role codec file, simulator or Node code; the device entry type-checks against @moddable/typings
 * (`tsconfig.moddable.json`).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const MAIN = path.join(root, "manifest.json");
const MODULE_MANIFESTS = path.join(root, "manifests");
const EXAMPLE = path.join(root, "examples/moddable-counter/manifest.json");

interface Manifest {
  include?: string | string[];
  config?: Record<string, unknown>;
  modules?: Record<string, string | string[]>;
  preload?: string | string[];
  platforms?: Record<string, Manifest>;
  creation?: Record<string, unknown>;
}

/** One manifest file as mcconfig reads it. */
interface Loaded {
  readonly file: string;
  readonly manifest: Manifest;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const read = (file: string): Manifest => JSON.parse(readFileSync(file, "utf8")) as Manifest;
const isOwn = (include: string): boolean => include.startsWith("./") || include.startsWith("../");
const rel = (file: string): string => path.relative(root, file);

/** `file` and every manifest of ours it includes, transitively, each once (mcconfig skips a manifest it already read). */
function closure(file: string, seen = new Map<string, Loaded>()): Loaded[] {
  if (seen.has(file)) return [...seen.values()];
  expect(existsSync(file), `${file}: manifest not found`).toBe(true);
  const manifest = read(file);
  seen.set(file, { file, manifest });
  const includes = [...list(manifest.include)];
  for (const p of Object.values(manifest.platforms ?? {})) includes.push(...list(p.include));
  for (const include of includes) if (isOwn(include)) closure(path.resolve(path.dirname(file), include), seen);
  return [...seen.values()];
}

/** SDK manifests (`$(MODDABLE)/…`) included anywhere in the closure of `file`. */
function sdkIncludes(file: string): string[] {
  return closure(file).flatMap(({ manifest }) => list(manifest.include).filter((i) => !isOwn(i)));
}

/** One mapping: a specifier, the file it names (absolute, no extension), and the manifest that maps it. */
interface Mapping {
  readonly spec: string;
  readonly file: string;
  readonly from: string;
  readonly wildcard: boolean;
}

/** Every mapping of `loaded`'s own `modules` (top level and, when given, the platform's); SDK paths are skipped. */
function mappings({ file: manifestFile, manifest }: Loaded, platform?: string): Mapping[] {
  const dir = path.dirname(manifestFile);
  const out: Mapping[] = [];
  const add = (modules: Manifest["modules"]): void => {
    for (const [spec, targets] of Object.entries(modules ?? {})) {
      for (const target of list(targets)) {
        if (target.startsWith("$(")) continue; // a Moddable SDK module
        const file = path.resolve(dir, target);
        if (spec === "*") {
          out.push({ spec: path.basename(file), file, from: manifestFile, wildcard: target.endsWith("*") });
        } else if (spec.endsWith("/*")) {
          const base = spec.slice(0, -1);
          for (const f of readdirTs(file.slice(0, -2))) out.push({ spec: base + f, file: `${file.slice(0, -1)}${f}`, from: manifestFile, wildcard: true });
        } else out.push({ spec, file, from: manifestFile, wildcard: false });
      }
    }
  };
  add(manifest.modules);
  if (platform !== undefined) add(manifest.platforms?.[platform]?.modules);
  return out;
}

/** Specifier → file for `entry` on `platform`: every manifest of its closure merged. */
function moduleMap(entry: string, platform?: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const loaded of closure(entry)) for (const m of mappings(loaded, platform)) map.set(m.spec, m.file);
  return map;
}

function readdirTs(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3))
    : [];
}

/** Import specifiers of a TS file; `types` false skips `import type` / `export type` (erased at run time). */
function importsOf(file: string, types = false): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s)?[^;]*?from\s+"([^"]+)"/gms)) if (types || !m[2]) out.push(m[3]!);
  for (const m of text.matchAll(/^\s*import\s+"([^"]+)"/gm)) out.push(m[1]!);
  return out;
}

function resolve(spec: string, from: string): string {
  if (!spec.startsWith(".")) return spec;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  return joined.replace(/\.js$/, "");
}

/** Modules the Moddable SDK provides through the manifests' SDK includes. */
const SDK_MODULES = /^(embedded:|mc\/config$|timer$|time$|net$|ssl\/session$|instrumentation$|modules$)/;

/** Every module reachable from `main` of `entry` on `platform`, resolved through the merged map (fails on an unmapped one). */
function reachable(entry: string, platform: string): Set<string> {
  const map = moduleMap(entry, platform);
  const seen = new Set<string>();
  const queue = ["main"];
  while (queue.length > 0) {
    const spec = queue.pop()!;
    if (seen.has(spec)) continue;
    seen.add(spec);
    const file = map.get(spec);
    expect(file, `${rel(entry)} on ${platform}: ${spec} is not mapped`).toBeDefined();
    for (const imp of importsOf(`${file!}.ts`)) {
      const target = resolve(imp, spec);
      if (SDK_MODULES.test(target) && !map.has(target)) continue;
      queue.push(target);
    }
  }
  return seen;
}

/** True when `spec` is preloaded on `platform` by some manifest of `entry`'s closure (exact or `dir/*`). */
function preloaded(entry: string, spec: string, platform: string): boolean {
  const entries = closure(entry).flatMap(({ manifest }) => [...list(manifest.preload), ...list(manifest.platforms?.[platform]?.preload)]);
  return entries.some((e) => e === spec || (e.endsWith("/*") && spec.startsWith(e.slice(0, -1)) && !spec.slice(e.length - 1).includes("/")));
}

const moduleManifests = readdirSync(MODULE_MANIFESTS).filter((f) => f.endsWith(".json")).sort().map((f) => path.join(MODULE_MANIFESTS, f));
/** Where each specifier prefix of ours lives: `xsmqtt/<layer>/<file>` ↔ `<folder>/<file>.ts`. */
const LAYERS: Record<string, string> = {
  "xsmqtt/codec/": "src/codec/", "xsmqtt/client/": "src/client/", "xsmqtt/transport/": "src/transport/", "xsmqtt/drivers/": "src/drivers/",
  "xsmqtt/app/": "src/app/", "xsmqtt/moddable/": "hosts/moddable/",
};
/** Files that must never be on the device through a module manifest. */
const BARREL = /\/index$/;
const SERVER_ROLE = /^src\/codec\/(.*-server|frame|fields)$/;
const NOT_DEVICE = /^(sim|hosts\/node|test|bench|scripts)\/|^hosts\/moddable\/(main|sim-i2c)$/;

describe("manifest.json", () => {
  const manifest = read(MAIN);

  it("has the platforms esp32, lin, mac and win; lin/mac/win map embedded:io/i2c to the simulated bus", () => {
    for (const p of ["esp32", "lin", "mac", "win"]) expect(manifest.platforms).toHaveProperty(p);
    for (const p of ["lin", "mac", "win"]) expect(manifest.platforms![p]!.modules?.["embedded:io/i2c"]).toBe("./hosts/moddable/sim-i2c");
    expect(manifest.platforms!["esp32"]!.modules?.["embedded:io/i2c"]).toBeUndefined();
    expect(manifest.include).toContain("$(MODDABLE)/modules/io/manifest.json");
    expect(manifest.include).toContain("$(MODDABLE)/examples/manifest_net.json");
    expect(sdkIncludes(MAIN)).toContain("$(MODDABLE)/modules/crypt/tls_419.json"); // ssl/session, through manifests/moddable-tls.json
  });

  it("includes the module manifests instead of listing the modules: its own map is only the entry", () => {
    expect(manifest.include).toEqual(expect.arrayContaining(["./manifests/app.json", "./manifests/moddable.json"]));
    expect(Object.keys(manifest.modules ?? {})).toEqual(["*"]);
    expect(manifest.modules?.["*"]).toBe("./hosts/moddable/main");
    expect(manifest.preload).toBeUndefined();
    expect(manifest.creation).toHaveProperty("stack");
  });

  it("maps only paths that exist as .ts files", () => {
    for (const platform of ["esp32", "lin"]) {
      for (const [spec, file] of moduleMap(MAIN, platform)) expect(existsSync(`${file}.ts`), `${spec} -> ${rel(file)}`).toBe(true);
    }
  });

  it("resolves every import of the device sources through the merged modules map, per platform", () => {
    for (const platform of ["esp32", "lin"]) {
      const seen = reachable(MAIN, platform);
      expect(seen.has("xsmqtt/app/firmware")).toBe(true);
      if (platform === "lin") expect(seen.has("embedded:io/i2c")).toBe(true);
    }
  });

  it("preloads the xsmqtt modules and has a config the firmware accepts", async () => {
    // Every xsmqtt module the device entry reaches lives in flash (preloaded), on the device and the simulators.
    for (const platform of ["esp32", "lin"]) {
      for (const spec of reachable(MAIN, platform)) {
        if (spec.startsWith("xsmqtt/")) expect(preloaded(MAIN, spec, platform), `${platform}: ${spec} is not preloaded`).toBe(true);
      }
    }
    const { validateConfig } = await import("../../src/app/config.js");
    const c = validateConfig({ ...manifest.config, deviceId: "esp32-0123456789ab" });
    expect(c.sensors.map((s) => s.kind)).toEqual(["sht3x", "bme280", "bh1750"]);
    expect(manifest.config).toHaveProperty("ssid");
    expect(manifest.config).toHaveProperty("password");
  });

  it("type-checks hosts/moddable against @moddable/typings (tsconfig.moddable.json)", () => {
    const tsc = path.join(root, "node_modules/typescript/bin/tsc");
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.moddable.json"], { cwd: root, stdio: "pipe", timeout: 60_000 });
  }, 90_000);
});

describe("module manifests (manifests/*.json)", () => {
  it("are the layers: client, one per driver on a shared sensor base, app, and the host adapters", () => {
    expect(moduleManifests.map((f) => path.basename(f))).toEqual(expect.arrayContaining([
      "app.json", "bh1750.json", "bme280.json", "client.json", "moddable-i2c.json", "moddable-tcp.json",
      "moddable-tls.json", "moddable.json", "sensor.json", "sht3x.json",
    ]));
    const specs = (name: string): string[] => [...moduleMap(path.join(MODULE_MANIFESTS, name)).keys()];
    // The client manifest is the client-role codec and the client, nothing else.
    expect(specs("client.json").every((s) => s.startsWith("xsmqtt/codec/") || s.startsWith("xsmqtt/client/"))).toBe(true);
    for (const driver of ["sht3x", "bme280", "bh1750"]) {
      expect(specs(`${driver}.json`).sort()).toEqual(
        [`xsmqtt/drivers/${driver}`, "xsmqtt/drivers/errors", "xsmqtt/drivers/i2c", "xsmqtt/drivers/sensor"].sort());
    }
    expect(closure(path.join(MODULE_MANIFESTS, "app.json")).map((l) => path.basename(l.file)).sort())
      .toEqual(["app.json", "bh1750.json", "bme280.json", "client.json", "sensor.json", "sht3x.json"]);
    expect(specs("moddable.json").filter((s) => s.startsWith("xsmqtt/moddable/")).sort())
      .toEqual(["xsmqtt/moddable/clock", "xsmqtt/moddable/i2c", "xsmqtt/moddable/tcp", "xsmqtt/moddable/ticks", "xsmqtt/moddable/tls"]);
    expect(sdkIncludes(path.join(MODULE_MANIFESTS, "moddable-tls.json"))).toContain("$(MODDABLE)/modules/crypt/tls_419.json");
  });

  it.each(moduleManifests.map((f) => [path.basename(f), f]))("%s maps each file under its own xsmqtt/ specifier, no wildcard, barrel, server-role, simulator or Node file", (_name, file) => {
    for (const m of mappings({ file, manifest: read(file) })) {
      const target = rel(m.file);
      expect(m.wildcard, `${m.spec}: wildcard`).toBe(false);
      expect(existsSync(`${m.file}.ts`), `${m.spec} -> ${target}`).toBe(true);
      const layer = Object.keys(LAYERS).find((prefix) => m.spec.startsWith(prefix));
      expect(layer, `${m.spec}: not under xsmqtt/<layer>/`).toBeDefined();
      expect(target, `${m.spec}: specifier and file differ`).toBe(LAYERS[layer!]! + m.spec.slice(layer!.length));
      expect(target, `${m.spec}: a barrel`).not.toMatch(BARREL);
      expect(target, `${m.spec}: server-role codec`).not.toMatch(SERVER_ROLE);
      expect(target, `${m.spec}: not device code`).not.toMatch(NOT_DEVICE);
    }
    expect(read(file).platforms, "module manifests are the same on every platform").toBeUndefined();
  });

  it.each(moduleManifests.map((f) => [path.basename(f), f]))("%s is self-contained: every import, type-only too, resolves in its own include closure; it preloads what it maps", (_name, file) => {
    const map = moduleMap(file);
    for (const loaded of closure(file)) {
      for (const m of mappings(loaded)) expect(list(loaded.manifest.preload), `${m.spec} not preloaded`).toContain(m.spec);
    }
    for (const [spec, source] of map) {
      for (const imp of importsOf(`${source}.ts`, true)) {
        const target = resolve(imp, spec);
        if (SDK_MODULES.test(target) && !map.has(target)) continue;
        expect(map.has(target), `${path.basename(file)}: ${spec} imports ${target}, which it does not map or include`).toBe(true);
      }
    }
  });

  it("never map one file twice, nor one specifier in two manifests (mcconfig builds a file under one specifier only)", () => {
    const bySpec = new Map<string, string>();
    const byFile = new Map<string, string>();
    for (const file of moduleManifests) {
      for (const m of mappings({ file, manifest: read(file) })) {
        expect(bySpec.get(m.spec) ?? m.from, `${m.spec} mapped in two manifests`).toBe(m.from);
        expect(byFile.get(m.file) ?? m.spec, `${rel(m.file)} mapped twice`).toBe(m.spec);
        bySpec.set(m.spec, m.from);
        byFile.set(m.file, m.spec);
      }
    }
  });
});

describe("examples/moddable-counter", () => {
  const manifest = read(EXAMPLE);

  it("includes only the client and moddable-tcp module manifests of ours: no app, driver, TLS or I2C module", () => {
    expect(list(manifest.include).filter(isOwn)).toEqual(["../../manifests/client.json", "../../manifests/moddable-tcp.json"]);
    const specs = [...moduleMap(EXAMPLE, "lin").keys()];
    expect(specs.filter((s) => /^xsmqtt\/(app|drivers|sim)\/|^xsmqtt\/moddable\/(tls|i2c)$/.test(s))).toEqual([]);
    expect(sdkIncludes(EXAMPLE)).not.toContain("$(MODDABLE)/modules/crypt/tls_419.json");
  });

  it("resolves every import from its main through the included manifests, all preloaded", () => {
    for (const platform of ["esp32", "lin"]) {
      const seen = reachable(EXAMPLE, platform);
      expect(seen.has("xsmqtt/client/client")).toBe(true);
      expect(seen.has("xsmqtt/moddable/tcp")).toBe(true);
      for (const spec of seen) if (spec.startsWith("xsmqtt/")) expect(preloaded(EXAMPLE, spec, platform), spec).toBe(true);
    }
  });

  it("type-checks against @moddable/typings", () => {
    // tsconfig.moddable.json's paths and typings, for the example's main instead of hosts/moddable.
    const base = JSON.parse(readFileSync(path.join(root, "tsconfig.moddable.json"), "utf8")) as { include: string[] };
    const dir = mkdtempSync(path.join(os.tmpdir(), "xsmqtt-example-tsc-"));
    try {
      const config = path.join(dir, "tsconfig.json");
      writeFileSync(config, JSON.stringify({
        extends: path.join(root, "tsconfig.moddable.json"),
        compilerOptions: { noEmit: true },
        include: [
          path.join(root, "examples/moddable-counter/main.ts"),
          ...base.include.filter((p) => p.startsWith("node_modules/")).map((p) => path.join(root, p)),
        ],
      }));
      const tsc = path.join(root, "node_modules/typescript/bin/tsc");
      execFileSync(process.execPath, [tsc, "-p", config], { cwd: root, stdio: "pipe", timeout: 60_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
