/**
 * Register-level BME280 emulation.
 *
 * - Register map: id 0xD0 = 0x60, reset 0xE0 (0xB6), ctrl_hum 0xF2 (latched by the next ctrl_meas write),
 *   status 0xF3 (bit 3 measuring, bit 0 im_update for 2 ms after reset), ctrl_meas 0xF4, config 0xF5
 *   (ignored in normal mode, as the datasheet allows), data 0xF7…0xFE, trimming 0x88…0xA1 / 0xE1…0xE7.
 * - I2C: a write is the register pointer followed by (value, register, value, …) pairs; reads auto-increment.
 *   The chip never NACKs a present address (faults aside).
 * - Forced mode converts once (t_measure,max) then returns to sleep: the environment is sampled when the
 *   conversion starts and published when it completes. Normal mode cycles t_measure + t_standby and samples
 *   lazily, at the first bus access after each completion. Data registers change only when a conversion
 *   completes (shadowing).
 *   The IIR filter is not modelled (it only sets the 20-bit resolution).
 * - Raw values are computed by inverting the datasheet compensation for the chip's trimming parameters
 *   (bisection on the ADC grid of the configured resolution: 16 + osrs − 1 bits, 20 with the filter), so the
 *   driver recovers the environment's value to within one ADC step. The inversion uses the driver's exported
 *   double-precision formulas; those are pinned to the datasheet's worked example by test/drivers.
 * - Trimming parameters default to the datasheet example (dig_T1…dig_P9) and typical humidity values.
 * @module
 */
// Types only: the driver's formulas come in through `options.compensation`, so this module has no runtime
// import outside sim/ (on Moddable's simulators sim/ and src/ are built under different module specifiers).
import type { BME280Calibration, BME280Compensation } from "../../src/drivers/bme280.js";
import { SimChip, type FaultName, type SimChipOptions } from "./chip.js";

/** Datasheet example trimming (T, P) plus typical humidity trimming of a production part. */
export const DATASHEET_CALIBRATION: Readonly<BME280Calibration> = Object.freeze({
  T1: 27504, T2: 26435, T3: -1000,
  P1: 36477, P2: -10685, P3: 3024, P4: 2855, P5: 140, P6: -7, P7: 15500, P8: -14600, P9: 6000,
  H1: 75, H2: 362, H3: 0, H4: 313, H5: 50, H6: 30,
});

/** Options of {@link SimBME280}. */
export interface SimBME280Options extends SimChipOptions {
  /** Trimming parameters to burn into the NVM (default {@link DATASHEET_CALIBRATION}). */
  calibration?: BME280Calibration;
  /** The datasheet's compensation formulas, inverted to produce raw ADC values (`BME280_COMPENSATION`). */
  compensation: BME280Compensation;
}

const OSRS = Object.freeze([0, 1, 2, 4, 8, 16, 16, 16] as const);
const STANDBY_MS = Object.freeze([0.5, 62.5, 125, 250, 500, 1000, 10, 20] as const);
const RESET_MS = 2;

/** Simulated BME280. Attach with `bus.attach(0x76, new SimBME280({ environment }))`. */
export class SimBME280 extends SimChip {
  /** {@inheritDoc SimChip.supportedFaults} */
  readonly supportedFaults: readonly FaultName[] = Object.freeze(["absent", "nack", "stuck", "wrongChipId"] as FaultName[]);
  /** {@inheritDoc SimChip.model} */
  readonly model = "BME280";
  readonly #cal: BME280Calibration;
  readonly #compensation: BME280Compensation;
  readonly #regs = new Uint8Array(256);
  /** Result of the running conversion, copied to 0xF7…0xFE when it completes. */
  readonly #shadow = new Uint8Array(8);
  #pointer = 0;
  #ctrlHum = 0; // written value, latched into #osrsH by ctrl_meas
  #osrsH = 0;
  #resetAt = -Infinity;
  /** Forced: end of the running conversion; -1 when none. */
  #forcedReadyAt = -1;
  /** Normal mode: start of the cycle and index of the last conversion published. */
  #cycleStart = 0;
  #lastCycle = -1;
  #haveRaw = false;
  /** Conversions completed, for tests and the CLI. */
  conversions = 0;

  /** @param options - the environment and optional trimming parameters. */
  constructor(options: SimBME280Options) {
    super(options);
    this.#cal = { ...(options.calibration ?? DATASHEET_CALIBRATION) };
    this.#compensation = options.compensation;
    this.#burnCalibration();
    this.#powerOnReset(-Infinity);
  }

  /** The trimming parameters burnt into this chip. */
  get calibration(): Readonly<BME280Calibration> {
    return this.#cal;
  }

  /**
   * Simulates a power-on reset / brown-out: registers back to their reset values.
   * @param now - bus time, ms.
   */
  powerCycle(now: number): void {
    this.#powerOnReset(now);
  }

  /**
   * Register value as the host would read it at `now` (no side effects besides completing conversions).
   * @param register - address.
   * @param now - bus time, ms.
   * @returns the byte.
   */
  peek(register: number, now: number): number {
    this.#update(now);
    return this.#registerValue(register & 0xff, now);
  }

  protected onWrite(bytes: Uint8Array, _stop: boolean, now: number): boolean {
    this.#update(now);
    if (bytes.byteLength === 0) return true;
    this.#pointer = bytes[0]!;
    for (let i = 0; i + 1 < bytes.byteLength; i += 2) this.#writeRegister(bytes[i]!, bytes[i + 1]!, now);
    return true;
  }

  protected onRead(into: Uint8Array, _stop: boolean, now: number): boolean {
    this.#update(now);
    for (let i = 0; i < into.byteLength; i++) {
      into[i] = this.#registerValue(this.#pointer, now);
      this.#pointer = (this.#pointer + 1) & 0xff;
    }
    return true;
  }

  #registerValue(register: number, now: number): number {
    if (register === 0xd0) return this.faults.wrongChipId ? 0x58 : 0x60;
    if (register === 0xf3) {
      const measuring = this.#measuring(now) ? 0x08 : 0;
      const imUpdate = now < this.#resetAt + RESET_MS ? 0x01 : 0;
      return measuring | imUpdate;
    }
    if (register === 0xe0) return 0;
    return this.#regs[register]!;
  }

  #writeRegister(register: number, value: number, now: number): void {
    const regs = this.#regs;
    switch (register) {
      case 0xe0:
        if (value === 0xb6) this.#powerOnReset(now);
        return;
      case 0xf2:
        this.#ctrlHum = value & 0x07;
        regs[0xf2] = this.#ctrlHum;
        return;
      case 0xf4: {
        regs[0xf4] = value;
        this.#osrsH = OSRS[this.#ctrlHum]!;
        const mode = value & 0x03;
        this.#forcedReadyAt = -1;
        if (mode === 1 || mode === 2) {
          this.#forcedReadyAt = now + this.#measureMs();
          this.#convert(this.#forcedReadyAt, this.#shadow); // sampled now, published at completion
        } else if (mode === 3) {
          this.#cycleStart = now;
          this.#lastCycle = -1;
        }
        return;
      }
      case 0xf5:
        if ((regs[0xf4]! & 0x03) !== 0x03) regs[0xf5] = value & 0xfd; // spi3w_en stays 0 on I2C
        return;
      default:
        return; // read-only or reserved: ignored
    }
  }

  #measureMs(): number {
    const ctrl = this.#regs[0xf4]!;
    return this.#compensation.measureTimeMax(OSRS[(ctrl >> 5) & 7]!, OSRS[(ctrl >> 2) & 7]!, this.#osrsH);
  }

  #measuring(now: number): boolean {
    const mode = this.#regs[0xf4]! & 0x03;
    if (mode === 1 || mode === 2) return this.#forcedReadyAt >= 0 && now < this.#forcedReadyAt;
    if (mode !== 3) return false;
    const tm = this.#measureMs();
    const period = tm + STANDBY_MS[(this.#regs[0xf5]! >> 5) & 7]!;
    return (now - this.#cycleStart) % period < tm;
  }

  /** Publishes conversions that completed by `now`. */
  #update(now: number): void {
    const regs = this.#regs;
    const mode = regs[0xf4]! & 0x03;
    if ((mode === 1 || mode === 2) && this.#forcedReadyAt >= 0 && now >= this.#forcedReadyAt) {
      regs.set(this.#shadow, 0xf7);
      this.#forcedReadyAt = -1;
      regs[0xf4] = regs[0xf4]! & 0xfc; // back to sleep
    } else if (mode === 3) {
      const tm = this.#measureMs();
      const period = tm + STANDBY_MS[(regs[0xf5]! >> 5) & 7]!;
      const n = Math.floor((now - this.#cycleStart - tm) / period);
      if (n >= 0 && n > this.#lastCycle) {
        this.#lastCycle = n;
        this.#convert(this.#cycleStart + n * period + tm, this.#shadow);
        regs.set(this.#shadow, 0xf7);
      }
    }
  }

  /** Computes the 8 data bytes (0xF7…0xFE) of a conversion at time `at` into `out`. */
  #convert(at: number, out: Uint8Array): void {
    this.conversions++;
    if (this.faults.stuck && this.#haveRaw) return;
    this.#haveRaw = true;
    const regs = this.#regs;
    const cal = this.#cal;
    const r = this.environment.read(at, this.reading);
    const ctrl = regs[0xf4]!;
    const filtered = ((regs[0xf5]! >> 2) & 7) !== 0;
    const codeT = (ctrl >> 5) & 7;
    const codeP = (ctrl >> 2) & 7;
    let adcT = 0x80000;
    let adcP = 0x80000;
    let adcH = 0x8000;
    if (codeT !== 0) {
      const step = 1 << (filtered ? 0 : 4 - (Math.min(codeT, 5) - 1));
      adcT = invert(this.#compensation, TEMPERATURE, cal, 0, r.temperature, step, 1 << 20, true);
    }
    const tFine = this.#compensation.fineTemperature(cal, adcT);
    if (codeT !== 0 && codeP !== 0) {
      const step = 1 << (filtered ? 0 : 4 - (Math.min(codeP, 5) - 1));
      adcP = invert(this.#compensation, PRESSURE, cal, tFine, r.pressure, step, 1 << 20, false);
    }
    if (codeT !== 0 && this.#osrsH !== 0) {
      adcH = invert(this.#compensation, HUMIDITY, cal, tFine, r.humidity, 1, 1 << 16, true);
    }
    out[0] = adcP >> 12; out[1] = (adcP >> 4) & 0xff; out[2] = (adcP & 0x0f) << 4;
    out[3] = adcT >> 12; out[4] = (adcT >> 4) & 0xff; out[5] = (adcT & 0x0f) << 4;
    out[6] = adcH >> 8; out[7] = adcH & 0xff;
  }

  #burnCalibration(): void {
    const regs = this.#regs;
    const c = this.#cal;
    const words = [c.T1, c.T2, c.T3, c.P1, c.P2, c.P3, c.P4, c.P5, c.P6, c.P7, c.P8, c.P9];
    for (let i = 0; i < words.length; i++) {
      regs[0x88 + 2 * i] = words[i]! & 0xff;
      regs[0x89 + 2 * i] = (words[i]! >> 8) & 0xff;
    }
    regs[0xa1] = c.H1 & 0xff;
    regs[0xe1] = c.H2 & 0xff;
    regs[0xe2] = (c.H2 >> 8) & 0xff;
    regs[0xe3] = c.H3 & 0xff;
    regs[0xe4] = (c.H4 >> 4) & 0xff;
    regs[0xe5] = (c.H4 & 0x0f) | ((c.H5 & 0x0f) << 4);
    regs[0xe6] = (c.H5 >> 4) & 0xff;
    regs[0xe7] = c.H6 & 0xff;
  }

  #powerOnReset(now: number): void {
    const regs = this.#regs;
    regs[0xf2] = 0; regs[0xf4] = 0; regs[0xf5] = 0;
    regs[0xf7] = 0x80; regs[0xf8] = 0; regs[0xf9] = 0;
    regs[0xfa] = 0x80; regs[0xfb] = 0; regs[0xfc] = 0;
    regs[0xfd] = 0x80; regs[0xfe] = 0;
    this.#ctrlHum = 0;
    this.#osrsH = 0;
    this.#forcedReadyAt = -1;
    this.#lastCycle = -1;
    this.#resetAt = now;
  }
}

/**
 * Finds the ADC value on the grid `k·step` (0 ≤ value < limit) whose compensated value is closest to
 * `target`, for a monotonic `f`. Never returns the "skipped" marker 0x80000 / 0x8000.
 */
const TEMPERATURE = 0;
const PRESSURE = 1;
const HUMIDITY = 2;

// The compensation formula of one quantity; a switch rather than a closure so a conversion allocates nothing on XS.
function compensate(
  f: BME280Compensation, quantity: number, cal: BME280Calibration, tFine: number, adc: number,
): number {
  switch (quantity) {
    case TEMPERATURE: return f.temperature(cal, adc);
    case PRESSURE: return f.pressure(cal, tFine, adc);
    default: return f.humidity(cal, tFine, adc);
  }
}

function invert(
  f: BME280Compensation, quantity: number, cal: BME280Calibration, tFine: number, target: number, step: number, limit: number,
  increasing: boolean,
): number {
  let lo = 0;
  let hi = limit / step - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const v = compensate(f, quantity, cal, tFine, mid * step);
    if (increasing ? v < target : v > target) lo = mid + 1;
    else hi = mid;
  }
  let k = lo;
  if (k > 0 && Math.abs(compensate(f, quantity, cal, tFine, (k - 1) * step) - target) <= Math.abs(compensate(f, quantity, cal, tFine, k * step) - target)) k--;
  let adc = k * step;
  if (adc === limit >> 1) adc += step; // the chip never reports a real value equal to the "skipped" marker
  return adc;
}
