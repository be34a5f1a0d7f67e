/**
 * QoS 1 in-flight table: fixed records keyed by packet id, created at construction.
 *
 * Each record holds the packet id, the tx pool slot with the encoded PUBLISH (it stays there until PUBACK),
 * its length and a send sequence number, so after a reconnect records are resent in their original order.
 * The window is small (tens), so lookups are linear scans over typed arrays: no map, no allocation.
 * The columns are views on one ArrayBuffer.
 * Packet ids come from {@link InflightTable.nextId}, which never hands out an id still in flight.
 * @module
 */

/** Returned by lookups when no record matches. */
export const NOT_FOUND = -1;

/** Fixed-size table of unacknowledged QoS 1 publishes. */
export class InflightTable {
  /** Capacity (the in-flight window). */
  readonly capacity: number;
  /** Records in use. */
  count = 0;
  /** Packet id per record; 0 = free. */
  readonly ids: Uint16Array;
  /** Tx pool slot per record. */
  readonly slots: Int32Array;
  /** Encoded packet length per record. */
  readonly lengths: Int32Array;
  /** Send order per record (monotonic sequence). */
  readonly seqs: Float64Array;
  /** 1 while a record still has to be (re)sent on the current connection. */
  readonly pending: Uint8Array;
  #seq = 0;
  #lastId = 0;

  /** Bytes the columns of a table of `capacity` records take in a shared buffer (a multiple of 8). */
  static byteLength(capacity: number): number {
    return (19 * capacity + 7) & ~7;
  }

  /**
   * @param capacity maximum messages in flight (1…65535).
   * @param buffer where the columns live (default: a buffer of their own): one ArrayBuffer holds all five
   *   columns, so an owner can place several tables in one buffer instead of one per typed array.
   * @param byteOffset start in `buffer`, a multiple of 8; {@link InflightTable.byteLength} bytes are used.
   */
  constructor(capacity: number, buffer?: ArrayBuffer, byteOffset = 0) {
    this.capacity = capacity;
    // seqs (8-byte aligned) | slots | lengths | ids | pending.
    const c = capacity;
    const b = buffer ?? new ArrayBuffer(19 * c);
    const o = buffer === undefined ? 0 : byteOffset;
    this.seqs = new Float64Array(b, o, c);
    this.slots = new Int32Array(b, o + 8 * c, c);
    this.lengths = new Int32Array(b, o + 12 * c, c);
    this.ids = new Uint16Array(b, o + 16 * c, c);
    this.pending = new Uint8Array(b, o + 18 * c, c);
  }

  /** True when no more records can be added. */
  get full(): boolean {
    return this.count >= this.capacity;
  }

  /**
   * Next packet id: increments from the last one, wraps 65535 → 1, skips ids in flight and ids for which
   * `inUse(id)` is true (SUBSCRIBE/UNSUBSCRIBE waiting for their acks).
   * @returns an id in 1…65535, or 0 when every id is taken (cannot happen with a window below 65535).
   */
  nextId(inUse: ((id: number) => boolean) | null): number {
    let id = this.#lastId;
    for (let tries = 0; tries < 65535; tries++) {
      id = id >= 65535 ? 1 : id + 1;
      if (this.indexOf(id) === NOT_FOUND && (inUse === null || !inUse(id))) {
        this.#lastId = id;
        return id;
      }
    }
    return 0;
  }

  /**
   * Adds a record for a packet about to be sent.
   * @returns the record index, or NOT_FOUND (-1) when the table is full.
   */
  add(id: number, slot: number, length: number): number {
    if (this.count >= this.capacity) return NOT_FOUND;
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === 0) {
        ids[i] = id;
        this.slots[i] = slot;
        this.lengths[i] = length;
        this.seqs[i] = ++this.#seq;
        this.pending[i] = 0;
        this.count++;
        return i;
      }
    }
    return NOT_FOUND;
  }

  /** @returns the record index holding `id`, or NOT_FOUND (-1). */
  indexOf(id: number): number {
    if (id === 0 || this.count === 0) return NOT_FOUND;
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) if (ids[i] === id) return i;
    return NOT_FOUND;
  }

  /**
   * Frees the record holding `id` (PUBACK).
   * @returns the tx slot it held (to release), or NOT_FOUND (-1) for an unknown id.
   */
  remove(id: number): number {
    const i = this.indexOf(id);
    if (i < 0) return NOT_FOUND;
    this.ids[i] = 0;
    this.pending[i] = 0;
    this.count--;
    return this.slots[i] ?? NOT_FOUND;
  }

  /** Marks every record to be resent (after a reconnect). @returns how many were marked. */
  markAllPending(): number {
    let n = 0;
    for (let i = 0; i < this.ids.length; i++) {
      if (this.ids[i] !== 0) {
        this.pending[i] = 1;
        n++;
      }
    }
    return n;
  }

  /** @returns the index of the oldest record still pending resend, or NOT_FOUND (-1). */
  oldestPending(): number {
    let best = NOT_FOUND;
    let bestSeq = Infinity;
    for (let i = 0; i < this.ids.length; i++) {
      if (this.ids[i] !== 0 && this.pending[i] === 1) {
        const s = this.seqs[i] ?? Infinity;
        if (s < bestSeq) {
          bestSeq = s;
          best = i;
        }
      }
    }
    return best;
  }
}
