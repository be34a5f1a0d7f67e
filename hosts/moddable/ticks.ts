/**
 * A wrap-safe millisecond count over Moddable's `Time.ticks`.
 *
 * On ESP32 `Time.ticks` is a signed 32-bit millisecond count: after 2^31 ms (about 24.8 days) it jumps from
 * 2,147,483,647 to -2,147,483,648. Differences taken across that jump are negative, so a client that
 * computes `now - lastReceived` would stop sending PINGREQs and a backoff would see negative uptimes.
 * {@link TickCounter} folds every step into a count that only grows: each call adds the step since the
 * previous call, taken modulo 2^32 as a signed 32-bit value (`(raw - last) | 0`), so a wrap in between counts
 * as the small forward step it is. Correct as long as it is read at least once every 2^31 ms; the client
 * reads its clock on every timer and socket event, far more often.
 *
 * Engine-neutral (no Moddable import), so vitest drives it with a manual 32-bit tick source.
 * @module
 */

/** A monotonic, never-wrapping millisecond count built from a 32-bit tick source. */
export class TickCounter {
  readonly #raw: () => number;
  #last: number;
  #count = 0;

  /** @param raw the platform's tick source, e.g. `() => Time.ticks`; any origin, wrapping at 32 bits. */
  constructor(raw: () => number) {
    this.#raw = raw;
    this.#last = raw() | 0;
  }

  /** Milliseconds since construction; never decreases, never wraps (exact up to 2^53 ms). */
  now(): number {
    const raw = this.#raw() | 0;
    const step = (raw - this.#last) | 0;
    this.#last = raw;
    // A negative step is a clock that went backwards (never on Moddable): hold, do not go back.
    if (step > 0) this.#count += step;
    return this.#count;
  }
}
