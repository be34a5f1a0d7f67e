/** Types of alloc-meter.js (the XS machine's slot and chunk counters; see alloc-meter.c). */
interface AllocMeter {
  /** Slots in use now; never allocates. */
  slots(): number;
  /** Chunk bytes in use now; never allocates. */
  chunks(): number;
  /** A full garbage collection. */
  collect(): void;
  /** Garbage collection on or off (off: the heap grows instead, so every allocation shows in the counters). */
  enableCollection(enable: boolean): void;
}
declare const allocMeter: AllocMeter;
export default allocMeter;
