/**
 * Checks docs/conformance.md against the tests.
 *
 *   npx tsx scripts/conformance-check.ts            check, print counts, exit 1 on any inconsistency
 *   npx tsx scripts/conformance-check.ts --cited    also list every cited ID with the files citing it
 *   npx tsx scripts/conformance-check.ts --strict   also fail when a test cites an ID the table marks gap/n/a
 *   --table=PATH, --tests=DIR                        check another table / test tree
 *
 * Errors (exit 1):
 * - the table does not hold exactly the MQTT 3.1.1 normative IDs (141), once each, in spec order;
 * - a row has a Binds value other than client/server/both/codec, or a Status other than tested/n/a/gap;
 * - an `n/a` row gives no reason;
 * - a `tested` row names no test file, names a file that does not exist, or a file whose text does not cite
 *   the ID;
 * - a test under test/ cites an `[MQTT-...]` ID that is not in the table (e.g. an MQTT 5.0 ID);
 * - a `gap` row that binds our code (client/both/codec) is missing from "Gaps to close", or that list names
 *   an ID whose row is not `gap` (or names one twice).
 * Warnings (errors with --strict): a test cites an ID whose row is still `gap`, or whose row is `n/a` without
 * naming that test file in its reason (an `n/a` row may acknowledge a citing file, e.g. a hostile-broker helper
 * that commits the server-side violation on purpose).
 *
 * The logic is exported as {@link checkConformance} (used by test/docs/conformance.test.ts); the command line
 * prints its report.
 *
 * The spec misprints two IDs ([MQTT-3.1.2.7], [MQTT-3-8.3-4]); citations are normalised to
 * `MQTT-a.b.c-d`, so either spelling matches.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TEST_EXT = /\.(?:ts|tsx|mts|cts|js|mjs|cjs)$/;

/** MQTT 3.1.1 (OASIS Standard, 29 Oct 2014): each section prefix and how many numbered statements it has. */
const SPEC_SECTIONS: ReadonlyArray<readonly [string, number]> = [
  ["1.5.3", 3], ["2.2.2", 2], ["2.3.1", 7],
  ["3.1.0", 2], ["3.1.2", 24], ["3.1.3", 11], ["3.1.4", 5],
  ["3.2.0", 1], ["3.2.2", 6],
  ["3.3.1", 12], ["3.3.2", 3], ["3.3.4", 1], ["3.3.5", 2],
  ["3.6.1", 1],
  ["3.8.1", 1], ["3.8.3", 4], ["3.8.4", 6],
  ["3.9.3", 2],
  ["3.10.1", 1], ["3.10.3", 2], ["3.10.4", 6],
  ["3.12.4", 1],
  ["3.14.1", 1], ["3.14.4", 3],
  ["4.1.0", 2], ["4.3.1", 1], ["4.3.2", 2], ["4.3.3", 2], ["4.4.0", 1], ["4.5.0", 2], ["4.6.0", 6],
  ["4.7.1", 3], ["4.7.2", 1], ["4.7.3", 4], ["4.8.0", 2],
  ["6.0.0", 4],
  ["7.0.0", 2], ["7.1.1", 1], ["7.1.2", 1],
];

const SPEC_IDS: readonly string[] = SPEC_SECTIONS.flatMap(([section, count]) =>
  Array.from({ length: count }, (_, i) => `MQTT-${section}-${i + 1}`));

const BINDS = new Set(["client", "server", "both", "codec"]);
const STATUSES = new Set(["tested", "n/a", "gap"]);

/** Any citation, including the spec's misprints (MQTT-3.1.2.7, MQTT-3-8.3-4, MQTT-3.3.1.-1). */
const CITATION = /MQTT-(\d+)[.-](\d+)[.-](\d+)\.?[.-](\d+)/g;

function normalise(a: string, b: string, c: string, d: string): string {
  return `MQTT-${Number(a)}.${Number(b)}.${Number(c)}-${Number(d)}`;
}

/** All normalised IDs cited in a text. */
function citations(text: string): Set<string> {
  const found = new Set<string>();
  for (const m of text.matchAll(CITATION)) found.add(normalise(m[1]!, m[2]!, m[3]!, m[4]!));
  return found;
}

interface Row { id: string; statement: string; binds: string; status: string; evidence: string; line: number }

function splitCells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  return inner.split("|").map((cell) => cell.trim());
}

function listFiles(dir: string, out: string[]): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) listFiles(path, out);
    else if (TEST_EXT.test(name)) out.push(path);
  }
  return out;
}

function compareIds(x: string, y: string): number {
  const a = x.slice(5).split(/[.-]/).map(Number);
  const b = y.slice(5).split(/[.-]/).map(Number);
  for (let i = 0; i < 4; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Options of {@link checkConformance}. */
export interface CheckOptions {
  /** The table (default docs/conformance.md). */
  table?: string;
  /** The test tree (default test/); test paths in the table are relative to its parent directory. */
  tests?: string;
  /** Citations of gap/unacknowledged n/a rows are errors instead of warnings. */
  strict?: boolean;
}

/** What {@link checkConformance} found. */
export interface CheckResult {
  errors: string[];
  warnings: string[];
  /** Rows per status. */
  counts: { tested: number; "n/a": number; gap: number };
  /** Rows per status and binds, e.g. `byStatus.tested.codec`. */
  byStatus: Record<string, Record<string, number>>;
  /** Rows read from the table. */
  rows: number;
  /** Test files scanned, and each cited ID with the files citing it. */
  testFiles: number;
  cited: Map<string, string[]>;
  /** Status of each ID in the table. */
  statusOf: Map<string, string>;
}

/** Checks the table against the tests; never throws for an inconsistency (it is reported in `errors`). */
export function checkConformance(options: CheckOptions = {}): CheckResult {
  const TABLE = resolve(options.table ?? join(ROOT, "docs", "conformance.md"));
  const TEST_DIR = resolve(options.tests ?? join(ROOT, "test"));
  /** Test paths in the table (`test/...`) are relative to the directory holding the test tree. */
  const BASE = dirname(TEST_DIR);
  const strict = options.strict === true;
  const errors: string[] = [];
  const warnings: string[] = [];
  const result: CheckResult = {
    errors, warnings, counts: { tested: 0, "n/a": 0, gap: 0 }, byStatus: {}, rows: 0, testFiles: 0,
    cited: new Map(), statusOf: new Map(),
  };

  if (!existsSync(TABLE)) {
    errors.push(`${relative(ROOT, TABLE)} not found`);
    return result;
  }
  const lines = readFileSync(TABLE, "utf8").split("\n");

  // ---- the table rows, and the "Gaps to close" list
  const rows: Row[] = [];
  const gapList = new Map<string, { area: string; line: number }>();
  let inGaps = false;
  let area = "";
  lines.forEach((text, index) => {
    const line = index + 1;
    if (/^##\s+Gaps to close/i.test(text)) { inGaps = true; return; }
    if (inGaps && /^##\s/.test(text) && !/^###/.test(text)) { inGaps = false; }
    if (inGaps) {
      const heading = /^###\s+(.+)$/.exec(text);
      if (heading) { area = heading[1]!.trim(); return; }
      if (/^\s*[-*]\s/.test(text)) {
        const m = /MQTT-(\d+)[.-](\d+)[.-](\d+)\.?[.-](\d+)/.exec(text);
        if (!m) return;
        const id = normalise(m[1]!, m[2]!, m[3]!, m[4]!);
        if (gapList.has(id)) errors.push(`line ${line}: ${id} is listed twice in "Gaps to close"`);
        gapList.set(id, { area, line });
      }
      return;
    }
    if (!/^\|\s*\[?MQTT-/.test(text)) return;
    const cells = splitCells(text);
    if (cells.length !== 5) {
      errors.push(`line ${line}: expected 5 cells (ID | Statement | Binds | Status | Tests / reason), found ${cells.length}`);
      return;
    }
    const [idCell, statement, binds, status, evidence] = cells as [string, string, string, string, string];
    const ids = [...citations(idCell)];
    if (ids.length !== 1) { errors.push(`line ${line}: cannot read the ID in "${idCell}"`); return; }
    rows.push({ id: ids[0]!, statement, binds, status, evidence, line });
  });

  // ---- completeness and order against the spec's list
  const byId = new Map<string, Row>();
  for (const row of rows) {
    if (byId.has(row.id)) errors.push(`line ${row.line}: ${row.id} appears twice`);
    byId.set(row.id, row);
  }
  const specSet = new Set(SPEC_IDS);
  for (const id of SPEC_IDS) if (!byId.has(id)) errors.push(`table: ${id} is missing`);
  for (const row of rows) {
    if (!specSet.has(row.id)) errors.push(`line ${row.line}: ${row.id} is not an MQTT 3.1.1 normative statement`);
  }
  for (let i = 1; i < rows.length; i++) {
    if (compareIds(rows[i - 1]!.id, rows[i]!.id) >= 0) {
      errors.push(`line ${rows[i]!.line}: ${rows[i]!.id} is out of spec order (after ${rows[i - 1]!.id})`);
    }
  }

  // ---- the tests and what they cite
  const testFiles = listFiles(TEST_DIR, []);
  const citedBy = new Map<string, string[]>();
  const textOf = new Map<string, string>();
  for (const file of testFiles) {
    const text = readFileSync(file, "utf8");
    const rel = relative(BASE, file).split("\\").join("/");
    textOf.set(rel, text);
    for (const id of citations(text)) {
      const list = citedBy.get(id) ?? [];
      list.push(rel);
      citedBy.set(id, list);
    }
  }

  // ---- each row
  const counts = result.counts as Record<string, number>;
  const gapsOurs: Row[] = [];
  for (const row of rows) {
    const where = `line ${row.line}: ${row.id}`;
    if (!BINDS.has(row.binds)) errors.push(`${where}: Binds "${row.binds}" is not client/server/both/codec`);
    if (!STATUSES.has(row.status)) { errors.push(`${where}: Status "${row.status}" is not tested/n/a/gap`); continue; }
    counts[row.status] = (counts[row.status] ?? 0) + 1;
    if (row.statement.length === 0) errors.push(`${where}: empty statement`);
    if (row.status === "n/a" && row.evidence.length === 0) errors.push(`${where}: n/a without a reason`);
    if (row.status === "tested") {
      const files = [...row.evidence.matchAll(/(test\/[\w./-]+\.(?:ts|tsx|mts|cts|js|mjs|cjs))/g)].map((m) => m[1]!);
      if (files.length === 0) errors.push(`${where}: tested, but names no test file`);
      for (const file of new Set(files)) {
        const text = textOf.get(file) ?? (existsSync(join(BASE, file)) ? readFileSync(join(BASE, file), "utf8") : null);
        if (text === null) { errors.push(`${where}: ${file} does not exist`); continue; }
        if (!citations(text).has(row.id)) errors.push(`${where}: ${file} does not cite ${row.id}`);
      }
    } else if (citedBy.has(row.id)) {
      // An n/a row may name the files that cite it (and say why); a gap row is never cited.
      const files = citedBy.get(row.id)!.filter((f) => row.status === "gap" || !row.evidence.includes(f));
      if (files.length > 0) {
        const message = `${where} is marked ${row.status} but cited by ${files.join(", ")}` +
          (row.status === "n/a" ? " (name the file in the reason if that is intended)" : "");
        (strict ? errors : warnings).push(message);
      }
    }
    if (row.status === "gap" && row.binds !== "server") gapsOurs.push(row);
  }

  // ---- citations that are not in the table
  for (const [id, files] of citedBy) {
    if (!byId.has(id)) errors.push(`${files.join(", ")}: cites ${id}, which is not in the table (MQTT 5.0 ID or typo?)`);
  }

  // ---- the gaps list
  for (const row of gapsOurs) {
    if (!gapList.has(row.id)) errors.push(`line ${row.line}: ${row.id} is a gap in our code but not in "Gaps to close"`);
  }
  for (const [id, entry] of gapList) {
    const row = byId.get(id);
    if (!row) errors.push(`line ${entry.line}: "Gaps to close" names ${id}, which is not in the table`);
    else if (row.status !== "gap") errors.push(`line ${entry.line}: "Gaps to close" names ${id}, whose row is ${row.status}`);
    else if (row.binds === "server") errors.push(`line ${entry.line}: "Gaps to close" names ${id}, which binds only the server`);
  }

  result.rows = rows.length;
  result.testFiles = testFiles.length;
  result.cited = citedBy;
  for (const row of rows) {
    result.statusOf.set(row.id, row.status);
    const bucket = (result.byStatus[row.status] ??= {});
    bucket[row.binds] = (bucket[row.binds] ?? 0) + 1;
  }
  return result;
}

function main(): number {
  const args = new Set(process.argv.slice(2));
  const option = (name: string): string | undefined => {
    const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
    return arg === undefined ? undefined : resolve(arg.slice(name.length + 3));
  };
  const table = option("table");
  const tests = option("tests");
  const r = checkConformance({
    strict: args.has("--strict"),
    ...(table === undefined ? {} : { table }),
    ...(tests === undefined ? {} : { tests }),
  });
  if (args.has("--cited")) {
    const ids = [...r.cited.keys()].sort(compareIds);
    console.log(`cited in ${r.testFiles} test files:`);
    for (const id of ids) console.log(`  ${id.padEnd(16)} ${r.statusOf.get(id) ?? "NOT IN TABLE"}  ${r.cited.get(id)!.join(", ")}`);
  }
  const byBinds = (status: string): string => {
    const parts: string[] = [];
    for (const b of ["client", "both", "codec", "server"]) {
      const n = r.byStatus[status]?.[b] ?? 0;
      if (n > 0) parts.push(`${b} ${n}`);
    }
    return parts.join(", ");
  };
  const count = (status: "tested" | "n/a" | "gap"): string => {
    const parts = byBinds(status);
    return `${status} ${r.counts[status]}${parts.length > 0 ? ` (${parts})` : ""}`;
  };
  console.log(`conformance: ${r.rows} statements (spec: ${SPEC_IDS.length}); ${count("tested")}, ${count("n/a")}, ` +
    `${count("gap")}; ${r.cited.size} IDs cited in ${r.testFiles} test files`);
  for (const w of r.warnings) console.log(`warning: ${w}`);
  for (const e of r.errors) console.error(`error: ${e}`);
  if (r.errors.length > 0) {
    console.error(`conformance: ${r.errors.length} inconsistenc${r.errors.length === 1 ? "y" : "ies"}`);
    return 1;
  }
  return 0;
}

// Run as a script (not when imported by the test).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
