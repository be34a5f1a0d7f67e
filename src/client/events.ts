/**
 * Deferred application callbacks: a fixed ring of events, drained only when the client's state is consistent.
 *
 * Every part of the client that has something to tell the application (connected, disconnected, an error,
 * room after BUSY, an offline-queue overflow, a SUBACK) pushes an event here instead of calling user code in the
 * middle of an operation. The outermost client entry point drains the ring once its own work is done, so a
 * callback that calls back into the client (publish, end, close, subscribe...) always finds a consistent state
 * and never shares a scratch object with the operation that raised the event.
 *
 * Memory: three parallel columns created at construction (kind, number, reference). Pushing and draining
 * numbers allocates nothing; error events carry an `MqttError` created on the error path.
 * @module
 */
import type { MqttError } from "./errors.js";
import type { SubackHandler, UnsubackHandler } from "./router.js";

/** Event kinds (numbers in the ring). */
export const EventKind = Object.freeze({
  /** `onConnected(sessionPresent)`; number = 1 when the session was present. */
  CONNECTED: 1,
  /** `onDisconnected(code)`; number = the code. */
  DISCONNECTED: 2,
  /** `onError(error)`; reference = the error. */
  ERROR: 3,
  /** `onWritable()`. */
  WRITABLE: 4,
  /** `onQueueOverflow(code)`; number = QUEUE_FULL or DROPPED_OLDEST. */
  OVERFLOW: 5,
  /** A subscription's SUBACK callback; number = granted code + 256 × subscription id, reference = the callback. */
  SUBACK: 6,
  /** A subscription's UNSUBACK callback; number = subscription id, reference = the callback. */
  UNSUBACK: 7,
  /** `onComplete(token, COMPLETED)`: PUBACK / PUBCOMP; number = token. */
  COMPLETED: 8,
  /** `onComplete(token, DROPPED_OLDEST)`: dropped from the offline queue; number = token. */
  DROPPED: 9,
  /** `onComplete(token, POISON_MESSAGE)`: set aside by the poison policy; number = token. */
  POISONED: 10,
} as const);

/** The application's callbacks (validated functions or undefined), bound once at construction. */
export interface Callbacks {
  /** CONNACK accepted. */
  onConnected: ((sessionPresent: boolean) => void) | undefined;
  /** An accepted connection ended. */
  onDisconnected: ((code: number) => void) | undefined;
  /** A typed error. */
  onError: ((error: MqttError) => void) | undefined;
  /** Room freed after BUSY. */
  onWritable: (() => void) | undefined;
  /** Offline queue overflow. */
  onQueueOverflow: ((code: number) => void) | undefined;
  /** Per-message completion (optional in this shape: older callers build it without). */
  onComplete?: ((token: number, status: number) => void) | undefined;
}

/** Fixed-capacity FIFO of pending callbacks. */
export class EventQueue {
  /** Maximum events held. */
  readonly capacity: number;
  /** Events waiting. */
  count = 0;
  /** Events dropped because the ring was full (should stay 0; see {@link EventQueue.push}). */
  dropped = 0;
  #head = 0;
  readonly #kinds: Uint8Array;
  readonly #nums: Float64Array;
  readonly #refs: Array<MqttError | SubackHandler | null>;

  /** @param capacity events held at most (>= 8). */
  constructor(capacity: number) {
    this.capacity = capacity;
    this.#kinds = new Uint8Array(capacity);
    this.#nums = new Float64Array(capacity);
    this.#refs = new Array<MqttError | SubackHandler | null>(capacity).fill(null);
  }

  /**
   * Queues an event. When the ring is full the event is counted in {@link dropped} and not queued
   * (an ERROR replaces nothing: the count is the report).
   * @returns 1 when queued, 0 when dropped.
   */
  push(kind: number, num: number, ref: MqttError | SubackHandler | null): number {
    if (this.count >= this.capacity) {
      this.dropped++;
      return 0;
    }
    let at = this.#head + this.count;
    if (at >= this.capacity) at -= this.capacity;
    this.#kinds[at] = kind;
    this.#nums[at] = num;
    this.#refs[at] = ref;
    this.count++;
    return 1;
  }

  /**
   * Removes the oldest event and calls its callback. Exceptions thrown by a callback are queued as an ERROR
   * via `wrap` (except from `onError` itself, which are swallowed: nothing throws out of the client).
   * @returns 1 when an event ran, 0 when the ring was empty.
   */
  runOne(cb: Callbacks, wrap: (e: unknown) => MqttError): number {
    if (this.count === 0) return 0;
    const at = this.#head;
    const kind = this.#kinds[at]!;
    const num = this.#nums[at]!;
    const ref = this.#refs[at] ?? null;
    this.#refs[at] = null;
    this.#head = at + 1 >= this.capacity ? 0 : at + 1;
    this.count--;
    try {
      switch (kind) {
        case EventKind.CONNECTED: cb.onConnected?.(num === 1); break;
        case EventKind.DISCONNECTED: cb.onDisconnected?.(num); break;
        case EventKind.ERROR:
          try { cb.onError?.(ref as MqttError); } catch { /* onError must not throw out of the client */ }
          break;
        case EventKind.WRITABLE: cb.onWritable?.(); break;
        case EventKind.OVERFLOW: cb.onQueueOverflow?.(num); break;
        case EventKind.SUBACK: (ref as SubackHandler)(num % 256, Math.floor(num / 256)); break;
        case EventKind.UNSUBACK: (ref as UnsubackHandler)(num); break;
        case EventKind.COMPLETED: cb.onComplete?.(num, 2); break; // COMPLETED
        case EventKind.DROPPED: cb.onComplete?.(num, -119); break; // DROPPED_OLDEST
        case EventKind.POISONED: cb.onComplete?.(num, -125); break; // POISON_MESSAGE
        default: break;
      }
    } catch (e) {
      this.push(EventKind.ERROR, 0, wrap(e));
    }
    return 1;
  }

  /** Forgets every pending event (close()). */
  clear(): void {
    for (let i = 0; i < this.capacity; i++) this.#refs[i] = null;
    this.count = 0;
    this.#head = 0;
  }
}
