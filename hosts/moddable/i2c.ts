/**
 * The drivers' I2C seam over Moddable's `embedded:io/i2c` (the real bus on ESP32; on the desktop simulators
 * the manifest maps `embedded:io/i2c` to `hosts/moddable/sim-i2c.ts`, the same class shape).
 *
 * A thin adapter rather than a cast: the SDK's typings declare `read`/`write` with other return types and no
 * `close()`, although the class has one. Calls pass straight through; nothing is allocated per transfer.
 * @module
 */
import I2CPort from "embedded:io/i2c";
import type { I2C, I2COptions, PinSpecifier } from "xsmqtt/drivers/i2c";

/** The SDK takes pin and port numbers (its esp32 typings say `number`); numeric strings from a config are accepted. */
function pinNumber(value: PinSpecifier, what: string): number {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`invalid ${what} pin`);
  return n;
}

/** `embedded:io/i2c` as the drivers' {@link I2C}. */
export class ModdableI2C implements I2C {
  readonly #port: I2CPort;

  /** Opens the port; throws as the SDK's class does (bad pins, address in use). */
  constructor(options: I2COptions) {
    this.#port = new I2CPort({
      data: pinNumber(options.data, "data"),
      clock: pinNumber(options.clock, "clock"),
      hz: options.hz,
      address: options.address,
      ...(options.port === undefined ? {} : { port: pinNumber(options.port, "port") }),
    });
  }

  /** Reads exactly `buffer.byteLength` bytes, or a new `ArrayBuffer` of `byteLength` bytes. Throws on NACK. */
  read(buffer: Uint8Array, stop?: boolean): unknown;
  read(byteLength: number, stop?: boolean): ArrayBuffer;
  read(target: Uint8Array | number, stop?: boolean): unknown {
    if (typeof target === "number") return this.#port.read(target, stop);
    return this.#port.read(target, stop);
  }

  /** Writes all of `buffer`. Throws on NACK. */
  write(buffer: Uint8Array, stop?: boolean): unknown {
    this.#port.write(buffer, stop);
    return undefined;
  }

  /** Releases the port. */
  close(): void {
    // The class has close() although the SDK's typings omit it.
    const close: unknown = Reflect.get(this.#port, "close");
    if (typeof close === "function") Reflect.apply(close, this.#port, []);
  }
}
