/**
 * The firmware's topic layout, units and payload conventions: one place, used by the firmware, the
 * discovery documents, the SenML writer, the simulator view and the tests.
 *
 * ```
 * <prefix>/<deviceId>/<sensor>/<quantity>   reading, plain decimal text (e.g. "21.53")
 * <prefix>/<deviceId>/<sensor>/error        sensor diagnostics: "<CODE>: <message>" on a fault, "ok" on recovery (retained)
 * <prefix>/<deviceId>/status                availability: "online" (retained, on connect) / "offline" (retained will, and on stop)
 * <prefix>/<deviceId>/cmd/period            command: new sample period, decimal milliseconds 1000..3600000
 * <prefix>/<deviceId>/period                current sample period, decimal milliseconds (retained)
 * <prefix>/<deviceId>/error                 device diagnostics (rejected commands), not retained
 * <prefix>/<deviceId>/senml                 optional SenML (RFC 8428) JSON document per sample
 * <prefix>/<deviceId>/diag/<name>           device diagnostics: uptime, reconnects, rssi, heap (integers, not retained)
 * <discoveryPrefix>/<platform>/<deviceId>/<object>/config   Home Assistant discovery (retained):
 *     sensor/<deviceId>/<sensor>_<quantity>, sensor/<deviceId>/<sensor>_status, sensor/<deviceId>/<diag name>,
 *     number/<deviceId>/period
 * ```
 *
 * Topic strings are built at setup only. Module scope: frozen constants and functions (XS preload).
 * @module
 */

import { PERIOD_MAX, PERIOD_MIN, type Quantity } from "./config.js";

/** Availability payload published (retained) on connect. */
export const ONLINE = "online";
/** Availability payload of the will (retained) and of a clean stop. */
export const OFFLINE = "offline";
/** Diagnostics payload when a sensor recovers. */
export const OK = "ok";

/** Per-quantity conventions: decimals of the plain-text payload, SenML unit, Home Assistant class/unit. */
export interface QuantityInfo {
  /** Fixed decimals written in the reading payload. */
  readonly decimals: number;
  /** SenML unit (RFC 8428 §12.1 registry). */
  readonly senmlUnit: string;
  /** Home Assistant `device_class`. */
  readonly deviceClass: string;
  /** Home Assistant `unit_of_measurement`; the same unit as the payload. */
  readonly unit: string;
  /** Human label for the entity name. */
  readonly label: string;
}

/**
 * Units and decimals per quantity. Payloads are SI as the drivers return them, except relative humidity in
 * percent: temperature °C (2 decimals), humidity %RH (1), pressure Pa (0), illuminance lx (1).
 */
export const QUANTITIES: Readonly<Record<Quantity, QuantityInfo>> = Object.freeze({
  temperature: Object.freeze({ decimals: 2, senmlUnit: "Cel", deviceClass: "temperature", unit: "°C", label: "Temperature" }),
  humidity: Object.freeze({ decimals: 1, senmlUnit: "%RH", deviceClass: "humidity", unit: "%", label: "Humidity" }),
  pressure: Object.freeze({ decimals: 0, senmlUnit: "Pa", deviceClass: "pressure", unit: "Pa", label: "Pressure" }),
  illuminance: Object.freeze({ decimals: 1, senmlUnit: "lx", deviceClass: "illuminance", unit: "lx", label: "Illuminance" }),
});

/** `<prefix>/<deviceId>` */
export function deviceBase(prefix: string, deviceId: string): string {
  return `${prefix}/${deviceId}`;
}

/** `<prefix>/<deviceId>/<sensor>/<quantity>` */
export function readingTopic(prefix: string, deviceId: string, sensor: string, quantity: Quantity): string {
  return `${prefix}/${deviceId}/${sensor}/${quantity}`;
}

/** `<prefix>/<deviceId>/<sensor>/error` */
export function sensorErrorTopic(prefix: string, deviceId: string, sensor: string): string {
  return `${prefix}/${deviceId}/${sensor}/error`;
}

/** `<prefix>/<deviceId>/status` */
export function statusTopic(prefix: string, deviceId: string): string {
  return `${prefix}/${deviceId}/status`;
}

/** `<prefix>/<deviceId>/cmd/period` */
export function periodCommandTopic(prefix: string, deviceId: string): string {
  return `${prefix}/${deviceId}/cmd/period`;
}

/** `<prefix>/<deviceId>/period` (current period, retained) */
export function periodStateTopic(prefix: string, deviceId: string): string {
  return `${prefix}/${deviceId}/period`;
}

/** `<prefix>/<deviceId>/error` (device-level diagnostics) */
export function deviceErrorTopic(prefix: string, deviceId: string): string {
  return `${prefix}/${deviceId}/error`;
}

/** `<prefix>/<deviceId>/senml` */
export function senmlTopic(prefix: string, deviceId: string): string {
  return `${prefix}/${deviceId}/senml`;
}

/** Home Assistant object id of one reading: `<sensor>_<quantity>`. */
export function objectId(sensor: string, quantity: Quantity): string {
  return `${sensor}_${quantity}`;
}

/** `<discoveryPrefix>/sensor/<deviceId>/<sensor>_<quantity>/config` */
export function discoveryTopic(discoveryPrefix: string, deviceId: string, sensor: string, quantity: Quantity): string {
  return entityConfigTopic(discoveryPrefix, "sensor", deviceId, objectId(sensor, quantity));
}

/** `<discoveryPrefix>/<platform>/<deviceId>/<object>/config` (any Home Assistant entity). */
export function entityConfigTopic(discoveryPrefix: string, platform: string, deviceId: string, object: string): string {
  return `${discoveryPrefix}/${platform}/${deviceId}/${object}/config`;
}

/** `<prefix>/<deviceId>/diag/<name>` (one device diagnostic: `uptime`, `reconnects`, `rssi`, `heap`). */
export function diagnosticTopic(prefix: string, deviceId: string, name: string): string {
  return `${prefix}/${deviceId}/diag/${name}`;
}

/**
 * A Home Assistant entity id of `platform` for the given parts: lower case, `[a-z0-9_]`, other characters as
 * `_`, no doubled, leading or trailing `_` (what HA's `cv.entity_id` accepts), e.g.
 * `entityId("sensor", "Dev-01", "sht3x_temperature")` → `sensor.dev_01_sht3x_temperature`.
 */
export function entityId(platform: string, ...parts: string[]): string {
  let slug = "";
  const text = parts.join("_");
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    const word = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    if (word) slug += String.fromCharCode(c);
    else if (slug.length > 0 && !slug.endsWith("_")) slug += "_";
  }
  if (slug.endsWith("_")) slug = slug.slice(0, -1);
  return `${platform}.${slug}`;
}

/** {@link parsePeriod}: the payload is not a plain decimal integer. */
export const PERIOD_NOT_A_NUMBER = -1;
/** {@link parsePeriod}: the value is outside {@link PERIOD_MIN}..{@link PERIOD_MAX}. */
export const PERIOD_OUT_OF_RANGE = -2;

/**
 * Parses a period command payload: ASCII decimal milliseconds, optional surrounding spaces/newline,
 * nothing else (no sign, no fraction, no exponent). Allocates nothing.
 * @returns the period in ms, {@link PERIOD_NOT_A_NUMBER} or {@link PERIOD_OUT_OF_RANGE}.
 */
export function parsePeriod(buf: Uint8Array, offset: number, length: number): number {
  let i = offset;
  const end = offset + length;
  while (i < end && isSpace(buf[i] ?? 0)) i++;
  let value = 0;
  let digits = 0;
  while (i < end) {
    const c = buf[i] ?? 0;
    if (c < 48 || c > 57) break;
    if (digits < 12) value = value * 10 + (c - 48);
    digits++;
    i++;
  }
  while (i < end && isSpace(buf[i] ?? 0)) i++;
  if (digits === 0 || i !== end) return PERIOD_NOT_A_NUMBER;
  if (digits > 9 || value < PERIOD_MIN || value > PERIOD_MAX) return PERIOD_OUT_OF_RANGE;
  return value;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
