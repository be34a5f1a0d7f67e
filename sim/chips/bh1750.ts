/**
 * Register-level BH1750FVI emulation.
 *
 * - One-byte opcodes: 0x00 power down, 0x01 power on, 0x07 reset (clears the data register; ignored when
 *   powered down), 0x10/0x11/0x13 continuous H/H2/L, 0x20/0x21/0x23 one-time H/H2/L (powers down after),
 *   0x40|MT[7:5] and 0x60|MT[4:0] set MTreg (31…254). Anything else is NACKed.
 * - A read ACKs and returns the data register (big-endian), i.e. the last finished conversion: there is no
 *   "not ready" signal, exactly like the chip.
 * - Conversion time: 180 ms (H, H2) or 24 ms (L) × MTreg / 69 (datasheet maxima). One-time mode samples the
 *   environment at the command and publishes at completion; continuous mode publishes a result at the end of
 *   every period, sampled lazily at the first bus access after it.
 * - count = lux × 1.2 × MTreg / 69 (× 2 in H2), saturating at 65535; L mode clears the two low bits.
 * @module
 */
import { SimChip, type FaultName, type SimChipOptions } from "./chip.js";

const NONE = 0;
const CONTINUOUS = 1;
const ONE_TIME = 2;

/** Simulated BH1750. Attach with `bus.attach(0x23, new SimBH1750({ environment }))`. */
export class SimBH1750 extends SimChip {
  /** {@inheritDoc SimChip.supportedFaults} */
  readonly supportedFaults: readonly FaultName[] = Object.freeze(["absent", "nack", "stuck"] as FaultName[]);
  /** {@inheritDoc SimChip.model} */
  readonly model = "BH1750";
  #powered = false;
  #mode = NONE;
  /** 0 high, 1 high2, 3 low (the opcode's low bits). */
  #resolution = 0;
  #mtreg = 69;
  #pendingHigh = -1;
  #data = 0;
  /** Result of the running one-time conversion. */
  #pendingData = 0;
  /** Count of the last conversion (what a stuck chip repeats). */
  #raw = 0;
  #start = 0;
  #period = 0;
  #published = 0;
  #haveRaw = false;
  /** Conversions completed, for tests and the CLI. */
  conversions = 0;

  /** @param options - the environment. */
  constructor(options: SimChipOptions) {
    super(options);
  }

  /** Current MTreg. */
  get mtreg(): number {
    return this.#mtreg;
  }

  /**
   * Whether the chip is powered on at `now` (a one-time conversion that finished has powered it down).
   * @param now - bus time, ms.
   */
  isPowered(now: number): boolean {
    this.#update(now);
    return this.#powered;
  }

  protected onWrite(bytes: Uint8Array, _stop: boolean, now: number): boolean {
    this.#update(now);
    if (bytes.byteLength === 0) return true;
    if (bytes.byteLength !== 1) return false;
    const op = bytes[0]!;
    if (op === 0x00) {
      this.#powered = false;
      this.#mode = NONE;
    } else if (op === 0x01) {
      this.#powered = true;
    } else if (op === 0x07) {
      if (this.#powered) this.#data = 0;
    } else if (op === 0x10 || op === 0x11 || op === 0x13 || op === 0x20 || op === 0x21 || op === 0x23) {
      this.#powered = true;
      this.#mode = op < 0x20 ? CONTINUOUS : ONE_TIME;
      this.#resolution = op & 0x03;
      this.#start = now;
      this.#period = ((this.#resolution === 3 ? 24 : 180) * this.#mtreg) / 69;
      this.#published = 0;
      if (this.#mode === ONE_TIME) this.#pendingData = this.#convert(now + this.#period);
    } else if ((op & 0xf8) === 0x40) {
      this.#pendingHigh = op & 0x07;
    } else if ((op & 0xe0) === 0x60) {
      const high = this.#pendingHigh >= 0 ? this.#pendingHigh : this.#mtreg >> 5;
      const mt = (high << 5) | (op & 0x1f);
      this.#pendingHigh = -1;
      if (mt < 31 || mt > 254) return false;
      this.#mtreg = mt;
    } else {
      return false;
    }
    return true;
  }

  protected onRead(into: Uint8Array, _stop: boolean, now: number): boolean {
    this.#update(now);
    for (let i = 0; i < into.byteLength; i++) into[i] = i === 0 ? this.#data >> 8 : i === 1 ? this.#data & 0xff : 0xff;
    return true;
  }

  #update(now: number): void {
    if (this.#mode === NONE) return;
    const n = Math.floor((now - this.#start) / this.#period);
    if (n < 1 || n <= this.#published) return;
    if (this.#mode === ONE_TIME) {
      this.#data = this.#pendingData;
      this.#mode = NONE;
      this.#powered = false;
      return;
    }
    this.#published = n;
    this.#data = this.#convert(this.#start + n * this.#period);
  }

  /** @returns the count of a conversion at time `at` (the previous one when stuck). */
  #convert(at: number): number {
    this.conversions++;
    if (this.faults.stuck && this.#haveRaw) return this.#raw;
    this.#haveRaw = true;
    const lux = this.environment.read(at, this.reading).illuminance;
    let count = Math.round(lux * 1.2 * (this.#mtreg / 69) * (this.#resolution === 1 ? 2 : 1));
    if (this.#resolution === 3) count &= ~3;
    this.#raw = count < 0 ? 0 : count > 65535 ? 65535 : count;
    return this.#raw;
  }
}
