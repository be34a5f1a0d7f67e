/**
 * {@link Clock} for Node: monotonic `performance.now()` and one reusable record per timer.
 * @module
 */
import { performance } from "node:perf_hooks";
import type { Clock } from "../../src/client/host.js";

/** The opaque timer record handed to the client. */
class NodeTimer {
  /** Pending `setTimeout` (delay > 0) or `setImmediate` (delay 0), or null. */
  handle: NodeJS.Timeout | NodeJS.Immediate | null = null;
  immediate = false;
  closed = false;
  readonly fire: () => void;
  constructor(callback: () => void) {
    this.fire = () => {
      this.handle = null;
      callback();
    };
  }
}

function clear(t: NodeTimer): void {
  if (t.immediate) clearImmediate(t.handle as NodeJS.Immediate);
  else clearTimeout(t.handle as NodeJS.Timeout);
  t.handle = null;
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

  /**
   * (Re)arms `timer` to fire once after `delayMs`; replaces a pending schedule. Throws after `close`.
   * A delay of 0 (or less, or not finite) fires on the next event-loop turn (`setImmediate`), like a
   * Moddable `Timer.set(callback, 0)`, without Node's 1 ms `setTimeout` floor.
   */
  schedule(timer: unknown, delayMs: number): void {
    const t = asTimer(timer);
    if (t.closed) throw new Error("timer closed");
    if (t.handle !== null) clear(t);
    if (delayMs > 0 && Number.isFinite(delayMs)) {
      t.immediate = false;
      t.handle = setTimeout(t.fire, delayMs);
    } else {
      t.immediate = true;
      t.handle = setImmediate(t.fire);
    }
    if (this.#unref) t.handle.unref();
  }

  /** Disarms `timer` if pending. */
  cancel(timer: unknown): void {
    const t = asTimer(timer);
    if (t.handle !== null) clear(t);
  }

  /** Disarms and retires `timer`. Idempotent. */
  close(timer: unknown): void {
    const t = asTimer(timer);
    this.cancel(t);
    t.closed = true;
  }
}
