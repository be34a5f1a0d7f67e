/**
 * What the three drivers share: the constructor options, opening the I2C port, reporting a fault.
 *
 * ## Timing without blocking
 * A conversion takes milliseconds (SHT3x ≤ 15.5 ms, BME280 ≤ 9.3 ms at 1× oversampling, BH1750 ≤ 180 ms)
 * and `sample()` is synchronous. The drivers therefore *pipeline*: `configure()` starts the first
 * conversion, and each `sample()` reads the conversion started by the previous call (or by `configure()`)
 * and starts the next one. The value `sample()` returns was converted when the previous `sample()`
 * (or `configure()`) ran plus the conversion time; at a 1 s…60 s sampling period that is the normal age of
 * a reading. Two optional timing hooks make the edge cases exact:
 * - `now()`: a millisecond clock. With it, `sample()` knows whether the conversion is due; without it
 *   the driver relies on the chip (SHT3x NACKs a read while converting, BME280 has a status bit; BH1750
 *   cannot tell, so the caller must leave `conversionTime` between `configure()` and the first `sample()`).
 * - `delay(ms)`: a *blocking* wait (`Timer.delay` on Moddable). Used only off the steady state: after a
 *   soft reset, and when `sample()` is called before the conversion is due (first sample right after
 *   `configure()`). Without it such a `sample()` throws `SENSOR_TIMEOUT` and the next call succeeds.
 *   Without `delay` the constructors also skip the soft reset (which needs a wait).
 * @module
 */
import { SENSOR_BUS, SENSOR_CONFIG, SensorError } from "./errors.js";
import type { I2C, SensorBusOptions } from "./i2c.js";

/** Fault callback: called with `this` = the sensor, before the same error is thrown. */
export type SensorErrorHandler = (error: SensorError) => void;

/** Constructor options common to all drivers (ECMA-419 sensor class: `sensor` + `onError`). */
export interface SensorOptions {
  /** The I2C class and its options (pins, `hz`, `address`, `port`). */
  sensor: SensorBusOptions;
  /** Called with every fault before it is thrown. */
  onError?: SensorErrorHandler;
  /** Blocking wait in milliseconds (Moddable: `Timer.delay`). Optional, see the module notes. */
  delay?: (ms: number) => void;
  /** Millisecond clock (monotonic). Optional, see the module notes. */
  now?: () => number;
}

/** Default bus clock: 400 kHz fast mode, the highest every supported chip accepts (BH1750's limit). */
export const DEFAULT_HZ = 400_000;

/**
 * Calls `onError` (with `this` = `sensor`), then throws a {@link SensorError}. Fault path only.
 * @param sensor - the driver instance, `this` of the callback.
 * @param onError - the user's callback, if any.
 * @param code - a `SENSOR_*` code.
 * @param detail - context for the message.
 * @param cause - the wrapped exception.
 */
export function reportFault(sensor: object, onError: SensorErrorHandler | undefined, code: number,
  detail?: string, cause?: unknown): never {
  const error = new SensorError(code, detail, cause);
  if (onError !== undefined) onError.call(sensor, error);
  throw error;
}

/**
 * Validates `options` and opens the port: `new io({ hz, address, format: "buffer", ...options.sensor })`.
 * A bad option or a refusing io class is reported as `SENSOR_CONFIG` / `SENSOR_BUS`.
 * @param sensor - the driver instance (for fault reporting).
 * @param options - the driver's constructor options.
 * @param address - the chip's default address.
 * @param allowed - the addresses the chip can be strapped to.
 * @returns the open I2C instance.
 */
export function openSensorBus(sensor: object, options: SensorOptions, address: number,
  allowed: readonly number[]): I2C {
  const onError = options?.onError;
  const bus = options?.sensor;
  if (typeof bus !== "object" || bus === null || typeof bus.io !== "function")
    reportFault(sensor, onError, SENSOR_CONFIG, "options.sensor.io must be an I2C class");
  if (onError !== undefined && typeof onError !== "function")
    reportFault(sensor, undefined, SENSOR_CONFIG, "onError must be a function");
  if (options.delay !== undefined && typeof options.delay !== "function")
    reportFault(sensor, onError, SENSOR_CONFIG, "delay must be a function");
  if (options.now !== undefined && typeof options.now !== "function")
    reportFault(sensor, onError, SENSOR_CONFIG, "now must be a function");
  const chosen = bus.address ?? address;
  if (allowed.indexOf(chosen) < 0)
    reportFault(sensor, onError, SENSOR_CONFIG, "address " + String(chosen) + " not supported by this chip");
  const hz = bus.hz ?? DEFAULT_HZ;
  if (typeof hz !== "number" || !(hz > 0)) reportFault(sensor, onError, SENSOR_CONFIG, "hz must be a positive number");
  // Defaults first, then the caller's options; an explicit `undefined` does not erase a default.
  const ioOptions = { hz: DEFAULT_HZ, address, format: "buffer" as const, ...bus };
  ioOptions.address = chosen;
  ioOptions.hz = hz;
  try {
    return new bus.io(ioOptions);
  } catch (e) {
    return reportFault(sensor, onError, SENSOR_BUS, undefined, e);
  }
}
