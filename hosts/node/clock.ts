/**
 * {@link Clock} for Node: monotonic `performance.now()` and one reusable record per timer.
 * @module
 */
import { performance } from "node:perf_hooks";
import type { Clock } from "../../src/client/host.js";

/** The opaque timer record handed to the client. */
class NodeTimer {
  handle: NodeJS.Timeout | null = null;
  closed = false;
  readonly fire: () => void;
  constructor(callback: () => void) {
    this.fire = () => {
      this.handle = null;
      callback();
    };
  }
}

function asTimer(timer: unknown): NodeTimer {
  if (!(timer instanceof NodeTimer)) throw new TypeError("not a timer of this clock");
  return timer;
}

/** Options for {@link NodeClock}. */
export interface NodeClockOptions {
  /** Do not keep the Node process alive for pending timers (default false). */
  unref?: boolean;
}

/** Node {@link Clock}: `timer(cb)` once, then `schedule`/`cancel` as often as needed, `close` at the end. */
export class NodeClock implements Clock {
  readonly #unref: boolean;

  constructor(options: NodeClockOptions = {}) {
    this.#unref = options.unref === true;
  }

  /** Monotonic milliseconds since process start (fractional). */
  now(): number {
    return performance.now();
  }

  /** Creates one idle timer calling `callback` when it fires. */
  timer(callback: () => void): unknown {
    if (typeof callback !== "function") throw new TypeError("callback required");
    return new NodeTimer(callback);
  }

  /** (Re)arms `timer` to fire once after `delayMs`; replaces a pending schedule. Throws after `close`. */
  schedule(timer: unknown, delayMs: number): void {
    const t = asTimer(timer);
    if (t.closed) throw new Error("timer closed");
    if (t.handle !== null) clearTimeout(t.handle);
    const delay = delayMs > 0 && Number.isFinite(delayMs) ? delayMs : 0;
    t.handle = setTimeout(t.fire, delay);
    if (this.#unref) t.handle.unref();
  }

  /** Disarms `timer` if pending. */
  cancel(timer: unknown): void {
    const t = asTimer(timer);
    if (t.handle !== null) {
      clearTimeout(t.handle);
      t.handle = null;
    }
  }

  /** Disarms and retires `timer`. Idempotent. */
  close(timer: unknown): void {
    const t = asTimer(timer);
    this.cancel(t);
    t.closed = true;
  }
}
