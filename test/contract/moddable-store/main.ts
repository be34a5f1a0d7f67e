/**
 * The session store contract (../store-contract.ts) on Moddable's runtime, with the device's own
 * FilesSessionStore over `embedded:storage/files` (POSIX on lin: the files root is $HOME, which the device
 * test points at a fresh folder). Built by the device lane (test/device/store-contract.device.ts) for lin and
 * run in mcsim TWICE on the same root: the first run writes the reboot case's file and is killed, the second
 * reads it back. Every run also runs the single-process cases and measures steady-state allocation. Reports
 * through trace():
 *   store <case> ok | store <case> FAIL <why>, store done passed=<n> failed=<m>   (the contract)
 *   store reboot written | store reboot-reads-back ok|FAIL <why>                 (the reboot case)
 *   store alloc <what> iterations=<n> slots=+<s> chunks=+<c>   (0 and 0, except the control, which must grow)
 *   store instrumentation <name>=<value|unavailable>                             (the SDK module, for the record)
 *   store finished                                                               (last line)
 * @module
 */
import Instrumentation from "instrumentation";
import AllocMeter from "xsmqtt-test/alloc-meter";
import { FilesSessionStore } from "xsmqtt/moddable/file-store";
import { rebootCase, runStoreContract, type StoreContractEnv } from "xsmqtt/contract/store-contract";
import files from "embedded:storage/files";

const report = (line: string): void => trace(`${line}\n`);

const env: StoreContractEnv = {
  store: (name) => new FilesSessionStore({ path: name }),
  remove: (name) => {
    files.delete(name);
  },
  unwritableName: "no-such-folder/store.bin",
  // Created by the device test in the files root before the first run.
  folderName: "a-folder",
  report,
};

// First, as a booting device would: the reboot case's file is missing (first run) or holds the pattern.
const reboot = rebootCase(env, "xsmqtt-reboot.bin");

runStoreContract(env);

/** Iterations measured; the warm-up runs the same body first so lazy first-time work is not counted. */
const ITERATIONS = 100;

/**
 * Runs `body` ITERATIONS times after a warm-up and a full collection, with garbage collection switched off,
 * between two readings of the XS machine's slot and chunk counters (./alloc-meter: numbers only). With
 * collection off the counters only grow, so every allocation in the loop shows.
 */
function measure(what: string, body: () => void): void {
  for (let i = 0; i < 10; i++) body();
  AllocMeter.collect();
  AllocMeter.enableCollection(false);
  const slots0 = AllocMeter.slots();
  const chunks0 = AllocMeter.chunks();
  for (let i = 0; i < ITERATIONS; i++) body();
  const slots = AllocMeter.slots() - slots0;
  const chunks = AllocMeter.chunks() - chunks0;
  AllocMeter.enableCollection(true);
  const signed = (n: number): string => (n < 0 ? `${n}` : `+${n}`);
  report(`store alloc ${what} iterations=${ITERATIONS} slots=${signed(slots)} chunks=${signed(chunks)}`);
}

/** What the client will do: fixed-size records written through views made once, then synced. */
function measureSteadyState(): void {
  const store = new FilesSessionStore({ path: "xsmqtt-alloc.bin" });
  files.delete("xsmqtt-alloc.bin");
  if (store.open(4096) !== 0) {
    report("store alloc FAIL open");
    return;
  }
  const region = new Uint8Array(1024);
  for (let i = 0; i < region.length; i++) region[i] = i & 0xff;
  // Views at an offset into a larger buffer, as the client's records are.
  const record32 = new Uint8Array(region.buffer, 16, 32);
  const record256 = new Uint8Array(region.buffer, 512, 256);
  let failures = 0;
  // Positions step over the region like a ring of records (the sizes divide the region's 4096 bytes).
  let at32 = 0;
  let at256 = 0;
  measure("write+sync-32", () => {
    at32 = (at32 + 32) & 4095;
    if (store.write(at32, record32) !== 0 || store.sync() !== 0) failures++;
  });
  measure("write+sync-256", () => {
    at256 = (at256 + 256) & 4095;
    if (store.write(at256, record256) !== 0 || store.sync() !== 0) failures++;
  });
  measure("write-32", () => {
    at32 = (at32 + 32) & 4095;
    if (store.write(at32, record32) !== 0) failures++;
  });
  measure("sync", () => {
    if (store.sync() !== 0) failures++;
  });
  // The control: a body that allocates one small view per iteration must show, or the meter sees nothing.
  let sink: Uint8Array = record32;
  measure("control-subarray", () => {
    sink = region.subarray(0, 4);
  });
  if (sink.length !== 4) failures++;
  store.close();
  if (failures > 0) report(`store alloc FAIL ${failures} writes or syncs failed`);
}

measureSteadyState();

// Moddable's own `instrumentation` module only reports in instrumented builds (mcconfig -i or -d); recorded
// so the report says which counters this build had.
for (const name of ["XS Slot Heap Used", "XS Chunk Heap Used", "Files"] as const) {
  const index = Instrumentation.map(name);
  const value = index === undefined ? undefined : Instrumentation.get(index);
  report(`store instrumentation ${name.replaceAll(" ", "-")}=${value === undefined ? "unavailable" : String(value)}`);
}

// Kept referenced so the first run is killed with the reboot case's store still open, as a reset leaves it.
report(`store finished${"outcome" in reboot ? ` reboot=${reboot.outcome}` : ""}`);
