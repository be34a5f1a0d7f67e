// Issue 10: the client is parts with one job each, readable alone: no file in src/client over 500 lines (the old
// client.ts had 1,271), module scope holds no mutable state (modules are preloaded into flash on the device),
// and nothing in src/client imports Node or Moddable modules.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const dir = new URL("../../src/client/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));

describe("client shape", () => {
  it.each(files)("%s is at most 500 lines", (file) => {
    const lines = readFileSync(new URL(file, dir), "utf8").split("\n").length;
    expect(lines).toBeLessThanOrEqual(500);
  });

  it.each(files)("%s has no mutable module state and no Node/Moddable imports", (file) => {
    const source = readFileSync(new URL(file, dir), "utf8");
    expect(source).not.toMatch(/^(export )?(let|var) /m);
    expect(source).not.toMatch(/from "(node:|embedded:)/);
    for (const m of source.matchAll(/from "(\.[^"]+)"/g)) expect(m[1]).toMatch(/\.js$/);
  });
});
