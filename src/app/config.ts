/**
 * Firmware configuration: the shape, its defaults, and validation.
 *
 * The same object comes from `mc/config` on the device (the manifest's `config` section) and from the
 * simulator's flags on the desktop. {@link validateConfig} checks every field once, at setup, and returns a
 * complete, frozen {@link FirmwareConfig}; a bad field throws a {@link ConfigError} naming the field, the
 * expected form and the value found. Nothing here runs after setup.
 *
 * Engine-neutral; module scope holds only frozen constants and functions (XS preload).
 * @module
 */

/** Sensor chip kinds the firmware can drive. */
export type SensorKind = "sht3x" | "bme280" | "bh1750";

/** Physical quantities the firmware publishes. */
export type Quantity = "temperature" | "humidity" | "pressure" | "illuminance";

/** Every supported sensor kind, in a stable order. */
export const SENSOR_KINDS: readonly SensorKind[] = Object.freeze(["sht3x", "bme280", "bh1750"] as const);

/** Quantities each kind provides, in publish order. */
export const KIND_QUANTITIES: Readonly<Record<SensorKind, readonly Quantity[]>> = Object.freeze({
  sht3x: Object.freeze(["temperature", "humidity"] as const),
  bme280: Object.freeze(["temperature", "pressure", "humidity"] as const),
  bh1750: Object.freeze(["illuminance"] as const),
});

/** Default 7-bit I2C addresses per kind (SHT3x ADDR low, BME280 SDO high, BH1750 ADDR low). */
export const DEFAULT_ADDRESS: Readonly<Record<SensorKind, number>> = Object.freeze({
  sht3x: 0x44,
  bme280: 0x76,
  bh1750: 0x23,
});

/** Smallest accepted sample period, milliseconds. */
export const PERIOD_MIN = 1_000;
/** Largest accepted sample period, milliseconds (one hour). */
export const PERIOD_MAX = 3_600_000;

/** Delivery policy for one reading. */
export interface ReadingPolicy {
  /** MQTT QoS, 0 or 1. */
  readonly qos: 0 | 1;
  /** Publish retained so a late subscriber gets the last value. */
  readonly retain: boolean;
}

/** One sensor on the I2C bus. */
export interface SensorConfig {
  /** Chip kind. */
  readonly kind: SensorKind;
  /** Topic level for this sensor; defaults to `kind`. Needed when two sensors share a kind. */
  readonly name: string;
  /** I2C data (SDA) pin. */
  readonly data: number;
  /** I2C clock (SCL) pin. */
  readonly clock: number;
  /** 7-bit I2C address. */
  readonly address: number;
  /** Bus speed in Hz. */
  readonly hz: number;
  /** I2C port (ESP32 controller number), when the board needs one. */
  readonly port: number | undefined;
  /** Delivery policy for this sensor's readings (defaults to the top-level `qos`/`retain`). */
  readonly policy: ReadingPolicy;
}

/** TLS settings as configured (mapped onto the host's `TlsOptions`). */
export interface TlsConfig {
  /** Trusted CA, PEM. Absent: the host's trust store. */
  readonly ca: string | undefined;
  /** Client certificate (PEM) for mutual TLS. */
  readonly cert: string | undefined;
  /** Client key (PEM) for mutual TLS. */
  readonly key: string | undefined;
  /** SNI / verified name; defaults to the broker hostname. */
  readonly servername: string | undefined;
  /** Verify the server (default true). */
  readonly rejectUnauthorized: boolean;
}

/** Broker connection settings. */
export interface BrokerConfig {
  /** Broker host name or address. */
  readonly hostname: string;
  /** Broker port (default 1883, or 8883 with TLS). */
  readonly port: number;
  /** TLS settings, or `null` for plain TCP. */
  readonly tls: TlsConfig | null;
  /** MQTT user name, or `null`. */
  readonly username: string | null;
  /** MQTT password, or `null` (requires a user name). */
  readonly password: string | null;
  /** MQTT keep-alive, seconds. */
  readonly keepAlive: number;
}

/** The complete, validated firmware configuration. */
export interface FirmwareConfig {
  /** Broker connection. */
  readonly broker: BrokerConfig;
  /** Device id: MQTT client id, topic level and Home Assistant node id (`[A-Za-z0-9_-]`, 1..64). */
  readonly deviceId: string;
  /** Human name for Home Assistant's device registry (default: the device id). */
  readonly deviceName: string;
  /** Topic prefix, one or more levels (default `xsmqtt`). */
  readonly prefix: string;
  /** Sample period, milliseconds ({@link PERIOD_MIN}..{@link PERIOD_MAX}). */
  readonly period: number;
  /** Sensors on the bus, at least one. */
  readonly sensors: readonly SensorConfig[];
  /** Publish one SenML document per sample to `<prefix>/<deviceId>/senml`. */
  readonly senml: boolean;
  /** Publish Home Assistant discovery documents on connect. */
  readonly discovery: boolean;
  /** Home Assistant discovery prefix (default `homeassistant`). */
  readonly discoveryPrefix: string;
  /**
   * Home Assistant `expire_after` of the readings, seconds: {@link EXPIRE_AUTO} (the default, `"auto"` in the
   * input) derives it from the current sample period ({@link expireAfterFor}); 0 omits it; 1..86400 fixes it.
   */
  readonly expireAfter: number;
  /**
   * How often the device diagnostics (uptime, reconnects, Wi-Fi RSSI, free heap) are published, ms;
   * 0 = only on connect. Default 60000.
   */
  readonly diagnosticsInterval: number;
}

/** {@link FirmwareConfig.expireAfter}: derive `expire_after` from the sample period. */
export const EXPIRE_AUTO = -1;

/**
 * The derived `expire_after` for a sample period: three missed rounds, at least 30 s (a reading published every
 * second should not flap to unavailable on one late packet).
 * @returns seconds
 */
export function expireAfterFor(periodMs: number): number {
  return Math.max(30, Math.ceil((3 * periodMs) / 1000));
}

/** Error thrown by {@link validateConfig}; `path` names the offending field (e.g. `sensors[1].address`). */
export class ConfigError extends Error {
  override name = "ConfigError";
  /** Dotted path of the offending field. */
  readonly path: string;
  constructor(path: string, message: string) {
    super(`config.${path}: ${message}`);
    this.path = path;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return "nothing";
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function integer(src: Record<string, unknown>, key: string, path: string, def: number | undefined,
  min: number, max: number): number {
  let v = src[key];
  if (v === undefined || v === null || v === "") {
    if (def === undefined) throw new ConfigError(path, `required: an integer ${min}..${max}`);
    return def;
  }
  if (typeof v === "string" && isNumeric(v)) v = Number(v);
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    throw new ConfigError(path, `expected an integer ${min}..${max}, got ${show(src[key])}`);
  return v;
}

function bool(src: Record<string, unknown>, key: string, path: string, def: boolean): boolean {
  const v = src[key];
  if (v === undefined || v === null) return def;
  if (v === true || v === false) return v;
  if (v === "true" || v === 1) return true;
  if (v === "false" || v === 0) return false;
  throw new ConfigError(path, `expected true or false, got ${show(v)}`);
}

function text(src: Record<string, unknown>, key: string, path: string, def: string | undefined): string {
  const v = src[key];
  // Moddable manifest configs use "" for "not set".
  if (v === undefined || v === null || v === "") {
    if (def === undefined) throw new ConfigError(path, "required: a non-empty string");
    return def;
  }
  if (typeof v !== "string" || v.length === 0) throw new ConfigError(path, `expected a non-empty string, got ${show(v)}`);
  return v;
}

function optionalText(src: Record<string, unknown>, key: string, path: string): string | undefined {
  const v = src[key];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw new ConfigError(path, `expected a string, got ${show(v)}`);
  return v;
}

/** `[A-Za-z0-9_-]` (and `.` when `dot`). */
function idChar(c: number, dot: boolean): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 ||
    (dot && c === 46);
}

/** 1..64 of `[A-Za-z0-9_-]`: safe as a topic level, client id and Home Assistant node/object id. */
export function isValidId(s: string): boolean {
  if (s.length < 1 || s.length > 64) return false;
  for (let i = 0; i < s.length; i++) if (!idChar(s.charCodeAt(i), false)) return false;
  return true;
}

/** Topic levels of `[A-Za-z0-9_.-]` separated by single `/`: no wildcards, no `$` start, no empty level. */
export function isValidPrefix(s: string): boolean {
  if (s.length < 1 || s.length > 128) return false;
  let levelLength = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 47) {
      if (levelLength === 0) return false;
      levelLength = 0;
    } else if (idChar(c, true)) levelLength++;
    else return false;
  }
  return levelLength > 0;
}

function isNumeric(s: string): boolean {
  const hex = s.length > 2 && s.charCodeAt(0) === 48 && (s.charCodeAt(1) | 32) === 120;
  if (s.length === 0 || s.length > 10) return false;
  for (let i = hex ? 2 : 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | (hex ? 32 : 0);
    if (!((c >= 48 && c <= 57) || (hex && c >= 97 && c <= 102))) return false;
  }
  return true;
}

function qosOf(src: Record<string, unknown>, path: string, def: 0 | 1): 0 | 1 {
  const q = integer(src, "qos", `${path}qos`, def, 0, 2);
  if (q === 2) throw new ConfigError(`${path}qos`, "QoS 2 is not supported; use 0 or 1");
  return q === 1 ? 1 : 0;
}

function sensorConfig(v: unknown, i: number, policy: ReadingPolicy): SensorConfig {
  const path = `sensors[${i}]`;
  if (!isRecord(v)) throw new ConfigError(path, `expected an object, got ${show(v)}`);
  const kind = v["kind"];
  if (kind !== "sht3x" && kind !== "bme280" && kind !== "bh1750")
    throw new ConfigError(`${path}.kind`, `expected one of ${SENSOR_KINDS.join(", ")}, got ${show(kind)}`);
  const name = text(v, "name", `${path}.name`, kind);
  if (!isValidId(name)) throw new ConfigError(`${path}.name`, `expected [A-Za-z0-9_-]{1,64}, got ${show(name)}`);
  const port = v["port"] === undefined || v["port"] === null ? undefined : integer(v, "port", `${path}.port`, 0, 0, 7);
  return Object.freeze({
    kind,
    name,
    data: integer(v, "data", `${path}.data`, undefined, 0, 255),
    clock: integer(v, "clock", `${path}.clock`, undefined, 0, 255),
    address: integer(v, "address", `${path}.address`, DEFAULT_ADDRESS[kind], 0x08, 0x77),
    hz: integer(v, "hz", `${path}.hz`, 100_000, 10_000, 1_000_000),
    port,
    policy: Object.freeze({ qos: qosOf(v, `${path}.`, policy.qos), retain: bool(v, "retain", `${path}.retain`, policy.retain) }),
  });
}

function tlsConfig(v: unknown, path: string): TlsConfig | null {
  if (v === undefined || v === null || v === false) return null;
  if (v === true) v = {};
  if (!isRecord(v)) throw new ConfigError(path, `expected true, false or an object {ca, cert, key, servername, rejectUnauthorized}, got ${show(v)}`);
  const cert = optionalText(v, "cert", `${path}.cert`);
  const key = optionalText(v, "key", `${path}.key`);
  if ((cert === undefined) !== (key === undefined)) throw new ConfigError(path, "cert and key go together (mutual TLS)");
  return Object.freeze({
    ca: optionalText(v, "ca", `${path}.ca`),
    cert,
    key,
    servername: optionalText(v, "servername", `${path}.servername`),
    rejectUnauthorized: bool(v, "rejectUnauthorized", `${path}.rejectUnauthorized`, true),
  });
}

function diagnosticsInterval(input: Record<string, unknown>): number {
  const ms = integer(input, "diagnosticsInterval", "diagnosticsInterval", 60_000, 0, 86_400_000);
  if (ms > 0 && ms < 1000)
    throw new ConfigError("diagnosticsInterval", `expected 0 (on connect only) or 1000..86400000 ms, got ${ms}`);
  return ms;
}

/**
 * Checks a raw configuration object and returns a complete, frozen {@link FirmwareConfig}.
 *
 * Accepted input (everything but `deviceId`, `broker.hostname` and `sensors[].data/clock` has a default):
 * ```ts
 * validateConfig({ broker: { hostname: "192.168.1.10", port: 1883 }, deviceId: "dev-0001",
 *   period: 10_000, sensors: [{ kind: "sht3x", data: 21, clock: 22 }] });
 * ```
 * Numbers may also be given as decimal/hex strings (Moddable's `-D`/manifest config strings).
 * @throws {ConfigError} naming the first bad field.
 */
export function validateConfig(input: unknown): FirmwareConfig {
  if (!isRecord(input)) throw new ConfigError("", `expected an object, got ${show(input)}`);
  const b = input["broker"] ?? {};
  if (!isRecord(b)) throw new ConfigError("broker", `expected an object, got ${show(b)}`);
  const tls = tlsConfig(b["tls"], "broker.tls");
  const username = optionalText(b, "username", "broker.username") ?? null;
  const password = optionalText(b, "password", "broker.password") ?? null;
  if (password !== null && username === null)
    throw new ConfigError("broker.password", "a password needs a username (MQTT 3.1.1 [MQTT-3.1.2-22])");
  const broker: BrokerConfig = Object.freeze({
    hostname: text(b, "hostname", "broker.hostname", undefined),
    port: integer(b, "port", "broker.port", tls ? 8883 : 1883, 1, 65535),
    tls,
    username,
    password,
    keepAlive: integer(b, "keepAlive", "broker.keepAlive", 60, 0, 65535),
  });

  const deviceId = text(input, "deviceId", "deviceId", undefined);
  if (!isValidId(deviceId))
    throw new ConfigError("deviceId", `expected 1..64 of [A-Za-z0-9_-] (it is a topic level and a Home Assistant node id), got ${show(deviceId)}`);
  const prefix = text(input, "prefix", "prefix", "xsmqtt");
  if (!isValidPrefix(prefix))
    throw new ConfigError("prefix", `expected topic levels of [A-Za-z0-9_.-] separated by "/" (no wildcards, no leading/trailing "/"), got ${show(prefix)}`);
  const discoveryPrefix = text(input, "discoveryPrefix", "discoveryPrefix", "homeassistant");
  if (!isValidPrefix(discoveryPrefix))
    throw new ConfigError("discoveryPrefix", `expected topic levels of [A-Za-z0-9_.-], got ${show(discoveryPrefix)}`);

  const policy: ReadingPolicy = Object.freeze({ qos: qosOf(input, "", 0), retain: bool(input, "retain", "retain", false) });
  const list = input["sensors"];
  if (!Array.isArray(list) || list.length === 0)
    throw new ConfigError("sensors", `expected a non-empty array of {kind, data, clock, address?}, got ${show(list)}`);
  if (list.length > 8) throw new ConfigError("sensors", `at most 8 sensors, got ${list.length}`);
  const sensors: SensorConfig[] = [];
  for (let i = 0; i < list.length; i++) {
    const s = sensorConfig(list[i], i, policy);
    for (const other of sensors) {
      if (other.name === s.name)
        throw new ConfigError(`sensors[${i}].name`, `duplicate sensor name ${show(s.name)}; give each sensor of the same kind a distinct "name"`);
      if (other.data === s.data && other.clock === s.clock && other.port === s.port && other.address === s.address)
        throw new ConfigError(`sensors[${i}].address`, `two sensors on the same bus at address 0x${s.address.toString(16)}`);
    }
    sensors.push(s);
  }

  return Object.freeze({
    broker,
    deviceId,
    deviceName: text(input, "deviceName", "deviceName", deviceId),
    prefix,
    period: integer(input, "period", "period", 10_000, PERIOD_MIN, PERIOD_MAX),
    sensors: Object.freeze(sensors),
    senml: bool(input, "senml", "senml", false),
    discovery: bool(input, "discovery", "discovery", true),
    discoveryPrefix,
    expireAfter: input["expireAfter"] === "auto" ? EXPIRE_AUTO
      : integer(input, "expireAfter", "expireAfter", EXPIRE_AUTO, 0, 86_400),
    diagnosticsInterval: diagnosticsInterval(input),
  });
}
