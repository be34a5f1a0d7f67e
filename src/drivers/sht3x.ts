/**
 * Sensirion SHT3x (SHT30/SHT31/SHT35) temperature and humidity sensor, ECMA-419 sensor class.
 *
 * Single-shot measurements with clock stretching disabled (commands 0x2400 / 0x240B / 0x2416): the bus is
 * never held, and the chip NACKs a read header while it is converting. Conversion time (datasheet max):
 * high 15.5 ms, medium 6.5 ms, low 4.5 ms. `sample()` is pipelined (see `sensor.ts`): it reads the
 * conversion started by the previous `sample()`/`configure()` and starts the next one.
 *
 * Both 16-bit words carry a CRC-8 (polynomial 0x31, init 0xFF); a mismatch is `SENSOR_CRC`.
 * T = -45 + 175·S/65535 °C, RH = 100·S/65535 %.
 *
 * @example
 * ```ts
 * import I2C from "embedded:io/i2c";
 * const sht = new SHT3x({ sensor: { io: I2C, data: 21, clock: 22 }, delay: Timer.delay });
 * const { temperature, humidity } = sht.sample(); // same object every call
 * ```
 * @module
 */
import { SENSOR_CONFIG, SENSOR_CLOSED, SENSOR_CRC, SENSOR_NACK, SENSOR_TIMEOUT } from "./errors.js";
import type { I2C } from "./i2c.js";
import { openSensorBus, reportFault, type SensorErrorHandler, type SensorOptions } from "./sensor.js";

/** Default address (ADDR pin low). */
export const SHT3X_ADDRESS = 0x44;
/** Alternate address (ADDR pin high). */
export const SHT3X_ADDRESS_ALT = 0x45;

/** SHT3x commands used by the driver (16-bit, sent MSB first). */
export const SHT3xCommand = Object.freeze({
  /** Single shot, high repeatability, clock stretching disabled. */
  MEASURE_HIGH: 0x2400,
  /** Single shot, medium repeatability, clock stretching disabled. */
  MEASURE_MEDIUM: 0x240b,
  /** Single shot, low repeatability, clock stretching disabled. */
  MEASURE_LOW: 0x2416,
  /** Soft reset (1.5 ms until the chip answers again). */
  SOFT_RESET: 0x30a2,
  /** Heater on. */
  HEATER_ON: 0x306d,
  /** Heater off. */
  HEATER_OFF: 0x3066,
  /** Read status register (2 bytes + CRC follow). */
  READ_STATUS: 0xf32d,
  /** Clear status register. */
  CLEAR_STATUS: 0x3041,
} as const);

/** Wait the driver allows per repeatability, ms: datasheet maximum (15.5 / 6.5 / 4.5) rounded up. */
export const SHT3X_CONVERSION_MS = Object.freeze({ high: 16, medium: 7, low: 5 } as const);

/** Wait after a soft reset, ms (datasheet t_SR max 1.5 ms). */
export const SHT3X_RESET_MS = 2;

/** Measurement repeatability (noise versus conversion time and current). */
export type SHT3xRepeatability = "high" | "medium" | "low";

/** Options of {@link SHT3x.configure}; absent fields keep their current value. */
export interface SHT3xConfiguration {
  /** Default `"high"`. */
  repeatability?: SHT3xRepeatability;
  /** Internal heater (for condensation removal and plausibility checks); default off. */
  heater?: boolean;
}

/** Constructor options: bus, callbacks, and an initial configuration. */
export interface SHT3xOptions extends SensorOptions, SHT3xConfiguration {}

/** One reading. */
export interface SHT3xSample {
  /** Degrees Celsius. */
  temperature: number;
  /** Relative humidity, percent (0…100). */
  humidity: number;
}

/**
 * CRC-8 of the SHT3x/SGP family: polynomial 0x31 (x⁸+x⁵+x⁴+1), init 0xFF, no reflection, no final XOR.
 * Datasheet vector: `0xBE 0xEF` → `0x92`.
 * @param bytes - the data.
 * @param offset - first byte.
 * @param length - number of bytes.
 * @returns the CRC, 0…255.
 */
export function sht3xCrc8(bytes: Uint8Array, offset: number, length: number): number {
  let crc = 0xff;
  for (let i = offset, end = offset + length; i < end; i++) {
    crc ^= bytes[i] ?? 0;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x31) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/**
 * Temperature from a raw word: T = -45 + 175·S/65535.
 * @param raw - 0…65535.
 * @returns °C.
 */
export function sht3xTemperature(raw: number): number {
  return -45 + (175 * raw) / 65535;
}

/**
 * Relative humidity from a raw word: RH = 100·S/65535.
 * @param raw - 0…65535.
 * @returns %RH.
 */
export function sht3xHumidity(raw: number): number {
  return (100 * raw) / 65535;
}

/** SHT3x driver. All faults are {@link SensorError}s (also passed to `onError`). */
export class SHT3x {
  #io: I2C | undefined;
  #onError: SensorErrorHandler | undefined;
  #delay: ((ms: number) => void) | undefined;
  #now: (() => number) | undefined;
  /** One ArrayBuffer, two exact-length, non-overlapping views: the answer (6) and the command (2). */
  #command: Uint8Array;
  #data: Uint8Array;
  #sample: SHT3xSample = { temperature: NaN, humidity: NaN };
  #measure: number = SHT3xCommand.MEASURE_HIGH;
  #conversionMs: number = SHT3X_CONVERSION_MS.high;
  #heater = false;
  /** Settings changed while a conversion was running: apply them at the next trigger. */
  #dirty = true;
  /** A conversion was started and its result not read yet. */
  #pending = false;
  /** `now()` at which the pending conversion is due (only with `now`). */
  #readyAt = 0;
  /** Conversion time of the pending conversion (the configuration may have changed since). */
  #pendingMs: number = SHT3X_CONVERSION_MS.high;

  /**
   * Opens the port, soft-resets the chip (only when `delay` is given), applies the configuration and starts
   * the first conversion.
   * @param options - `sensor` (io, pins, `address` 0x44 or 0x45), `onError`, `delay`, `now`, configuration.
   * @throws SensorError `SENSOR_CONFIG`, `SENSOR_BUS`, `SENSOR_NACK` (device missing).
   */
  constructor(options: SHT3xOptions) {
    this.#onError = options?.onError;
    const io = openSensorBus(this, options, SHT3X_ADDRESS, [SHT3X_ADDRESS, SHT3X_ADDRESS_ALT]);
    this.#io = io;
    this.#delay = options.delay;
    this.#now = options.now;
    const buffer = new ArrayBuffer(8);
    this.#data = new Uint8Array(buffer, 0, 6);
    this.#command = new Uint8Array(buffer, 6, 2);
    try {
      if (this.#delay !== undefined) this.#reset(io);
      this.configure(options);
    } catch (e) {
      this.#io = undefined;
      io.close();
      throw e;
    }
  }

  /**
   * Changes repeatability and/or heater. Applied at once when no conversion is running, else right after
   * the running conversion is read by the next `sample()` (the chip ignores commands while converting).
   * @param options - fields to change.
   * @throws SensorError `SENSOR_CONFIG` (invalid value), `SENSOR_NACK`, `SENSOR_CLOSED`.
   */
  configure(options: SHT3xConfiguration = {}): void {
    const io = this.#open();
    const { repeatability, heater } = options;
    // Validate everything before changing anything.
    if (repeatability !== undefined && repeatability !== "high" && repeatability !== "medium" && repeatability !== "low")
      this.#fail(SENSOR_CONFIG, "repeatability must be \"high\", \"medium\" or \"low\"");
    if (heater !== undefined && typeof heater !== "boolean") this.#fail(SENSOR_CONFIG, "heater must be a boolean");
    if (repeatability !== undefined) {
      this.#measure = repeatability === "high" ? SHT3xCommand.MEASURE_HIGH
        : repeatability === "medium" ? SHT3xCommand.MEASURE_MEDIUM : SHT3xCommand.MEASURE_LOW;
      this.#conversionMs = SHT3X_CONVERSION_MS[repeatability];
    }
    if (heater !== undefined) this.#heater = heater;
    this.#dirty = true;
    if (!this.#pending) this.#trigger(io);
  }

  /**
   * Worst-case conversion time of the current configuration, ms.
   * @returns milliseconds (16, 7 or 5).
   */
  get conversionTime(): number {
    return this.#conversionMs;
  }

  /**
   * Returns the conversion started by the previous call (or `configure()`) and starts the next one.
   * The returned object is the same on every call: copy what you keep.
   * @returns `{ temperature (°C), humidity (%RH) }`.
   * @throws SensorError `SENSOR_TIMEOUT` (not converted yet and no `delay`), `SENSOR_NACK`, `SENSOR_CRC`,
   * `SENSOR_CLOSED`.
   */
  sample(): SHT3xSample {
    const io = this.#open();
    let known: boolean;
    if (!this.#pending) {
      this.#trigger(io);
      known = this.#awaitConversion(true);
    } else {
      known = this.#awaitConversion(false);
    }
    const data = this.#data;
    try {
      io.read(data);
    } catch (e) {
      const delay = this.#delay;
      if (!known && delay !== undefined) {
        // No clock: the NACK may mean "still converting". Wait one conversion time and retry once.
        delay(this.#pendingMs);
        try {
          io.read(data);
        } catch (e2) {
          this.#pending = false;
          this.#fail(SENSOR_NACK, "no result after the conversion time", e2);
        }
      } else {
        this.#pending = false;
        if (known) this.#fail(SENSOR_NACK, "reading the result", e);
        this.#fail(SENSOR_TIMEOUT, "result not ready (or device gone); give options.now or options.delay", e);
      }
    }
    this.#pending = false;
    // Start the next conversion before validating, so a CRC error costs one sample, not two.
    try {
      this.#trigger(io);
    } catch {
      // The next sample() triggers again and reports a lasting fault.
    }
    if (sht3xCrc8(data, 0, 2) !== data[2]) this.#fail(SENSOR_CRC, "temperature word");
    if (sht3xCrc8(data, 3, 2) !== data[5]) this.#fail(SENSOR_CRC, "humidity word");
    const sample = this.#sample;
    sample.temperature = sht3xTemperature((data[0]! << 8) | data[1]!);
    sample.humidity = sht3xHumidity((data[3]! << 8) | data[4]!);
    return sample;
  }

  /**
   * Soft reset, then re-applies the configuration and starts a conversion. Needs `delay` (the chip is deaf
   * for up to 1.5 ms).
   * @throws SensorError `SENSOR_CONFIG` (no `delay`), `SENSOR_NACK`, `SENSOR_CLOSED`.
   */
  reset(): void {
    const io = this.#open();
    if (this.#delay === undefined) this.#fail(SENSOR_CONFIG, "reset() needs options.delay");
    this.#reset(io);
    this.#pending = false;
    this.#dirty = true;
    this.#trigger(io);
  }

  /** Releases the I2C port. Idempotent; later calls except `close()` throw `SENSOR_CLOSED`. */
  close(): void {
    const io = this.#io;
    if (io === undefined) return;
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

  #write(io: I2C, command: number): void {
    const view = this.#command;
    view[0] = command >> 8;
    view[1] = command & 0xff;
    try {
      io.write(view);
    } catch (e) {
      this.#fail(SENSOR_NACK, "command 0x" + command.toString(16), e);
    }
  }

  #reset(io: I2C): void {
    this.#write(io, SHT3xCommand.SOFT_RESET);
    this.#delay!(SHT3X_RESET_MS);
  }

  /** Sends pending settings (heater) and the measurement command; marks the conversion pending. */
  #trigger(io: I2C): void {
    if (this.#dirty) {
      this.#write(io, this.#heater ? SHT3xCommand.HEATER_ON : SHT3xCommand.HEATER_OFF);
      this.#dirty = false;
    }
    this.#write(io, this.#measure);
    this.#pending = true;
    this.#pendingMs = this.#conversionMs;
    const now = this.#now;
    if (now !== undefined) this.#readyAt = now() + this.#pendingMs;
  }

  /**
   * Makes sure the pending conversion is due. Returns true when that is known (clock or wait), false when
   * only the chip can tell (no clock, conversion started earlier).
   */
  #awaitConversion(justTriggered: boolean): boolean {
    const now = this.#now;
    const delay = this.#delay;
    if (now !== undefined) {
      const remaining = this.#readyAt - now();
      if (remaining > 0) {
        if (delay === undefined) this.#fail(SENSOR_TIMEOUT, "conversion due in " + remaining + " ms");
        delay(remaining);
      }
      return true;
    }
    if (!justTriggered) return false;
    if (delay === undefined) this.#fail(SENSOR_TIMEOUT, "conversion started; sample again after " + this.#conversionMs + " ms");
    delay(this.#conversionMs);
    return true;
  }
}
