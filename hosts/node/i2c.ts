/**
 * The ECMA-419 `embedded:io/i2c` class for the desktop, backed by a simulated bus.
 *
 * `createSimI2C(bus)` returns a class with the constructor options and the semantics of Moddable's esp32
 * implementation: `read(buffer)` fills exactly `buffer.byteLength` bytes, `read(count)` returns a new
 * `ArrayBuffer`, `write(buffer, stop)` sends all of `buffer`, a NACK throws an `Error` (message `"NACK"`),
 * constructing does not probe the device, and every call after `close()` throws.
 * @module
 */
import type { I2C, I2CConstructor, I2COptions, PinSpecifier } from "../../src/drivers/i2c.js";
import { I2CNackError, type SimI2CBus } from "../../sim/bus.js";

/**
 * Builds an `embedded:io/i2c`-shaped class whose instances talk to `bus`.
 * @param bus - the simulated bus.
 * @returns the class, to pass as `options.sensor.io`.
 * @example
 * ```ts
 * const bus = new SimI2CBus({ now: clock.now });
 * bus.attach(0x44, new SimSHT3x({ environment }));
 * const sht = new SHT3x({ sensor: { io: createSimI2C(bus), data: 21, clock: 22 }, delay: clock.advance });
 * ```
 */
export function createSimI2C(bus: SimI2CBus): I2CConstructor {
  return class SimI2C implements I2C {
    #address: number;
    #open = true;
    /** Pins and clock as given (validated like a host would). */
    readonly data: PinSpecifier;
    readonly clock: PinSpecifier;
    readonly hz: number;

    constructor(options: I2COptions) {
      if (typeof options !== "object" || options === null) throw new TypeError("options required");
      const { data, clock, hz, address, format } = options;
      if (!isPin(data)) throw new RangeError("invalid data pin");
      if (!isPin(clock)) throw new RangeError("invalid clock pin");
      if (data === clock) throw new RangeError("data and clock must differ");
      if (typeof hz !== "number" || !(hz > 0) || hz > 5_000_000) throw new RangeError("invalid hz");
      if (!Number.isInteger(address) || address < 0 || address > 0x7f) throw new RangeError("invalid address");
      if (format !== undefined && format !== "buffer") throw new RangeError("unsupported format");
      this.data = data;
      this.clock = clock;
      this.hz = hz;
      this.#address = address;
    }

    get format(): "buffer" {
      return "buffer";
    }
    set format(value: "buffer") {
      if (value !== "buffer") throw new RangeError("unsupported format");
    }

    read(buffer: Uint8Array, stop?: boolean): undefined;
    read(byteLength: number, stop?: boolean): ArrayBuffer;
    read(target: Uint8Array | number, stop = true): ArrayBuffer | undefined {
      this.#check();
      if (typeof target === "number") {
        if (!Number.isInteger(target) || target < 0) throw new RangeError("invalid byteLength");
        const bytes = new Uint8Array(target);
        this.#transfer(false, bytes, stop);
        return bytes.buffer;
      }
      if (!(target instanceof Uint8Array)) throw new TypeError("buffer must be a Uint8Array");
      this.#transfer(false, target, stop);
      return undefined;
    }

    write(buffer: Uint8Array, stop = true): undefined {
      this.#check();
      if (!(buffer instanceof Uint8Array)) throw new TypeError("buffer must be a Uint8Array");
      this.#transfer(true, buffer, stop);
      return undefined;
    }

    close(): void {
      this.#open = false;
    }

    #check(): void {
      if (!this.#open) throw new Error("closed");
    }

    #transfer(write: boolean, bytes: Uint8Array, stop: boolean): void {
      try {
        if (write) bus.write(this.#address, bytes, stop);
        else bus.read(this.#address, bytes, stop);
      } catch (e) {
        if (e instanceof I2CNackError) throw new Error("NACK");
        throw e; // a bug in a simulated chip must not look like a bus fault
      }
    }
  };
}

function isPin(pin: unknown): pin is PinSpecifier {
  return (typeof pin === "number" && Number.isInteger(pin) && pin >= 0) || (typeof pin === "string" && pin.length > 0);
}
