/**
 * ROHM BH1750FVI ambient light sensor, ECMA-419 sensor class.
 *
 * Opcodes: power on 0x01, power down 0x00, reset 0x07 (clears the data register; only when powered),
 * continuous 0x10/0x11/0x13 and one-time 0x20/0x21/0x23 (H-resolution, H-resolution mode 2, L-resolution),
 * measurement time register MTreg (31…254, default 69) as 0x40|MT[7:5] then 0x60|MT[4:0].
 * lux = raw / 1.2 × 69 / MTreg (÷ 2 in H-resolution mode 2).
 * Conversion time (datasheet max): H modes 180 ms, L mode 24 ms, both × MTreg / 69.
 *
 * The chip has no status: a read always ACKs and returns the last finished conversion (0 after reset).
 * Readiness therefore comes from the timing hooks (see `sensor.ts`): with `now` the driver knows; with
 * only `delay` the first `sample()` after `configure()` waits one conversion time and later calls assume
 * they are at least `conversionTime` apart; with neither, that first `sample()` throws `SENSOR_TIMEOUT`.
 * Continuous mode (default) reads the latest result; one-time mode pipelines one conversion per `sample()`
 * and the chip powers down in between.
 * @module
 */
import { SENSOR_CLOSED, SENSOR_CONFIG, SENSOR_NACK, SENSOR_TIMEOUT } from "./errors.js";
import type { I2C } from "./i2c.js";
import { openSensorBus, reportFault, type SensorErrorHandler, type SensorOptions } from "./sensor.js";

/** Default address (ADDR pin low). */
export const BH1750_ADDRESS = 0x23;
/** Alternate address (ADDR pin high). */
export const BH1750_ADDRESS_ALT = 0x5c;

/** BH1750 instruction opcodes. */
export const BH1750Opcode = Object.freeze({
  POWER_DOWN: 0x00,
  POWER_ON: 0x01,
  RESET: 0x07,
  CONTINUOUS_H: 0x10,
  CONTINUOUS_H2: 0x11,
  CONTINUOUS_L: 0x13,
  ONE_TIME_H: 0x20,
  ONE_TIME_H2: 0x21,
  ONE_TIME_L: 0x23,
  /** OR with MTreg bits 7:5. */
  MTREG_HIGH: 0x40,
  /** OR with MTreg bits 4:0. */
  MTREG_LOW: 0x60,
} as const);

/** Default measurement time register value. */
export const BH1750_MTREG_DEFAULT = 69;
/** Smallest MTreg value. */
export const BH1750_MTREG_MIN = 31;
/** Largest MTreg value. */
export const BH1750_MTREG_MAX = 254;

/** Resolution mode: 1 lx (`"high"`), 0.5 lx (`"high2"`), 4 lx (`"low"`), at MTreg 69. */
export type BH1750Resolution = "high" | "high2" | "low";

/** Options of {@link BH1750.configure}; absent fields keep their current value. */
export interface BH1750Configuration {
  /** `"continuous"` (default) or `"one-time"` (powers down between conversions). */
  mode?: "continuous" | "one-time";
  /** Default `"high"`. */
  resolution?: BH1750Resolution;
  /** Measurement time register, 31…254, default 69 (larger: more sensitive, slower, lower maximum). */
  mtreg?: number;
}

/** Constructor options. */
export interface BH1750Options extends SensorOptions, BH1750Configuration {}

/** One reading. */
export interface BH1750Sample {
  /** Lux. */
  illuminance: number;
}

// Compared in sample(): module constants, because XS copies a string literal into a new chunk each time
// code parsed at run time executes it.
const RESOLUTION_HIGH: BH1750Resolution = "high";
const RESOLUTION_HIGH2: BH1750Resolution = "high2";

/**
 * Lux from a raw count: raw / 1.2 × 69 / MTreg, halved in H-resolution mode 2.
 * @param raw - 16-bit count.
 * @param mtreg - measurement time register, 31…254.
 * @param resolution - the mode the count was measured in.
 * @returns lux.
 */
export function bh1750Lux(raw: number, mtreg: number, resolution: BH1750Resolution): number {
  const lux = (raw / 1.2) * (BH1750_MTREG_DEFAULT / mtreg);
  return resolution === RESOLUTION_HIGH2 ? lux / 2 : lux;
}

/**
 * Worst-case conversion time, ms: 180 (H modes) or 24 (L mode) × MTreg / 69, rounded up.
 * @param resolution - mode.
 * @param mtreg - measurement time register.
 * @returns milliseconds.
 */
export function bh1750ConversionTime(resolution: BH1750Resolution, mtreg: number): number {
  return Math.ceil(((resolution === "low" ? 24 : 180) * mtreg) / BH1750_MTREG_DEFAULT);
}

/** BH1750 driver. All faults are {@link SensorError}s (also passed to `onError`). */
export class BH1750 {
  #io: I2C | undefined;
  #onError: SensorErrorHandler | undefined;
  #delay: ((ms: number) => void) | undefined;
  #now: (() => number) | undefined;
  /** Exact-length views over one ArrayBuffer: the 2-byte result and the 1-byte opcode. */
  #data: Uint8Array;
  #opcode: Uint8Array;
  #sample: BH1750Sample = { illuminance: NaN };
  #oneTime = false;
  #resolution: BH1750Resolution = "high";
  #mtreg = BH1750_MTREG_DEFAULT;
  #conversionMs = bh1750ConversionTime("high", BH1750_MTREG_DEFAULT);
  #pending = false;
  /** The pending conversion is the first after configure() (the only one the driver waits for without a clock). */
  #first = false;
  #readyAt = 0;

  /**
   * Opens the port, powers the chip on, resets its data register and applies the configuration (the first
   * conversion starts).
   * @param options - `sensor` (io, pins, `address` 0x23 or 0x5C), `onError`, `delay`, `now`, configuration.
   * @throws SensorError `SENSOR_CONFIG`, `SENSOR_BUS`, `SENSOR_NACK` (device missing).
   */
  constructor(options: BH1750Options) {
    this.#onError = options?.onError;
    const io = openSensorBus(this, options, BH1750_ADDRESS, [BH1750_ADDRESS, BH1750_ADDRESS_ALT]);
    this.#io = io;
    this.#delay = options.delay;
    this.#now = options.now;
    const buffer = new ArrayBuffer(3);
    this.#data = new Uint8Array(buffer, 0, 2);
    this.#opcode = new Uint8Array(buffer, 2, 1);
    try {
      this.#send(io, BH1750Opcode.POWER_ON);
      this.#send(io, BH1750Opcode.RESET);
      this.configure(options);
    } catch (e) {
      this.#io = undefined;
      io.close();
      throw e;
    }
  }

  /**
   * Changes mode, resolution or MTreg and restarts conversions.
   * @param options - fields to change.
   * @throws SensorError `SENSOR_CONFIG`, `SENSOR_NACK`, `SENSOR_CLOSED`.
   */
  configure(options: BH1750Configuration = {}): void {
    const io = this.#open();
    const { mode, resolution, mtreg } = options;
    if (mode !== undefined && mode !== "continuous" && mode !== "one-time")
      this.#fail(SENSOR_CONFIG, "mode must be \"continuous\" or \"one-time\"");
    if (resolution !== undefined && resolution !== "high" && resolution !== "high2" && resolution !== "low")
      this.#fail(SENSOR_CONFIG, "resolution must be \"high\", \"high2\" or \"low\"");
    if (mtreg !== undefined && (typeof mtreg !== "number" || !Number.isInteger(mtreg) ||
      mtreg < BH1750_MTREG_MIN || mtreg > BH1750_MTREG_MAX))
      this.#fail(SENSOR_CONFIG, "mtreg must be an integer 31…254");
    if (mode !== undefined) this.#oneTime = mode === "one-time";
    if (resolution !== undefined) this.#resolution = resolution;
    if (mtreg !== undefined) this.#mtreg = mtreg;
    this.#conversionMs = bh1750ConversionTime(this.#resolution, this.#mtreg);
    this.#pending = false;
    this.#send(io, BH1750Opcode.POWER_ON);
    this.#send(io, BH1750Opcode.MTREG_HIGH | (this.#mtreg >> 5));
    this.#send(io, BH1750Opcode.MTREG_LOW | (this.#mtreg & 0x1f));
    this.#trigger(io);
    this.#first = true;
  }

  /**
   * Worst-case conversion time of the current configuration, ms.
   * @returns milliseconds.
   */
  get conversionTime(): number {
    return this.#conversionMs;
  }

  /**
   * Continuous mode: the latest conversion. One-time mode: the conversion started by the previous call (or
   * `configure()`); the next one is started. The returned object is the same on every call.
   * @returns `{ illuminance (lux) }`; a saturated count reads 65535 / 1.2 × 69 / MTreg.
   * @throws SensorError `SENSOR_TIMEOUT` (first conversion not due and no `delay`), `SENSOR_NACK`, `SENSOR_CLOSED`.
   */
  sample(): BH1750Sample {
    const io = this.#open();
    if (this.#oneTime && !this.#pending) {
      this.#trigger(io);
      this.#first = true; // nothing older to read: this conversion must be waited for
    }
    if (this.#pending) this.#awaitConversion();
    const data = this.#data;
    try {
      io.read(data);
    } catch (e) {
      this.#fail(SENSOR_NACK, "reading the result", e);
    }
    if (this.#oneTime) {
      this.#pending = false;
      try {
        this.#trigger(io);
      } catch {
        // The next sample() triggers again and reports a lasting fault.
      }
    } else {
      this.#pending = false;
    }
    const sample = this.#sample;
    sample.illuminance = bh1750Lux((data[0]! << 8) | data[1]!, this.#mtreg, this.#resolution);
    return sample;
  }

  /** Powers the chip down (best effort) and releases the port. Idempotent. */
  close(): void {
    const io = this.#io;
    if (io === undefined) return;
    try {
      this.#send(io, BH1750Opcode.POWER_DOWN);
    } catch {
      // closing anyway
    }
    this.#io = undefined;
    this.#pending = false;
    io.close();
  }

  #open(): I2C {
    const io = this.#io;
    if (io === undefined) return this.#fail(SENSOR_CLOSED);
    return io;
  }

  #fail(code: number, detail?: string, cause?: unknown): never {
    return reportFault(this, this.#onError, code, detail, cause);
  }

  #send(io: I2C, opcode: number): void {
    const view = this.#opcode;
    view[0] = opcode;
    try {
      io.write(view);
    } catch (e) {
      this.#fail(SENSOR_NACK, "opcode 0x" + opcode.toString(16), e);
    }
  }

  #trigger(io: I2C): void {
    const r = this.#resolution;
    const base = this.#oneTime ? BH1750Opcode.ONE_TIME_H : BH1750Opcode.CONTINUOUS_H;
    this.#send(io, base | (r === RESOLUTION_HIGH ? 0 : r === RESOLUTION_HIGH2 ? 1 : 3));
    this.#pending = true;
    this.#first = false;
    const now = this.#now;
    if (now !== undefined) this.#readyAt = now() + this.#conversionMs;
  }

  #awaitConversion(): void {
    const now = this.#now;
    const delay = this.#delay;
    if (now !== undefined) {
      const remaining = this.#readyAt - now();
      if (remaining > 0) {
        if (delay === undefined) this.#fail(SENSOR_TIMEOUT, "conversion due in " + remaining + " ms");
        delay(remaining);
      }
      return;
    }
    if (!this.#first) return; // no clock: the caller spaces calls by conversionTime
    this.#first = false;
    if (delay === undefined) this.#fail(SENSOR_TIMEOUT, "first conversion needs " + this.#conversionMs + " ms");
    delay(this.#conversionMs);
  }
}
