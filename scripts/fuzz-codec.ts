// Long fuzz run of the codec: `npm run fuzz -- --frames N [--seed S]` (default 10,000,000 frames).
// Prints frames/s and counts per outcome code; writes any input that throws (or breaks an invariant) to
// test/codec/fixtures/crash-<hash>.bin, which test/codec/fuzz.test.ts replays.
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Fuzzer } from "../test/codec/fuzz-core.js";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} needs a non-negative number`);
  return value;
}

const frames = option("--frames", 10_000_000);
const seed = option("--seed", Date.now() % 0x7fffffff);
const fixturesDir = fileURLToPath(new URL("../test/codec/fixtures/", import.meta.url));
const fuzzer = new Fuzzer(seed);
let crashes = 0;
const start = performance.now();
let lastReport = start;
console.log(`fuzzing ${frames} frames, seed ${seed}`);
for (let i = 0; i < frames; i++) {
  const input = fuzzer.nextInput();
  try {
    fuzzer.run(input);
  } catch (error) {
    crashes++;
    const hash = createHash("sha256").update(input).digest("hex").slice(0, 16);
    const file = `${fixturesDir}crash-${hash}.bin`;
    writeFileSync(file, input);
    console.log(`CRASH ${String(error)} -> ${file}`);
  }
  if ((i & 0xffff) === 0) {
    const now = performance.now();
    if (now - lastReport > 10_000) {
      lastReport = now;
      console.log(`  ${i} frames, ${Math.round(i / ((now - start) / 1000))} frames/s`);
    }
  }
}
const seconds = (performance.now() - start) / 1000;
console.log(`${frames} frames in ${seconds.toFixed(1)} s: ${Math.round(frames / seconds)} frames/s, ${crashes} crashes`);
console.log("final status per decoder run (4 decoders per frame):");
for (const [name, count] of [...fuzzer.outcomes].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${name.padEnd(28)} ${count}`);
}
process.exitCode = crashes > 0 ? 1 : 0;
