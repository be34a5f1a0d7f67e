// Runs test/xs/scenarios/*.xs.ts on the XS engine (xs/build/<engine>/xsrun, built by xs/build.sh: XS 17
// from $MODDABLE/xs when MODDABLE is set, else XS 13 from @agoric/xsnap; the first line says which).
//
//   npm run test:xs               all scenarios
//   npm run test:xs -- codec      only jobs whose name contains "codec"
//
// Each scenario is bundled by esbuild into one strict classic script (IIFE), run by xsrun, and its
// output parsed (line formats in test/xs/harness.ts). A scenario fails when xsrun exits non-zero
// (uncaught exception, abort, timeout), a check fails, an xs-alloc figure is not 0, or it asserted
// nothing. Exit code 1 when any scenario fails.
//
// test/xs/fixtures/*.xs.ts are the runner's own negative tests: each must FAIL, with a reason containing
// its `// expect-fail: <text>` line, or the run fails. They run with every unfiltered run (or with the
// filter "fixture"), so a runner that cannot fail is caught. Filters match job names
// (`codec`, `selfcheck`, `fixture-alloc`, ...).

import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SCENARIOS = join(ROOT, "test/xs/scenarios");
const FIXTURES = join(ROOT, "test/xs/fixtures");
const OUT = join(ROOT, "xs/build/scenarios");
const TIMEOUT_MS = Number(process.env["XS_TIMEOUT_MS"] ?? 300_000);

const ALLOC =
  /^xs-alloc (\S+) iterations=(\d+) gc=(-?\d+) slots=([+-]\d+) chunks=([+-]\d+)(?: bound-slots=(\d+) bound-chunks=(\d+))?$/;
const CHECKS = /^xs-checks passed=(\d+) failed=(\d+)$/;

/**
 * Builds the runner (xs/build.sh: from $MODDABLE/xs when MODDABLE is set, else XS 13 from @agoric/xsnap),
 * prints which engine the lane uses, and returns the runner's path.
 */
function buildRunner(): string {
  // make inside build.sh decides whether anything is stale; a no-op costs a fraction of a second.
  const r = spawnSync("bash", [join(ROOT, "xs/build.sh")], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const m = /^xsrun=(\S+) engine=(\S+) source=(.+)$/m.exec(r.stdout ?? "");
  if (r.status !== 0 || !m) {
    console.error("xs: building the XS runner failed");
    process.exit(1);
  }
  const xsrun = m[1]!;
  const v = spawnSync(xsrun, ["-v"], { encoding: "utf8" });
  const version = (v.stdout ?? "").trim() || "unknown version";
  const origin = m[2] === "moddable" ? "the Moddable SDK (MODDABLE), the engine that ships" : "@agoric/xsnap (MODDABLE unset)";
  console.log(`xs: engine ${version} from ${origin}: ${m[3]}`);
  return xsrun;
}

async function bundle(file: string, name: string): Promise<string> {
  const result = await build({
    entryPoints: [file],
    bundle: true,
    format: "iife",
    target: "es2022",
    platform: "neutral",
    write: false,
    logLevel: "silent",
    // Firmware runs as (strict) modules on the device; make the classic script strict too.
    banner: { js: '"use strict";' },
    footer: { js: 'if (typeof globalThis.__xsHarnessEnd === "function") globalThis.__xsHarnessEnd();' },
  });
  const text = result.outputFiles[0]?.text ?? "";
  const path = join(OUT, `${name}.js`);
  writeFileSync(path, text);
  return path;
}

interface Outcome {
  ok: boolean;
  reasons: string[];
}

function judge(status: number | null, signal: string | null, timedOut: boolean, lines: string[]): Outcome {
  const reasons: string[] = [];
  let asserted = false;
  for (const line of lines) {
    if (line.startsWith("xs-fail")) {
      reasons.push(line);
    } else if (line.startsWith("xs-error")) {
      reasons.push(line);
    } else if (line.startsWith("xs-alloc")) {
      asserted = true;
      const m = ALLOC.exec(line);
      if (!m) reasons.push(`malformed: ${line}`);
      else {
        const n = Number(m[2]) || 1;
        const per = (v: string | undefined): string => (Number(v) / n).toFixed(2).replace(/\.?0+$/, "");
        // Without a bound every figure must be 0; with one (an event that allocates by design) no collection
        // may run and slots/chunks must stay within iterations x bound.
        const slotLimit = m[6] === undefined ? 0 : n * Number(m[6]);
        const chunkLimit = m[7] === undefined ? 0 : n * Number(m[7]);
        if (m[3] !== "0" || Number(m[4]) > slotLimit || Number(m[5]) > chunkLimit || Number(m[4]) < 0 || Number(m[5]) < 0) {
          const over = m[6] === undefined ? "" : ` over the bound of ${m[6]} slots, ${m[7]} chunk bytes`;
          reasons.push(`allocates: ${line} (per iteration: ${per(m[4])} slots, ${per(m[5])} chunk bytes${over})`);
        }
      }
    } else if (line.startsWith("xs-checks")) {
      const m = CHECKS.exec(line);
      if (!m) reasons.push(`malformed: ${line}`);
      else if (Number(m[1]) + Number(m[2]) > 0) asserted = true;
    }
  }
  if (timedOut) reasons.push(`timed out after ${TIMEOUT_MS} ms`);
  else if (signal) reasons.push(`xsrun killed by ${signal}`);
  else if (status !== 0) reasons.push(`xsrun exited with ${status}`);
  else if (!asserted) reasons.push("asserted nothing (no checks, no xs-alloc lines)");
  return { ok: reasons.length === 0, reasons };
}

interface Job {
  name: string;
  file: string;
  /** For fixtures: text one failure reason must contain. */
  expectFail: string | null;
}

function listJobs(filters: string[]): Job[] {
  const list = (dir: string, prefix: string, fixture: boolean): Job[] =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".xs.ts"))
      .sort()
      .map((f) => {
        const file = join(dir, f);
        const expectFail = fixture ? (/^\/\/ expect-fail: (.+)$/m.exec(readFileSync(file, "utf8"))?.[1] ?? "") : null;
        return { name: `${prefix}${basename(f, ".xs.ts")}`, file, expectFail };
      });
  const jobs = [...list(SCENARIOS, "", false), ...list(FIXTURES, "fixture-", true)];
  return jobs.filter((j) => filters.length === 0 || filters.some((w) => j.name.includes(w)));
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const jobs = listJobs(filters);
  if (jobs.length === 0) {
    console.error(`xs: no scenarios match ${filters.join(" ")}`);
    process.exit(1);
  }
  const xsrun = buildRunner();
  mkdirSync(OUT, { recursive: true });

  let passed = 0;
  let failed = 0;
  for (const job of jobs) {
    const { name } = job;
    const started = Date.now();
    console.log(`# ${name}`);
    let verdict: Outcome;
    try {
      const script = await bundle(job.file, name);
      const r = spawnSync(xsrun, [script], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
      });
      const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
      const lines = out.split("\n").filter((l) => l.length > 0);
      for (const l of lines) console.log(l);
      const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT";
      verdict = judge(r.status, r.signal, timedOut, lines);
    } catch (e) {
      verdict = { ok: false, reasons: [`bundle failed: ${e instanceof Error ? e.message : String(e)}`] };
    }
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if (job.expectFail !== null) {
      // A fixture passes when it fails for the expected reason.
      const expected = job.expectFail;
      const hit = !verdict.ok && expected !== "" && verdict.reasons.some((r) => r.includes(expected));
      if (hit) {
        passed++;
        console.log(`ok ${name} (failed as expected: ${expected}) (${secs} s)`);
      } else {
        failed++;
        console.log(`FAIL ${name} (${secs} s): expected a failure containing "${expected}"`);
        for (const reason of verdict.reasons) console.log(`  - ${reason}`);
      }
      continue;
    }
    if (verdict.ok) {
      passed++;
      console.log(`ok ${name} (${secs} s)`);
    } else {
      failed++;
      console.log(`FAIL ${name} (${secs} s)`);
      for (const reason of verdict.reasons) console.log(`  - ${reason}`);
    }
  }
  console.log(`xs: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
