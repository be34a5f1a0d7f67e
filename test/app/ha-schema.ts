/**
 * Home Assistant MQTT discovery payload schema, written from Home Assistant's documentation as it stands
 * (https://www.home-assistant.io/integrations/mqtt/ "MQTT Discovery" and "Supported abbreviations",
 * https://www.home-assistant.io/integrations/sensor.mqtt/ and https://www.home-assistant.io/integrations/number.mqtt/
 * "Configuration Variables"; `default_entity_id` replacing `object_id` since 2025.10, `object_id` removed in 2026.4).
 *
 * {@link checkDiscoveryPayload} takes the payload as published (abbreviated keys, `~` base topic), expands it the
 * way Home Assistant does, and returns every problem found: a key the platform does not document, a required key
 * missing, a value of the wrong type or outside its documented set, an abbreviation Home Assistant does not know.
 * The abbreviation table here is written independently of the firmware's (src/app/discovery.ts), so a typo on
 * either side shows up as an unknown key.
 */

type Check = (v: unknown) => string | null;

const str: Check = (v) => (typeof v === "string" && v.length > 0 ? null : "expected a non-empty string");
const int: Check = (v) => (typeof v === "number" && Number.isInteger(v) ? null : "expected an integer");
const num: Check = (v) => (typeof v === "number" && Number.isFinite(v) ? null : "expected a number");
const bool: Check = (v) => (typeof v === "boolean" ? null : "expected a boolean");
const oneOf = (...values: unknown[]): Check => (v) => (values.includes(v) ? null : `expected one of ${values.join(", ")}`);
/** A publish/subscribe topic: non-empty, no wildcards where HA publishes; `+`/`#` tolerated in state topics by HA but not used here. */
const topic: Check = (v) =>
  typeof v === "string" && v.length > 0 && !v.includes("+") && !v.includes("#") && !v.includes("~") ? null : "expected a topic without wildcards or ~";
const qos: Check = oneOf(0, 1, 2);
const positiveInt: Check = (v) => (typeof v === "number" && Number.isInteger(v) && v > 0 ? null : "expected a positive integer");
/** Home Assistant `cv.entity_id`: `<domain>.<object>`, lower case `[a-z0-9_]`, no leading/trailing/double `_`. */
const ENTITY_ID = /^(?!.+__)(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)$/;
const entityIdOf = (platform: string): Check => (v) =>
  typeof v === "string" && ENTITY_ID.test(v) && v.startsWith(`${platform}.`) ? null : `expected a ${platform}.<slug> entity id`;

/** `device`: at least one of identifiers/connections (docs: "At least one of identifiers or connections must be present"). */
const DEVICE_KEYS: Record<string, Check> = {
  configuration_url: str,
  connections: (v) => Array.isArray(v) && v.every((c) => Array.isArray(c) && c.length === 2 && c.every((x) => typeof x === "string"))
    ? null : "expected a list of [type, value] pairs",
  hw_version: str,
  identifiers: (v) => (typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string")) ? null : "expected a string or list of strings"),
  manufacturer: str,
  model: str,
  model_id: str,
  name: str,
  serial_number: str,
  suggested_area: str,
  sw_version: str,
  via_device: str,
};

/** `origin`: `name` required. */
const ORIGIN_KEYS: Record<string, Check> = { name: str, sw_version: str, support_url: str };

/** Options every MQTT entity platform documents (availability, device, origin, naming, attributes). */
const COMMON_KEYS: Record<string, Check> = {
  availability: (v) => (Array.isArray(v) ? null : "expected a list"),
  availability_mode: oneOf("all", "any", "latest"),
  availability_template: str,
  availability_topic: topic,
  default_entity_id: str, // platform-specific check below
  device: (v) => (v && typeof v === "object" && !Array.isArray(v) ? null : "expected an object"),
  enabled_by_default: bool,
  encoding: (v) => (typeof v === "string" ? null : "expected a string"),
  entity_category: str, // platform-specific check below
  entity_picture: str,
  icon: (v) => (typeof v === "string" && /^[a-z]+:[a-z0-9-]+$/.test(v) ? null : "expected an icon like mdi:name"),
  json_attributes_template: str,
  json_attributes_topic: topic,
  name: (v) => (v === null || typeof v === "string" ? null : "expected a string or null"),
  origin: (v) => (v && typeof v === "object" && !Array.isArray(v) ? null : "expected an object"),
  payload_available: str,
  payload_not_available: str,
  platform: str,
  qos,
  unique_id: str,
};

/** Per platform: documented options beyond {@link COMMON_KEYS}, which are required, valid entity categories. */
export const PLATFORMS: Record<string, { keys: Record<string, Check>; required: string[]; categories: string[] }> = {
  sensor: {
    keys: {
      device_class: str,
      expire_after: positiveInt,
      force_update: bool,
      last_reset_value_template: str,
      options: (v) => (Array.isArray(v) ? null : "expected a list"),
      state_class: oneOf("measurement", "measurement_angle", "total", "total_increasing"),
      state_topic: topic,
      suggested_display_precision: (v) => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? null : "expected an integer >= 0"),
      unit_of_measurement: (v) => (typeof v === "string" ? null : "expected a string"),
      value_template: str,
    },
    required: ["state_topic"],
    // Sensors cannot be configuration entities (HA rejects entity_category "config" for sensors).
    categories: ["diagnostic"],
  },
  number: {
    keys: {
      command_template: str,
      command_topic: topic,
      device_class: str,
      max: num,
      min: num,
      mode: oneOf("auto", "box", "slider"),
      optimistic: bool,
      payload_reset: str,
      retain: bool,
      state_topic: topic,
      step: (v) => (typeof v === "number" && v >= 0.001 ? null : "expected a number >= 0.001"),
      unit_of_measurement: (v) => (typeof v === "string" ? null : "expected a string"),
      value_template: str,
    },
    required: ["command_topic"],
    categories: ["config", "diagnostic"],
  },
};

/** Home Assistant's documented abbreviations (subset that covers every option above). */
export const HA_ABBREVIATIONS: Record<string, string> = {
  avty: "availability", avty_mode: "availability_mode", avty_tpl: "availability_template", avty_t: "availability_topic",
  cmd_tpl: "command_template", cmd_t: "command_topic", def_ent_id: "default_entity_id", dev: "device", dev_cla: "device_class",
  en: "enabled_by_default", e: "encoding", ent_cat: "entity_category", ent_pic: "entity_picture", exp_aft: "expire_after",
  frc_upd: "force_update", ic: "icon", json_attr_tpl: "json_attributes_template", json_attr_t: "json_attributes_topic",
  lrst_val_tpl: "last_reset_value_template", max: "max", min: "min", mode: "mode", opt: "optimistic", ops: "options",
  o: "origin", p: "platform", pl_avail: "payload_available", pl_not_avail: "payload_not_available", pl_rst: "payload_reset",
  ret: "retain", stat_cla: "state_class", stat_t: "state_topic", step: "step", sug_dsp_prc: "suggested_display_precision",
  uniq_id: "unique_id", unit_of_meas: "unit_of_measurement", val_tpl: "value_template", qos: "qos",
};
/** Abbreviations inside `device`/`origin`. */
export const HA_DEVICE_ABBREVIATIONS: Record<string, string> = {
  cu: "configuration_url", cns: "connections", hw: "hw_version", ids: "identifiers", mf: "manufacturer", mdl: "model",
  mdl_id: "model_id", name: "name", sa: "suggested_area", sn: "serial_number", sw: "sw_version", via_device: "via_device",
  url: "support_url",
};

/** Expands a payload as Home Assistant does: abbreviations, then `~` at the start or end of `*_topic` values. */
export function expandPayload(raw: Record<string, unknown>, problems: string[] = []): Record<string, unknown> {
  const base = raw["~"];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === "~") continue;
    const long = HA_ABBREVIATIONS[key] ?? key;
    if (long in out) problems.push(`${key}: duplicates ${long}`);
    let v = value;
    if ((long === "device" || long === "origin") && v && typeof v === "object" && !Array.isArray(v)) {
      const inner: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) inner[HA_DEVICE_ABBREVIATIONS[k] ?? k] = x;
      v = inner;
    }
    if (typeof base === "string" && long.endsWith("_topic") && typeof v === "string") {
      if (v.startsWith("~")) v = base + v.slice(1);
      else if (v.endsWith("~")) v = v.slice(0, -1) + base;
    }
    out[long] = v;
  }
  return out;
}

/**
 * Checks one discovery payload for `platform` (the `<component>` level of its config topic).
 * @returns the problems found (empty when valid) and the expanded payload
 */
export function checkDiscoveryPayload(platform: string, raw: Record<string, unknown>): { problems: string[]; doc: Record<string, unknown> } {
  const problems: string[] = [];
  const spec = PLATFORMS[platform];
  if (!spec) return { problems: [`unsupported platform ${platform}`], doc: raw };
  if ("~" in raw && typeof raw["~"] !== "string") problems.push("~: expected a string");
  const doc = expandPayload(raw, problems);
  for (const [key, value] of Object.entries(doc)) {
    const check = spec.keys[key] ?? COMMON_KEYS[key];
    if (!check) {
      problems.push(`${key}: not a documented ${platform} option${key === "object_id" ? " (deprecated: use default_entity_id)" : ""}`);
      continue;
    }
    const p = check(value);
    if (p) problems.push(`${key}: ${p} (got ${JSON.stringify(value)})`);
  }
  for (const key of spec.required) if (!(key in doc)) problems.push(`${key}: required`);
  if (doc["availability"] !== undefined && doc["availability_topic"] !== undefined)
    problems.push("availability and availability_topic are exclusive");
  if (doc["default_entity_id"] !== undefined) {
    const p = entityIdOf(platform)(doc["default_entity_id"]);
    if (p) problems.push(`default_entity_id: ${p} (got ${JSON.stringify(doc["default_entity_id"])})`);
  }
  if (doc["entity_category"] !== undefined && !spec.categories.includes(doc["entity_category"] as string))
    problems.push(`entity_category: ${platform} allows ${spec.categories.join(", ")}`);
  if (doc["device"] !== undefined && typeof doc["device"] === "object") {
    const device = doc["device"] as Record<string, unknown>;
    for (const [key, value] of Object.entries(device)) {
      const check = DEVICE_KEYS[key];
      if (!check) problems.push(`device.${key}: not a documented device option`);
      else {
        const p = check(value);
        if (p) problems.push(`device.${key}: ${p}`);
      }
    }
    const ids = device["identifiers"];
    const cns = device["connections"];
    if (!(ids !== undefined && (typeof ids === "string" || (Array.isArray(ids) && ids.length > 0))) && !(Array.isArray(cns) && cns.length > 0))
      problems.push("device: needs identifiers or connections");
    if (doc["unique_id"] === undefined) problems.push("device: only works with unique_id set");
  }
  if (doc["origin"] !== undefined && typeof doc["origin"] === "object") {
    const origin = doc["origin"] as Record<string, unknown>;
    for (const [key, value] of Object.entries(origin)) {
      const check = ORIGIN_KEYS[key];
      if (!check) problems.push(`origin.${key}: not a documented origin option`);
      else if (check(value)) problems.push(`origin.${key}: ${check(value)}`);
    }
    if (origin["name"] === undefined) problems.push("origin.name: required");
  }
  if (platform === "number") {
    const min = (doc["min"] as number | undefined) ?? 1;
    const max = (doc["max"] as number | undefined) ?? 100;
    if (!(min < max)) problems.push("number: min must be below max");
  }
  return { problems, doc };
}
