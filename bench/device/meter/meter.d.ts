/** Types of meter.js (numbers from the XS machine; see meter.c). */
interface Meter {
  readonly SLOTS_USED: 0; readonly SLOTS_PEAK: 1; readonly CHUNKS_USED: 2; readonly CHUNKS_PEAK: 3;
  readonly STACK_PEAK: 4; readonly GC_COUNT: 5; readonly SLOTS_RESERVED: 6; readonly CHUNKS_RESERVED: 7;
  readonly STACK_SIZE: 8; readonly SLOT_SIZE: 9; readonly THREAD_CPU_US: 10; readonly MONOTONIC_US: 11;
  readonly KEYS_USED: 12;
  /** One counter; never allocates. */
  get(what: number): number;
  /** A full garbage collection. */
  collect(): void;
  /** Restart the slot, chunk and stack high-water marks from the current values. */
  resetPeaks(): void;
}
declare const meter: Meter;
export default meter;
