// Bounded fuzz run (a few seconds) plus the regression corpus: every file in test/codec/fixtures/ (crash-*.bin
// written by scripts/fuzz-codec.ts, seed-*.bin hand-made) must run through every decoder without throwing.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Fuzzer } from "./fuzz-core.js";

const fixturesDir = fileURLToPath(new URL("./fixtures/", import.meta.url));

describe("fuzzing", () => {
  it("random and mutated frames in random chunkings never throw and end in a named status", () => {
    const fuzzer = new Fuzzer(0xc0dec);
    const deadline = Date.now() + 3000;
    let frames = 0;
    while (frames < 300_000 && Date.now() < deadline) {
      const input = fuzzer.nextInput();
      try {
        fuzzer.run(input);
      } catch (error) {
        throw new Error(`input ${Buffer.from(input).toString("hex")}: ${String(error)}`);
      }
      frames++;
    }
    expect(frames).toBeGreaterThan(5_000);
    // The mutations reach both success and many distinct error paths.
    const names = [...fuzzer.outcomes.keys()];
    expect(names).toContain("NEED_MORE");
    expect(names.filter((n) => n !== "NEED_MORE").length).toBeGreaterThan(8);
  });

  it("every regression input runs clean", () => {
    const files = readdirSync(fixturesDir).filter((f) => f.endsWith(".bin"));
    expect(files.length).toBeGreaterThan(0);
    const fuzzer = new Fuzzer(1);
    for (const file of files) {
      const input = new Uint8Array(readFileSync(fixturesDir + file));
      expect(() => fuzzer.run(input), file).not.toThrow();
    }
  });
});
