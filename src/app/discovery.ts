/**
 * Home Assistant MQTT discovery documents, built at setup (and again when the period changes the readings'
 * `expire_after`), published retained on every connect so Home Assistant (re)creates the entities after its
 * own restart or a broker without persistence.
 *
 * Follows Home Assistant's MQTT discovery documentation as it stands (2025.10 and later):
 * - `default_entity_id` (`<platform>.<slug>`) instead of the deprecated `object_id` (which stops working in
 *   2026.4);
 * - one entity per config topic `<discoveryPrefix>/<platform>/<deviceId>/<object>/config`:
 *   - `number/<deviceId>/period`: the sample period, `command_topic` `<prefix>/<deviceId>/cmd/period`,
 *     `state_topic` `<prefix>/<deviceId>/period`, `min`/`max`/`step` the firmware's limits, `mode: box`,
 *     `entity_category: config`;
 *   - `sensor/<deviceId>/<sensor>_<quantity>`: each reading, `device_class`, `unit_of_measurement` (the payload's
 *     own unit), `state_class: measurement`, `suggested_display_precision`, `expire_after`;
 *   - `sensor/<deviceId>/<sensor>_status` and `sensor/<deviceId>/<diagnostic>`: `entity_category: diagnostic`;
 * - availability through the will (`availability_topic`; the payloads are HA's defaults `online`/`offline`, so
 *   they are left out);
 * - the device: `identifiers`, `connections: [["mac", …]]` when the MAC is known, `name`, `manufacturer`,
 *   `model`, `sw_version`, `hw_version`/`serial_number` when known, plus `origin`. The whole device block and
 *   the origin go in the first document (the period number) only; the others name the device by its
 *   identifier, which is all Home Assistant needs to attach them (its device registry merges the fields).
 *
 * Bytes on the device: every document is held encoded for the firmware's life and the client's transmit slots
 * are as large as the largest one, so the documents use Home Assistant's documented key abbreviations
 * (`uniq_id`, `stat_t`, `dev`, …) and the `~` base topic. {@link expandAbbreviations} restores the long form
 * (for tests and readers).
 * @module
 */

import { utf8Encode } from "../codec/text.js";
import type { FirmwareConfig, Quantity } from "./config.js";
import { EXPIRE_AUTO, expireAfterFor, KIND_QUANTITIES, PERIOD_MAX, PERIOD_MIN } from "./config.js";
import { DIAGNOSTICS, type DiagnosticName } from "./diagnostics.js";
import { deviceBase, entityConfigTopic, entityId, objectId, QUANTITIES } from "./topics.js";

/** Firmware version reported as `sw_version`. */
export const FIRMWARE_VERSION = "0.1.0";
/** Manufacturer reported in the device registry. */
export const MANUFACTURER = "xsmqtt";

/** What a discovery document announces. */
export type DiscoveryKind = "period" | "reading" | "status" | "diagnostic";

/** One discovery document: where it goes and what it says. */
export interface DiscoveryDocument {
  /** Discovery config topic. */
  readonly topic: string;
  /** Home Assistant platform (`sensor` or `number`). */
  readonly platform: "sensor" | "number";
  /** What it announces. */
  readonly kind: DiscoveryKind;
  /** The object id (topic level before `/config`, e.g. `sht3x_temperature`, `period`, `uptime`). */
  readonly object: string;
  /** The sensor (topic level) of a reading or status entity, else `null`. */
  readonly sensor: string | null;
  /** The quantity of a reading entity, else `null`. */
  readonly quantity: Quantity | null;
  /** The JSON text (abbreviated keys; UTF-8 encode it once before publishing). */
  readonly json: string;
}

/** Optional device-registry fields and the state the documents depend on. */
export interface DiscoveryOptions {
  /** `device.model` (default: the sensor kinds, e.g. `ESP32 + sht3x, bh1750`). */
  readonly model?: string | undefined;
  /** `device.sw_version` (default {@link FIRMWARE_VERSION}). */
  readonly swVersion?: string | undefined;
  /** Current sample period, ms (default `config.period`): gives the readings' `expire_after` when automatic. */
  readonly period?: number | undefined;
  /** MAC address, already normalized (`aa:bb:cc:dd:ee:ff`): `device.connections`. */
  readonly mac?: string | undefined;
  /** `device.hw_version`. */
  readonly hwVersion?: string | undefined;
  /** `device.serial_number`. */
  readonly serialNumber?: string | undefined;
  /** Device diagnostics to announce (default `uptime`, `reconnects`). */
  readonly diagnostics?: readonly DiagnosticName[] | undefined;
}

/**
 * Home Assistant's abbreviations of the keys these documents use (from its MQTT discovery documentation,
 * "Supported abbreviations"): long name by abbreviation. Keys without an entry are written in full.
 */
export const ABBREVIATIONS: Readonly<Record<string, string>> = Object.freeze({
  uniq_id: "unique_id",
  def_ent_id: "default_entity_id",
  stat_t: "state_topic",
  cmd_t: "command_topic",
  avty_t: "availability_topic",
  dev_cla: "device_class",
  unit_of_meas: "unit_of_measurement",
  stat_cla: "state_class",
  sug_dsp_prc: "suggested_display_precision",
  exp_aft: "expire_after",
  ent_cat: "entity_category",
  ic: "icon",
  dev: "device",
  o: "origin",
});

/** Home Assistant's abbreviations inside `device` and `origin`: long name by abbreviation. */
export const DEVICE_ABBREVIATIONS: Readonly<Record<string, string>> = Object.freeze({
  ids: "identifiers",
  cns: "connections",
  mf: "manufacturer",
  mdl: "model",
  sw: "sw_version",
  hw: "hw_version",
  sn: "serial_number",
  url: "support_url",
});

/**
 * The long form of a discovery document, as Home Assistant reads it: abbreviations expanded (also in `device`
 * and `origin`) and `~` replaced in every `*_topic` value that starts or ends with it. Test/tool helper.
 */
export function expandAbbreviations(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const base = typeof doc["~"] === "string" ? doc["~"] : undefined;
  for (const [key, value] of Object.entries(doc)) {
    if (key === "~") continue;
    const name = ABBREVIATIONS[key] ?? key;
    let v = value;
    if ((name === "device" || name === "origin") && v && typeof v === "object" && !Array.isArray(v)) {
      const inner: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) inner[DEVICE_ABBREVIATIONS[k] ?? k] = x;
      v = inner;
    }
    if (base !== undefined && name.endsWith("_topic") && typeof v === "string") {
      if (v.startsWith("~")) v = base + v.slice(1);
      else if (v.endsWith("~")) v = v.slice(0, -1) + base;
    }
    out[name] = v;
  }
  return out;
}

/**
 * Builds the discovery documents of a configuration (setup time, or after a period change; allocates).
 * @returns the period number, then one document per (sensor, quantity), per sensor status, per diagnostic
 */
export function discoveryDocuments(config: FirmwareConfig, options: DiscoveryOptions = {}): DiscoveryDocument[] {
  const { prefix, deviceId } = config;
  const swVersion = options.swVersion ?? FIRMWARE_VERSION;
  const id = `xsmqtt_${deviceId}`;
  const device: Record<string, unknown> = { ids: [id] };
  if (options.mac !== undefined) device["cns"] = [["mac", options.mac]];
  device["name"] = config.deviceName;
  device["mf"] = MANUFACTURER;
  device["mdl"] = options.model ?? `ESP32 + ${config.sensors.map((s) => s.kind).join(", ")}`;
  device["sw"] = swVersion;
  if (options.hwVersion !== undefined) device["hw"] = options.hwVersion;
  if (options.serialNumber !== undefined) device["sn"] = options.serialNumber;
  const deviceRef = { ids: id };
  const period = options.period ?? config.period;
  const readingExpiry = config.expireAfter === EXPIRE_AUTO ? expireAfterFor(period) : config.expireAfter;
  const diagnosticExpiry = config.diagnosticsInterval > 0 ? expireAfterFor(config.diagnosticsInterval) : 0;
  const docs: DiscoveryDocument[] = [];
  const add = (platform: "sensor" | "number", kind: DiscoveryKind, object: string, sensor: string | null,
    quantity: Quantity | null, name: string, body: Record<string, unknown>): void => {
    const head: Record<string, unknown> = {
      "~": deviceBase(prefix, deviceId),
      name,
      uniq_id: `${id}_${object}`,
      def_ent_id: entityId(platform, deviceId, object),
    };
    const tail: Record<string, unknown> = { avty_t: "~/status" };
    if (docs.length === 0) {
      tail["dev"] = device;
      tail["o"] = { name: MANUFACTURER, sw: swVersion };
    } else tail["dev"] = deviceRef;
    docs.push(Object.freeze({
      topic: entityConfigTopic(config.discoveryPrefix, platform, deviceId, object),
      platform, kind, object, sensor, quantity,
      json: JSON.stringify({ ...head, ...body, ...tail }),
    }));
  };

  add("number", "period", "period", null, null, "Sample period", {
    cmd_t: "~/cmd/period",
    stat_t: "~/period",
    min: PERIOD_MIN,
    max: PERIOD_MAX,
    step: 1,
    mode: "box",
    dev_cla: "duration",
    unit_of_meas: "ms",
    ent_cat: "config",
    qos: 1,
  });
  const several = config.sensors.length > 1;
  for (const sensor of config.sensors) {
    for (const quantity of KIND_QUANTITIES[sensor.kind]) {
      const q = QUANTITIES[quantity];
      const body: Record<string, unknown> = {
        stat_t: `~/${sensor.name}/${quantity}`,
        dev_cla: q.deviceClass,
        unit_of_meas: q.unit,
        stat_cla: "measurement",
        sug_dsp_prc: q.decimals,
      };
      if (readingExpiry > 0) body["exp_aft"] = readingExpiry;
      add("sensor", "reading", objectId(sensor.name, quantity), sensor.name, quantity,
        several ? `${sensor.name.toUpperCase()} ${q.label.toLowerCase()}` : q.label, body);
    }
  }
  for (const sensor of config.sensors) {
    add("sensor", "status", `${sensor.name}_status`, sensor.name, null, `${sensor.name.toUpperCase()} status`, {
      stat_t: `~/${sensor.name}/error`,
      ent_cat: "diagnostic",
      ic: "mdi:alert-circle-outline",
    });
  }
  for (const name of options.diagnostics ?? ["uptime", "reconnects"]) {
    const d = DIAGNOSTICS[name];
    const body: Record<string, unknown> = { stat_t: `~/diag/${name}` };
    if (d.deviceClass !== null) body["dev_cla"] = d.deviceClass;
    if (d.unit !== null) body["unit_of_meas"] = d.unit;
    body["stat_cla"] = d.stateClass;
    body["ent_cat"] = "diagnostic";
    if (d.icon !== null) body["ic"] = d.icon;
    if (diagnosticExpiry > 0) body["exp_aft"] = diagnosticExpiry;
    add("sensor", "diagnostic", name, null, null, d.label, body);
  }
  return docs;
}

/** The client surface {@link DiscoveryAnnouncer} needs (the firmware's `MqttClient`). */
export interface TopicPublisher {
  /** Registers a topic (setup time); returns its handle. */
  topic(name: string): number;
  /** Publishes bytes on a handle; returns a status (`BUSY` when full). */
  publish(handle: number, payload: Uint8Array, offset: number, length: number, qos: number, retain: boolean): number;
}

/**
 * The discovery documents of one firmware, encoded and with their topic handles registered at setup, published
 * one at a time (QoS 1, retained) by the firmware's announce sequence, and rebuilt when the period moves the
 * readings' `expire_after` (rare; allocates).
 */
export class DiscoveryAnnouncer {
  /** Number of documents (0 when discovery is off). */
  readonly count: number;
  readonly #client: TopicPublisher;
  readonly #config: FirmwareConfig;
  readonly #options: DiscoveryOptions;
  readonly #handles: number[];
  readonly #payloads: Uint8Array[];

  /**
   * Setup: builds the documents for `config.period` and registers their topics on `client`.
   * @param options - the board's facts (MAC, versions, diagnostics); `period` is ignored
   */
  constructor(client: TopicPublisher, config: FirmwareConfig, options: DiscoveryOptions) {
    const docs = config.discovery ? discoveryDocuments(config, { ...options, period: config.period }) : [];
    this.count = docs.length;
    this.#client = client;
    this.#config = config;
    this.#options = options;
    this.#handles = docs.map((d) => client.topic(d.topic));
    this.#payloads = docs.map((d) => utf8Encode(d.json));
  }

  /** Rebuilds the documents for a new sample period (allocates). */
  rebuild(period: number): void {
    const docs = discoveryDocuments(this.#config, { ...this.#options, period });
    for (let d = 0; d < docs.length; d++) this.#payloads[d] = utf8Encode(docs[d]!.json);
  }

  /** Publishes document `d` (QoS 1, retained); returns the client's status. */
  publish(d: number): number {
    const payload = this.#payloads[d]!;
    return this.#client.publish(this.#handles[d]!, payload, 0, payload.length, 1, true);
  }
}
