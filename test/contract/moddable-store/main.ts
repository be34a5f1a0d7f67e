/**
 * The session store contract (../store-contract.ts) on Moddable's runtime, with the device's own
 * FilesSessionStore over `embedded:storage/files` (POSIX on lin: the files root is $HOME, which the device
 * test points at a fresh folder). Built by the device lane (test/device/store-contract.device.ts) for lin and
 * run in mcsim TWICE on the same root: the first run writes the reboot case's file and is killed, the second
 * reads it back. Every run also runs the single-process cases, the paging checks and measures steady-state
 * allocation. Every store here has 256-byte pages (the smallest), so the contract's cases cross pages and
 * straddle their boundaries. Reports through trace():
 *   store <case> ok | store <case> FAIL <why>, store done passed=<n> failed=<m>   (the contract)
 *   store reboot written | store reboot-reads-back ok|FAIL <why>                 (the reboot case)
 *   store paging <check> ok|FAIL <why>, store paging done passed=<n> failed=<m>  (this store's pages)
 *   store alloc <what> iterations=<n> slots=+<s> chunks=+<c>   (0 and 0, except the control, which must grow)
 *   store instrumentation <name>=<value|unavailable>                             (the SDK module, for the record)
 *   store finished                                                               (last line)
 * @module
 */
import Instrumentation from "instrumentation";
import AllocMeter from "xsmqtt-test/alloc-meter";
import { STORE_OPEN_FAILED } from "xsmqtt/client/codes";
import { FilesSessionStore, type PageDirectory, type PageFile } from "xsmqtt/moddable/file-store";
import { pattern, rebootCase, runStoreContract, type StoreContractEnv } from "xsmqtt/contract/store-contract";
import files from "embedded:storage/files";

/** Page size of every store in this app: the smallest, so few bytes make many pages. */
const PAGE = 256;

const report = (line: string): void => trace(`${line}\n`);

/** Deletes the page files of the region `name` (`<name>.0`, `<name>.1`, … up to the first missing one). */
function removePages(name: string): void {
  for (let k = 0; files.delete(`${name}.${k}`); k++);
}

const env: StoreContractEnv = {
  store: (name) => new FilesSessionStore({ path: name, pageSize: PAGE }),
  remove: removePages,
  unwritableName: "no-such-folder/store.bin",
  // The device test makes `a-folder.0` a folder in the files root before the first run: page 0 of this name.
  folderName: "a-folder",
  report,
};

// First, as a booting device would: the reboot case's file is missing (first run) or holds the pattern.
const reboot = rebootCase(env, "xsmqtt-reboot.bin");

runStoreContract(env);

// ---------------------------------------------------------------------------------------------------------------
// Paging: what the contract cannot see (it binds any store), checked on this store's page files.

/** Every page file flushed through {@link counting}, by name, in order. */
const flushes: string[] = [];
/** A page file whose next flushes throw (an injected I/O error), or undefined. */
let failFlushOf: string | undefined;

/** The files root, with every flush logged in {@link flushes}: the seam the paging checks count flushes through. */
const counting: PageDirectory = {
  openFile(options) {
    const file = files.openFile(options);
    const name = options.path;
    const wrapped: PageFile = {
      read: (buffer, position) => file.read(buffer, position),
      write: (buffer, position) => {
        file.write(buffer, position);
      },
      setSize: (size) => {
        file.setSize(size);
      },
      flush: () => {
        if (name === failFlushOf) throw new Error("injected flush failure");
        flushes.push(name);
        file.flush();
      },
      close: () => {
        file.close();
      },
    };
    return wrapped;
  },
  status: (path) => files.status(path),
};

/** A fresh region `name` of `size` bytes on the counting root, its open's flushes forgotten. */
function countingStore(name: string, size: number): FilesSessionStore | string {
  removePages(name);
  const store = new FilesSessionStore({ path: name, pageSize: PAGE, directory: counting });
  const before = store.open(size);
  flushes.length = 0;
  if (before !== 0) {
    store.close();
    return `open(${size}) on a new region returned ${before}`;
  }
  return store;
}

/** `got` as the list it is and `want`, or undefined when equal. */
function sameList(what: string, got: readonly string[], want: readonly string[]): string | undefined {
  if (got.length === want.length && got.every((v, i) => v === want[i])) return undefined;
  return `${what}: flushed [${got.join(", ")}], expected [${want.join(", ")}]`;
}

/** Writes `bytes` at `position`, failing loudly. */
function put(store: FilesSessionStore, position: number, bytes: Uint8Array): string | undefined {
  const r = store.write(position, bytes);
  return r === 0 ? undefined : `write(${position}, ${bytes.byteLength} bytes) returned ${r}`;
}

/** Reads `bytes.byteLength` bytes at `position` and compares. */
function holds(store: FilesSessionStore, position: number, bytes: Uint8Array): string | undefined {
  const into = new Uint8Array(bytes.byteLength);
  const n = store.read(position, into);
  if (n !== bytes.byteLength) return `read(${position}) returned ${n}`;
  for (let i = 0; i < bytes.byteLength; i++) if (into[i] !== bytes[i]) return `byte ${position + i} differs`;
  return undefined;
}

/** The sizes of the page files of `name` on the medium, up to the first missing one. */
function pageSizes(name: string): number[] {
  const sizes: number[] = [];
  for (let k = 0; ; k++) {
    const size = files.status(`${name}.${k}`).size;
    if (size === undefined) return sizes;
    sizes.push(size);
  }
}

type Check = () => string | undefined;

/** pageSize is a power of two from 256; anything else is a TypeError at construction. */
const pageSizeValidated: Check = () => {
  for (const bad of [0, 128, 255, 300, 4097, 2.5, -256, Number.NaN, "256"] as unknown[]) {
    try {
      new FilesSessionStore({ path: "paging-bad.bin", pageSize: bad as number });
      return `pageSize ${String(bad)} accepted`;
    } catch (error) {
      if (!(error instanceof TypeError)) return `pageSize ${String(bad)} threw ${String(error)}, not a TypeError`;
    }
  }
  for (const good of [256, 512, 4096, 65536, undefined]) new FilesSessionStore({ path: "paging-good.bin", pageSize: good });
  return undefined;
};

/** Page k is `<path>.<k>`: whole pages and a short last one; growing fills the last page and adds pages. */
const pagesOnDisk: Check = () => {
  const name = "paging-layout.bin";
  removePages(name);
  const bytes = pattern(600, 41);
  const first = new FilesSessionStore({ path: name, pageSize: PAGE });
  try {
    if (first.open(600) !== 0) return "open(600) on nothing did not return 0";
    const sizes = pageSizes(name).join(",");
    if (sizes !== "256,256,88") return `pages after open(600): ${sizes}, expected 256,256,88`;
    // One write across three pages, from a view at an offset.
    if (first.write(0, bytes) !== 0 || first.sync() !== 0) return "write or sync failed";
  } finally {
    first.close();
  }
  const grown = new FilesSessionStore({ path: name, pageSize: PAGE });
  try {
    const before = grown.open(1000);
    if (before !== 600) return `open(1000) returned ${before}, expected 600`;
    const sizes = pageSizes(name).join(",");
    if (sizes !== "256,256,256,232") return `pages after open(1000): ${sizes}, expected 256,256,256,232`;
    const kept = holds(grown, 0, bytes);
    if (kept !== undefined) return `after growing: ${kept}`;
    const zeros = holds(grown, 600, new Uint8Array(400));
    if (zeros !== undefined) return `grown bytes: ${zeros}`;
    // A write across four pages (more than a page long).
    const long = pattern(700, 3);
    const failure = put(grown, 200, long) ?? (grown.sync() === 0 ? undefined : "sync failed");
    if (failure !== undefined) return failure;
  } finally {
    grown.close();
  }
  const again = new FilesSessionStore({ path: name, pageSize: PAGE });
  try {
    const before = again.open(10);
    if (before !== 1000) return `open(10) returned ${before}, expected 1000 (never shrinks)`;
    return holds(again, 0, bytes.subarray(0, 200)) ?? holds(again, 200, pattern(700, 3)) ?? holds(again, 900, new Uint8Array(100));
  } finally {
    again.close();
  }
};

/** A write+sync within one page flushes that page only; a sync with nothing written flushes nothing. */
const onePageOneFlush: Check = () => {
  const name = "paging-one.bin";
  const store = countingStore(name, 4 * PAGE);
  if (typeof store === "string") return store;
  try {
    const failure = put(store, PAGE + 44, pattern(32, 1));
    if (failure !== undefined) return failure;
    if (store.sync() !== 0) return "sync failed";
    const one = sameList("one write in page 1", flushes, [`${name}.1`]);
    if (one !== undefined) return one;
    flushes.length = 0;
    const twice = put(store, 0, pattern(16, 2)) ?? put(store, 100, pattern(8, 3));
    if (twice !== undefined) return twice;
    if (store.sync() !== 0) return "sync failed";
    const same = sameList("two writes in page 0", flushes, [`${name}.0`]);
    if (same !== undefined) return same;
    flushes.length = 0;
    if (store.sync() !== 0) return "sync failed";
    return sameList("nothing written", flushes, []) ?? holds(store, PAGE + 44, pattern(32, 1));
  } finally {
    store.close();
  }
};

/**
 * The page of the latest write is flushed last (the journal's record header, written after its packet, is the
 * commit point): packet on page 2 then header at the end of page 1; packet straddling pages 1 and 2 then its
 * header on page 1; and a page written again moves behind the others.
 */
const latestWriteFlushedLast: Check = () => {
  const name = "paging-order.bin";
  const store = countingStore(name, 4 * PAGE);
  if (typeof store === "string") return store;
  try {
    const steps: [string, [number, Uint8Array][], string[]][] = [
      ["packet on page 2, header ending page 1", [[2 * PAGE, pattern(64, 5)], [2 * PAGE - 32, pattern(32, 6)]], [".2", ".1"]],
      ["packet straddling pages 1|2, header on page 1", [[2 * PAGE - 64, pattern(128, 7)], [2 * PAGE - 96, pattern(32, 8)]], [".2", ".1"]],
      ["pages 3, 0, 3", [[3 * PAGE, pattern(8, 9)], [0, pattern(8, 10)], [3 * PAGE + 8, pattern(8, 11)]], [".0", ".3"]],
    ];
    for (const [what, writes, order] of steps) {
      flushes.length = 0;
      for (const [position, bytes] of writes) {
        const failure = put(store, position, bytes);
        if (failure !== undefined) return `${what}: ${failure}`;
      }
      if (store.sync() !== 0) return `${what}: sync failed`;
      const wrong = sameList(what, flushes, order.map((suffix) => `${name}${suffix}`));
      if (wrong !== undefined) return wrong;
      for (const [position, bytes] of writes) {
        const lost = holds(store, position, bytes);
        if (lost !== undefined) return `${what}: ${lost}`;
      }
    }
    return undefined;
  } finally {
    store.close();
  }
};

/** A failed flush stops the sync: that page and the ones after it are flushed, in order, by the next sync. */
const failedSyncKeepsTheRest: Check = () => {
  const name = "paging-fail.bin";
  const store = countingStore(name, 4 * PAGE);
  if (typeof store === "string") return store;
  try {
    for (const [failing, flushedFirst] of [[".1", [] as string[]], [".2", [".1"]]] as const) {
      flushes.length = 0;
      const failure = put(store, PAGE, pattern(16, 12)) ?? put(store, 2 * PAGE, pattern(16, 13));
      if (failure !== undefined) return failure;
      failFlushOf = `${name}${failing}`;
      const r = store.sync();
      failFlushOf = undefined;
      if (!(r < 0)) return `sync with ${failing} failing returned ${r}`;
      const first = sameList(`sync with ${failing} failing`, flushes, flushedFirst.map((s) => `${name}${s}`));
      if (first !== undefined) return first;
      flushes.length = 0;
      if (store.sync() !== 0) return "the next sync failed";
      const rest = flushedFirst.length === 0 ? [".1", ".2"] : [".2"];
      const retried = sameList(`the sync after ${failing} failed`, flushes, rest.map((s) => `${name}${s}`));
      if (retried !== undefined) return retried;
    }
    return undefined;
  } finally {
    failFlushOf = undefined;
    store.close();
  }
};

/** A region written with one page size is refused by another (no silent remapping of its bytes). */
const otherPageSizeRefused: Check = () => {
  const name = "paging-size.bin";
  removePages(name);
  const small = new FilesSessionStore({ path: name, pageSize: PAGE });
  if (small.open(4 * PAGE) !== 0) return "open failed";
  small.close();
  for (const pageSize of [2 * PAGE, 4 * PAGE]) {
    const other = new FilesSessionStore({ path: name, pageSize });
    const r = other.open(4 * PAGE);
    other.close();
    if (r !== STORE_OPEN_FAILED) return `pageSize ${pageSize} over 256-byte pages: open returned ${r}, expected ${STORE_OPEN_FAILED}`;
  }
  const same = new FilesSessionStore({ path: name, pageSize: PAGE });
  const r = same.open(0);
  same.close();
  return r === 4 * PAGE ? undefined : `reopening with the same pageSize returned ${r}`;
};

function runPagingChecks(): void {
  const checks: [string, Check][] = [
    ["page-size-validated", pageSizeValidated],
    ["pages-on-disk", pagesOnDisk],
    ["one-page-write-flushes-one-page", onePageOneFlush],
    ["latest-write-flushed-last", latestWriteFlushedLast],
    ["failed-sync-keeps-the-rest", failedSyncKeepsTheRest],
    ["other-page-size-refused", otherPageSizeRefused],
  ];
  let passed = 0;
  let failed = 0;
  for (const [name, check] of checks) {
    let failure: string | undefined;
    try {
      failure = check();
    } catch (error) {
      failure = `threw ${String(error)}`;
    }
    if (failure === undefined) passed++;
    else failed++;
    report(failure === undefined ? `store paging ${name} ok` : `store paging ${name} FAIL ${failure}`);
  }
  report(`store paging done passed=${passed} failed=${failed}`);
}

runPagingChecks();

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

/**
 * What the client will do: fixed-size records written through views made once, then synced; on 256-byte pages,
 * so the ring of records spans 16 pages, and the journal's page-crossing commits are measured too.
 */
function measureSteadyState(): void {
  const store = new FilesSessionStore({ path: "xsmqtt-alloc.bin", pageSize: PAGE });
  removePages("xsmqtt-alloc.bin");
  if (store.open(4096) !== 0) {
    report("store alloc FAIL open");
    return;
  }
  const region = new Uint8Array(1024);
  for (let i = 0; i < region.length; i++) region[i] = i & 0xff;
  // Views at an offset into a larger buffer, as the client's records are.
  const record32 = new Uint8Array(region.buffer, 16, 32);
  const record256 = new Uint8Array(region.buffer, 512, 256);
  const packet64 = new Uint8Array(region.buffer, 64, 64);
  const packet128 = new Uint8Array(region.buffer, 256, 128);
  let failures = 0;
  // Positions step over the region like a ring of records (the sizes divide the region's 4096 bytes): each
  // write is inside one page.
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
  // A view written again at a position where it straddles pages 2 and 3 (its sub-views are kept).
  measure("write+sync-straddle", () => {
    if (store.write(3 * PAGE - 32, packet64) !== 0 || store.sync() !== 0) failures++;
  });
  // The journal's commit across a boundary: the packet on page 5, then its header ending page 4; then a packet
  // straddling pages 6|7 with its header on page 6 (two pages flushed each, the header's last).
  measure("commit-across-pages", () => {
    if (store.write(5 * PAGE, packet64) !== 0 || store.write(5 * PAGE - 32, record32) !== 0 || store.sync() !== 0) failures++;
    if (store.write(7 * PAGE - 64, packet128) !== 0 || store.write(7 * PAGE - 96, record32) !== 0 || store.sync() !== 0) failures++;
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
