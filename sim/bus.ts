/**
 * A virtual I2C bus: simulated chips attach at 7-bit addresses; transactions are `write(address, bytes)`
 * and `read(address, into)`. An address nobody answers at NACKs, which throws like the real
 * `embedded:io/i2c` class. Time comes from an injected `now()` (ms) so runs are deterministic.
 *
 * Engine-neutral (runs under Node and XS): no Node modules, timers or console.
 * @module
 */

/** A simulated I2C target. Return `false` to NACK the transaction. */
export interface SimI2CDevice {
  /**
   * A write transaction (address ACKed by the bus only if this returns true).
   * @param bytes - the bytes the controller sends; only valid during the call (copy what you keep).
   * @param stop - false when a repeated START follows.
   * @param now - bus time, ms.
   */
  write(bytes: Uint8Array, stop: boolean, now: number): boolean;
  /**
   * A read transaction: fill all of `into`.
   * @param into - destination; exactly `into.byteLength` bytes are requested.
   * @param stop - false when a repeated START follows.
   * @param now - bus time, ms.
   */
  read(into: Uint8Array, stop: boolean, now: number): boolean;
}

/** Thrown on a NACK, as the real I2C class throws an `Error`. */
export class I2CNackError extends Error {
  override name = "I2CNackError";
  /** The 7-bit address of the failed transaction. */
  readonly address: number;
  /** @param address - 7-bit address. */
  constructor(address: number) {
    super("NACK");
    this.address = address;
  }
}

/** Transaction counters of a bus. */
export interface SimI2CCounters {
  /** Write transactions attempted. */
  writes: number;
  /** Read transactions attempted. */
  reads: number;
  /** Transactions NACKed. */
  nacks: number;
  /** Bytes transferred in acknowledged transactions. */
  bytes: number;
}

/** Options of {@link SimI2CBus}. */
export interface SimI2CBusOptions {
  /** Simulated time in ms, read at every transaction. */
  now: () => number;
}

/** A manual clock for deterministic tests and fleets: `now()` returns what `advance()` made it. */
export class ManualClock {
  #t: number;
  /** Bound once: pass it as `now` or `delay` freely. */
  readonly now: () => number;
  /** Advances time by `ms` (a blocking `delay` in a simulation just moves time on). */
  readonly advance: (ms: number) => void;
  /** @param start - initial time, ms. */
  constructor(start = 0) {
    this.#t = start;
    this.now = () => this.#t;
    this.advance = (ms: number) => {
      if (!(ms >= 0)) throw new RangeError("advance: ms must be >= 0");
      this.#t += ms;
    };
  }
  /**
   * Sets the absolute time (never backwards).
   * @param t - ms.
   */
  set(t: number): void {
    if (!(t >= this.#t)) throw new RangeError("set: time cannot go backwards");
    this.#t = t;
  }
}

/** The bus. Attach chips, then hand `createSimI2C(bus)` (hosts/node) to the drivers. */
export class SimI2CBus {
  #devices: (SimI2CDevice | undefined)[] = new Array<SimI2CDevice | undefined>(128).fill(undefined);
  #now: () => number;
  /** Transaction counters (mutated in place). */
  readonly counters: SimI2CCounters = { writes: 0, reads: 0, nacks: 0, bytes: 0 };

  /** @param options - `now`: the time source. */
  constructor(options: SimI2CBusOptions) {
    if (typeof options?.now !== "function") throw new TypeError("SimI2CBus: options.now must be a function");
    this.#now = options.now;
  }

  /** Current bus time, ms. */
  get now(): number {
    return this.#now();
  }

  /**
   * Attaches a device.
   * @param address - 7-bit address, 0x08…0x77.
   * @param device - the chip.
   * @throws RangeError for an invalid or occupied address.
   */
  attach(address: number, device: SimI2CDevice): void {
    checkAddress(address);
    if (this.#devices[address] !== undefined) throw new RangeError("address 0x" + address.toString(16) + " in use");
    this.#devices[address] = device;
  }

  /**
   * Removes the device at `address`.
   * @returns true if one was attached.
   */
  detach(address: number): boolean {
    checkAddress(address);
    const had = this.#devices[address] !== undefined;
    this.#devices[address] = undefined;
    return had;
  }

  /** @returns the device at `address`, if any. */
  device(address: number): SimI2CDevice | undefined {
    return this.#devices[address];
  }

  /**
   * A write transaction.
   * @param address - 7-bit address.
   * @param bytes - the data.
   * @param stop - STOP at the end (default true).
   * @throws I2CNackError when nobody acknowledges.
   */
  write(address: number, bytes: Uint8Array, stop = true): void {
    this.counters.writes++;
    const device = this.#devices[address];
    if (device === undefined || !device.write(bytes, stop, this.#now())) this.#nack(address);
    this.counters.bytes += bytes.byteLength;
  }

  /**
   * A read transaction, filling all of `into` (or a new array of `into` bytes).
   * @param address - 7-bit address.
   * @param into - destination, or a byte count.
   * @param stop - STOP at the end (default true).
   * @returns the filled array.
   * @throws I2CNackError when nobody acknowledges.
   */
  read(address: number, into: Uint8Array | number, stop = true): Uint8Array {
    this.counters.reads++;
    const buffer = into instanceof Uint8Array ? into : new Uint8Array(into); // no string literal: XS would copy it per call
    const device = this.#devices[address];
    if (device === undefined || !device.read(buffer, stop, this.#now())) this.#nack(address);
    this.counters.bytes += buffer.byteLength;
    return buffer;
  }

  /**
   * The addresses with a device attached, ascending, whatever their faults (unlike a real scan, which
   * probes and would miss an `absent` chip). Does not count as transactions.
   * @returns addresses.
   */
  scan(): number[] {
    const found: number[] = [];
    for (let a = 0; a < 128; a++) if (this.#devices[a] !== undefined) found.push(a);
    return found;
  }

  #nack(address: number): never {
    this.counters.nacks++;
    throw new I2CNackError(address);
  }
}

function checkAddress(address: number): void {
  if (!Number.isInteger(address) || address < 0x08 || address > 0x77)
    throw new RangeError("I2C address must be an integer 0x08…0x77");
}
