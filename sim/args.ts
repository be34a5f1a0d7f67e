/**
 * Command-line flags of the simulator (`npm start -- ...`), parsed with node:util `parseArgs`.
 * Bad input throws {@link UsageError}; the CLI prints it with the usage line and exits with code 2.
 * @module
 */
import { parseArgs } from "node:util";
import { PERIOD_MAX, PERIOD_MIN, SENSOR_KINDS, type SensorKind } from "../src/app/config.js";

/** Fault kinds the simulated chips can inject. */
export const FAULT_KINDS = Object.freeze(["absent", "nack", "corruptCrc", "stuck", "wrongChipId"] as const);
/** One fault kind. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults each simulated chip models (sim/chips). */
export const SUPPORTED_FAULTS: Readonly<Record<SensorKind, readonly FaultKind[]>> = Object.freeze({
  sht3x: ["absent", "nack", "stuck", "corruptCrc"],
  bme280: ["absent", "nack", "stuck", "wrongChipId"],
  bh1750: ["absent", "nack", "stuck"],
});

/** A fault to inject at start: on `device` (id, or `*` for all), sensor `sensor`. */
export interface FaultSpec {
  readonly device: string;
  readonly sensor: SensorKind;
  readonly kind: FaultKind;
}

/** Parsed options. */
export interface CliOptions {
  help: boolean;
  broker: { hostname: string; port: number; tls: boolean } | null;
  username: string | null;
  password: string | null;
  devices: number;
  idPrefix: string;
  sensors: SensorKind[];
  period: number;
  seed: number;
  duration: number;
  prefix: string;
  qos: 0 | 1;
  retain: boolean;
  senml: boolean;
  discovery: boolean;
  discoveryPrefix: string;
  json: boolean;
  faults: FaultSpec[];
  cutEvery: number;
  stagger: number;
  insecure: boolean;
}

/** A command-line mistake: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The `--help` text. */
export const USAGE = `Usage: npm start -- [options]     (installed: npx xsmqtt-sim [options]; in a clone also npx tsx sim/cli.ts)

Runs the xsmqtt firmware (src/app) for one or many simulated ESP32 sensor boards: real MQTT over TCP,
simulated SHT3x / BME280 / BH1750 chips on a simulated I2C bus. Without --broker an embedded broker
(aedes) is started on a free loopback port.

Broker
  --broker <url>          mqtt://host:port or mqtts://host:port (default: embedded broker)
  --username <name>       MQTT user name
  --password <secret>     MQTT password (needs --username)
  --insecure              with mqtts://, do not verify the server certificate

Devices
  --devices <n>           number of simulated boards (default 1, max 20000)
  --id-prefix <text>      device ids are <id-prefix>0001, ... (default "dev-")
  --sensors <list>        comma-separated kinds on each board (default sht3x,bme280,bh1750)
  --period <duration>     sample period (default 5s; 1s..1h)
  --stagger <duration>    spread device starts over this time (default: 2 ms per device, at most 10s)
  --seed <n>              seed of the simulated environment and jitter (default 1)

Payloads and topics
  --prefix <text>         topic prefix (default "xsmqtt"): <prefix>/<device>/<sensor>/<quantity>
  --qos <0|1>             QoS of readings (default 0)
  --retain                publish readings retained
  --senml                 also publish one SenML document per sample to <prefix>/<device>/senml
  --no-discovery          do not publish Home Assistant discovery documents
  --discovery-prefix <p>  Home Assistant discovery prefix (default "homeassistant")

Faults
  --fault <dev:sensor:kind>   inject a chip fault at start, repeatable; dev is an id or "*",
                              kind is one of ${FAULT_KINDS.join(", ")}
                              e.g. --fault dev-0001:sht3x:corruptCrc
  --cut-every <duration>  cut every device's network connection periodically (abrupt reset)

Output
  --json                  machine-readable JSON lines instead of the live view
  --duration <duration>   exit after this long (default: run until Ctrl-C or q)
  -h, --help              this text

Durations: a number with a unit, ms, s, m or h (e.g. 500ms, 10s, 2m); a bare number is milliseconds.
Keys (in a terminal): c cut all connections, f toggle a corruptCrc fault on the first sensor of dev 1,
q quit. Ctrl-C publishes "offline", disconnects cleanly, stops the broker and exits 0.
`;

/**
 * Parses a duration: `500ms`, `10s`, `2m`, `1h`, or a bare number of milliseconds.
 * @throws {UsageError}
 */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--${flag}: expected a duration like 500ms, 10s, 2m or 1h, got "${text}"`);
  const n = Number(m[1]);
  const unit = m[2] ?? "ms";
  const scale = unit === "h" ? 3_600_000 : unit === "m" ? 60_000 : unit === "s" ? 1000 : 1;
  return Math.round(n * scale);
}

function parseInteger(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`--${flag}: expected an integer ${min}..${max}, got "${text}"`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`--${flag}: expected an integer ${min}..${max}, got ${n}`);
  return n;
}

/** Parses `mqtt://host:port` / `mqtts://host:port`. */
export function parseBrokerUrl(text: string): { hostname: string; port: number; tls: boolean } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--broker: expected mqtt://host:port or mqtts://host:port, got "${text}"`);
  }
  if (url.protocol !== "mqtt:" && url.protocol !== "mqtts:" && url.protocol !== "tcp:")
    throw new UsageError(`--broker: unsupported scheme "${url.protocol}" (use mqtt:// or mqtts://)`);
  const tls = url.protocol === "mqtts:";
  const port = url.port === "" ? (tls ? 8883 : 1883) : Number(url.port);
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  if (hostname === "") throw new UsageError(`--broker: missing host in "${text}"`);
  return { hostname, port, tls };
}

function parseFault(text: string): FaultSpec {
  const parts = text.split(":");
  if (parts.length !== 3) throw new UsageError(`--fault: expected <device>:<sensor>:<kind>, got "${text}"`);
  const [device, sensor, kind] = parts as [string, string, string];
  if (device === "") throw new UsageError(`--fault: empty device in "${text}"`);
  if (!(SENSOR_KINDS as readonly string[]).includes(sensor))
    throw new UsageError(`--fault: sensor must be one of ${SENSOR_KINDS.join(", ")}, got "${sensor}"`);
  if (!(FAULT_KINDS as readonly string[]).includes(kind))
    throw new UsageError(`--fault: kind must be one of ${FAULT_KINDS.join(", ")}, got "${kind}"`);
  if (!SUPPORTED_FAULTS[sensor as SensorKind].includes(kind as FaultKind))
    throw new UsageError(`--fault: the simulated ${sensor} does not model ${kind}; it models ${SUPPORTED_FAULTS[sensor as SensorKind].join(", ")}`);
  return { device, sensor: sensor as SensorKind, kind: kind as FaultKind };
}

/**
 * Parses the command line (without the `node script` part).
 * @throws {UsageError} on an unknown flag, a missing value, or a value out of range.
 */
export function parseCli(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: "boolean", short: "h" },
        broker: { type: "string" },
        username: { type: "string" },
        password: { type: "string" },
        insecure: { type: "boolean" },
        devices: { type: "string" },
        "id-prefix": { type: "string" },
        sensors: { type: "string" },
        period: { type: "string" },
        stagger: { type: "string" },
        seed: { type: "string" },
        prefix: { type: "string" },
        qos: { type: "string" },
        retain: { type: "boolean" },
        senml: { type: "boolean" },
        discovery: { type: "boolean" },
        "no-discovery": { type: "boolean" },
        "discovery-prefix": { type: "string" },
        fault: { type: "string", multiple: true },
        "cut-every": { type: "string" },
        json: { type: "boolean" },
        duration: { type: "string" },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const v = parsed.values;
  const devices = v.devices === undefined ? 1 : parseInteger("devices", v.devices, 1, 20_000);
  const period = v.period === undefined ? 5_000 : parseDuration("period", v.period);
  if (period < PERIOD_MIN || period > PERIOD_MAX)
    throw new UsageError(`--period: expected ${PERIOD_MIN / 1000}s..${PERIOD_MAX / 3_600_000}h, got ${period} ms`);
  const sensors = (v.sensors ?? SENSOR_KINDS.join(",")).split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const s of sensors)
    if (!(SENSOR_KINDS as readonly string[]).includes(s))
      throw new UsageError(`--sensors: expected a list of ${SENSOR_KINDS.join(", ")}, got "${s}"`);
  if (sensors.length === 0 || new Set(sensors).size !== sensors.length)
    throw new UsageError(`--sensors: expected distinct kinds, got "${v.sensors}"`);
  const qos = v.qos === undefined ? 0 : parseInteger("qos", v.qos, 0, 1);
  const prefix = v.prefix ?? "xsmqtt";
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(prefix))
    throw new UsageError(`--prefix: expected topic levels of [A-Za-z0-9_.-] (no wildcards), got "${prefix}"`);
  const idPrefix = v["id-prefix"] ?? "dev-";
  if (!/^[A-Za-z0-9_-]{0,40}$/.test(idPrefix)) throw new UsageError(`--id-prefix: expected [A-Za-z0-9_-]{0,40}, got "${idPrefix}"`);
  if (v.password !== undefined && v.username === undefined) throw new UsageError("--password needs --username");
  if (v.discovery && v["no-discovery"]) throw new UsageError("--discovery and --no-discovery together");
  const stagger = v.stagger === undefined ? Math.min(10_000, devices * 2) : parseDuration("stagger", v.stagger);
  const cutEvery = v["cut-every"] === undefined ? 0 : parseDuration("cut-every", v["cut-every"]);
  if (cutEvery !== 0 && cutEvery < 1000) throw new UsageError(`--cut-every: at least 1s, got ${cutEvery} ms`);
  return {
    help: v.help === true,
    broker: v.broker === undefined ? null : parseBrokerUrl(v.broker),
    username: v.username ?? null,
    password: v.password ?? null,
    insecure: v.insecure === true,
    devices,
    idPrefix,
    sensors: sensors as SensorKind[],
    period,
    seed: v.seed === undefined ? 1 : parseInteger("seed", v.seed, 0, 2 ** 31 - 1),
    duration: v.duration === undefined ? 0 : parseDuration("duration", v.duration),
    prefix,
    qos: qos === 1 ? 1 : 0,
    retain: v.retain === true,
    senml: v.senml === true,
    discovery: v["no-discovery"] !== true,
    discoveryPrefix: v["discovery-prefix"] ?? "homeassistant",
    json: v.json === true,
    faults: (v.fault ?? []).map(parseFault),
    cutEvery,
    stagger,
  };
}

/** Device id number `i` (0-based): `<idPrefix><i+1, 4 digits>`. */
export function deviceId(idPrefix: string, i: number): string {
  return `${idPrefix}${String(i + 1).padStart(4, "0")}`;
}
