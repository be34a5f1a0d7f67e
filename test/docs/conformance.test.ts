// docs/conformance.md and the tests cannot drift: the checker (scripts/conformance-check.ts) runs in strict
// mode over the real table and test tree, and, on altered copies of the table and a scratch test tree, it is
// shown to catch each kind of drift. (Spec IDs are assembled at run time here: this file is itself scanned
// for citations.)
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkConformance } from "../../scripts/conformance-check.js";

const root = new URL("../../", import.meta.url).pathname;
const table = readFileSync(join(root, "docs/conformance.md"), "utf8");
const scratch = mkdtempSync(join(tmpdir(), "xsmqtt-conformance-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** An ID spelled so that this file does not cite it. */
const id = (n: string): string => ["MQTT", n].join("-");

/** Writes an altered copy of the table; @returns its path. */
function alteredTable(name: string, edit: (text: string) => string): string {
  const altered = edit(table);
  expect(altered).not.toBe(table);
  const path = join(scratch, name);
  writeFileSync(path, altered);
  return path;
}

/** The table row of `rowId`. */
function row(text: string, rowId: string): string {
  const line = text.split("\n").find((l) => l.startsWith(`| ${rowId} |`));
  if (line === undefined) throw new Error(`no row ${rowId}`);
  return line;
}

describe("conformance table", () => {
  it("is consistent with the tests (strict): every client/codec row tested or n/a, no gap", () => {
    const r = checkConformance({ strict: true });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rows).toBe(141);
    expect(r.counts.gap).toBe(0);
    // Only the server binds what is left n/a, apart from QoS 2 and WebSocket rows of client/both.
    expect(r.byStatus["n/a"]?.codec ?? 0).toBe(0);
    expect(r.counts.tested + r.counts["n/a"]).toBe(141);
  });

  it("catches a tested row whose named file does not cite the ID", () => {
    const rowId = id("4.7.3-4");
    const path = alteredTable("uncited.md", (t) => t.replace(row(t, rowId), row(t, rowId)
      .replace("`test/conformance/codec-topics.test.ts`", "`test/client/backoff.test.ts`")));
    const r = checkConformance({ table: path });
    expect(r.errors.some((e) => e.includes(`${rowId}: test/client/backoff.test.ts does not cite ${rowId}`))).toBe(true);
  });

  it("catches a tested row naming a file that does not exist, and a row that names none", () => {
    const a = id("4.6.0-2");
    const b = id("4.3.1-1");
    const path = alteredTable("missing.md", (t) => t
      .replace(row(t, a), row(t, a).replace("client-publish-flow.test.ts", "client-gone.test.ts"))
      .replace(row(t, b), `| ${b} | QoS 0 sender | both | tested | nothing named |`));
    const errors = checkConformance({ table: path }).errors;
    expect(errors.some((e) => e.includes(`${a}: test/conformance/client-gone.test.ts does not exist`))).toBe(true);
    expect(errors.some((e) => e.includes(`${b}: tested, but names no test file`))).toBe(true);
  });

  it("catches a gap in our code missing from the gaps list, and (strict) a gap row a test cites", () => {
    const rowId = id("3.14.4-1");
    const path = alteredTable("gap.md", (t) => t.replace(row(t, rowId), `| ${rowId} | After DISCONNECT the client closes | client | gap | |`));
    const loose = checkConformance({ table: path });
    expect(loose.errors.some((e) => e.includes(`${rowId} is a gap in our code but not in "Gaps to close"`))).toBe(true);
    expect(loose.warnings.some((w) => w.includes(`${rowId} is marked gap but cited by test/conformance/client-disconnect.test.ts`))).toBe(true);
    const strict = checkConformance({ table: path, strict: true });
    expect(strict.errors.some((e) => e.includes(`${rowId} is marked gap but cited by`))).toBe(true);
  });

  it("catches (strict) an n/a row cited by a file its reason does not name", () => {
    const rowId = id("3.2.0-1");
    const path = alteredTable("na.md", (t) => t.replace(row(t, rowId), `| ${rowId} | The first packet a Server sends is CONNACK | server | n/a | server-only |`));
    expect(checkConformance({ table: path }).errors).toEqual([]);
    const strict = checkConformance({ table: path, strict: true });
    expect(strict.errors.some((e) => e.includes(`${rowId} is marked n/a but cited by test/faults/hostile-server.ts`))).toBe(true);
  });

  it("catches a missing row, a row out of order, and a bad status", () => {
    const a = id("3.3.1-2");
    const b = id("3.3.1-4");
    const c = id("1.5.3-3");
    const path = alteredTable("rows.md", (t) => {
      const lines = t.split("\n");
      const ia = lines.indexOf(row(t, a));
      const ib = lines.indexOf(row(t, b));
      [lines[ia], lines[ib]] = [lines[ib]!, lines[ia]!];
      return lines.join("\n").replace(row(t, c), row(t, c).replace("| codec | tested |", "| codec | done |"))
        .replace(`${row(t, id("7.1.2-1"))}\n`, "");
    });
    const errors = checkConformance({ table: path }).errors;
    expect(errors.some((e) => e.includes(`${a} is out of spec order`))).toBe(true);
    expect(errors.some((e) => e.includes(`${c}: Status "done" is not tested/n/a/gap`))).toBe(true);
    expect(errors.some((e) => e.includes(`${id("7.1.2-1")} is missing`))).toBe(true);
  });

  it("catches a test citing an ID that is not an MQTT 3.1.1 statement (e.g. an MQTT 5.0 one)", () => {
    const tests = join(scratch, "tree", "test");
    mkdirSync(tests, { recursive: true });
    const v5 = id("3.3.2-20"); // MQTT 5.0's topic alias rule; 3.1.1 has three 3.3.2 statements
    writeFileSync(join(tests, "v5.test.ts"), `// [${v5}] topic alias\n`);
    const errors = checkConformance({ tests }).errors;
    expect(errors.some((e) => e.includes(`test/v5.test.ts: cites ${v5}, which is not in the table`))).toBe(true);
  });
});
