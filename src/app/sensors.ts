/**
 * The firmware's sensors: driver construction and (re)configuration, sampling with fault capture, health
 * tracking, and the per-sensor status topic (`<prefix>/<deviceId>/<sensor>/error`: `ok`, or `CODE: message`).
 *
 * The per-sensor flags, status topic handles and `ok` payload live in the firmware's tables (its one
 * ArrayBuffer); sampling a healthy sensor allocates
 * nothing (the driver returns its reused sample object). The fault path may allocate: the driver already
 * allocated its error object, and the code/message strings are kept for the status payload.
 *
 * Module scope: frozen constants and functions (XS preload).
 * @module
 */

import { writeAscii, writeUtf8 } from "../codec/text.js";
import type { MqttClient } from "../client/client.js";
import { BUSY, SENT } from "../client/codes.js";
import { sensorCodeName } from "../drivers/errors.js";
import type { I2CConstructor } from "../drivers/i2c.js";
import type { SensorConfig } from "./config.js";
import { OK } from "./topics.js";
import type { FirmwareCounters, FirmwareEvent, SensorDriver, SensorDrivers } from "./types.js";

const UNKNOWN = 0;
const HEALTHY = 1;
const FAULTY = 2;

/** Fault code used when a driver reports an error without a code. */
const GENERIC_FAULT = "SENSOR_FAULT";
const SEPARATOR = ": ";
const TOO_LONG = "(message too long)";

/** What {@link Sensors} is built from (setup time). */
export interface SensorsOptions {
  /** The configured sensors, by sensor index. */
  readonly configs: readonly SensorConfig[];
  /** Driver classes by kind. */
  readonly drivers: SensorDrivers;
  /** The `embedded:io/i2c` class. */
  readonly i2c: I2CConstructor;
  /** Monotonic milliseconds, handed to the drivers. */
  readonly now: () => number;
  /** Blocking wait handed to the drivers (Moddable `Timer.delay`), if any. */
  readonly delay: ((ms: number) => void) | undefined;
  /** The firmware's counters (`faults`, `recoveries`). */
  readonly counters: FirmwareCounters;
  /** Rare events (`fault`, `recovered`). */
  readonly onEvent: ((event: FirmwareEvent, detail: string) => void) | undefined;
  /** The firmware's byte table: the flags and the `ok` payload live in it. */
  readonly bytes: Uint8Array;
  /** Offset in `bytes` of 3 × sensors flags: configured, health, status owed. */
  readonly flagsAt: number;
  /** Offset in `bytes` of the `ok` payload. */
  readonly okAt: number;
  /** The firmware's int table: the status topic handles live in it. */
  readonly ints: Int32Array;
  /** Offset in `ints` of the status topic handle per sensor. */
  readonly handlesAt: number;
  /** Text region for `CODE: message` payloads. */
  readonly text: Uint8Array;
}


/** The sensors of one firmware. */
export class Sensors {
  /** Per sensor: last fault code, or `null` when healthy. */
  readonly fault: (string | null)[];
  /** Per sensor: last fault message, or `null`. */
  readonly message: (string | null)[];
  readonly #o: SensorsOptions;
  readonly #n: number;
  readonly #driver: (SensorDriver | null)[];
  readonly #lastError: unknown[];
  /** The one driver error callback: records the error of the sensor being talked to (#current). */
  readonly #onDriverError: (error: unknown) => void;
  #current = 0;

  /** Setup: no driver is constructed until {@link setup}. */
  constructor(options: SensorsOptions) {
    const n = options.configs.length;
    this.#o = options;
    this.#n = n;
    this.fault = new Array<string | null>(n).fill(null);
    this.message = new Array<string | null>(n).fill(null);
    this.#driver = new Array<SensorDriver | null>(n).fill(null);
    this.#lastError = new Array<unknown>(n).fill(undefined);
    this.#onDriverError = (error: unknown) => { this.#lastError[this.#current] = error; };
  }

  /** True when sensor `i` is configured (its last configure succeeded and no fault since). */
  configured(i: number): boolean {
    return this.#o.bytes[this.#o.flagsAt + i] === 1;
  }

  /**
   * Constructs (if needed) and configures sensor `i`. A fresh configure starts a conversion, so the sensor is
   * sampled from the next round on. Reports a fault when `report` and it fails.
   * @returns true when configured
   */
  setup(i: number, report: boolean): boolean {
    const o = this.#o;
    const s = o.configs[i]!;
    this.#current = i;
    try {
      let driver = this.#driver[i] ?? null;
      if (driver === null) {
        const Driver = o.drivers[s.kind]!;
        const sensor: { io: I2CConstructor; data: number; clock: number; address: number; hz: number; port?: number } =
          { io: o.i2c, data: s.data, clock: s.clock, address: s.address, hz: s.hz };
        if (s.port !== undefined) sensor.port = s.port;
        const options: { sensor: typeof sensor; onError: (error: unknown) => void; now: () => number; delay?: (ms: number) => void } =
          { sensor, onError: this.#onDriverError, now: o.now };
        if (o.delay) options.delay = o.delay;
        driver = new Driver(options);
        this.#driver[i] = driver;
      }
      driver.configure({});
      o.bytes[o.flagsAt + i] = 1;
      return true;
    } catch (error) {
      o.bytes[o.flagsAt + i] = 0;
      if (report) this.#fault(i, error);
      return false;
    }
  }

  /**
   * Samples configured sensor `i`.
   * @returns the driver's (reused) sample object, or `undefined` when it threw, reported an error or returned
   *   nothing (then call {@link failed})
   */
  sample(i: number): Record<string, unknown> | undefined {
    let sample: object | undefined;
    this.#current = i;
    this.#lastError[i] = undefined;
    try {
      sample = this.#driver[i]!.sample();
    } catch (error) {
      this.#lastError[i] = error;
      sample = undefined;
    }
    if (sample === undefined || sample === null || this.#lastError[i] !== undefined) return undefined;
    return sample as Record<string, unknown>;
  }

  /** Sensor `i` gave a good sample: healthy again (status `ok` owed on a change). */
  healthy(i: number): void {
    const flags = this.#o.bytes;
    const health = this.#o.flagsAt + this.#n + i;
    if (flags[health] === HEALTHY) return;
    const wasFaulty = flags[health] === FAULTY;
    flags[health] = HEALTHY;
    this.fault[i] = null;
    this.message[i] = null;
    flags[this.#o.flagsAt + 2 * this.#n + i] = 1;
    if (wasFaulty) {
      this.#o.counters.recoveries++;
      this.#o.onEvent?.("recovered", this.#o.configs[i]!.name);
    }
  }

  /** Sensor `i`'s sample failed (or had no usable value): a fault, and a re-configure for the next round. */
  failed(i: number): void {
    this.#fault(i, this.#lastError[i] ?? "sample returned no value");
    this.setup(i, false);
  }

  // Fault path: may allocate (the driver already allocated its error object).
  #fault(i: number, error: unknown): void {
    const o = this.#o;
    o.counters.faults++;
    const flags = o.bytes;
    flags[o.flagsAt + i] = 0;
    let code = GENERIC_FAULT;
    let message = "";
    if (typeof error === "string") message = error;
    else if (error && typeof error === "object") {
      const e = error as { code?: unknown; message?: unknown };
      if (typeof e.code === "string" && e.code.length > 0) code = e.code;
      else if (typeof e.code === "number") code = e.code <= -200 && e.code > -300 ? sensorCodeName(e.code) : `E${e.code}`;
      if (typeof e.message === "string") message = e.message;
    } else message = String(error);
    const health = o.flagsAt + this.#n + i;
    if (flags[health] === FAULTY && this.fault[i] === code && this.message[i] === message) return;
    flags[health] = FAULTY;
    this.fault[i] = code;
    this.message[i] = message;
    flags[o.flagsAt + 2 * this.#n + i] = 1;
    o.onEvent?.("fault", `${o.configs[i]!.name}: ${code}: ${message}`);
  }

  /** After a CONNACK: owes the status of every sensor whose health is known. */
  oweStatus(): void {
    const flags = this.#o.bytes;
    const at = this.#o.flagsAt;
    for (let i = 0; i < this.#n; i++) if (flags[at + this.#n + i] !== UNKNOWN) flags[at + 2 * this.#n + i] = 1;
  }

  /**
   * Publishes the owed statuses (QoS 1, retained): `ok`, or `CODE: message`.
   * @returns 0 when done, {@link BUSY} when the client is full (call again on writable)
   */
  pumpStatus(client: MqttClient): number {
    const o = this.#o;
    const flags = o.bytes;
    const at = o.flagsAt;
    const n = this.#n;
    for (let i = 0; i < n; i++) {
      if (!flags[at + 2 * n + i]) continue;
      const handle = o.ints[o.handlesAt + i]!;
      let status: number;
      if (flags[at + n + i] === HEALTHY) status = client.publish(handle, flags, o.okAt, OK.length, 1, true);
      else {
        const buf = o.text;
        let end = writeUtf8(buf, 0, this.fault[i] ?? GENERIC_FAULT);
        if (end >= 0) end = writeAscii(buf, end, SEPARATOR);
        if (end >= 0) {
          const m = writeUtf8(buf, end, this.message[i] ?? "");
          end = m >= 0 ? m : writeUtf8(buf, end, TOO_LONG);
        }
        status = end < 0 ? SENT : client.publish(handle, buf, 0, end, 1, true);
      }
      if (status === BUSY) return BUSY;
      flags[at + 2 * n + i] = 0;
    }
    return 0;
  }

  /** Closes every driver (a faulted bus may throw on close; ignored). */
  close(): void {
    for (let i = 0; i < this.#n; i++) {
      const d = this.#driver[i];
      this.#driver[i] = null;
      this.#current = i;
      this.#o.bytes[this.#o.flagsAt + i] = 0;
      if (!d) continue;
      try {
        d.close();
      } catch {
        // closing a faulted bus may throw; nothing to do
      }
    }
  }
}
