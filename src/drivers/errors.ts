/**
 * Sensor fault codes and the one error class every driver reports.
 *
 * Codes are negative numbers in the `-2xx` range, distinct from the codec (`-1 … -99`) and client
 * (`-100 … -199`) codes, so an application can publish or count any of them in one numeric field.
 *
 * Every fault a driver detects goes two ways: `options.onError?.(error)` is called (with `this` = the
 * sensor), then the same {@link SensorError} is thrown. Exceptions of the I2C class are never passed
 * through: they are wrapped (`cause` keeps the original). Errors are created only on the fault path.
 * @module
 */

/** The device did not acknowledge (missing at its address, unpowered, wrong wiring, or busy). */
export const SENSOR_NACK = -201;
/** A CRC in the sensor's answer did not match (noise on the bus, bad wiring, too high `hz`). */
export const SENSOR_CRC = -202;
/** The chip identification register does not hold the expected value (a different chip at the address). */
export const SENSOR_CHIP_ID = -203;
/** The conversion is not finished (sample() called too early and no `delay` to wait), or never finished. */
export const SENSOR_TIMEOUT = -204;
/** An option is out of range or of the wrong type (constructor or configure()). */
export const SENSOR_CONFIG = -205;
/** The sensor was used after close(). */
export const SENSOR_CLOSED = -206;
/** The I2C class refused to open the port (pins or port in use, invalid pins). */
export const SENSOR_BUS = -207;
/** The chip answered with implausible data (e.g. blank calibration memory, configuration lost). */
export const SENSOR_DATA = -208;

/**
 * Symbolic name of a sensor code (`"SENSOR_NACK"` ...), `"SENSOR_UNKNOWN"` for anything else.
 * @param code - a sensor code.
 * @returns the constant's name.
 */
export function sensorCodeName(code: number): string {
  switch (code) {
    case SENSOR_NACK: return "SENSOR_NACK";
    case SENSOR_CRC: return "SENSOR_CRC";
    case SENSOR_CHIP_ID: return "SENSOR_CHIP_ID";
    case SENSOR_TIMEOUT: return "SENSOR_TIMEOUT";
    case SENSOR_CONFIG: return "SENSOR_CONFIG";
    case SENSOR_CLOSED: return "SENSOR_CLOSED";
    case SENSOR_BUS: return "SENSOR_BUS";
    case SENSOR_DATA: return "SENSOR_DATA";
    default: return "SENSOR_UNKNOWN";
  }
}

/**
 * Human-readable message of a sensor code.
 * @param code - a sensor code.
 * @returns one sentence fragment, without trailing period.
 */
export function sensorCodeMessage(code: number): string {
  switch (code) {
    case SENSOR_NACK: return "no acknowledge on the I2C bus (device missing, unpowered or busy)";
    case SENSOR_CRC: return "checksum mismatch in sensor data";
    case SENSOR_CHIP_ID: return "unexpected chip id";
    case SENSOR_TIMEOUT: return "measurement not ready";
    case SENSOR_CONFIG: return "invalid sensor configuration";
    case SENSOR_CLOSED: return "sensor is closed";
    case SENSOR_BUS: return "I2C port could not be opened";
    case SENSOR_DATA: return "implausible data from the sensor";
    default: return "unknown sensor error";
  }
}

/**
 * The typed error of every driver. `code` is one of the `SENSOR_*` constants; `message` is the code's
 * table message, followed by `": detail"` when the driver adds context (register, expected value).
 *
 * @example
 * ```ts
 * try { const { temperature } = sht.sample(); }
 * catch (e) { if (e instanceof SensorError && e.code === SENSOR_TIMEOUT) retryLater(); }
 * ```
 */
export class SensorError extends Error {
  override name = "SensorError";
  /** One of the `SENSOR_*` codes. */
  readonly code: number;
  /**
   * @param code - a `SENSOR_*` code.
   * @param detail - optional context appended to the message.
   * @param cause - the underlying exception (e.g. the I2C class's Error), kept as `cause`.
   */
  constructor(code: number, detail?: string, cause?: unknown) {
    super(detail === undefined ? sensorCodeMessage(code) : sensorCodeMessage(code) + ": " + detail,
      cause === undefined ? undefined : { cause });
    this.code = code;
  }
}
