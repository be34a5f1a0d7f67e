/**
 * Bosch BME280 temperature, pressure and humidity sensor over I2C, ECMA-419 sensor class.
 *
 * Setup: chip id (0xD0 must read 0x60, else `SENSOR_CHIP_ID`: a BMP280 answers 0x58), soft reset
 * (0xE0 ← 0xB6, only when `delay` is given), wait for the NVM copy (status bit `im_update`), read the
 * trimming parameters (0x88…0xA1 and 0xE1…0xE7), then configure: ctrl_meas ← sleep, config ← standby and
 * filter, ctrl_hum ← humidity oversampling (it takes effect only with the following ctrl_meas write),
 * ctrl_meas ← oversampling and mode.
 *
 * Modes: `"forced"` (default; the datasheet's weather-monitoring setting) pipelines one conversion per
 * `sample()` (see `sensor.ts`) and sleeps in between; `"normal"` lets the chip cycle on its own
 * (`standby` ms between conversions) and `sample()` reads the latest result.
 *
 * Each `sample()` is one 12-byte burst from 0xF3 (status, ctrl_meas, config, data 0xF7…0xFE): the
 * read-back of ctrl_meas/config detects a chip that lost its configuration (brown-out, reset) — it is
 * reconfigured and `SENSOR_DATA` is reported once.
 *
 * Compensation: the datasheet's double-precision formulas (BME280 datasheet §8.1), exported as pure
 * functions. Datasheet example: dig_T1=27504, dig_T2=26435, dig_T3=-1000, adc_T=519888 → t_fine=128422,
 * T=25.08 °C; with dig_P1…P9 = 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000 and
 * adc_P=415148 → P=100653.27 Pa.
 * @module
 */
import { SENSOR_CHIP_ID, SENSOR_CLOSED, SENSOR_CONFIG, SENSOR_DATA, SENSOR_NACK, SENSOR_TIMEOUT } from "./errors.js";
import type { I2C } from "./i2c.js";
import { openSensorBus, reportFault, type SensorErrorHandler, type SensorOptions } from "./sensor.js";

/** Default address (SDO to GND). */
export const BME280_ADDRESS = 0x76;
/** Alternate address (SDO to VDDIO). */
export const BME280_ADDRESS_ALT = 0x77;
/** Value of the chip id register. */
export const BME280_CHIP_ID = 0x60;

/** Register addresses. */
export const BME280Register = Object.freeze({
  /** First trimming block, 0x88…0xA1 (26 bytes). */
  CALIB00: 0x88,
  /** Chip id, reads 0x60. */
  ID: 0xd0,
  /** Soft reset: write 0xB6. */
  RESET: 0xe0,
  /** Second trimming block, 0xE1…0xE7 (7 bytes). */
  CALIB26: 0xe1,
  /** Humidity oversampling (bits 2:0). */
  CTRL_HUM: 0xf2,
  /** Bit 3 `measuring`, bit 0 `im_update`. */
  STATUS: 0xf3,
  /** osrs_t (7:5), osrs_p (4:2), mode (1:0). */
  CTRL_MEAS: 0xf4,
  /** t_sb (7:5), filter (4:2), spi3w_en (0). */
  CONFIG: 0xf5,
  /** First data register: press_msb; data runs to hum_lsb at 0xFE. */
  PRESS_MSB: 0xf7,
} as const);

/** Soft reset command value. */
export const BME280_RESET_VALUE = 0xb6;
/** Wait after a soft reset, ms (datasheet start-up time 2 ms). */
export const BME280_RESET_MS = 2;

/** Oversampling factor; 0 skips the measurement (not allowed for temperature). */
export type BME280Oversampling = 0 | 1 | 2 | 4 | 8 | 16;
/** IIR filter coefficient; 0 is off. */
export type BME280Filter = 0 | 2 | 4 | 8 | 16;
/** Standby between conversions in normal mode, ms. */
export type BME280Standby = 0.5 | 10 | 20 | 62.5 | 125 | 250 | 500 | 1000;

/** Options of {@link BME280.configure}; absent fields keep their current value. */
export interface BME280Configuration {
  /** `"forced"` (default) or `"normal"`. */
  mode?: "forced" | "normal";
  /** 1…16, default 1 (0 is rejected: temperature is needed to compensate the others). */
  temperatureOversampling?: BME280Oversampling;
  /** 0 (skip: `pressure` is NaN) … 16, default 1. */
  pressureOversampling?: BME280Oversampling;
  /** 0 (skip: `humidity` is NaN) … 16, default 1. */
  humidityOversampling?: BME280Oversampling;
  /** IIR filter, default 0 (off). */
  filter?: BME280Filter;
  /** Normal mode standby, ms, default 1000. */
  standby?: BME280Standby;
}

/** Constructor options. */
export interface BME280Options extends SensorOptions, BME280Configuration {}

/** One reading. */
export interface BME280Sample {
  /** Degrees Celsius. */
  temperature: number;
  /** Pascal (NaN when pressure oversampling is 0). */
  pressure: number;
  /** Relative humidity, percent 0…100 (NaN when humidity oversampling is 0). */
  humidity: number;
}

/** Trimming parameters (`dig_*` in the datasheet). */
export interface BME280Calibration {
  T1: number; T2: number; T3: number;
  P1: number; P2: number; P3: number; P4: number; P5: number; P6: number; P7: number; P8: number; P9: number;
  H1: number; H2: number; H3: number; H4: number; H5: number; H6: number;
}

/**
 * A zeroed calibration record (setup time).
 * @returns a new record.
 */
export function createBME280Calibration(): BME280Calibration {
  return { T1: 0, T2: 0, T3: 0, P1: 0, P2: 0, P3: 0, P4: 0, P5: 0, P6: 0, P7: 0, P8: 0, P9: 0,
    H1: 0, H2: 0, H3: 0, H4: 0, H5: 0, H6: 0 };
}

function u16(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8);
}
function s16(b: Uint8Array, i: number): number {
  return (((b[i]! | (b[i + 1]! << 8)) << 16) >> 16);
}
function s8(v: number): number {
  return (v << 24) >> 24;
}

/**
 * Decodes the trimming registers (little-endian words; dig_H4/dig_H5 are signed 12-bit values sharing 0xE5:
 * H4 = 0xE4·16 | 0xE5[3:0], H5 = 0xE6·16 | 0xE5[7:4], with 0xE4/0xE6 signed).
 * @param block1 - the 26 bytes read from 0x88 (0x88…0xA1).
 * @param block2 - the 7 bytes read from 0xE1 (0xE1…0xE7).
 * @param out - record to fill.
 * @returns `out`.
 */
export function parseBME280Calibration(block1: Uint8Array, block2: Uint8Array, out: BME280Calibration): BME280Calibration {
  out.T1 = u16(block1, 0); out.T2 = s16(block1, 2); out.T3 = s16(block1, 4);
  out.P1 = u16(block1, 6); out.P2 = s16(block1, 8); out.P3 = s16(block1, 10); out.P4 = s16(block1, 12);
  out.P5 = s16(block1, 14); out.P6 = s16(block1, 16); out.P7 = s16(block1, 18); out.P8 = s16(block1, 20);
  out.P9 = s16(block1, 22);
  out.H1 = block1[25]!;
  out.H2 = s16(block2, 0);
  out.H3 = block2[2]!;
  out.H4 = (s8(block2[3]!) * 16) | (block2[4]! & 0x0f);
  out.H5 = (s8(block2[5]!) * 16) | (block2[4]! >> 4);
  out.H6 = s8(block2[6]!);
  return out;
}

/**
 * `var1 + var2` of the datasheet's double temperature formula (t_fine before truncation).
 * @param cal - trimming parameters.
 * @param adcT - 20-bit raw temperature.
 * @returns the untruncated fine temperature.
 */
function fineTemperature(cal: BME280Calibration, adcT: number): number {
  const var1 = (adcT / 16384 - cal.T1 / 1024) * cal.T2;
  const d = adcT / 131072 - cal.T1 / 8192;
  const var2 = d * d * cal.T3;
  return var1 + var2;
}

/**
 * Datasheet `t_fine`: the fine temperature truncated to an integer, input of the pressure and humidity
 * formulas.
 * @param cal - trimming parameters.
 * @param adcT - 20-bit raw temperature.
 * @returns t_fine.
 */
export function bme280FineTemperature(cal: BME280Calibration, adcT: number): number {
  return Math.trunc(fineTemperature(cal, adcT));
}

/**
 * Temperature, double-precision datasheet formula: T = (var1 + var2) / 5120.
 * @param cal - trimming parameters.
 * @param adcT - 20-bit raw temperature.
 * @returns °C.
 */
export function bme280Temperature(cal: BME280Calibration, adcT: number): number {
  return fineTemperature(cal, adcT) / 5120;
}

/**
 * Pressure, double-precision datasheet formula.
 * @param cal - trimming parameters.
 * @param tFine - from {@link bme280FineTemperature}.
 * @param adcP - 20-bit raw pressure.
 * @returns Pa (0 when dig_P1 is 0, as the datasheet's division guard).
 */
export function bme280Pressure(cal: BME280Calibration, tFine: number, adcP: number): number {
  let var1 = tFine / 2 - 64000;
  let var2 = (var1 * var1 * cal.P6) / 32768;
  var2 = var2 + var1 * cal.P5 * 2;
  var2 = var2 / 4 + cal.P4 * 65536;
  var1 = ((cal.P3 * var1 * var1) / 524288 + cal.P2 * var1) / 524288;
  var1 = (1 + var1 / 32768) * cal.P1;
  if (var1 === 0) return 0;
  let p = 1048576 - adcP;
  p = ((p - var2 / 4096) * 6250) / var1;
  var1 = (cal.P9 * p * p) / 2147483648;
  var2 = (p * cal.P8) / 32768;
  return p + (var1 + var2 + cal.P7) / 16;
}

/**
 * Relative humidity, double-precision datasheet formula, clamped to 0…100.
 * @param cal - trimming parameters.
 * @param tFine - from {@link bme280FineTemperature}.
 * @param adcH - 16-bit raw humidity.
 * @returns %RH.
 */
export function bme280Humidity(cal: BME280Calibration, tFine: number, adcH: number): number {
  let h = tFine - 76800;
  h = (adcH - (cal.H4 * 64 + (cal.H5 / 16384) * h)) *
    ((cal.H2 / 65536) * (1 + (cal.H6 / 67108864) * h * (1 + (cal.H3 / 67108864) * h)));
  h = h * (1 - (cal.H1 * h) / 524288);
  return h > 100 ? 100 : h < 0 ? 0 : h;
}

/**
 * Worst-case conversion time (datasheet §9.1, t_measure,max), ms.
 * @param osrsT - temperature oversampling factor.
 * @param osrsP - pressure oversampling factor (0 = skipped).
 * @param osrsH - humidity oversampling factor (0 = skipped).
 * @returns milliseconds, not rounded.
 */
export function bme280MeasureTimeMax(osrsT: number, osrsP: number, osrsH: number): number {
  return 1.25 + 2.3 * osrsT + (osrsP > 0 ? 2.3 * osrsP + 0.575 : 0) + (osrsH > 0 ? 2.3 * osrsH + 0.575 : 0);
}

function oversamplingCode(factor: unknown): number {
  switch (factor) {
    case 0: return 0;
    case 1: return 1;
    case 2: return 2;
    case 4: return 3;
    case 8: return 4;
    case 16: return 5;
    default: return -1;
  }
}
function filterCode(coefficient: unknown): number {
  switch (coefficient) {
    case 0: return 0;
    case 2: return 1;
    case 4: return 2;
    case 8: return 3;
    case 16: return 4;
    default: return -1;
  }
}
function standbyCode(ms: unknown): number {
  switch (ms) {
    case 0.5: return 0;
    case 62.5: return 1;
    case 125: return 2;
    case 250: return 3;
    case 500: return 4;
    case 1000: return 5;
    case 10: return 6;
    case 20: return 7;
    default: return -1;
  }
}

/** Value the ADC registers hold when a measurement was skipped or never ran. */
const SKIPPED_20 = 0x80000;
const SKIPPED_16 = 0x8000;

/** The compensation formulas as one record, for code that takes them as a parameter (the simulated chip). */
export interface BME280Compensation {
  fineTemperature(cal: BME280Calibration, adcT: number): number;
  temperature(cal: BME280Calibration, adcT: number): number;
  pressure(cal: BME280Calibration, tFine: number, adcP: number): number;
  humidity(cal: BME280Calibration, tFine: number, adcH: number): number;
  measureTimeMax(osrsT: number, osrsP: number, osrsH: number): number;
}

/** The datasheet formulas above as a {@link BME280Compensation}. */
export const BME280_COMPENSATION: BME280Compensation = Object.freeze({
  fineTemperature: bme280FineTemperature,
  temperature: bme280Temperature,
  pressure: bme280Pressure,
  humidity: bme280Humidity,
  measureTimeMax: bme280MeasureTimeMax,
});

/** BME280 driver. All faults are {@link SensorError}s (also passed to `onError`). */
export class BME280 {
  #io: I2C | undefined;
  #onError: SensorErrorHandler | undefined;
  #delay: ((ms: number) => void) | undefined;
  #now: (() => number) | undefined;
  /** Exact-length views over one ArrayBuffer, created once: reads in 0…32, writes in 33…34. */
  #calib1: Uint8Array;
  #calib2: Uint8Array;
  #burst: Uint8Array;
  #byte: Uint8Array;
  #reg: Uint8Array;
  #pair: Uint8Array;
  #cal: BME280Calibration = createBME280Calibration();
  #sample: BME280Sample = { temperature: NaN, pressure: NaN, humidity: NaN };
  #forced = true;
  #osrsT = 1;
  #osrsP = 1;
  #osrsH = 1;
  #filter = 0;
  #standby = 1000;
  /** Expected read-back of ctrl_meas bits 7:2 and of config. */
  #ctrlMeasBits = 0;
  #configValue = 0;
  #conversionMs = 0;
  #pending = false;
  #readyAt = 0;

  /**
   * Opens the port, checks the chip id, soft-resets (only with `delay`), reads the trimming parameters and
   * applies the configuration (forced mode: the first conversion starts).
   * @param options - `sensor` (io, pins, `address` 0x76 or 0x77), `onError`, `delay`, `now`, configuration.
   * @throws SensorError `SENSOR_CONFIG`, `SENSOR_BUS`, `SENSOR_NACK` (device missing), `SENSOR_CHIP_ID`,
   * `SENSOR_TIMEOUT` (NVM copy never finished), `SENSOR_DATA` (blank trimming memory).
   */
  constructor(options: BME280Options) {
    this.#onError = options?.onError;
    const io = openSensorBus(this, options, BME280_ADDRESS, [BME280_ADDRESS, BME280_ADDRESS_ALT]);
    this.#io = io;
    this.#delay = options.delay;
    this.#now = options.now;
    const buffer = new ArrayBuffer(35);
    this.#calib1 = new Uint8Array(buffer, 0, 26);
    this.#calib2 = new Uint8Array(buffer, 26, 7);
    this.#burst = new Uint8Array(buffer, 0, 12);
    this.#byte = new Uint8Array(buffer, 0, 1);
    this.#reg = new Uint8Array(buffer, 33, 1);
    this.#pair = new Uint8Array(buffer, 33, 2);
    try {
      this.#readRegisters(io, BME280Register.ID, this.#byte);
      const id = this.#byte[0]!;
      if (id !== BME280_CHIP_ID)
        this.#fail(SENSOR_CHIP_ID, "0x" + id.toString(16) + " (expected 0x60" + (id === 0x58 ? ", 0x58 is a BMP280)" : ")"));
      if (this.#delay !== undefined) this.#reset(io);
      this.#readCalibration(io);
      this.configure(options);
    } catch (e) {
      this.#io = undefined;
      io.close();
      throw e;
    }
  }

  /**
   * Changes mode, oversampling, filter or standby and writes them to the chip. Aborts a running conversion;
   * in forced mode a new one starts.
   * @param options - fields to change.
   * @throws SensorError `SENSOR_CONFIG`, `SENSOR_NACK`, `SENSOR_CLOSED`.
   */
  configure(options: BME280Configuration = {}): void {
    const io = this.#open();
    const { mode, temperatureOversampling: t, pressureOversampling: p, humidityOversampling: h, filter, standby } = options;
    if (mode !== undefined && mode !== "forced" && mode !== "normal")
      this.#fail(SENSOR_CONFIG, "mode must be \"forced\" or \"normal\"");
    if (t !== undefined && (t === 0 || oversamplingCode(t) < 0))
      this.#fail(SENSOR_CONFIG, "temperatureOversampling must be 1, 2, 4, 8 or 16");
    if (p !== undefined && oversamplingCode(p) < 0) this.#fail(SENSOR_CONFIG, "pressureOversampling must be 0, 1, 2, 4, 8 or 16");
    if (h !== undefined && oversamplingCode(h) < 0) this.#fail(SENSOR_CONFIG, "humidityOversampling must be 0, 1, 2, 4, 8 or 16");
    if (filter !== undefined && filterCode(filter) < 0) this.#fail(SENSOR_CONFIG, "filter must be 0, 2, 4, 8 or 16");
    if (standby !== undefined && standbyCode(standby) < 0)
      this.#fail(SENSOR_CONFIG, "standby must be 0.5, 10, 20, 62.5, 125, 250, 500 or 1000");
    if (mode !== undefined) this.#forced = mode === "forced";
    if (t !== undefined) this.#osrsT = t;
    if (p !== undefined) this.#osrsP = p;
    if (h !== undefined) this.#osrsH = h;
    if (filter !== undefined) this.#filter = filter;
    if (standby !== undefined) this.#standby = standby;
    this.#conversionMs = Math.ceil(bme280MeasureTimeMax(this.#osrsT, this.#osrsP, this.#osrsH));
    this.#ctrlMeasBits = (oversamplingCode(this.#osrsT) << 5) | (oversamplingCode(this.#osrsP) << 2);
    this.#configValue = (standbyCode(this.#standby) << 5) | (filterCode(this.#filter) << 2);
    this.#apply(io);
  }

  /**
   * Worst-case conversion time of the current configuration, ms (rounded up).
   * @returns milliseconds.
   */
  get conversionTime(): number {
    return this.#conversionMs;
  }

  /**
   * Forced mode: returns the conversion started by the previous call (or `configure()`) and starts the next.
   * Normal mode: returns the latest conversion. The returned object is the same on every call.
   * @returns `{ temperature (°C), pressure (Pa), humidity (%RH) }`.
   * @throws SensorError `SENSOR_TIMEOUT` (not converted yet and no `delay`), `SENSOR_NACK`, `SENSOR_DATA`
   * (configuration lost; reconfigured), `SENSOR_CLOSED`.
   */
  sample(): BME280Sample {
    const io = this.#open();
    let known = true;
    if (this.#forced && !this.#pending) {
      this.#trigger(io);
      known = this.#awaitConversion(true);
    } else if (this.#pending) {
      known = this.#awaitConversion(false);
    }
    const burst = this.#burst;
    this.#readRegisters(io, BME280Register.STATUS, burst);
    if ((burst[1]! & 0xfc) !== this.#ctrlMeasBits || burst[2]! !== this.#configValue) {
      this.#pending = false;
      this.#apply(io);
      this.#fail(SENSOR_DATA, "configuration lost (chip reset or brown-out); reconfigured");
    }
    if (!this.#ready()) {
      const delay = this.#delay;
      if (!known && delay !== undefined) {
        delay(this.#conversionMs);
        this.#readRegisters(io, BME280Register.STATUS, burst);
      }
      if (!this.#ready()) this.#fail(SENSOR_TIMEOUT, "conversion still running or never ran");
    }
    this.#pending = false;
    const adcP = (burst[4]! << 12) | (burst[5]! << 4) | (burst[6]! >> 4);
    const adcT = (burst[7]! << 12) | (burst[8]! << 4) | (burst[9]! >> 4);
    const adcH = (burst[10]! << 8) | burst[11]!;
    if (this.#forced) {
      try {
        this.#trigger(io);
      } catch {
        // The next sample() triggers again and reports a lasting fault.
      }
    }
    const cal = this.#cal;
    const tFine = bme280FineTemperature(cal, adcT);
    const sample = this.#sample;
    sample.temperature = bme280Temperature(cal, adcT);
    sample.pressure = this.#osrsP === 0 || adcP === SKIPPED_20 ? NaN : bme280Pressure(cal, tFine, adcP);
    sample.humidity = this.#osrsH === 0 || adcH === SKIPPED_16 ? NaN : bme280Humidity(cal, tFine, adcH);
    return sample;
  }

  /**
   * The trimming parameters read at construction (a live record: do not modify).
   * @returns the calibration.
   */
  get calibration(): Readonly<BME280Calibration> {
    return this.#cal;
  }

  /** Puts the chip to sleep (best effort) and releases the port. Idempotent. */
  close(): void {
    const io = this.#io;
    if (io === undefined) return;
    try {
      this.#writeRegister(io, BME280Register.CTRL_MEAS, this.#ctrlMeasBits);
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

  /** Register pointer write (no STOP), then a read of `into.byteLength` bytes. */
  #readRegisters(io: I2C, register: number, into: Uint8Array): void {
    const reg = this.#reg;
    reg[0] = register;
    try {
      io.write(reg, false);
      io.read(into);
    } catch (e) {
      this.#fail(SENSOR_NACK, "reading register 0x" + register.toString(16), e);
    }
  }

  #writeRegister(io: I2C, register: number, value: number): void {
    const pair = this.#pair;
    pair[0] = register;
    pair[1] = value;
    try {
      io.write(pair);
    } catch (e) {
      this.#fail(SENSOR_NACK, "writing register 0x" + register.toString(16), e);
    }
  }

  #reset(io: I2C): void {
    const delay = this.#delay!;
    this.#writeRegister(io, BME280Register.RESET, BME280_RESET_VALUE);
    delay(BME280_RESET_MS);
    for (let attempt = 0; attempt < 5; attempt++) {
      this.#readRegisters(io, BME280Register.STATUS, this.#byte);
      if ((this.#byte[0]! & 0x01) === 0) return;
      delay(1);
    }
    this.#fail(SENSOR_TIMEOUT, "NVM copy (im_update) did not finish after reset");
  }

  #readCalibration(io: I2C): void {
    const cal = this.#cal;
    this.#readRegisters(io, BME280Register.CALIB00, this.#calib1);
    this.#readRegisters(io, BME280Register.CALIB26, this.#calib2);
    parseBME280Calibration(this.#calib1, this.#calib2, cal);
    if (cal.T1 === 0 || cal.T1 === 0xffff || cal.P1 === 0 || cal.P1 === 0xffff)
      this.#fail(SENSOR_DATA, "trimming parameters blank (dig_T1 or dig_P1 is 0x0000/0xFFFF)");
  }

  /** Writes the whole configuration; in forced mode starts a conversion, in normal mode restarts cycling. */
  #apply(io: I2C): void {
    this.#pending = false;
    this.#writeRegister(io, BME280Register.CTRL_MEAS, this.#ctrlMeasBits); // sleep: config is only written in sleep
    this.#writeRegister(io, BME280Register.CONFIG, this.#configValue);
    this.#writeRegister(io, BME280Register.CTRL_HUM, oversamplingCode(this.#osrsH));
    if (this.#forced) {
      this.#trigger(io);
    } else {
      this.#writeRegister(io, BME280Register.CTRL_MEAS, this.#ctrlMeasBits | 0x03);
      this.#pending = true; // the first conversion of the cycle
      const now = this.#now;
      if (now !== undefined) this.#readyAt = now() + this.#conversionMs;
    }
  }

  #trigger(io: I2C): void {
    this.#writeRegister(io, BME280Register.CTRL_MEAS, this.#ctrlMeasBits | 0x01);
    this.#pending = true;
    const now = this.#now;
    if (now !== undefined) this.#readyAt = now() + this.#conversionMs;
  }

  /** Data in the burst is a finished conversion of the current configuration. */
  #ready(): boolean {
    const burst = this.#burst;
    if (this.#forced && ((burst[0]! & 0x08) !== 0 || (burst[1]! & 0x03) !== 0)) return false;
    const adcT = (burst[7]! << 12) | (burst[8]! << 4) | (burst[9]! >> 4);
    return adcT !== SKIPPED_20;
  }

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
