/**
 * Offline queue: a bounded FIFO ring of encoded PUBLISH packets waiting for a connection.
 *
 * The bytes live in tx pool slots (the ring stores slot indices, lengths, QoS and where the packet id sits,
 * because a QoS 1 id is assigned only when the packet leaves the queue and enters the in-flight table).
 * All arrays are created at construction.
 * @module
 */

/** Returned when the ring is empty / full. */
export const RING_EMPTY = -1;

/** Fixed-capacity FIFO of queued publishes. */
export class Outbox {
  /** Maximum entries. */
  readonly capacity: number;
  /** Entries held. */
  count = 0;
  /** Index of the oldest entry. */
  head = 0;
  /** Tx slot per entry. */
  readonly slots: Int32Array;
  /** Encoded length per entry. */
  readonly lengths: Int32Array;
  /** QoS per entry. */
  readonly qos: Uint8Array;
  /** Offset of the packet id inside the slot (QoS 1), patched when the entry is sent. */
  readonly idOffsets: Int32Array;

  /** @param capacity maximum queued messages (0 disables queueing). */
  constructor(capacity: number) {
    this.capacity = capacity;
    const n = capacity > 0 ? capacity : 1;
    this.slots = new Int32Array(n);
    this.lengths = new Int32Array(n);
    this.qos = new Uint8Array(n);
    this.idOffsets = new Int32Array(n);
  }

  /** True when no entry can be added without dropping one. */
  get full(): boolean {
    return this.count >= this.capacity;
  }

  /**
   * Appends an entry at the tail.
   * @returns the ring index, or RING_EMPTY (-1) when full.
   */
  push(slot: number, length: number, qos: number, idOffset: number): number {
    if (this.count >= this.capacity) return RING_EMPTY;
    let i = this.head + this.count;
    if (i >= this.capacity) i -= this.capacity;
    this.slots[i] = slot;
    this.lengths[i] = length;
    this.qos[i] = qos;
    this.idOffsets[i] = idOffset;
    this.count++;
    return i;
  }

  /** @returns the ring index of the oldest entry, or RING_EMPTY (-1). */
  peek(): number {
    return this.count === 0 ? RING_EMPTY : this.head;
  }

  /**
   * Removes the oldest entry.
   * @returns the tx slot it held (the caller releases or re-owns it), or RING_EMPTY (-1).
   */
  shift(): number {
    if (this.count === 0) return RING_EMPTY;
    const slot = this.slots[this.head] ?? RING_EMPTY;
    this.head = this.head + 1 >= this.capacity ? 0 : this.head + 1;
    this.count--;
    return slot;
  }
}
