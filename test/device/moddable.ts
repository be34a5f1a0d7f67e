/**
 * The device lane's access to Moddable's tools: build an app with the real `mcconfig` (release, `-t build`,
 * never the debug launch flow) and run it in `mcsim` headless (`xvfb-run -a stdbuf -oL -eL`: `trace()` only
 * shows unbuffered), reading its trace lines.
 *
 * `$MODDABLE` is the SDK (the Moddable convention); its tools are in `$MODDABLE/build/bin/lin/release`. The
 * project's own `node_modules/.bin` goes first on PATH: mcconfig runs the `tsc` it finds there (TypeScript 6).
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** `$MODDABLE`, or undefined when the SDK is not set up. */
export function moddableHome(): string | undefined {
  const home = process.env["MODDABLE"];
  return home !== undefined && home !== "" && existsSync(path.join(home, "build/bin/lin/release/mcconfig")) ? home : undefined;
}

function toolEnv(home: string): NodeJS.ProcessEnv {
  const bin = path.join(home, "build/bin/lin/release");
  return { ...process.env, MODDABLE: home, PATH: `${bin}:${path.join(ROOT, "node_modules/.bin")}:${process.env["PATH"] ?? ""}` };
}

/** What one build produced. */
export interface Build {
  /** The app for mcsim. */
  readonly app: string;
  /** mcconfig's output folder (`-o`). */
  readonly out: string;
  /** mcconfig's output, for failure messages. */
  readonly log: string;
}

/**
 * Builds `manifest` for `platform` with `config` as mcconfig `key=value` overrides, into `out` (kept between
 * builds of the same manifest so a config change relinks in seconds). With `make` false mcconfig only resolves
 * the manifests and writes the makefile. Throws with mcconfig's output on failure.
 */
export function mcconfig(
  manifest: string, out: string, config: Record<string, string | number> = {}, platform = "lin", make = true,
): Build {
  const home = moddableHome();
  if (home === undefined) throw new Error("MODDABLE is not set to a built Moddable SDK");
  mkdirSync(out, { recursive: true });
  const args = [...(make ? ["-m"] : []), "-p", platform, "-t", "build", "-o", out, manifest];
  for (const [key, value] of Object.entries(config)) args.push(`${key}=${String(value)}`);
  const r = spawnSync("mcconfig", args, { cwd: path.dirname(manifest), env: toolEnv(home), encoding: "utf8", maxBuffer: 64 << 20 });
  const log = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.status !== 0) {
    // Name the config keys, not their values (certificates and keys are passed this way).
    const shown = [...args.slice(0, args.indexOf(manifest) + 1), ...Object.keys(config).map((k) => `${k}=…`)].join(" ");
    throw new Error(`mcconfig ${shown} failed (exit ${String(r.status)}):\n${log.split("\n").filter((l) => !l.startsWith("# ")).join("\n")}`);
  }
  const releaseDir = path.join(out, "bin", platform, "mc", "release");
  const name = existsSync(releaseDir) ? readdirSync(releaseDir)[0] : undefined;
  const app = name === undefined ? "" : path.join(releaseDir, name, "mc.so");
  return { app, out, log };
}

/** A scratch folder for builds, per lane run. */
export function buildDir(name: string): string {
  return path.join(os.tmpdir(), `xsmqtt-device-${process.pid}`, name);
}

/** An app running in mcsim. */
export class Simulator {
  /** Every trace line so far. */
  readonly lines: string[] = [];
  readonly #child: ChildProcess;
  #waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  #exited = false;

  /**
   * Starts `app` (an mc.so) in mcsim under a virtual display. `env` is laid over the tools' environment, e.g.
   * `{ HOME }` to give the app its own files root (`embedded:storage/files` on lin is rooted at $HOME; mcsim
   * copies the app into `$HOME/.config/tech.moddable.mcsim/`, which must exist).
   */
  constructor(app: string, env: NodeJS.ProcessEnv = {}) {
    const home = moddableHome();
    if (home === undefined) throw new Error("MODDABLE is not set to a built Moddable SDK");
    const mcsim = path.join(home, "build/bin/lin/release/mcsim");
    this.#child = spawn("xvfb-run", ["-a", "stdbuf", "-oL", "-eL", mcsim, app], {
      env: { ...toolEnv(home), ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true,
    });
    let partial = "";
    const take = (chunk: Buffer): void => {
      partial += chunk.toString("utf8");
      let nl: number;
      while ((nl = partial.indexOf("\n")) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        this.lines.push(line);
        if (process.env["XSMQTT_DEVICE_TRACE"] === "1") console.log(`mcsim: ${line}`);
        this.#waiters = this.#waiters.filter((w) => (w.pattern.test(line) ? (w.resolve(line), false) : true));
      }
    };
    this.#child.stdout?.on("data", take);
    this.#child.stderr?.on("data", take);
    this.#child.on("exit", () => { this.#exited = true; });
  }

  /** Resolves with the first trace line (past or future) matching `pattern`; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string> {
    const seen = this.lines.find((l) => pattern.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(new Error(`mcsim: no line matching ${String(pattern)} within ${timeoutMs} ms; trace:\n${this.lines.slice(-40).join("\n")}`));
      }, timeoutMs);
      const done = (line: string): void => { clearTimeout(timer); resolve(line); };
      this.#waiters.push({ pattern, resolve: done });
    });
  }

  /** Like {@link waitFor}, for lines from index `from` on (what happened after a point in the test). */
  async waitForAfter(from: number, pattern: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = from; i < this.lines.length; i++) if (pattern.test(this.lines[i]!)) return this.lines[i]!;
      if (Date.now() > deadline || this.#exited) {
        throw new Error(`mcsim: no line matching ${String(pattern)} within ${timeoutMs} ms; trace:\n${this.lines.slice(-40).join("\n")}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Trace lines after index `from` matching `pattern`. */
  count(pattern: RegExp, from = 0): number {
    let n = 0;
    for (let i = from; i < this.lines.length; i++) if (pattern.test(this.lines[i]!)) n++;
    return n;
  }

  /** SIGKILL to the whole process group (xvfb-run, Xvfb, mcsim): a power cut, no DISCONNECT sent. */
  async kill(): Promise<void> {
    if (this.#exited || this.#child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => this.#child.once("exit", () => resolve()));
    try {
      process.kill(-this.#child.pid, "SIGKILL");
    } catch {
      // already gone
    }
    await exited;
  }
}

/** True when mcsim can run here (a virtual display is available). */
export function canRunSimulator(): boolean {
  return spawnSync("sh", ["-c", "command -v xvfb-run && command -v stdbuf"], { encoding: "utf8" }).status === 0;
}

/**
 * Builds the Moddable contract app at `manifest` (relative to the repository) for lin with the peer's ports and
 * runs it in mcsim until it reports `contract done ...`. The caller checks the lines and kills the simulator.
 */
export async function runContractApp(manifest: string, name: string, peer: { port: number; closedPort: number }): Promise<{ sim: Simulator; done: string }> {
  const build = mcconfig(path.join(ROOT, manifest), buildDir(name), { peerPort: peer.port, closedPort: peer.closedPort });
  const sim = new Simulator(build.app);
  try {
    return { sim, done: await sim.waitFor(/^contract done/, 90_000) };
  } catch (error) {
    await sim.kill();
    throw error;
  }
}

