// Long hostile-broker run on the in-memory transport: `node --expose-gc --import tsx scripts/hostile-long.ts [--cases 100000] [--seed 1]`.
// Each generated hostile connection (malformed, oversized, unexpected, out-of-order, mutated, random; some
// dripped one byte per write) is followed by a well-behaved one on which the client must reconnect and get a
// QoS 1 PUBACK. Prints cases, mismatches, escaped exceptions, recovery failures, errors by class, cases/s and,
// with --expose-gc, heapUsed after GC at 10 % and at the end. Exit code 1 on any mismatch/escape/failure.
import { runHostileMemory } from "../test/faults/hostile-core.js";
import { numberOption } from "./options.js";

let uncaught = 0;
process.on("uncaughtException", (e) => { uncaught++; console.log(`UNCAUGHT ${String(e)}`); });
process.on("unhandledRejection", (e) => { uncaught++; console.log(`UNHANDLED ${String(e)}`); });
const cases = numberOption("--cases", 100_000);
const seed = numberOption("--seed", 1);
console.log(`hostile-long: ${cases} cases, seed ${seed}${(globalThis as { gc?: unknown }).gc === undefined ? " (no --expose-gc: heap not measured)" : ""}`);
const f = runHostileMemory(cases, seed, (done) => console.log(`  ${done} cases`));
console.log(`hostile cases=${f.cases} mismatches=${f.mismatches} escaped=${f.escaped} uncaught=${uncaught} ` +
  `untyped=${f.untyped} recovery-failures=${f.recoveryFailures} client-malformed=${f.clientMalformed} ` +
  `seconds=${f.seconds.toFixed(1)} cases/s=${Math.round(f.cases / f.seconds)}`);
if (f.heapAt10 > 0) {
  console.log(`heapUsed after GC: at 10% ${(f.heapAt10 / 1048576).toFixed(2)} MiB, at end ${(f.heapAtEnd / 1048576).toFixed(2)} MiB, ` +
    `growth ${((f.heapAtEnd - f.heapAt10) / 1024).toFixed(0)} KiB`);
}
console.log(`errors by class: ${JSON.stringify(f.errorsByName)}`);
console.log(`cases by family: ${JSON.stringify(f.byFamily)}`);
for (const line of f.failures) console.log(`  FAIL ${line}`);
process.exitCode = f.mismatches === 0 && f.escaped === 0 && uncaught === 0 && f.untyped === 0 && f.recoveryFailures === 0 ? 0 : 1;
