/**
 * Temp directories for test helpers, named `xsmqtt-<kind>-<pid>-<random>`. Test workers are often ended
 * without an `exit` event, so instead of relying on exit hooks, the first call in each process removes the
 * directories of processes that no longer exist.
 * @module
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const PATTERN = /^xsmqtt-(?:mosquitto|pki|crash)-(\d+)-/;
let swept = false;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes helper temp dirs left behind by dead processes. Best effort, never throws. */
export function sweepStaleTempDirs(): void {
  const root = tmpdir();
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names) {
    const match = PATTERN.exec(name);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || alive(pid)) continue;
    try {
      rmSync(path.join(root, name), { recursive: true, force: true });
    } catch {
      // someone else's, or already gone
    }
  }
}

/** Creates `xsmqtt-<kind>-<pid>-XXXXXX` under the OS temp dir (sweeping stale ones first, once per process). */
export function makeTempDir(kind: "mosquitto" | "pki" | "crash"): string {
  if (!swept) {
    swept = true;
    sweepStaleTempDirs();
  }
  return mkdtempSync(path.join(tmpdir(), `xsmqtt-${kind}-${process.pid}-`));
}
