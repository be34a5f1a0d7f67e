/**
 * A fake `embedded:io/i2c` class for the XS allocation scenarios (drivers, firmware) that allocates
 * nothing per transaction: an SHT3x (0x44), a BME280 (0x76) and a BH1750 (0x23) served from byte tables
 * computed at setup, with a numeric clock (`chips.t`, ms) that the scenario advances by hand.
 *
 * Deliberately minimal and independent of `sim/`: its own CRC-8, its own register image. Each chip keeps
 * the index of the table entry it last answered with (`lastRead`), so a scenario can verify every sample
 * inside a measured loop with number comparisons only. A NACK throws (allocates: fault path only).
 * Engine-neutral; everything is allocated by the constructors.
 * @module
 */
import type { I2CConstructor, I2COptions } from "../../../src/drivers/i2c.js";

/** CRC-8 of Sensirion chips (poly 0x31, init 0xFF) over two bytes; a third implementation, for the fake. */
export function crc8Word(msb: number, lsb: number): number {
  let crc = 0xff ^ msb;
  for (let bit = 0; bit < 8; bit++) crc = (crc & 0x80) !== 0 ? ((crc << 1) ^ 0x31) & 0xff : (crc << 1) & 0xff;
  crc ^= lsb;
  for (let bit = 0; bit < 8; bit++) crc = (crc & 0x80) !== 0 ? ((crc << 1) ^ 0x31) & 0xff : (crc << 1) & 0xff;
  return crc;
}

/** Entries in each chip's answer table. */
export const TABLE_SIZE = 16;

function nextIndex(i: number): number {
  return i + 1 === TABLE_SIZE ? 0 : i + 1;
}

/** SHT3x: answers (T msb, lsb, CRC, RH msb, lsb, CRC) from a table, one entry per measure command. */
export class FakeSht3x {
  /** TABLE_SIZE × 6 answer bytes. */
  readonly answers = new Uint8Array(TABLE_SIZE * 6);
  /** Raw words per entry. */
  readonly rawT = new Uint16Array(TABLE_SIZE);
  readonly rawH = new Uint16Array(TABLE_SIZE);
  /** Entry of the running conversion (-1: none) and of the last answer read. */
  converting = -1;
  lastRead = -1;
  next = 0;
  readyAt = 0;
  commands = 0;
  reads = 0;
  /** XOR applied to the next answer's first CRC (fault checks). */
  corruptNext = 0;

  constructor() {
    for (let i = 0; i < TABLE_SIZE; i++) {
      // Spread over 10…35 °C and 20…80 %RH.
      const t = 10 + (25 * i) / (TABLE_SIZE - 1);
      const h = 20 + (60 * ((i * 7) % TABLE_SIZE)) / (TABLE_SIZE - 1);
      this.setEntry(i, Math.round(((t + 45) * 65535) / 175), Math.round((h * 65535) / 100));
    }
  }

  /** Sets table entry `i` to the raw words (CRCs computed here). Setup time. */
  setEntry(i: number, rawT: number, rawH: number): void {
    const a = this.answers;
    const o = i * 6;
    this.rawT[i] = rawT;
    this.rawH[i] = rawH;
    a[o] = rawT >> 8; a[o + 1] = rawT & 0xff; a[o + 2] = crc8Word(rawT >> 8, rawT & 0xff);
    a[o + 3] = rawH >> 8; a[o + 4] = rawH & 0xff; a[o + 5] = crc8Word(rawH >> 8, rawH & 0xff);
  }

  write(bytes: Uint8Array, now: number): boolean {
    if (bytes.byteLength !== 2) return false;
    if (this.converting >= 0 && now < this.readyAt) return false; // converting: NACK, like the chip
    const command = (bytes[0]! << 8) | bytes[1]!;
    this.commands++;
    if (command === 0x2400 || command === 0x240b || command === 0x2416) {
      this.converting = this.next;
      this.next = nextIndex(this.next);
      this.readyAt = now + 15.5;
      return true;
    }
    return command === 0x306d || command === 0x3066 || command === 0x30a2 || command === 0x3041;
  }

  read(into: Uint8Array, now: number): boolean {
    const e = this.converting;
    if (e < 0 || now < this.readyAt || into.byteLength !== 6) return false;
    const a = this.answers;
    const o = e * 6;
    for (let i = 0; i < 6; i++) into[i] = a[o + i]!;
    into[2] = into[2]! ^ this.corruptNext;
    this.corruptNext = 0;
    this.converting = -1;
    this.lastRead = e;
    this.reads++;
    return true;
  }
}

/** BME280 trimming: the datasheet example (T, P) plus typical humidity values. */
export const EXAMPLE_CALIBRATION = Object.freeze({
  T1: 27504, T2: 26435, T3: -1000,
  P1: 36477, P2: -10685, P3: 3024, P4: 2855, P5: 140, P6: -7, P7: 15500, P8: -14600, P9: 6000,
  H1: 75, H2: 362, H3: 0, H4: 313, H5: 50, H6: 30,
});

/**
 * BME280: a 256-byte register image with auto-incrementing reads; a forced-mode ctrl_meas write starts a
 * conversion that publishes the next table entry into 0xF7…0xFE after 10 ms (status bit 3 meanwhile).
 */
export class FakeBme280 {
  readonly regs = new Uint8Array(256);
  /** adc values per entry. */
  readonly adcT = new Int32Array(TABLE_SIZE);
  readonly adcP = new Int32Array(TABLE_SIZE);
  readonly adcH = new Int32Array(TABLE_SIZE);
  pointer = 0;
  converting = -1;
  readyAt = 0;
  /** Entry currently in the data registers. */
  published = -1;
  next = 0;
  writes = 0;
  reads = 0;

  constructor() {
    const r = this.regs;
    r[0xd0] = 0x60;
    const c = EXAMPLE_CALIBRATION;
    const words = [c.T1, c.T2, c.T3, c.P1, c.P2, c.P3, c.P4, c.P5, c.P6, c.P7, c.P8, c.P9];
    for (let i = 0; i < words.length; i++) {
      r[0x88 + 2 * i] = words[i]! & 0xff;
      r[0x89 + 2 * i] = (words[i]! >> 8) & 0xff;
    }
    r[0xa1] = c.H1;
    r[0xe1] = c.H2 & 0xff; r[0xe2] = (c.H2 >> 8) & 0xff;
    r[0xe3] = c.H3;
    r[0xe4] = (c.H4 >> 4) & 0xff;
    r[0xe5] = (c.H4 & 0x0f) | ((c.H5 & 0x0f) << 4);
    r[0xe6] = (c.H5 >> 4) & 0xff;
    r[0xe7] = c.H6 & 0xff;
    // Entry 0 is the datasheet example (adc_T 519888, adc_P 415148); the others spread around it.
    for (let i = 0; i < TABLE_SIZE; i++) {
      this.adcT[i] = 519888 + (i === 0 ? 0 : (i - 8) * 1600);
      this.adcP[i] = 415148 + (i === 0 ? 0 : (i - 8) * 900);
      this.adcH[i] = 0x6000 + i * 0x180;
    }
    // Reset values of the data registers: "skipped".
    r[0xf7] = 0x80; r[0xfa] = 0x80; r[0xfd] = 0x80;
  }

  #publish(now: number): void {
    const e = this.converting;
    if (e < 0 || now < this.readyAt) return;
    const r = this.regs;
    const p = this.adcP[e]!, t = this.adcT[e]!, h = this.adcH[e]!;
    r[0xf7] = p >> 12; r[0xf8] = (p >> 4) & 0xff; r[0xf9] = (p & 0x0f) << 4;
    r[0xfa] = t >> 12; r[0xfb] = (t >> 4) & 0xff; r[0xfc] = (t & 0x0f) << 4;
    r[0xfd] = h >> 8; r[0xfe] = h & 0xff;
    r[0xf4] = r[0xf4]! & 0xfc; // back to sleep
    this.published = e;
    this.converting = -1;
  }

  write(bytes: Uint8Array, now: number): boolean {
    this.#publish(now);
    if (bytes.byteLength === 0) return true;
    this.writes++;
    this.pointer = bytes[0]!;
    const r = this.regs;
    for (let i = 0; i + 1 < bytes.byteLength; i += 2) {
      const reg = bytes[i]!;
      const value = bytes[i + 1]!;
      if (reg === 0xf4) {
        r[0xf4] = value;
        const mode = value & 0x03;
        if (mode === 1 || mode === 2) {
          this.converting = this.next;
          this.next = nextIndex(this.next);
          this.readyAt = now + 10;
        } else {
          this.converting = -1;
        }
      } else if (reg === 0xf2 || reg === 0xf5) {
        r[reg] = value;
      }
    }
    return true;
  }

  read(into: Uint8Array, now: number): boolean {
    this.#publish(now);
    this.reads++;
    const r = this.regs;
    for (let i = 0; i < into.byteLength; i++) {
      const reg = this.pointer;
      into[i] = reg === 0xf3 ? (this.converting >= 0 ? 0x08 : 0) : r[reg]!;
      this.pointer = (reg + 1) & 0xff;
    }
    return true;
  }
}

/** BH1750: every read returns the next table entry (big-endian count). */
export class FakeBh1750 {
  readonly counts = new Uint16Array(TABLE_SIZE);
  next = 0;
  lastRead = -1;
  opcodes = 0;
  reads = 0;
  lastOpcode = -1;

  constructor() {
    for (let i = 0; i < TABLE_SIZE; i++) this.counts[i] = i === 0 ? 1200 : (i * 4093) & 0xffff;
  }

  write(bytes: Uint8Array): boolean {
    if (bytes.byteLength !== 1) return false;
    this.opcodes++;
    this.lastOpcode = bytes[0]!;
    return true;
  }

  read(into: Uint8Array): boolean {
    if (into.byteLength !== 2) return false;
    const e = this.next;
    const v = this.counts[e]!;
    into[0] = v >> 8;
    into[1] = v & 0xff;
    this.lastRead = e;
    this.next = nextIndex(e);
    this.reads++;
    return true;
  }
}

/** The three fake chips and the clock they share. */
export class FakeChips {
  /** Bus time, ms: advance it by hand (`chips.t += period`). */
  t = 0;
  readonly sht = new FakeSht3x();
  readonly bme = new FakeBme280();
  readonly bh = new FakeBh1750();
  /** NACKs answered (each also threw). */
  nacks = 0;
  /** Bound once: hand to drivers as `now` / `delay` (they read and move `t`). */
  readonly now: () => number;
  readonly delay: (ms: number) => void;
  readonly #time: () => number;

  /**
   * @param time - the chips' time source; default `now` (i.e. `t`). The firmware scenario passes the host's
   *   manual clock so chips and drivers share one time.
   */
  constructor(time?: () => number) {
    this.now = () => this.t;
    this.delay = (ms: number) => {
      this.t += ms;
    };
    this.#time = time ?? this.now;
  }

  write(address: number, bytes: Uint8Array): boolean {
    const now = this.#time();
    if (address === 0x44) return this.sht.write(bytes, now);
    if (address === 0x76) return this.bme.write(bytes, now);
    if (address === 0x23 || address === 0x5c) return this.bh.write(bytes); // both straps: one table
    return false;
  }

  read(address: number, into: Uint8Array): boolean {
    const now = this.#time();
    if (address === 0x44) return this.sht.read(into, now);
    if (address === 0x76) return this.bme.read(into, now);
    if (address === 0x23 || address === 0x5c) return this.bh.read(into);
    return false;
  }
}

/**
 * An `embedded:io/i2c`-shaped class over `chips` (setup time: one class per chip set).
 * @returns the class, to hand to drivers as `sensor.io` or to the firmware as `i2c`.
 */
export function fakeI2C(chips: FakeChips): I2CConstructor {
  class FakeI2C {
    readonly #address: number;
    #closed = false;
    constructor(options: I2COptions) {
      this.#address = options.address;
    }
    read(buffer: Uint8Array, _stop?: boolean): undefined {
      if (this.#closed || !chips.read(this.#address, buffer)) this.#nack();
      return undefined;
    }
    write(buffer: Uint8Array, _stop?: boolean): undefined {
      if (this.#closed || !chips.write(this.#address, buffer)) this.#nack();
      return undefined;
    }
    close(): void {
      this.#closed = true;
    }
    #nack(): never {
      chips.nacks++;
      throw new Error("NACK");
    }
  }
  return FakeI2C as unknown as I2CConstructor;
}
