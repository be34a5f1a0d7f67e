/**
 * Fixed pool of equal byte slots over one ArrayBuffer, with O(1) acquire/release through a free stack.
 * @module
 */
import { INVALID_SLOT, POOL_EXHAUSTED } from "./codes.js";

/**
 * `slotCount` slots of `slotSize` bytes in one `bytes` array. Everything is allocated by the constructor;
 * acquire and release allocate nothing.
 */
export class BufferPool {
  /** All slots, back to back: slot `i` is `bytes[offsetOf(i), offsetOf(i) + slotSize)`. */
  readonly bytes: Uint8Array;
  /** Bytes per slot. */
  readonly slotSize: number;
  /** Number of slots. */
  readonly slotCount: number;
  /** What each slot currently holds, in bytes; kept by the user of the slot (reset to 0 on acquire). */
  readonly length: Int32Array;
  // Free slot indexes in [0, freeCount); inUse[i] is 1 while slot i is acquired.
  private readonly freeStack: Int32Array;
  private readonly inUse: Uint8Array;
  private freeCount: number;

  /**
   * @throws RangeError when `slotCount` or `slotSize` is not a positive integer (setup-time argument error)
   */
  constructor(slotCount: number, slotSize: number) {
    if (!(slotCount >= 1) || Math.floor(slotCount) !== slotCount || !(slotSize >= 1) || Math.floor(slotSize) !== slotSize) {
      throw new RangeError("slotCount and slotSize must be positive integers");
    }
    this.slotCount = slotCount;
    this.slotSize = slotSize;
    this.bytes = new Uint8Array(new ArrayBuffer(slotCount * slotSize));
    this.length = new Int32Array(slotCount);
    this.freeStack = new Int32Array(slotCount);
    this.inUse = new Uint8Array(slotCount);
    // Lowest index on top, so a fresh pool hands out 0, 1, 2 ...
    for (let i = 0; i < slotCount; i++) this.freeStack[i] = slotCount - 1 - i;
    this.freeCount = slotCount;
  }

  /** Number of free slots. */
  get available(): number {
    return this.freeCount;
  }

  /**
   * Takes a free slot; its `length` is reset to 0.
   * @returns the slot index, or `POOL_EXHAUSTED`
   */
  acquire(): number {
    if (this.freeCount === 0) return POOL_EXHAUSTED;
    const slot = this.freeStack[--this.freeCount]!;
    this.inUse[slot] = 1;
    this.length[slot] = 0;
    return slot;
  }

  /**
   * Takes one particular free slot (setup time: a restored message goes back to the slot it was saved from).
   * @returns `slot`, or `INVALID_SLOT` (not an index of this pool, or not free)
   */
  take(slot: number): number {
    if (!(slot >= 0 && slot < this.slotCount) || (slot | 0) !== slot || this.inUse[slot] === 1) return INVALID_SLOT;
    const stack = this.freeStack;
    for (let i = 0; i < this.freeCount; i++) {
      if (stack[i] !== slot) continue;
      stack[i] = stack[--this.freeCount]!;
      this.inUse[slot] = 1;
      this.length[slot] = 0;
      return slot;
    }
    return INVALID_SLOT;
  }

  /**
   * Returns a slot to the pool.
   * @returns 0, or `INVALID_SLOT` (not an index of this pool, or already free)
   */
  release(slot: number): number {
    if (!(slot >= 0 && slot < this.slotCount) || (slot | 0) !== slot || this.inUse[slot] === 0) return INVALID_SLOT;
    this.inUse[slot] = 0;
    this.freeStack[this.freeCount++] = slot;
    return 0;
  }

  /**
   * Whether `slot` is currently acquired.
   * @returns true for an acquired slot of this pool
   */
  isAcquired(slot: number): boolean {
    return slot >= 0 && slot < this.slotCount && this.inUse[slot] === 1;
  }

  /**
   * First byte of `slot` in `bytes`.
   * @returns `slot * slotSize` (no check)
   */
  offsetOf(slot: number): number {
    return slot * this.slotSize;
  }
}
