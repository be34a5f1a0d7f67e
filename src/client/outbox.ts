/**
 * Offline queue: a bounded FIFO ring of encoded PUBLISH packets waiting for a connection.
 *
 * The bytes live in tx pool slots (the ring stores slot indices, lengths, QoS and where the packet id sits,
 * because a QoS 1 id is assigned only when the packet leaves the queue and enters the in-flight table).
 * All arrays are created at construction, as views on one ArrayBuffer.
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
  /** Completion token per entry (QoS 1/2; 0 for QoS 0). */
  readonly tokens: Float64Array;
  /** Offset of the packet id inside the slot (QoS 1), patched when the entry is sent. */
  readonly idOffsets: Int32Array;

  /** Bytes the columns of a ring of `capacity` entries take in a shared buffer (a multiple of 8). */
  static byteLength(capacity: number): number {
    return (13 * (capacity > 0 ? capacity : 1) + 7) & ~7;
  }

  /**
   * @param capacity maximum queued messages (0 disables queueing).
   * @param buffer where the columns live (default: a buffer of their own; see `InflightTable`).
   * @param byteOffset start in `buffer`, a multiple of 4; {@link Outbox.byteLength} bytes are used.
   */
  constructor(capacity: number, buffer?: ArrayBuffer, byteOffset = 0) {
    this.capacity = capacity;
    const n = capacity > 0 ? capacity : 1;
    // One ArrayBuffer for the four columns: slots | lengths | idOffsets | qos.
    const b = buffer ?? new ArrayBuffer(13 * n);
    const o = buffer === undefined ? 0 : byteOffset;
    this.slots = new Int32Array(b, o, n);
    this.lengths = new Int32Array(b, o + 4 * n, n);
    this.idOffsets = new Int32Array(b, o + 8 * n, n);
    this.qos = new Uint8Array(b, o + 12 * n, n);
    this.tokens = new Float64Array(n);
  }

  /** True when no entry can be added without dropping one. */
  get full(): boolean {
    return this.count >= this.capacity;
  }

  /**
   * Appends an entry at the tail.
   * @returns the ring index, or RING_EMPTY (-1) when full.
   */
  push(slot: number, length: number, qos: number, idOffset: number, token = 0): number {
    if (this.count >= this.capacity) return RING_EMPTY;
    let i = this.head + this.count;
    if (i >= this.capacity) i -= this.capacity;
    this.slots[i] = slot;
    this.lengths[i] = length;
    this.qos[i] = qos;
    this.idOffsets[i] = idOffset;
    this.tokens[i] = token;
    this.count++;
    return i;
  }

  /** @returns the ring index of the entry holding `token` (> 0), or RING_EMPTY (-1). */
  indexOfToken(token: number): number {
    if (!(token > 0)) return RING_EMPTY;
    for (let p = 0; p < this.count; p++) {
      const i = (this.head + p) % this.capacity;
      if (this.tokens[i] === token) return i;
    }
    return RING_EMPTY;
  }

  /**
   * Removes the entry at ring index `i`, keeping the others in order (entries after it move up by one).
   * @returns the tx slot it held, or RING_EMPTY (-1) when `i` holds no entry.
   */
  removeAt(i: number): number {
    const cap = this.capacity;
    const pos = (i - this.head + cap) % cap;
    if (this.count === 0 || pos >= this.count) return RING_EMPTY;
    const slot = this.slots[i] ?? RING_EMPTY;
    for (let p = pos; p < this.count - 1; p++) {
      const to = (this.head + p) % cap;
      const from = (this.head + p + 1) % cap;
      this.slots[to] = this.slots[from]!;
      this.lengths[to] = this.lengths[from]!;
      this.qos[to] = this.qos[from]!;
      this.idOffsets[to] = this.idOffsets[from]!;
      this.tokens[to] = this.tokens[from]!;
    }
    this.count--;
    return slot;
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
