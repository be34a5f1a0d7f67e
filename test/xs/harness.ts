// Harness for scenarios run on XS by test/xs/run.ts (bundled into each scenario as an IIFE).
// Output is line based; run.ts parses it:
//   xs-fail <name> ...                                   a failed check
//   xs-alloc <scenario> iterations=<n> gc=<g> slots=+<s> chunks=+<c>   every figure must be 0
//   xs-alloc <scenario> iterations=<n> gc=<g> slots=+<s> chunks=+<c> bound-slots=<bs> bound-chunks=<bc>
//                                                        an event that allocates by design: gc must be 0 and
//                                                        slots <= n*bs, chunks <= n*bc (see measureAllocBounded)
//   xs-checks passed=<p> failed=<f>                      printed once, after the scenario's code ran
// Natives provided by xs/xsrun.c (see xs/README.md).

interface XsRun {
  gc(): void;
  gcCount(): number;
  slots(): number;
  chunkBytes(): number;
  peakSlots(): number;
  peakChunkBytes(): number;
  maxSlots(): number;
  maxChunkBytes(): number;
}

const host = globalThis as unknown as { print(...values: unknown[]): void; xsrun: XsRun };
/** xsrun's print: values joined by spaces, newline. */
export const print = host.print;
/** xsrun's counter natives. */
export const xsrun = host.xsrun;

/** Iterations run before the counters are read, so lazy first-time work is not measured. */
export const WARMUP = 1000;

/** What changed across a measured loop. */
export interface AllocDelta {
  iterations: number;
  gc: number;
  slots: number;
  chunks: number;
}

// Test-side state (never part of firmware): one counter object, created at load time.
const tally = { passed: 0, failed: 0 };

function signed(n: number): string {
  return n < 0 ? `${n}` : `+${n}`;
}

/** Records one assertion; a failure prints `xs-fail` and makes the scenario fail. */
export function check(name: string, cond: boolean, detail?: string): boolean {
  if (cond) {
    tally.passed++;
  } else {
    tally.failed++;
    print(detail === undefined ? `xs-fail ${name}` : `xs-fail ${name}: ${detail}`);
  }
  return cond;
}

/** `Object.is` equality, printing both values on failure. */
export function checkEqual(name: string, actual: unknown, expected: unknown): boolean {
  return check(name, Object.is(actual, expected), `got ${String(actual)}, expected ${String(expected)}`);
}

/** Bytes as lowercase hex pairs separated by spaces: "10 12 00 04". */
export function hex(buf: Uint8Array, offset = 0, end = buf.length): string {
  let s = "";
  for (let i = offset; i < end; i++) {
    const b = buf[i] ?? 0;
    s += (i > offset ? " " : "") + (b < 16 ? "0" : "") + b.toString(16);
  }
  return s;
}

/** Parses "10 12 00 04 ..." (spaces optional) into bytes. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  const out = new Uint8Array(clean.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** ASCII text as bytes (test vectors only). */
export function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Concatenates byte arrays / numbers (single bytes) / ASCII strings into one Uint8Array. */
export function bytes(...parts: Array<number | string | Uint8Array | ArrayLike<number>>): Uint8Array {
  const list: number[] = [];
  for (const p of parts) {
    if (typeof p === "number") list.push(p & 0xff);
    else if (typeof p === "string") for (let i = 0; i < p.length; i++) list.push(p.charCodeAt(i) & 0xff);
    else for (let i = 0; i < p.length; i++) list.push((p[i] ?? 0) & 0xff);
  }
  return Uint8Array.from(list);
}

/** Checks that buf[offset, end) holds exactly `expected`. */
export function checkBytes(name: string, buf: Uint8Array, offset: number, end: number, expected: Uint8Array): boolean {
  let same = end - offset === expected.length;
  for (let i = 0; same && i < expected.length; i++) same = buf[offset + i] === expected[i];
  return check(name, same, `got [${hex(buf, offset, Math.max(offset, end))}], expected [${hex(expected)}]`);
}

/**
 * Warms `body` up, collects, then runs it `iterations` times between two counter readings.
 * Between the readings only numbers move: the natives return numbers, the loop variables live on
 * the XS stack, and `body` is the caller's closure, created before the call.
 */
export function measure(iterations: number, body: () => void): AllocDelta {
  for (let i = 0; i < WARMUP; i++) body();
  xsrun.gc();
  const g0 = xsrun.gcCount();
  const s0 = xsrun.slots();
  const c0 = xsrun.chunkBytes();
  for (let i = 0; i < iterations; i++) body();
  const g1 = xsrun.gcCount();
  const s1 = xsrun.slots();
  const c1 = xsrun.chunkBytes();
  // gcCount is a 16-bit counter in XS.
  return { iterations, gc: (g1 - g0) & 0xffff, slots: s1 - s0, chunks: c1 - c0 };
}

/** Formats a measurement: `<prefix> <scenario> iterations=<n> gc=<g> slots=+<s> chunks=+<c>`. */
export function formatAlloc(prefix: string, scenario: string, d: AllocDelta): string {
  return `${prefix} ${scenario} iterations=${d.iterations} gc=${d.gc} slots=${signed(d.slots)} chunks=${signed(d.chunks)}`;
}

/** Measures `body` and prints one `xs-alloc` line; the runner fails the scenario unless all figures are 0. */
export function measureAlloc(scenario: string, iterations: number, body: () => void): AllocDelta {
  const d = measure(iterations, body);
  print(formatAlloc("xs-alloc", scenario, d));
  return d;
}

/** Per-event allocation allowed for an event that allocates by design (stated and explained by the scenario). */
export interface AllocBound {
  /** Slots per event. */
  slots: number;
  /** Chunk bytes per event (64-bit host sizes). */
  chunks: number;
}

/**
 * Measures an event that allocates by design (a reconnect constructs a socket, a lost link reports a typed
 * error, ...) and prints one `xs-alloc` line carrying the per-event bound, plus an `xs-info` line with the
 * per-event figures. The runner passes it when no collection ran and slots and chunk bytes stay within
 * `iterations` times the bound; the scenario must say what allocates and why.
 */
export function measureAllocBounded(scenario: string, iterations: number, body: () => void, bound: AllocBound): AllocDelta {
  const d = measure(iterations, body);
  print(`${formatAlloc("xs-alloc", scenario, d)} bound-slots=${bound.slots} bound-chunks=${bound.chunks}`);
  print(`xs-info ${scenario} per event: slots=${d.slots / iterations} chunks=${d.chunks / iterations} ` +
    `(bound ${bound.slots} slots, ${bound.chunks} chunk bytes)`);
  return d;
}

// run.ts appends a call to this after the bundle, so the tally is printed once the scenario ran.
(globalThis as Record<string, unknown>)["__xsHarnessEnd"] = (): void => {
  print(`xs-checks passed=${tally.passed} failed=${tally.failed}`);
};
