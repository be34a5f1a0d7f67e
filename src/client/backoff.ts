/**
 * Reconnect delay: exponential backoff with full jitter, capped, reset only after a stable connection.
 *
 * `delay = random() × min(maxDelay, initialDelay × multiplier^attempt)` (AWS "full jitter"): a fleet that
 * lost its broker at the same moment spreads its reconnects over the whole window instead of stampeding.
 * The attempt counter is reset only when a connection stayed up `stableAfter` ms, so a broker that accepts
 * and then kicks us (bad ACL, duplicate client id) still sees the delays grow.
 * @module
 */

/** Reconnect policy numbers (milliseconds). */
export interface BackoffOptions {
  /** First ceiling, ms (> 0). */
  initialDelay: number;
  /** Cap of the ceiling, ms (>= initialDelay). */
  maxDelay: number;
  /** Growth per attempt (>= 1). */
  multiplier: number;
  /** A connection that lasted this long (ms) resets the attempt count. */
  stableAfter: number;
}

/** Backoff state: one per client, no allocation after construction. */
export class Backoff {
  /** Consecutive failed attempts since the last stable connection. */
  attempt = 0;
  readonly #initial: number;
  readonly #max: number;
  readonly #multiplier: number;
  readonly #stableAfter: number;
  readonly #random: () => number;

  /** @param options the policy; @param random uniform [0, 1) source (the host's). */
  constructor(options: BackoffOptions, random: () => number) {
    this.#initial = options.initialDelay;
    this.#max = options.maxDelay;
    this.#multiplier = options.multiplier;
    this.#stableAfter = options.stableAfter;
    this.#random = random;
  }

  /** The current ceiling: `min(maxDelay, initialDelay × multiplier^attempt)`. */
  ceiling(): number {
    // Computed iteratively and capped each step so large attempt counts never overflow to Infinity.
    let c = this.#initial;
    for (let i = 0; i < this.attempt && c < this.#max; i++) c *= this.#multiplier;
    return c < this.#max ? c : this.#max;
  }

  /**
   * Delay before the next attempt, then counts the attempt.
   * @returns milliseconds in `[0, ceiling())`.
   */
  next(): number {
    const delay = this.#random() * this.ceiling();
    if (this.attempt < 1000) this.attempt++;
    return delay;
  }

  /**
   * Reports how long the last connection stayed up; resets the attempt count when it was stable.
   * @returns 1 when reset, 0 otherwise.
   */
  connectionEnded(upMs: number): number {
    if (upMs >= this.#stableAfter) {
      this.attempt = 0;
      return 1;
    }
    return 0;
  }

  /** Forget all failures (e.g. an explicit `connect()` by the application). */
  reset(): void {
    this.attempt = 0;
  }
}
