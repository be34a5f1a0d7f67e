/**
 * The simulator's output: a live ANSI table when stdout is a terminal (redrawn ~2×/s), periodic plain
 * lines when it is not, or JSON lines with `--json`. Reads the firmware's state; never changes it.
 * @module
 */
import { ClientState } from "../src/client/codes.js";
import { QUANTITIES } from "../src/app/topics.js";
import type { Firmware } from "../src/app/firmware.js";

/** What the view needs of one device. */
export interface ViewDevice {
  readonly id: string;
  readonly firmware: Firmware;
}

/** Fleet-wide numbers, computed per frame. */
export interface FleetStats {
  devices: number;
  started: number;
  connected: number;
  sent: number;
  received: number;
  inflight: number;
  queued: number;
  reconnects: number;
  faults: number;
  readings: number;
  dropped: number;
  /** Messages per second since the previous frame. */
  rate: number;
}

/** Name of a `ClientState` value. */
export function stateName(state: number): string {
  switch (state) {
    case ClientState.IDLE: return "idle";
    case ClientState.CONNECTING: return "connecting";
    case ClientState.CONNACK_WAIT: return "connack-wait";
    case ClientState.CONNECTED: return "connected";
    case ClientState.WAITING: return "reconnecting";
    case ClientState.CLOSED: return "closed";
    default: return `state-${state}`;
  }
}

/** Sums the counters of every device. `previous` and `dtMs` give the message rate. */
export function fleetStats(devices: readonly ViewDevice[], previousSent: number, dtMs: number): FleetStats {
  const s: FleetStats = { devices: devices.length, started: 0, connected: 0, sent: 0, received: 0, inflight: 0,
    queued: 0, reconnects: 0, faults: 0, readings: 0, dropped: 0, rate: 0 };
  for (const d of devices) {
    const f = d.firmware;
    const c = f.client.counters;
    if (f.running) s.started++;
    if (f.state === ClientState.CONNECTED) s.connected++;
    s.sent += c.sent;
    s.received += c.received;
    s.inflight += f.client.inflight;
    s.queued += f.client.queued;
    s.reconnects += c.reconnects;
    s.faults += f.counters.faults;
    s.readings += f.counters.readings;
    s.dropped += f.counters.dropped;
  }
  s.rate = dtMs > 0 ? ((s.sent - previousSent) * 1000) / dtMs : 0;
  return s;
}

/** Current readings of a device as `{ "sht3x/temperature": 21.53, ... }` (null while invalid). */
export function readingsOf(f: Firmware): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  f.readingNames.forEach((name, i) => {
    const q = QUANTITIES[f.readingQuantities[i]!];
    const scale = 10 ** q.decimals;
    out[name] = f.valid[i] ? Math.round(f.values[i]! * scale) / scale : null;
  });
  return out;
}

/** Current sensor faults of a device as `{ sht3x: "SENSOR_CRC: ..." }`. */
export function faultsOf(f: Firmware): Record<string, string> {
  const out: Record<string, string> = {};
  f.sensorNames.forEach((name, i) => {
    const code = f.sensorFault[i];
    if (code) out[name] = `${code}: ${f.sensorMessage[i] ?? ""}`;
  });
  return out;
}

function formatReading(f: Firmware, i: number): string {
  const q = QUANTITIES[f.readingQuantities[i]!];
  return `${f.valid[i] ? f.values[i]!.toFixed(q.decimals) : "--"}${q.unit}`;
}

/** A device's readings grouped by sensor: `sht3x 23.56°C 39.4%  bme280 23.55°C 101046Pa 39.4%  bh1750 6307.5lx`. */
function formatReadings(f: Firmware): string {
  let text = "";
  let sensor = "";
  f.readingNames.forEach((name, i) => {
    const s = name.slice(0, name.indexOf("/"));
    if (s !== sensor) {
      text += `${text ? "  " : ""}${s}`;
      sensor = s;
    }
    text += ` ${formatReading(f, i)}`;
  });
  return text;
}

function summaryLine(s: FleetStats, uptime: number): string {
  return `t=${(uptime / 1000).toFixed(0)}s devices ${s.devices} connected ${s.connected} msgs/s ${s.rate.toFixed(1)} ` +
    `sent ${s.sent} in-flight ${s.inflight} queued ${s.queued} reconnects ${s.reconnects} faults ${s.faults} dropped ${s.dropped}`;
}

/** Width of the window the message rate is measured over. */
const RATE_WINDOW_MS = 5_000;

/** Output mode. */
export type ViewMode = "tty" | "plain" | "json";

/** Renders frames; the caller drives the timing ({@link View.frame}). */
export class View {
  readonly #mode: ViewMode;
  readonly #out: NodeJS.WriteStream;
  readonly #title: string;
  readonly #started = Date.now();
  #lastSent = 0;
  #lastAt = Date.now();
  #frames = 0;
  #lastLines = 0;
  readonly #history: { t: number; sent: number }[] = [];

  /**
   * @param mode tty (ANSI redraw), plain (a line per frame) or json (JSON lines)
   * @param title header text (broker URL etc.)
   */
  constructor(mode: ViewMode, title: string, out: NodeJS.WriteStream = process.stdout) {
    this.#mode = mode;
    this.#title = title;
    this.#out = out;
    if (mode === "tty") out.write("\x1b[?25l\x1b[2J"); // hide cursor, clear
  }

  /** Milliseconds between frames for this mode. */
  get interval(): number {
    return this.#mode === "tty" ? 500 : this.#mode === "json" ? 1000 : 2000;
  }

  /** One event line (fault, cut, ...): JSON in json mode, a log line in plain mode, the footer in tty mode. */
  event(device: string, event: string, detail: string): void {
    if (this.#mode === "json") this.#out.write(`${JSON.stringify({ type: "event", t: Date.now(), device, event, detail })}\n`);
    else if (this.#mode === "plain") this.#out.write(`${new Date().toISOString()} ${device} ${event} ${detail}\n`);
    else this.#lastEvent = `${device} ${event} ${detail}`;
  }

  #lastEvent = "";

  /** Draws one frame. */
  frame(devices: readonly ViewDevice[]): FleetStats {
    const now = Date.now();
    // Rate over a sliding window of about RATE_WINDOW_MS: devices publish once a period, so a rate taken
    // between two frames half a second apart swings between 0 and twice the real figure.
    const oldest = this.#history[0];
    const stats = fleetStats(devices, oldest ? oldest.sent : this.#lastSent, oldest ? now - oldest.t : now - this.#lastAt);
    this.#history.push({ t: now, sent: stats.sent });
    while (this.#history.length > 2 && now - this.#history[1]!.t >= RATE_WINDOW_MS) this.#history.shift();
    this.#lastSent = stats.sent;
    this.#lastAt = now;
    this.#frames++;
    const uptime = now - this.#started;
    if (this.#mode === "json") {
      const lines: string[] = [JSON.stringify({ type: "fleet", t: now, ...stats })];
      if (devices.length <= 50)
        for (const d of devices) {
          const f = d.firmware;
          lines.push(JSON.stringify({
            type: "device", t: now, id: d.id, state: stateName(f.state), period: f.period,
            readings: readingsOf(f), faults: faultsOf(f),
            counters: { ...f.counters, sent: f.client.counters.sent, reconnects: f.client.counters.reconnects },
          }));
        }
      this.#out.write(`${lines.join("\n")}\n`);
    } else if (this.#mode === "plain") {
      const lines = [summaryLine(stats, uptime)];
      if (devices.length <= 5)
        for (const d of devices) {
          const f = d.firmware;
          const readings = formatReadings(f);
          const faults = Object.entries(faultsOf(f)).map(([s, m]) => `${s} ${m}`).join("; ");
          lines.push(`  ${d.id} ${stateName(f.state)} ${readings}${faults ? `  FAULT ${faults}` : ""}`);
        }
      this.#out.write(`${lines.join("\n")}\n`);
    } else this.#drawTty(devices, stats, uptime);
    return stats;
  }

  #drawTty(devices: readonly ViewDevice[], s: FleetStats, uptime: number): void {
    const rows = this.#out.rows || 24;
    const cols = this.#out.columns || 100;
    const lines: string[] = [];
    lines.push(`\x1b[1mxsmqtt simulator\x1b[0m  ${this.#title}  up ${(uptime / 1000).toFixed(0)}s`);
    lines.push(`devices ${s.devices}  connected \x1b[32m${s.connected}\x1b[0m  msgs/s ${s.rate.toFixed(1)}  sent ${s.sent}  ` +
      `in flight ${s.inflight}  queued ${s.queued}  reconnects ${s.reconnects}  faults ${s.faults}`);
    lines.push("");
    const room = Math.max(1, rows - 7);
    const shown = devices.slice(0, room);
    for (const d of shown) {
      const f = d.firmware;
      const st = stateName(f.state);
      const color = st === "connected" ? "\x1b[32m" : st === "reconnecting" || st === "connecting" ? "\x1b[33m" : "\x1b[31m";
      const readings = formatReadings(f);
      const faults = Object.keys(faultsOf(f));
      const fault = faults.length > 0 ? `  \x1b[31mFAULT ${faults.join(",")}\x1b[0m` : "";
      lines.push(`${d.id.padEnd(10)} ${color}${st.padEnd(12)}\x1b[0m ${readings}${fault}`);
    }
    if (devices.length > shown.length) lines.push(`... and ${devices.length - shown.length} more`);
    lines.push("");
    const keys = "keys: c cut connections  f toggle fault (first device, first sensor)  q quit";
    const event = this.#lastEvent ? `  last event: ${this.#lastEvent}` : "";
    lines.push(`\x1b[2m${keys}\x1b[0m${event.slice(0, Math.max(0, cols - keys.length - 1))}`);
    let text = "\x1b[H";
    for (const line of lines) text += `${line.length > cols + 20 ? line.slice(0, cols + 20) : line}\x1b[K\n`;
    for (let i = lines.length; i < this.#lastLines; i++) text += "\x1b[K\n";
    this.#lastLines = lines.length;
    this.#out.write(text);
  }

  /** Restores the terminal (tty mode) and prints a final summary line. */
  close(devices: readonly ViewDevice[]): void {
    if (this.#mode === "tty") this.#out.write("\x1b[?25h\n");
    const stats = fleetStats(devices, this.#lastSent, Date.now() - this.#lastAt);
    if (this.#mode === "json") this.#out.write(`${JSON.stringify({ type: "exit", t: Date.now(), ...stats })}\n`);
    else this.#out.write(`${summaryLine(stats, Date.now() - this.#started)}\n`);
  }

  /** Frames drawn so far. */
  get frames(): number {
    return this.#frames;
  }
}
