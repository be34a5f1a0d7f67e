/**
 * {@link Clock} over Moddable's `Timer`, re-armed without allocating.
 *
 * A one-shot Moddable timer (`Timer.set(cb, ms)`) is freed after it fires and cannot be scheduled again, so
 * each clock timer is a *repeating* timer created once (`Timer.repeat`) and parked unscheduled
 * (`Timer.schedule(t)` with no interval unschedules). `schedule` arms it with `Timer.schedule(t, delay,
 * PARK)`; when it fires it is parked again before the callback runs, so it behaves as one-shot and the
 * callback may re-arm it. Nothing is allocated after `timer()`.
 * @module
 */
import Timer from "timer";
import type { Clock } from "xsmqtt/client/host";
import { TickCounter } from "xsmqtt/moddable/ticks";

/** Repeat interval of a parked timer: long enough never to fire before it is re-armed or parked. */
const PARK = 0x3fffffff;

/** The record behind one clock timer. */
class ModdableTimer {
  readonly id: Timer;
  closed = false;
  constructor(callback: () => void) {
    const id = Timer.repeat(() => {
      Timer.schedule(id); // park: one-shot semantics
      callback();
    }, PARK);
    Timer.schedule(id);
    this.id = id;
  }
}

function asTimer(timer: unknown): ModdableTimer {
  if (!(timer instanceof ModdableTimer)) throw new TypeError("not a timer of this clock");
  return timer;
}

/**
 * Moddable clock: monotonic milliseconds that survive the 32-bit wrap of `Time.ticks` (see {@link TickCounter})
 * and reusable timers.
 */
export class ModdableClock implements Clock {
  readonly #ticks: TickCounter;

  /** @param ticks the platform's 32-bit millisecond tick source (Moddable `() => Time.ticks`). */
  constructor(ticks: () => number) {
    this.#ticks = new TickCounter(ticks);
  }

  /** Monotonic milliseconds since construction; never wraps. */
  now(): number {
    return this.#ticks.now();
  }

  /** Setup time: one parked timer calling `callback`. */
  timer(callback: () => void): unknown {
    return new ModdableTimer(callback);
  }

  /** Arms `timer` to fire once after `delayMs`. */
  schedule(timer: unknown, delayMs: number): void {
    const t = asTimer(timer);
    if (t.closed) throw new Error("timer closed");
    Timer.schedule(t.id, delayMs > 0 ? delayMs : 0, PARK);
  }

  /** Parks `timer` (no-op when idle). */
  cancel(timer: unknown): void {
    const t = asTimer(timer);
    if (!t.closed) Timer.schedule(t.id);
  }

  /** Frees `timer`. Idempotent. */
  close(timer: unknown): void {
    const t = asTimer(timer);
    if (t.closed) return;
    t.closed = true;
    Timer.clear(t.id);
  }
}
