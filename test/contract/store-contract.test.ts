// The session store seam's contract (test/contract/store-contract.ts) against hosts/node's FileSessionStore.
// The same suite runs on Moddable's runtime in the device lane (test/device/store-contract.device.ts), so the
// two stores cannot drift apart. Node adds what only Node can check cheaply: a store written by a process that
// is then SIGKILLed (the reboot case across processes, `durable: false`), and a property test against a model.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileSessionStore } from "../../hosts/node/file-store.js";
import { MAX_STORE_SIZE, STORE_NOT_OPEN, STORE_OPEN_FAILED, STORE_OUT_OF_RANGE } from "../../src/client/codes.js";
import { REBOOT_SIZE, STORE_CASES, rebootCase, runStoreContract, type StoreContractEnv } from "./store-contract.js";

/** The suite's environment over a scratch folder on Node. */
function nodeEnv(dir: string, durable: boolean, lines: string[]): StoreContractEnv {
  mkdirSync(path.join(dir, "a-folder"), { recursive: true });
  return {
    store: (name) => new FileSessionStore({ path: path.join(dir, name), durable }),
    remove: (name) => rmSync(path.join(dir, name), { force: true }),
    unwritableName: path.join("no-such-folder", "store.bin"),
    folderName: "a-folder",
    report: (line) => lines.push(line),
  };
}

describe("session store contract on hosts/node (FileSessionStore)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "xsmqtt-store-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([true, false])("passes every case of the store contract (durable: %s)", (durable) => {
    const lines: string[] = [];
    const sub = path.join(dir, `suite-${String(durable)}`);
    mkdirSync(sub);
    runStoreContract(nodeEnv(sub, durable, lines));
    expect(lines.filter((l) => l.includes(" FAIL "))).toEqual([]);
    expect(lines.at(-1)).toBe(`store done passed=${STORE_CASES} failed=0`);
    // Re-runnable over the same folder (the Moddable app runs it on every boot).
    lines.length = 0;
    runStoreContract(nodeEnv(sub, durable, lines));
    expect(lines.at(-1)).toBe(`store done passed=${STORE_CASES} failed=0`);
  });

  it("returns the documented codes", () => {
    const store = new FileSessionStore({ path: path.join(dir, "codes.bin") });
    expect(store.read(0, new Uint8Array(1))).toBe(STORE_NOT_OPEN);
    expect(store.open(MAX_STORE_SIZE + 1)).toBe(STORE_OUT_OF_RANGE);
    expect(new FileSessionStore({ path: path.join(dir, "none", "x.bin") }).open(1)).toBe(STORE_OPEN_FAILED);
    expect(store.open(8)).toBe(0);
    expect(store.write(4, new Uint8Array(5))).toBe(STORE_OUT_OF_RANGE);
    store.close();
    expect(store.sync()).toBe(STORE_NOT_OPEN);
    // Created owner-only: the file holds message payloads.
    expect(statSync(path.join(dir, "codes.bin")).mode & 0o777).toBe(0o600);
    expect(() => new FileSessionStore({ path: "" })).toThrow(TypeError);
  });

  it("the reboot case spans two processes: a child writes with durable: false and is SIGKILLed, the next open reads it back", () => {
    const sub = path.join(dir, "reboot");
    mkdirSync(sub);
    const here = path.dirname(fileURLToPath(import.meta.url));
    const script = `
const { FileSessionStore } = await import(${JSON.stringify(path.join(here, "../../hosts/node/file-store.ts"))});
const { rebootCase } = await import(${JSON.stringify(path.join(here, "store-contract.ts"))});
const result = rebootCase({
  store: (name) => new FileSessionStore({ path: ${JSON.stringify(sub)} + "/" + name, durable: false }),
  remove() {}, unwritableName: "", folderName: "", report: (line) => console.log(line),
}, "reboot.bin");
if ("outcome" in result) process.kill(process.pid, "SIGKILL"); // the store stays open: nothing is closed
`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(child.signal, child.stderr).toBe("SIGKILL");
    expect(child.stdout.trim()).toBe("store reboot written");
    expect(statSync(path.join(sub, "reboot.bin")).size).toBe(REBOOT_SIZE);

    const lines: string[] = [];
    const second = rebootCase(nodeEnv(sub, true, lines), "reboot.bin");
    expect(lines).toEqual(["store reboot-reads-back ok"]);
    expect("outcome" in second && second.outcome).toBe("verified");
  });

  it("property: any sequence of writes, syncs and reopens (growing or not) reads back as a model Uint8Array", () => {
    const file = path.join(dir, "property.bin");
    const command = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant("write" as const), at: fc.nat(), length: fc.integer({ min: 0, max: 300 }), seed: fc.nat(255) }), weight: 6 },
      { arbitrary: fc.record({ kind: fc.constant("sync" as const) }), weight: 1 },
      { arbitrary: fc.record({ kind: fc.constant("reopen" as const), size: fc.integer({ min: 0, max: 2048 }) }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2048 }), fc.array(command, { maxLength: 40 }), fc.boolean(), (initial, commands, durable) => {
        rmSync(file, { force: true });
        let model = new Uint8Array(initial);
        let store = new FileSessionStore({ path: file, durable });
        expect(store.open(initial)).toBe(0);
        try {
          for (const c of commands) {
            if (c.kind === "write") {
              const at = c.at % model.length;
              const length = Math.min(c.length, model.length - at);
              const bytes = new Uint8Array(length + 8).map((_, i) => (c.seed + i * 31) & 0xff).subarray(4, 4 + length);
              expect(store.write(at, bytes)).toBe(0);
              model.set(bytes, at);
            } else if (c.kind === "sync") {
              expect(store.sync()).toBe(0);
            } else {
              store.close();
              store = new FileSessionStore({ path: file, durable });
              expect(store.open(c.size)).toBe(model.length);
              if (c.size > model.length) {
                const grown = new Uint8Array(c.size);
                grown.set(model);
                model = grown;
              }
            }
          }
          expect(store.sync()).toBe(0);
        } finally {
          store.close();
        }
        const reopened = new FileSessionStore({ path: file, durable });
        try {
          expect(reopened.open(0)).toBe(model.length);
          const into = new Uint8Array(model.length + 16);
          expect(reopened.read(0, into)).toBe(model.length);
          expect(Buffer.from(into.subarray(0, model.length)).equals(Buffer.from(model))).toBe(true);
          expect(Buffer.from(readFileSync(file)).equals(Buffer.from(model))).toBe(true);
        } finally {
          reopened.close();
        }
      }),
      { numRuns: 200 },
    );
  });
});
