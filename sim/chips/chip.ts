/**
 * What every simulated chip shares: fault injection and the environment it measures.
 *
 * Faults, settable at run time (`chip.setFault("nack", 3)`):
 * - `absent`: the chip NACKs everything, as if unplugged;
 * - `nack`: the next N transactions (writes or reads) are NACKed, then the chip answers again;
 * - `stuck`: conversions keep returning the raw values of the last conversion before the fault;
 * - `corruptCrc` (SHT3x): the next N answers carry a wrong CRC (`Infinity` for all);
 * - `wrongChipId` (BME280): the id register reads 0x58 (a BMP280).
 * A fault a chip does not model is refused with a RangeError rather than silently ignored.
 *
 * Engine-neutral.
 * @module
 */
import type { SimI2CDevice } from "../bus.js";
import type { EnvironmentReading, EnvironmentSource } from "./environment.js";

/** Names of the injectable faults. */
export type FaultName = "absent" | "nack" | "stuck" | "corruptCrc" | "wrongChipId";

/** Current fault state of a chip (read-only view; change it with `setFault`). */
export interface ChipFaults {
  absent: boolean;
  /** Transactions left to NACK. */
  nack: number;
  stuck: boolean;
  /** Answers left with a corrupted CRC. */
  corruptCrc: number;
  wrongChipId: boolean;
}

/** Options every chip accepts. */
export interface SimChipOptions {
  /** Where the chip reads temperature, humidity, pressure and light. */
  environment: EnvironmentSource;
}

/** Base class: fault gate in front of the chip's own `onWrite`/`onRead`. */
export abstract class SimChip implements SimI2CDevice {
  /** Faults this chip models. */
  abstract readonly supportedFaults: readonly FaultName[];
  /** Human-readable model name, e.g. `"SHT31"`. */
  abstract readonly model: string;
  readonly #faults: ChipFaults = { absent: false, nack: 0, stuck: false, corruptCrc: 0, wrongChipId: false };
  /** The environment. */
  protected readonly environment: EnvironmentSource;
  /** Reused reading. */
  protected readonly reading: EnvironmentReading = { temperature: 0, humidity: 0, pressure: 0, illuminance: 0 };

  /** @param options - the environment. */
  constructor(options: SimChipOptions) {
    if (typeof options?.environment?.read !== "function") throw new TypeError("options.environment is required");
    this.environment = options.environment;
  }

  /** The current faults. */
  get faults(): Readonly<ChipFaults> {
    return this.#faults;
  }

  /**
   * Sets a fault. Booleans for `absent`, `stuck`, `wrongChipId`; counts (≥ 0, `Infinity` allowed) for
   * `nack` and `corruptCrc` (`true` means `Infinity`, `false` means 0).
   * @param name - the fault.
   * @param value - on/off or count.
   * @throws RangeError for a fault this chip does not model or a bad value.
   */
  setFault(name: FaultName, value: boolean | number): void {
    if (this.supportedFaults.indexOf(name) < 0) throw new RangeError(this.model + " does not model fault " + String(name));
    const f = this.#faults;
    if (name === "nack" || name === "corruptCrc") {
      const count = value === true ? Infinity : value === false ? 0 : value;
      if (typeof count !== "number" || !(count >= 0) || (count !== Infinity && !Number.isInteger(count)))
        throw new RangeError(name + " needs a count >= 0");
      f[name] = count;
    } else {
      if (typeof value !== "boolean") throw new RangeError(name + " needs a boolean");
      f[name] = value;
    }
  }

  /** Clears every fault. */
  clearFaults(): void {
    const f = this.#faults;
    f.absent = false;
    f.nack = 0;
    f.stuck = false;
    f.corruptCrc = 0;
    f.wrongChipId = false;
  }

  /** {@inheritDoc SimI2CDevice.write} */
  write(bytes: Uint8Array, stop: boolean, now: number): boolean {
    return this.#acknowledge() && this.onWrite(bytes, stop, now);
  }

  /** {@inheritDoc SimI2CDevice.read} */
  read(into: Uint8Array, stop: boolean, now: number): boolean {
    return this.#acknowledge() && this.onRead(into, stop, now);
  }

  /** The chip's own write handling (faults already applied). */
  protected abstract onWrite(bytes: Uint8Array, stop: boolean, now: number): boolean;
  /** The chip's own read handling (faults already applied). */
  protected abstract onRead(into: Uint8Array, stop: boolean, now: number): boolean;

  /** Consumes one `corruptCrc` count. @returns true if this answer must carry a bad CRC. */
  protected takeCorruptCrc(): boolean {
    const f = this.#faults;
    if (f.corruptCrc <= 0) return false;
    f.corruptCrc--;
    return true;
  }

  #acknowledge(): boolean {
    const f = this.#faults;
    if (f.absent) return false;
    if (f.nack > 0) {
      f.nack--;
      return false;
    }
    return true;
  }
}

/**
 * CRC-8 of Sensirion chips (polynomial 0x31, init 0xFF), written independently of the driver's.
 * @param msb - first byte.
 * @param lsb - second byte.
 * @returns the CRC of the two bytes.
 */
export function sensirionCrc(msb: number, lsb: number): number {
  let crc = 0xff ^ msb;
  for (let i = 0; i < 16; i++) {
    if (i === 8) crc ^= lsb;
    crc = (crc & 0x80) !== 0 ? ((crc << 1) ^ 0x31) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}
