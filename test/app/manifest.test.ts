/**
 * The mcconfig manifest, checked without the Moddable SDK: every module it maps exists as a .ts file,
 * every `xsmqtt/...` import of the device sources resolves through its `modules` map (relative imports
 * resolve as mcconfig resolves them: against the importing module's specifier), the platforms are there,
 * and the device entry type-checks against @moddable/typings (`tsconfig.moddable.json`).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const manifest = JSON.parse(readFileSync(path.join(root, "manifest.json"), "utf8")) as {
  include: string[]; config: Record<string, unknown>; modules: Record<string, string>; preload: string[];
  platforms: Record<string, { modules?: Record<string, string>; preload?: string[] }>;
};

/** Specifier → file (no extension) for one platform: top-level modules overlaid with the platform's. */
function moduleMap(platform: string): Map<string, string> {
  const map = new Map<string, string>();
  const add = (modules: Record<string, string> | undefined): void => {
    for (const [spec, file] of Object.entries(modules ?? {})) {
      if (file.startsWith("$(")) continue; // Moddable SDK module
      if (spec === "*") {
        map.set(path.basename(file), file);
      } else if (spec.endsWith("/*")) {
        const dir = path.join(root, file.slice(0, -2));
        const base = spec.slice(0, -1);
        for (const f of readdirTs(dir)) map.set(base + f, `${file.slice(0, -1)}${f}`);
      } else map.set(spec, file);
    }
  };
  add(manifest.modules);
  add(manifest.platforms[platform]?.modules);
  return map;
}

function readdirTs(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3))
    : [];
}

/** Runtime import specifiers of a TS file (`import type` / `export type` are erased, so skipped). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s)?[^;]*?from\s+"([^"]+)"/gms)) if (!m[2]) out.push(m[3]!);
  for (const m of text.matchAll(/^\s*import\s+"([^"]+)"/gm)) out.push(m[1]!);
  return out;
}

function resolve(spec: string, from: string): string {
  if (!spec.startsWith(".")) return spec;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  return joined.replace(/\.js$/, "");
}

/** Modules the Moddable SDK provides through the manifest's includes (`ssl/session`: modules/crypt/tls_419.json). */
const SDK_MODULES = /^(embedded:|mc\/config$|timer$|time$|net$|ssl\/session$|instrumentation$)/;

/** Every module reachable from `main` on `platform`, resolved through the modules map (throws on an unmapped one). */
function reachable(platform: string): Set<string> {
  const map = moduleMap(platform);
  const seen = new Set<string>();
  const queue = ["main"];
  while (queue.length > 0) {
    const spec = queue.pop()!;
    if (seen.has(spec)) continue;
    seen.add(spec);
    const file = map.get(spec);
    expect(file, `${platform}: ${spec} is not mapped`).toBeDefined();
    for (const imp of importsOf(path.join(root, `${file!}.ts`))) {
      const target = resolve(imp, spec);
      if (SDK_MODULES.test(target) && !map.has(target)) continue;
      queue.push(target);
    }
  }
  return seen;
}

/** True when `spec` is preloaded on `platform` (an exact entry or a `dir/*` wildcard, top level or the platform's). */
function preloaded(spec: string, platform: string): boolean {
  const entries = [...manifest.preload, ...(manifest.platforms[platform]?.preload ?? [])];
  return entries.some((e) => e === spec || (e.endsWith("/*") && spec.startsWith(e.slice(0, -1)) && !spec.slice(e.length - 1).includes("/")));
}

describe("manifest.json", () => {
  it("has the platforms esp32, lin, mac and win; lin/mac/win map embedded:io/i2c to the simulated bus", () => {
    for (const p of ["esp32", "lin", "mac", "win"]) expect(manifest.platforms).toHaveProperty(p);
    for (const p of ["lin", "mac", "win"]) expect(manifest.platforms[p]!.modules?.["embedded:io/i2c"]).toBe("./hosts/moddable/sim-i2c");
    expect(manifest.platforms["esp32"]!.modules?.["embedded:io/i2c"]).toBeUndefined();
    expect(manifest.include).toContain("$(MODDABLE)/modules/io/manifest.json");
    expect(manifest.include).toContain("$(MODDABLE)/examples/manifest_net.json");
  });

  it("maps only paths that exist as .ts files", () => {
    for (const platform of ["esp32", "lin"]) {
      for (const [spec, file] of moduleMap(platform)) expect(existsSync(path.join(root, `${file}.ts`)), `${spec} -> ${file}`).toBe(true);
    }
  });

  it("resolves every import of the device sources through the modules map, per platform", () => {
    for (const platform of ["esp32", "lin"]) {
      const seen = reachable(platform);
      expect(seen.has("xsmqtt/app/firmware")).toBe(true);
      if (platform === "lin") expect(seen.has("embedded:io/i2c")).toBe(true);
    }
  });

  it("preloads the xsmqtt modules and has a config the firmware accepts", async () => {
    // Every xsmqtt module the device entry reaches lives in flash (preloaded), on the device and the simulators.
    for (const platform of ["esp32", "lin"]) {
      for (const spec of reachable(platform)) {
        if (spec.startsWith("xsmqtt/")) expect(preloaded(spec, platform), `${platform}: ${spec} is not preloaded`).toBe(true);
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
