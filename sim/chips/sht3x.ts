/**
 * Register-level SHT3x (SHT31) emulation: 16-bit commands, single-shot measurements without clock
 * stretching (and the stretching variants, answered the same way), status register, heater, soft reset.
 *
 * Behaviour modelled after the datasheet:
 * - an unknown command is NACKed;
 * - while a conversion runs (high 15.5 ms, medium 6.5 ms, low 4.5 ms: the datasheet maxima) every
 *   transaction is NACKed (a read header too: that is how the host learns it is not ready) — except a soft reset;
 * - a read with no measurement or status pending is NACKed; a result is consumed by the read;
 * - soft reset: the chip is deaf for 1.5 ms, heater off, status "reset detected" set;
 * - the answer is T msb, lsb, CRC, RH msb, lsb, CRC (CRC-8 0x31/0xFF);
 * - the environment is sampled when the conversion starts (for the instant it completes); the heater adds
 *   +2 °C locally (and lowers RH accordingly).
 * @module
 */
import { SimChip, sensirionCrc, type FaultName, type SimChipOptions } from "./chip.js";

/** Conversion time per repeatability code, ms (datasheet maxima). */
const CONVERSION_MS = Object.freeze({ high: 15.5, medium: 6.5, low: 4.5 } as const);
/** Soft reset time, ms. */
const RESET_MS = 1.5;

const IDLE = 0;
const MEASURING = 1;
const STATUS = 2;

/** Simulated SHT3x. Attach with `bus.attach(0x44, new SimSHT3x({ environment }))`. */
export class SimSHT3x extends SimChip {
  /** {@inheritDoc SimChip.supportedFaults} */
  readonly supportedFaults: readonly FaultName[] = Object.freeze(["absent", "nack", "stuck", "corruptCrc"] as FaultName[]);
  /** {@inheritDoc SimChip.model} */
  readonly model = "SHT31";
  #state = IDLE;
  #busyUntil = -Infinity;
  #readyAt = 0;
  #heater = false;
  #resetDetected = true; // power-up counts as a reset
  #rawT = 0;
  #rawH = 0;
  #haveRaw = false;
  /** Commands received, for tests and the CLI. */
  commands = 0;

  /** @param options - the environment. */
  constructor(options: SimChipOptions) {
    super(options);
  }

  /** Heater state. */
  get heater(): boolean {
    return this.#heater;
  }

  /** Status register value (bit 13 heater, bit 4 reset detected). */
  get status(): number {
    return (this.#heater ? 1 << 13 : 0) | (this.#resetDetected ? 1 << 4 : 0);
  }

  protected onWrite(bytes: Uint8Array, _stop: boolean, now: number): boolean {
    if (now < this.#busyUntil) return false;
    if (bytes.byteLength === 0) return this.#state !== MEASURING || now >= this.#readyAt; // address probe
    if (bytes.byteLength !== 2) return false;
    const command = (bytes[0]! << 8) | bytes[1]!;
    if (command === 0x30a2) { // soft reset, accepted at any time
      this.commands++;
      this.#state = IDLE;
      this.#heater = false;
      this.#resetDetected = true;
      this.#busyUntil = now + RESET_MS;
      return true;
    }
    if (this.#state === MEASURING && now < this.#readyAt) return false;
    let ms: number;
    switch (command) {
      case 0x2400: case 0x2c06: ms = CONVERSION_MS.high; break;
      case 0x240b: case 0x2c0d: ms = CONVERSION_MS.medium; break;
      case 0x2416: case 0x2c10: ms = CONVERSION_MS.low; break;
      case 0x306d: this.#heater = true; this.#state = IDLE; this.commands++; return true;
      case 0x3066: this.#heater = false; this.#state = IDLE; this.commands++; return true;
      case 0x3041: this.#resetDetected = false; this.#state = IDLE; this.commands++; return true;
      case 0xf32d: this.#state = STATUS; this.commands++; return true;
      default: return false;
    }
    this.commands++;
    this.#state = MEASURING;
    this.#readyAt = now + ms;
    this.#convert(this.#readyAt);
    return true;
  }

  protected onRead(into: Uint8Array, _stop: boolean, now: number): boolean {
    if (now < this.#busyUntil) return false;
    if (this.#state === STATUS) {
      const s = this.status;
      this.#fill(into, s >> 8, s & 0xff, -1, -1);
      this.#state = IDLE;
      return true;
    }
    if (this.#state !== MEASURING || now < this.#readyAt) return false;
    this.#fill(into, this.#rawT >> 8, this.#rawT & 0xff, this.#rawH >> 8, this.#rawH & 0xff);
    this.#state = IDLE;
    return true;
  }

  #convert(at: number): void {
    if (this.faults.stuck && this.#haveRaw) return;
    const r = this.environment.read(at, this.reading);
    const t = this.#heater ? r.temperature + 2 : r.temperature;
    const h = this.#heater ? r.humidity * 0.88 : r.humidity;
    this.#rawT = clampWord(Math.round(((t + 45) * 65535) / 175));
    this.#rawH = clampWord(Math.round((h * 65535) / 100));
    this.#haveRaw = true;
  }

  /** Writes words with CRCs; bytes past the answer read as 0xFF (bus pulled high). */
  #fill(into: Uint8Array, m1: number, l1: number, m2: number, l2: number): void {
    const corrupt = this.takeCorruptCrc();
    const answer0 = m1, answer1 = l1, answer2 = sensirionCrc(m1, l1) ^ (corrupt ? 0x01 : 0);
    const has2 = m2 >= 0;
    for (let i = 0; i < into.byteLength; i++) {
      let v = 0xff;
      switch (i) {
        case 0: v = answer0; break;
        case 1: v = answer1; break;
        case 2: v = answer2; break;
        case 3: if (has2) v = m2; break;
        case 4: if (has2) v = l2; break;
        case 5: if (has2) v = sensirionCrc(m2, l2); break;
      }
      into[i] = v;
    }
  }
}

function clampWord(v: number): number {
  return v < 0 ? 0 : v > 65535 ? 65535 : v;
}
