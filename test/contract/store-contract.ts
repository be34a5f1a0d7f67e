/**
 * The session store seam's contract (`SessionStore` in src/client/host.ts), one suite for both hosts:
 * `hosts/node/file-store.ts` under vitest (test/contract/store-contract.test.ts) and
 * `hosts/moddable/file-store.ts` on mcsim (test/contract/moddable-store/, run by
 * test/device/store-contract.device.ts). Engine-neutral and synchronous: no Node or Moddable import.
 *
 * Cases report `store <name> ok` or `store <name> FAIL <why>`; {@link runStoreContract} ends with
 * `store done passed=<n> failed=<m>`. {@link rebootCase} is the one case that spans two processes (a reboot):
 * the first run writes and syncs, the process is killed, the next run reads it back.
 * @module
 */
import type { SessionStore } from "../../src/client/host.js";

/** What the suite needs from its host. */
export interface StoreContractEnv {
  /** A new store over the file `name` in the suite's scratch folder (never opened yet). */
  store(name: string): SessionStore;
  /** Removes the file `name` if it exists, so a case starts from nothing (runs may reuse the folder). */
  remove(name: string): void;
  /** A name whose file cannot be created (its folder does not exist). */
  unwritableName: string;
  /** A name that is an existing folder, not a file. */
  folderName: string;
  /** Reports one line. */
  report(line: string): void;
}

/** Region size of {@link rebootCase}. */
export const REBOOT_SIZE = 512;

/** What {@link rebootCase} found: it wrote the pattern (first run) or it read it back (next run). */
export type RebootOutcome = "written" | "verified";

type Case = (env: StoreContractEnv) => string | undefined;

/** Bytes `seed`, `seed + step`, ... (mod 256), never all zero. */
export function pattern(length: number, seed: number, step = 7): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed + i * step + 1) & 0xff;
  return out;
}

/** The first index where `a[from…]` and `b` differ, or -1 when `a` holds `b` at `from`. */
function firstDifference(a: Uint8Array, from: number, b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) if (a[from + i] !== b[i]) return from + i;
  return -1;
}

function allZero(bytes: Uint8Array, from = 0, to = bytes.length): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Opens a fresh store on `name`, checking open returned 0. */
function fresh(env: StoreContractEnv, name: string, size: number): SessionStore | string {
  env.remove(name);
  const store = env.store(name);
  const before = store.open(size);
  if (before !== 0) {
    store.close();
    return `open(${size}) on a new file returned ${before}`;
  }
  return store;
}

/** A new store opens with 0 and reads as zeros over its whole size. */
function newStoreReadsZeros(env: StoreContractEnv): string | undefined {
  const store = fresh(env, "store-new.bin", 300);
  if (typeof store === "string") return store;
  try {
    const into = new Uint8Array(300).fill(0xaa);
    const n = store.read(0, into);
    if (n !== 300) return `read returned ${n}`;
    if (!allZero(into)) return "bytes never written are not 0";
    return undefined;
  } finally {
    store.close();
  }
}

/** What was written and synced is read back by a NEW instance, whose open returns the size the file had. */
function syncThenNewInstanceReadsBack(env: StoreContractEnv): string | undefined {
  const name = "store-reopen.bin";
  const first = fresh(env, name, 256);
  if (typeof first === "string") return first;
  const a = pattern(32, 3);
  const b = pattern(100, 90);
  try {
    if (first.write(0, a) !== 0) return "write at 0 failed";
    if (first.write(156, b) !== 0) return "write at 156 failed";
    if (first.sync() !== 0) return "sync failed";
  } finally {
    first.close();
  }
  const second = env.store(name);
  try {
    const before = second.open(256);
    if (before !== 256) return `second open returned ${before}, expected 256`;
    const into = new Uint8Array(256);
    if (second.read(0, into) !== 256) return "short read";
    const at = firstDifference(into, 0, a);
    if (at >= 0) return `byte ${at} differs`;
    const at2 = firstDifference(into, 156, b);
    if (at2 >= 0) return `byte ${at2} differs`;
    if (!allZero(into, 32, 156)) return "bytes between the writes are not 0";
    return undefined;
  } finally {
    second.close();
  }
}

/** Opening with a larger size grows the file and keeps its bytes; a smaller size never shrinks it. */
function growKeepsContents(env: StoreContractEnv): string | undefined {
  const name = "store-grow.bin";
  const small = fresh(env, name, 64);
  if (typeof small === "string") return small;
  const bytes = pattern(64, 11);
  try {
    if (small.write(0, bytes) !== 0) return "write failed";
    if (small.sync() !== 0) return "sync failed";
  } finally {
    small.close();
  }
  const grown = env.store(name);
  try {
    const before = grown.open(200);
    if (before !== 64) return `open(200) returned ${before}, expected 64`;
    const into = new Uint8Array(200).fill(0xaa);
    if (grown.read(0, into) !== 200) return "grown region reads short";
    const at = firstDifference(into, 0, bytes);
    if (at >= 0) return `byte ${at} changed by growing`;
    if (!allZero(into, 64, 200)) return "grown bytes are not 0";
    // The grown part is writable up to its new end.
    if (grown.write(199, pattern(1, 5)) !== 0) return "write at the new last byte failed";
    if (grown.sync() !== 0) return "sync failed";
  } finally {
    grown.close();
  }
  const again = env.store(name);
  try {
    const before = again.open(16);
    if (before !== 200) return `open(16) returned ${before}, expected 200 (never shrinks)`;
    const into = new Uint8Array(200);
    if (again.read(0, into) !== 200) return "open(16) shrank the file";
    if (into[199] !== pattern(1, 5)[0]) return "last byte lost";
    // The region stays the file's size, not the smaller request.
    if (again.write(150, pattern(50, 1)) !== 0) return "write within the file but past the smaller request failed";
    return undefined;
  } finally {
    again.close();
  }
}

/** Writes at arbitrary positions (overlapping, first and last byte, from views into larger buffers) land exactly. */
function writesAtPositions(env: StoreContractEnv): string | undefined {
  const size = 1000;
  const store = fresh(env, "store-positions.bin", size);
  if (typeof store === "string") return store;
  const model = new Uint8Array(size);
  const apply = (position: number, from: Uint8Array): string | undefined => {
    const r = store.write(position, from);
    if (r !== 0) return `write(${position}, ${from.byteLength} bytes) returned ${r}`;
    model.set(from, position);
    return undefined;
  };
  try {
    // A view's own offset and length: only those 32 bytes of the larger buffer may land.
    const big = pattern(64, 200);
    const steps: [number, Uint8Array][] = [
      [0, pattern(10, 1)],
      [999, pattern(1, 77)],
      [500, pattern(100, 9)],
      [550, pattern(100, 33)], // overlaps the previous one
      [1, pattern(3, 120)],
      [700, big.subarray(16, 48)],
      [990, pattern(10, 4)],
      [400, new Uint8Array(0)],
    ];
    for (const [position, from] of steps) {
      const failure = apply(position, from);
      if (failure !== undefined) return failure;
    }
    if (store.sync() !== 0) return "sync failed";
    const into = new Uint8Array(size);
    if (store.read(0, into) !== size) return "short read";
    const at = firstDifference(into, 0, model);
    if (at >= 0) return `byte ${at} is ${into[at]}, expected ${model[at]}`;
    // Reads at positions, into a view of a larger buffer: only the view is filled.
    const wide = new Uint8Array(40).fill(0xee);
    if (store.read(700, wide.subarray(4, 36)) !== 32) return "read into a view returned a wrong count";
    if (wide[3] !== 0xee || wide[36] !== 0xee) return "read wrote outside the view";
    const at2 = firstDifference(wide, 4, big.subarray(16, 48));
    if (at2 >= 0) return `view read: byte ${at2} differs`;
    return undefined;
  } finally {
    store.close();
  }
}

/** Reading across or past the end returns fewer bytes (0 at or past it), never garbage or an error. */
function readPastEnd(env: StoreContractEnv): string | undefined {
  const store = fresh(env, "store-end.bin", 100);
  if (typeof store === "string") return store;
  try {
    if (store.write(90, pattern(10, 50)) !== 0) return "write failed";
    const into = new Uint8Array(32);
    const n = store.read(90, into);
    if (n !== 10) return `read across the end returned ${n}, expected 10`;
    const at = firstDifference(into, 0, pattern(10, 50));
    if (at >= 0) return `byte ${at} differs`;
    const atEnd = store.read(100, into);
    if (atEnd !== 0) return `read at the end returned ${atEnd}`;
    const past = store.read(5000, into);
    if (past !== 0) return `read past the end returned ${past}`;
    return undefined;
  } finally {
    store.close();
  }
}

/** A write that would end past the region, or at a bad position, is refused (< 0) and changes nothing. */
function writeOutsideRefused(env: StoreContractEnv): string | undefined {
  const name = "store-outside.bin";
  const store = fresh(env, name, 100);
  if (typeof store === "string") return store;
  try {
    const across = store.write(95, pattern(10, 1));
    if (!(across < 0)) return `write across the end returned ${across}`;
    const negative = store.write(-1, pattern(1, 1));
    if (!(negative < 0)) return `write at -1 returned ${negative}`;
    const fraction = store.write(1.5, pattern(1, 1));
    if (!(fraction < 0)) return `write at 1.5 returned ${fraction}`;
    const badRead = store.read(-1, new Uint8Array(1));
    if (!(badRead < 0)) return `read at -1 returned ${badRead}`;
    if (store.sync() !== 0) return "sync failed";
  } finally {
    store.close();
  }
  const check = env.store(name);
  try {
    const before = check.open(0);
    if (before !== 100) return `the file is ${before} bytes after refused writes, expected 100`;
    const into = new Uint8Array(100);
    if (check.read(0, into) !== 100 || !allZero(into)) return "a refused write changed the file";
    return undefined;
  } finally {
    check.close();
  }
}

/** open where no file can be made returns < 0 without throwing; the store then refuses everything. */
function unwritableOpenFails(env: StoreContractEnv): string | undefined {
  for (const name of [env.unwritableName, env.folderName]) {
    const store = env.store(name);
    const before = store.open(64);
    if (!(before < 0)) {
      store.close();
      return `open on ${name} returned ${before}`;
    }
    const r = store.read(0, new Uint8Array(4));
    const w = store.write(0, new Uint8Array(4));
    const s = store.sync();
    store.close();
    if (!(r < 0 && w < 0 && s < 0)) return `after a failed open on ${name}: read ${r}, write ${w}, sync ${s}`;
  }
  const bad = env.store("store-bad-size.bin");
  const r1 = bad.open(-1);
  const r2 = bad.open(2.5);
  bad.close();
  if (!(r1 < 0 && r2 < 0)) return `open(-1) returned ${r1}, open(2.5) returned ${r2}`;
  return undefined;
}

/** close is idempotent (also before open); a closed store refuses read/write/sync with < 0 and can be reopened. */
function closeIdempotent(env: StoreContractEnv): string | undefined {
  const name = "store-close.bin";
  env.remove(name);
  const store = env.store(name);
  store.close();
  const early = store.write(0, new Uint8Array(1));
  if (!(early < 0)) return `write before open returned ${early}`;
  if (store.open(16) !== 0) return "open failed";
  if (store.write(0, pattern(16, 2)) !== 0) return "write failed";
  if (store.sync() !== 0) return "sync failed";
  store.close();
  store.close();
  const r = store.read(0, new Uint8Array(1));
  const w = store.write(0, new Uint8Array(1));
  const s = store.sync();
  if (!(r < 0 && w < 0 && s < 0)) return `after close: read ${r}, write ${w}, sync ${s}`;
  const before = store.open(16);
  if (before !== 16) return `reopening the same instance returned ${before}`;
  const into = new Uint8Array(16);
  const n = store.read(0, into);
  store.close();
  store.close();
  if (n !== 16 || firstDifference(into, 0, pattern(16, 2)) >= 0) return "reopened store lost its bytes";
  return undefined;
}

/** The cases, in order (frozen: the Moddable app preloads this module, whose module scope must be constant). */
const CASES: readonly (readonly [string, Case])[] = Object.freeze([
  Object.freeze(["new-store-reads-zeros", newStoreReadsZeros] as const),
  Object.freeze(["sync-then-new-instance-reads-back", syncThenNewInstanceReadsBack] as const),
  Object.freeze(["grow-keeps-contents-never-shrinks", growKeepsContents] as const),
  Object.freeze(["writes-at-arbitrary-positions", writesAtPositions] as const),
  Object.freeze(["read-past-end-returns-fewer", readPastEnd] as const),
  Object.freeze(["write-outside-region-refused", writeOutsideRefused] as const),
  Object.freeze(["unwritable-open-fails-without-throwing", unwritableOpenFails] as const),
  Object.freeze(["close-idempotent", closeIdempotent] as const),
]);

/** Number of cases {@link runStoreContract} runs. */
export const STORE_CASES = CASES.length;

/**
 * Runs every single-process case in order, then reports `store done passed=<n> failed=<m>`. Never throws.
 * @returns the totals.
 */
export function runStoreContract(env: StoreContractEnv): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  for (const [name, run] of CASES) {
    let failure: string | undefined;
    try {
      failure = run(env);
    } catch (error) {
      failure = `threw ${String(error)}`;
    }
    if (failure === undefined) passed++;
    else failed++;
    env.report(failure === undefined ? `store ${name} ok` : `store ${name} FAIL ${failure}`);
  }
  env.report(`store done passed=${passed} failed=${failed}`);
  return { passed, failed };
}

/**
 * The reboot case, one half per process on the same file `name`. When `open` finds no file (returns 0) it
 * writes a pattern (from views, at several positions), syncs, and returns the store still open, so the
 * caller can be killed with it open (a reset never closes anything). When `open` returns
 * {@link REBOOT_SIZE} it checks the pattern. Reports `store reboot written` or `store reboot-reads-back ok|FAIL`.
 * @returns what it did and the open store (the caller keeps it until it is killed), or a failure.
 */
export function rebootCase(env: StoreContractEnv, name: string): { outcome: RebootOutcome; store: SessionStore } | { failure: string } {
  const fail = (failure: string): { failure: string } => {
    env.report(`store reboot-reads-back FAIL ${failure}`);
    return { failure };
  };
  const store = env.store(name);
  const before = store.open(REBOOT_SIZE);
  const record = pattern(96, 17, 13);
  const tail = pattern(REBOOT_SIZE, 29).subarray(REBOOT_SIZE - 40);
  if (before === 0) {
    if (store.write(0, record.subarray(0, 48)) !== 0 || store.write(200, record.subarray(48)) !== 0) return fail("write failed");
    if (store.write(REBOOT_SIZE - 40, tail) !== 0) return fail("write of the last bytes failed");
    if (store.sync() !== 0) return fail("sync failed");
    env.report("store reboot written");
    return { outcome: "written", store };
  }
  if (before !== REBOOT_SIZE) {
    store.close();
    return fail(`open returned ${before}, expected 0 (first run) or ${REBOOT_SIZE}`);
  }
  const into = new Uint8Array(REBOOT_SIZE);
  const n = store.read(0, into);
  store.close();
  if (n !== REBOOT_SIZE) return fail(`read returned ${n}`);
  const checks: [number, Uint8Array][] = [[0, record.subarray(0, 48)], [200, record.subarray(48)], [REBOOT_SIZE - 40, tail]];
  for (const [at, bytes] of checks) {
    const differs = firstDifference(into, at, bytes);
    if (differs >= 0) return fail(`byte ${differs} differs after the reboot`);
  }
  if (!allZero(into, 48, 200) || !allZero(into, 248, REBOOT_SIZE - 40)) return fail("bytes never written are not 0");
  env.report("store reboot-reads-back ok");
  return { outcome: "verified", store };
}
