/**
 * The firmware's contracts with its host and its observers: the sensor driver shape it drives, the events it
 * reports and its counters.
 *
 * Module scope: types and one class (XS preload).
 * @module
 */

import type { I2CConstructor } from "../drivers/i2c.js";
import type { SensorKind } from "./config.js";

/** The ECMA-419 sensor-class shape the firmware drives (`SHT3x`, `BME280`, `BH1750`). */
export interface SensorDriver {
  /** Applies settings / (re)initialises the chip. Throws on a bus or chip fault. */
  configure(options?: Record<string, unknown>): void;
  /** Reads the chip: a reused object with SI fields (`temperature`, `humidity`, `pressure`, `illuminance`). */
  sample(): object | undefined;
  /** Releases the bus. */
  close(): void;
}

/** A sensor driver class, constructed as `new Driver({ sensor: { io, data, clock, address, hz }, onError })`. */
export interface SensorDriverClass {
  new (options: {
    sensor: { io: I2CConstructor; data: number; clock: number; address: number; hz: number; port?: number };
    onError?: (error: unknown) => void;
    now?: () => number;
    delay?: (ms: number) => void;
  }): SensorDriver;
}

/** Driver classes by kind; only the kinds present in the configuration are needed. */
export type SensorDrivers = Partial<Record<SensorKind, SensorDriverClass>>;

/** Events reported through `FirmwareOptions.onEvent` (firmware.ts). */
export type FirmwareEvent = "connected" | "disconnected" | "error" | "fault" | "recovered" | "period" | "rejected";

/** Counters for the simulator view and tests; plain numbers, updated in place. */
export class FirmwareCounters {
  /** Sample rounds run. */
  samples = 0;
  /** Readings published (SENT or QUEUED). */
  readings = 0;
  /** SenML documents published. */
  senml = 0;
  /** Publishes refused by the client (BUSY, QUEUE_FULL, NOT_CONNECTED, TOO_LARGE...) or dropped from its offline queue. */
  dropped = 0;
  /** Sensor faults (failed configure or sample). */
  faults = 0;
  /** Sensor recoveries. */
  recoveries = 0;
  /** Period commands accepted. */
  commands = 0;
  /** Period commands rejected (bad payload / out of range). */
  rejected = 0;
  /** CONNACKs received. */
  connects = 0;
  /** Connections lost (excluding the final `stop()`). */
  disconnects = 0;
  /** Device diagnostics rounds published (uptime, reconnects, RSSI, free heap). */
  diagnostics = 0;
}
