/** The simulator CLI as a user runs it: `tsx sim/cli.ts ...` in a child process. */
import { execFile } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const tsx = path.join(root, "node_modules/.bin/tsx");

function cli(args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(tsx, ["sim/cli.ts", ...args], { cwd: root, timeout: timeoutMs, env: { ...process.env, FORCE_COLOR: "0" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
  });
}

describe("sim/cli.ts", () => {
  it("--help lists the flags and exits 0", async () => {
    const r = await cli(["--help"], 15_000);
    expect(r.code).toBe(0);
    for (const flag of ["--broker", "--devices", "--fault", "--cut-every", "--period", "--seed", "--duration", "--prefix",
      "--qos", "--senml", "--no-discovery", "--json"])
      expect(r.stdout).toContain(flag);
  }, 20_000);

  it("a bad flag exits 2 with a clear message", async () => {
    const r = await cli(["--frobnicate"], 15_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/frobnicate/);
    const r2 = await cli(["--period", "fast"], 15_000);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--period/);
    const r3 = await cli(["--fault", "dev-0001:bme280:corruptCrc"], 15_000);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/corruptCrc/);
  }, 30_000);

  it("--duration 5s --json runs against the embedded broker, prints readings and exits 0", async () => {
    const r = await cli(["--duration", "5s", "--json", "--period", "1s", "--prefix", `cli${process.pid}`], 30_000);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const devices = lines.filter((l) => l["type"] === "device");
    expect(devices.length).toBeGreaterThan(0);
    const last = devices[devices.length - 1]!;
    expect(last["id"]).toBe("dev-0001");
    expect(last["state"]).toBe("connected");
    const readings = last["readings"] as Record<string, number | null>;
    expect(typeof readings["sht3x/temperature"]).toBe("number");
    expect(typeof readings["bme280/pressure"]).toBe("number");
    expect(typeof readings["bh1750/illuminance"]).toBe("number");
    const exit = lines[lines.length - 1]!;
    expect(exit["type"]).toBe("exit");
    expect(exit["sent"] as number).toBeGreaterThan(6);
  }, 40_000);

  it("injects a fault from the command line and reports it", async () => {
    const r = await cli(["--duration", "3s", "--json", "--period", "1s", "--sensors", "sht3x", "--fault", "dev-0001:sht3x:absent"], 30_000);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const faults = lines.filter((l) => l["type"] === "device").map((l) => l["faults"] as Record<string, string>);
    expect(faults.some((f) => /SENSOR_NACK/.test(f["sht3x"] ?? ""))).toBe(true);
  }, 40_000);
});
