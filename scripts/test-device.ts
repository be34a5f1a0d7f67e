// The device lane (npm run test:device, part of npm test): the firmware on Moddable's real toolchain and runtime.
//
// 1. esp32: the landed manifest.json resolves, every module type-checks and compiles, and the XS linker
//    (xsl) preloads them all, up to where ESP-IDF would take over (there is no ESP-IDF here: a stub IDF_PATH,
//    an empty git repository tagged with the version the makefile expects, gets make past its version probe;
//    nothing of it is compiled). An esp32-only break (typings, a module only esp32 maps) fails here.
// 2. lin: the same manifest built and run in mcsim against mosquitto: test/device/*.device.ts (vitest).
//
// Needs $MODDABLE (a built Moddable SDK 8.2.3: `eval "$(bash ../shared/moddable/setup.sh)"` in CI). Without it
// the lane says it skipped; under CI=true a missing SDK fails the run.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { mcconfig, moddableHome, ROOT } from "../test/device/moddable.js";

const home = moddableHome();
if (home === undefined) {
  const why = process.env["MODDABLE"] ? `MODDABLE=${process.env["MODDABLE"]} has no built tools (build/bin/lin/release/mcconfig)` : "MODDABLE is not set";
  if (process.env["CI"] === "true") {
    console.error(`device lane: FAILED: ${why}; CI must run it (.ci/run sets MODDABLE from ../shared/moddable/setup.sh)`);
    process.exit(1);
  }
  console.log(`device lane: SKIPPED (${why}). Set MODDABLE to a built Moddable SDK to build and run the firmware on Moddable's runtime.`);
  process.exit(0);
}

const work = mkdtempSync(path.join(os.tmpdir(), "xsmqtt-esp32-"));
function esp32PreloadLink(manifest: string): void {
  const out = path.join(work, `out-${path.basename(path.dirname(path.join(ROOT, manifest)))}`);
  mkdirSync(out);
  // -t build without -m: mcconfig resolves every manifest and writes the makefile, nothing more.
  mcconfig(path.join(ROOT, manifest), out, {}, "esp32", false);
  const makefile = spawnSync("sh", ["-c", `ls ${out}/tmp/esp32/release/*/makefile`], { encoding: "utf8" }).stdout.trim();
  if (makefile === "") throw new Error("mcconfig -p esp32 wrote no makefile");
  const tmpDir = path.dirname(makefile);
  const expected = /^EXPECTED_ESP_IDF = (\S+)/m.exec(readFileSync(makefile, "utf8"))?.[1] ?? "v5.4";
  const idf = path.join(out, "stub-idf");
  mkdirSync(idf);
  const git = (...args: string[]): void => {
    const r = spawnSync("git", ["-c", "user.email=ci@xsmqtt", "-c", "user.name=xsmqtt", ...args], { cwd: idf, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  };
  git("init", "-q");
  git("commit", "-q", "--allow-empty", "-m", "stub ESP-IDF: only its version is read");
  git("tag", expected);
  const bin = path.join(home!, "build/bin/lin/release");
  const r = spawnSync("make", ["-f", makefile, "SDKCONFIG_H=", path.join(tmpDir, "mc.xs.c"), `-j${os.cpus().length}`], {
    cwd: tmpDir, encoding: "utf8", maxBuffer: 64 << 20,
    env: { ...process.env, MODDABLE: home, IDF_PATH: idf, PATH: `${bin}:${path.join(ROOT, "node_modules/.bin")}:${process.env["PATH"] ?? ""}` },
  });
  const log = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`esp32 preload-link failed:\n${log.split("\n").filter((l) => !/^(# )?(xsc|tsc|xsid) /.test(l)).join("\n")}`);
  const modules = (log.match(/^# (xsc|tsc) /gm) ?? []).length;
  console.log(`device lane: esp32 ${manifest} resolved, ${modules} modules compiled, xsl preload-link ok (${path.basename(tmpDir)}/mc.xs.c; ESP-IDF ${expected} not present, stopped there)`);
}

let failed = false;
try {
  esp32PreloadLink("manifest.json");
  // The session journal over embedded:storage/files (littlefs on esp32), with QoS 2: the crash test's app.
  esp32PreloadLink("test/device/crash-app/manifest.json");
} catch (error) {
  console.error(`device lane: ${(error as Error).message}`);
  failed = true;
} finally {
  rmSync(work, { recursive: true, force: true });
}

// `--esp32-only`: the preload-link checks alone (seconds, not minutes), e.g. after a manifest change.
if (!process.argv.includes("--esp32-only")) {
  const vitest = spawnSync("npx", ["vitest", "run", "--config", "vitest.device.config.ts"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, MODDABLE: home } });
  if (vitest.status !== 0) failed = true;
}
const scope = process.argv.includes("--esp32-only") ? "esp32 preload-link only" : "esp32 preload-link, lin build and mcsim scenarios";
console.log(failed ? "device lane: FAILED" : `device lane: passed (${scope})`);
process.exit(failed ? 1 : 0);
