// The session store contract (test/contract/store-contract.ts) on Moddable's runtime: test/contract/moddable-store
// (FilesSessionStore over `embedded:storage/files`, POSIX on lin, with 256-byte pages: files `<name>.<k>`) built
// with mcconfig for lin and run in mcsim TWICE with HOME, the files root, set to one fresh folder: run 1 writes
// the reboot case's region and is killed (SIGKILL, the store still open), run 2 boots on the same root and reads
// it back. Each run also passes the single-process cases (the same ones test/contract/store-contract.test.ts runs
// on hosts/node) and the paging checks (page files, one flush per page touched, flush order), and measures that
// steady-state write+sync allocates nothing.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REBOOT_SIZE, STORE_CASES } from "../contract/store-contract.js";
import { buildDir, mcconfig, ROOT, Simulator, type Build } from "./moddable.js";

/** The app's page size (test/contract/moddable-store/main.ts). */
const PAGE = 256;
/** The app's paging checks. */
const PAGING_CHECKS = 6;

/** Runs the app on `home` until its last line, then kills it (a reset: nothing is closed). */
async function boot(build: Build, home: string): Promise<string[]> {
  const sim = new Simulator(build.app, { HOME: home });
  try {
    await sim.waitFor(/^store finished/, 60_000);
    return [...sim.lines];
  } finally {
    await sim.kill();
  }
}

describe("session store contract on Moddable (mcsim, embedded:storage/files)", () => {
  let home: string;
  let build: Build;
  beforeAll(() => {
    home = mkdtempSync(path.join(os.tmpdir(), "xsmqtt-store-home-"));
    // mcsim copies the app into $HOME/.config/tech.moddable.mcsim/ before loading it.
    mkdirSync(path.join(home, ".config/tech.moddable.mcsim"), { recursive: true });
    // The contract's "a folder is not a file" case: the region "a-folder", whose page 0 is a folder.
    mkdirSync(path.join(home, "a-folder.0"));
    build = mcconfig(path.join(ROOT, "test/contract/moddable-store/manifest.json"), buildDir("store-contract"));
  }, 900_000);
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it("passes every case on both boots, and the file written before the kill is read back after it", async () => {
    const first = await boot(build, home);
    expect(first.filter((l) => l.includes(" FAIL "))).toEqual([]);
    expect(first).toContain("store reboot written");
    expect(first).toContain(`store done passed=${STORE_CASES} failed=0`);
    expect(first).toContain(`store paging done passed=${PAGING_CHECKS} failed=0`);
    // What run 1 left on the host's disk is the reboot case's region, in whole pages.
    const pages = REBOOT_SIZE / PAGE;
    for (let k = 0; k < pages; k++) expect(readFileSync(path.join(home, `xsmqtt-reboot.bin.${k}`)).length).toBe(PAGE);
    expect(existsSync(path.join(home, `xsmqtt-reboot.bin.${pages}`))).toBe(false);

    const second = await boot(build, home);
    expect(second.filter((l) => l.includes(" FAIL "))).toEqual([]);
    expect(second).toContain("store reboot-reads-back ok");
    expect(second).toContain(`store done passed=${STORE_CASES} failed=0`);
    expect(second).toContain(`store paging done passed=${PAGING_CHECKS} failed=0`);
  }, 300_000);

  it("steady-state write+sync within a page, across pages, and a commit over a boundary allocate nothing (the control allocates)", async () => {
    const lines = await boot(build, home);
    const alloc = new Map<string, { slots: number; chunks: number }>();
    for (const line of lines) {
      const m = /^store alloc (\S+) iterations=100 slots=([+-]\d+) chunks=([+-]\d+)$/.exec(line);
      if (m !== null) alloc.set(m[1]!, { slots: Number(m[2]), chunks: Number(m[3]) });
    }
    for (const what of ["write+sync-32", "write+sync-256", "write-32", "sync", "write+sync-straddle", "commit-across-pages"]) {
      expect(alloc.get(what), `${what}: ${lines.join("\n")}`).toEqual({ slots: 0, chunks: 0 });
    }
    // One subarray per iteration must show, or the meter would see nothing at all.
    expect(alloc.get("control-subarray")?.slots).toBeGreaterThanOrEqual(100);
  }, 300_000);
});
