// Proves the instrument: loops that allocate nothing read 0/0/0, and loops that create an object, a
// string, a typed-array view, an array or a closure per iteration move the counters.
// Allocating figures are printed as `xs-selfcheck` (not `xs-alloc`) so the runner does not fail on them;
// this scenario fails instead if they do NOT move.

import { check, checkEqual, formatAlloc, measure, measureAlloc, print } from "../harness.js";

const N = 10_000;

// Everything the bodies touch exists before measuring.
const buf = new Uint8Array(64);
const state = { n: 0, x: 0.5, flag: false };
const sink: { o: object | null; s: string; v: Uint8Array | null; a: number[] | null; f: (() => number) | null } = {
  o: null,
  s: "",
  v: null,
  a: null,
  f: null,
};

// (a) Not allocating: the measurement itself, integer and float arithmetic stored on existing
// properties and typed-array elements, booleans, calls.
measureAlloc("selfcheck.empty", 100_000, () => {});
measureAlloc("selfcheck.numbers", 100_000, () => {
  const i = state.n & 63;
  buf[i] = ((buf[i] ?? 0) + 1) & 0xff;
  state.n = state.n + 1;
  state.x = state.x * 1.0000001 + 0.25; // non-integer doubles live in the slot too
  state.flag = !state.flag;
});

// (b) Allocating: each must move slots or chunk bytes (and stay within the heap: no collection).
function expectMoves(name: string, body: () => void, slotsPer: number, chunksPer: number): void {
  const d = measure(N, body);
  print(formatAlloc("xs-selfcheck", name, d));
  checkEqual(`${name}: no collection during the loop`, d.gc, 0);
  if (slotsPer > 0) check(`${name}: slots move`, d.slots >= N * slotsPer, `slots=${d.slots}, expected >= ${N * slotsPer}`);
  if (chunksPer > 0) check(`${name}: chunks move`, d.chunks >= N * chunksPer, `chunks=${d.chunks}, expected >= ${N * chunksPer}`);
}

expectMoves("selfcheck.object", () => {
  sink.o = {};
}, 1, 0);
expectMoves("selfcheck.string", () => {
  state.n++;
  sink.s = "n=" + state.n; // number to string, then concatenation: chunk bytes
}, 0, 8);
expectMoves("selfcheck.subarray", () => {
  sink.v = buf.subarray(1, 3); // a view: instance + view slots
}, 1, 0);
expectMoves("selfcheck.array", () => {
  sink.a = [1, 2];
}, 1, 0);
expectMoves("selfcheck.closure", () => {
  const k = state.n;
  sink.f = () => k;
}, 1, 0);
