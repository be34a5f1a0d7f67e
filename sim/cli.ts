#!/usr/bin/env node
/**
 * `npm start`: the firmware for one or many simulated boards against a broker (embedded aedes when no
 * `--broker` is given), with a live view, fault injection and network cuts. `--help` lists the flags.
 *
 * Exit codes: 0 normal end (duration reached, `q`, Ctrl-C, SIGTERM), 1 runtime failure, 2 usage error.
 * @module
 */
import { parseCli, UsageError, USAGE, type CliOptions } from "./args.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "./broker.js";
import { Fleet } from "./fleet.js";
import { View, type ViewMode } from "./view.js";
import type { ChipFault } from "./chips.js";

async function run(options: CliOptions): Promise<number> {
  let broker: EmbeddedBroker | null = null;
  let target = options.broker;
  if (target === null) {
    broker = await startEmbeddedBroker(0);
    target = { hostname: "127.0.0.1", port: broker.port, tls: false };
  }
  const url = `${target.tls ? "mqtts" : "mqtt"}://${target.hostname}:${target.port}`;
  const mode: ViewMode = options.json ? "json" : process.stdout.isTTY ? "tty" : "plain";
  const view = new View(mode, `broker ${url}${broker ? " (embedded)" : ""}`);

  const fleet = new Fleet({
    count: options.devices,
    idPrefix: options.idPrefix,
    stagger: options.stagger,
    broker: { hostname: target.hostname, port: target.port, tls: target.tls, rejectUnauthorized: !options.insecure },
    username: options.username,
    password: options.password,
    sensors: options.sensors,
    period: options.period,
    prefix: options.prefix,
    qos: options.qos,
    retain: options.retain,
    senml: options.senml,
    discovery: options.discovery,
    discoveryPrefix: options.discoveryPrefix,
    seed: options.seed,
    client: options.devices > 50 ? { txSlots: 4, offlineQueue: 4, inflightWindow: 4, rxBufferSize: 256 } : {},
    onEvent: options.devices <= 50 ? (device, event, detail) => view.event(device, event, detail) : undefined,
  });
  for (const f of options.faults)
    for (const d of fleet.devices)
      if (f.device === "*" || f.device === d.id) d.setFault(f.sensor, f.kind);

  let finishing = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  const timers: NodeJS.Timeout[] = [];

  const finish = async (code: number): Promise<void> => {
    if (finishing) return;
    finishing = true;
    for (const t of timers) clearInterval(t);
    if (process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
    process.stdin.pause();
    fleet.stop(); // offline (retained) + DISCONNECT from every device
    view.close(fleet.devices);
    // Let the DISCONNECTs drain before the embedded broker goes away.
    await new Promise((r) => setTimeout(r, 200));
    if (broker) await broker.stop();
    resolveDone(code);
  };

  process.once("SIGINT", () => void finish(0));
  process.once("SIGTERM", () => void finish(0));

  timers.push(setInterval(() => view.frame(fleet.devices), view.interval));
  if (options.cutEvery > 0)
    timers.push(setInterval(() => view.event("*", "cut", `${fleet.cutAll()} connections`), options.cutEvery));
  if (options.duration > 0) timers.push(setTimeout(() => void finish(0), options.duration));

  const faultKind: ChipFault = "corruptCrc";
  let faultOn = false;
  if (mode === "tty" && process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.on("data", (chunk: Buffer) => {
      const key = chunk.toString("utf8");
      if (key === "q" || key === "\u0003") void finish(0);
      else if (key === "c") view.event("*", "cut", `${fleet.cutAll()} connections`);
      else if (key === "f") {
        const d = fleet.devices[0];
        const kind = options.sensors[0];
        if (d && kind) {
          faultOn = !faultOn;
          d.setFault(kind, faultOn ? faultKind : null);
          view.event(d.id, "fault", `${kind} ${faultOn ? faultKind : "cleared"}`);
        }
      }
    });
  }

  view.frame(fleet.devices);
  await fleet.start();
  return done;
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`xsmqtt sim: ${error.message}\nTry --help.\n`);
      process.exit(2);
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  try {
    const code = await run(options);
    process.exit(code);
  } catch (error) {
    process.stderr.write(`xsmqtt sim: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

void main();
