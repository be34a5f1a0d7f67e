/**
 * Home Assistant MQTT discovery documents, one per reading, built once at setup.
 *
 * Topic `<discoveryPrefix>/sensor/<deviceId>/<sensor>_<quantity>/config`, published retained on every
 * connect so Home Assistant (re)creates the entities after its own restart or a broker without persistence.
 * Fields follow https://www.home-assistant.io/integrations/sensor.mqtt/ and the MQTT discovery docs:
 * `name`, `unique_id`, `object_id`, `state_topic`, `device_class`, `unit_of_measurement` (the payload's own
 * unit, so no conversion template is needed), `state_class: measurement`, `suggested_display_precision`,
 * `availability_topic` + `payload_available`/`payload_not_available`, `device` (identifiers, name,
 * manufacturer, model, sw_version), `origin`, and `expire_after` when configured.
 * @module
 */

import type { FirmwareConfig, Quantity } from "./config.js";
import { KIND_QUANTITIES } from "./config.js";
import { discoveryTopic, objectId, OFFLINE, ONLINE, QUANTITIES, readingTopic, statusTopic } from "./topics.js";

/** Firmware version reported as `sw_version`. */
export const FIRMWARE_VERSION = "0.1.0";
/** Manufacturer reported in the device registry. */
export const MANUFACTURER = "xsmqtt";

/** One discovery document: where it goes and what it says. */
export interface DiscoveryDocument {
  /** Discovery config topic. */
  readonly topic: string;
  /** The sensor (topic level) this entity reads. */
  readonly sensor: string;
  /** The quantity. */
  readonly quantity: Quantity;
  /** The JSON text (UTF-8 encode it once before publishing). */
  readonly json: string;
}

/** Optional device-registry fields. */
export interface DiscoveryOptions {
  /** `device.model` (default: the sensor kinds, e.g. `ESP32 + sht3x, bh1750`). */
  readonly model?: string;
  /** `device.sw_version` (default {@link FIRMWARE_VERSION}). */
  readonly swVersion?: string;
}

/**
 * Builds the discovery documents for every reading of a configuration (setup time; allocates).
 * @returns one document per (sensor, quantity), in publish order
 */
export function discoveryDocuments(config: FirmwareConfig, options: DiscoveryOptions = {}): DiscoveryDocument[] {
  const { prefix, deviceId } = config;
  const availability = statusTopic(prefix, deviceId);
  const device = {
    identifiers: [`xsmqtt_${deviceId}`],
    name: config.deviceName,
    manufacturer: MANUFACTURER,
    model: options.model ?? `ESP32 + ${config.sensors.map((s) => s.kind).join(", ")}`,
    sw_version: options.swVersion ?? FIRMWARE_VERSION,
  };
  const docs: DiscoveryDocument[] = [];
  for (const sensor of config.sensors) {
    for (const quantity of KIND_QUANTITIES[sensor.kind]) {
      const q = QUANTITIES[quantity];
      const body: Record<string, unknown> = {
        name: config.sensors.length > 1 ? `${sensor.name.toUpperCase()} ${q.label.toLowerCase()}` : q.label,
        unique_id: `xsmqtt_${deviceId}_${objectId(sensor.name, quantity)}`,
        object_id: `${deviceId}_${objectId(sensor.name, quantity)}`,
        state_topic: readingTopic(prefix, deviceId, sensor.name, quantity),
        device_class: q.deviceClass,
        unit_of_measurement: q.unit,
        state_class: "measurement",
        suggested_display_precision: q.decimals,
        availability_topic: availability,
        payload_available: ONLINE,
        payload_not_available: OFFLINE,
        device,
        origin: { name: "xsmqtt", sw_version: options.swVersion ?? FIRMWARE_VERSION },
      };
      if (config.expireAfter > 0) body["expire_after"] = config.expireAfter;
      docs.push(Object.freeze({
        topic: discoveryTopic(config.discoveryPrefix, deviceId, sensor.name, quantity),
        sensor: sensor.name,
        quantity,
        json: JSON.stringify(body),
      }));
    }
  }
  return docs;
}
