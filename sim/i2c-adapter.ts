/**
 * An `embedded:io/i2c`-shaped class over a {@link SimI2CBus}, engine-neutral (runs on Node and on XS).
 *
 * Same contract as Moddable's `modules/io/i2c` on esp32, which the drivers rely on (see
 * `src/drivers/i2c.ts`): constructing does not probe the device; `read(buffer)` fills exactly
 * `buffer.byteLength` bytes; `read(count)` returns a new `ArrayBuffer`; `write(buffer, false)` leaves the
 * bus for a repeated START; a missing device or a NACK throws an `Error`; using a closed instance throws.
 * Used by `sim/device.ts` on the desktop and by `hosts/moddable/sim-i2c.ts` on Moddable's simulators.
 * @module
 */
import type { SimI2CBus } from "./bus.js";
import type { I2CConstructor, I2COptions } from "../src/drivers/i2c.js";

/** One open target on the bus. */
export interface SimI2CInstance {
  read(buffer: Uint8Array | number, stop?: boolean): unknown;
  write(buffer: Uint8Array | ArrayBuffer, stop?: boolean): void;
  close(): void;
  readonly format: "buffer";
}

function bytesOf(buffer: Uint8Array | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (buffer instanceof Uint8Array) return buffer;
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  throw new TypeError("buffer required");
}

/**
 * Validates the options of an `embedded:io/i2c`-shaped constructor as the real class does (setup time).
 * @returns the 7-bit address.
 * @throws TypeError without options; RangeError for a bad address, missing pins, bad hz or format.
 */
export function checkI2COptions(options: I2COptions): number {
  if (options === null || typeof options !== "object") throw new TypeError("options required");
  const { address, hz } = options;
  if (!Number.isInteger(address) || address < 0 || address > 0x7f) throw new RangeError("invalid address");
  if (options.data === undefined || options.clock === undefined) throw new RangeError("data and clock pins required");
  if (!(typeof hz === "number" && hz > 0)) throw new RangeError("invalid hz");
  if (options.format !== undefined && options.format !== "buffer") throw new RangeError("unsupported format");
  return address;
}

/**
 * Makes an `embedded:io/i2c`-shaped class bound to `bus` (setup time: one class per bus).
 * @returns the class, to hand to drivers as `sensor.io`
 */
export function bindSimI2C(bus: SimI2CBus): I2CConstructor {
  class SimI2C implements SimI2CInstance {
    #address: number;
    #closed = false;
    constructor(options: I2COptions) {
      const address = checkI2COptions(options);
      this.#address = address;
    }
    get format(): "buffer" {
      return "buffer";
    }
    set format(value: string) {
      if (value !== "buffer") throw new RangeError("unsupported format");
    }
    read(buffer: Uint8Array | number, stop = true): unknown {
      if (this.#closed) throw new Error("closed");
      // The allocating read(count) form is tested without a string literal: XS copies literals per call.
      if (!(buffer instanceof Uint8Array)) {
        const out = new Uint8Array(buffer);
        bus.read(this.#address, out, stop !== false);
        return out.buffer;
      }
      const view = bytesOf(buffer);
      if (view.byteLength === 0) throw new RangeError("empty read");
      bus.read(this.#address, view, stop !== false);
      return undefined;
    }
    write(buffer: Uint8Array | ArrayBuffer, stop = true): void {
      if (this.#closed) throw new Error("closed");
      bus.write(this.#address, bytesOf(buffer), stop !== false);
    }
    close(): void {
      this.#closed = true;
    }
  }
  return SimI2C as unknown as I2CConstructor;
}
