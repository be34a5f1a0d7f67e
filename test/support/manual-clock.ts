/**
 * A hand-driven {@link Clock}: time moves only when the test calls `advance`. Engine-neutral (bundles for
 * XS); timers are records created once, re-armed without allocating.
 * @module
 */
import type { Clock } from "../../src/client/host.js";

class ManualTimer {
  due = -1;
  closed = false;
  readonly callback: () => void;
  constructor(callback: () => void) {
    this.callback = callback;
  }
}

/** Manual clock with any number of one-shot timers. */
export class ManualClock implements Clock {
  /** Current time in ms. */
  time = 0;
  readonly #timers: ManualTimer[] = [];

  /** @returns the current manual time. */
  now(): number {
    return this.time;
  }

  /** Setup time: creates an idle timer. */
  timer(callback: () => void): unknown {
    const t = new ManualTimer(callback);
    this.#timers.push(t);
    return t;
  }

  /** Arms `timer` to fire at `now + delayMs`. */
  schedule(timer: unknown, delayMs: number): void {
    const t = timer as ManualTimer;
    if (t.closed) throw new Error("timer closed");
    t.due = this.time + (delayMs > 0 ? delayMs : 0);
  }

  /** Disarms `timer`. */
  cancel(timer: unknown): void {
    (timer as ManualTimer).due = -1;
  }

  /** Disarms and retires `timer`. */
  close(timer: unknown): void {
    const t = timer as ManualTimer;
    t.due = -1;
    t.closed = true;
  }

  /** Time of the earliest armed timer, or -1. */
  nextDue(): number {
    let best = -1;
    for (let i = 0; i < this.#timers.length; i++) {
      const d = this.#timers[i]!.due;
      if (d >= 0 && (best < 0 || d < best)) best = d;
    }
    return best;
  }

  /**
   * Moves time forward by `ms`, firing due timers in due order (each at its own due time).
   * @returns how many timers fired.
   */
  advance(ms: number): number {
    const end = this.time + ms;
    let fired = 0;
    for (;;) {
      let next: ManualTimer | null = null;
      for (let i = 0; i < this.#timers.length; i++) {
        const t = this.#timers[i]!;
        if (t.due >= 0 && t.due <= end && (next === null || t.due < next.due)) next = t;
      }
      if (next === null) break;
      if (next.due > this.time) this.time = next.due;
      next.due = -1;
      fired++;
      next.callback();
    }
    this.time = end;
    return fired;
  }
}
