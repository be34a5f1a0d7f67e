/**
 * The I2C seam: the shape of the ECMA-419 `embedded:io/i2c` class as the drivers use it.
 *
 * On the device the host hands in Moddable's own `embedded:io/i2c`; on the desktop it hands in
 * `createSimI2C(bus)` from `hosts/node/i2c.ts`. Drivers never import either.
 *
 * Semantics the drivers rely on (Moddable esp32 `modules/io/i2c`):
 * - `read(buffer)` fills exactly `buffer.byteLength` bytes: the transfer length is the view's length, so
 *   drivers create one exact-length view per transfer size once, at construction (never per sample);
 * - `read(count)` allocates and returns a new `ArrayBuffer` (drivers never use it);
 * - `write(buffer, false)` ends without a STOP so the next `read` is a repeated START;
 * - a missing device or any NACK makes `read`/`write` throw an `Error`;
 * - constructing the class does not probe the device.
 * @module
 */

/** A pin as ECMA-419 hosts accept it: a GPIO number (esp32) or a board-defined name. */
export type PinSpecifier = number | string;

/** An I2C port (controller) number or name. */
export type PortSpecifier = number | string;

/** Options of the `embedded:io/i2c` constructor. */
export interface I2COptions {
  /** SDA pin. */
  data: PinSpecifier;
  /** SCL pin. */
  clock: PinSpecifier;
  /** Bus clock in Hz (100,000 standard mode, 400,000 fast mode). */
  hz: number;
  /** 7-bit target address. */
  address: number;
  /** I2C controller; host default when absent. */
  port?: PortSpecifier;
  /** Only `"buffer"` is supported. */
  format?: "buffer";
}

/** An open I2C target, as returned by `new io(options)`. */
export interface I2C {
  /**
   * Reads exactly `buffer.byteLength` bytes into `buffer`. Throws on NACK.
   * @param stop - send STOP at the end (default `true`).
   */
  read(buffer: Uint8Array, stop?: boolean): unknown;
  /** Allocating form: reads `byteLength` bytes into a new `ArrayBuffer`. Never used by drivers. */
  read(byteLength: number, stop?: boolean): ArrayBuffer;
  /**
   * Writes all of `buffer`. Throws on NACK.
   * @param stop - send STOP at the end (default `true`); `false` for a following repeated-START read.
   */
  write(buffer: Uint8Array, stop?: boolean): unknown;
  /** Releases the port; further calls throw. */
  close(): void;
}

/** The `embedded:io/i2c` class itself, handed to drivers as `options.sensor.io`. */
export interface I2CConstructor {
  new (options: I2COptions): I2C;
}

/**
 * The `sensor` option of every driver (ECMA-419 sensor class pattern): the io class plus its options.
 * The driver opens the port with its own defaults first, then these: `new io({ hz, address, format, ...sensor })`.
 */
export interface SensorBusOptions {
  /** The I2C class (`embedded:io/i2c` on the device, `createSimI2C(bus)` on the desktop). */
  io: I2CConstructor;
  /** SDA pin. */
  data: PinSpecifier;
  /** SCL pin. */
  clock: PinSpecifier;
  /** Bus clock in Hz; driver default 400,000. */
  hz?: number;
  /** 7-bit address; driver default is the chip's primary address. */
  address?: number;
  /** I2C controller. */
  port?: PortSpecifier;
}
