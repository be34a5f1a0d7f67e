/**
 * An in-memory {@link SessionStore} for tests: the region is a growable byte array, writes and syncs are counted,
 * and {@link MemoryStore.crashImage} copies what a process kill would leave behind (every write so far; the
 * store has no cache to lose), so a "rebooted" client can be built from it.
 * @module
 */
import type { SessionStore } from "../../src/client/index.js";

/** A RAM-backed session store with counters and failure injection. */
export class MemoryStore implements SessionStore {
  bytes: Uint8Array;
  /** write() calls, and bytes written. */
  writes = 0;
  bytesWritten = 0;
  /** sync() calls. */
  syncs = 0;
  /** While true, write() and sync() fail with -5 (an I/O error). */
  failing = false;
  closed = 0;

  /** @param image bytes to start from (a crash image), or nothing for a new store. */
  constructor(image?: Uint8Array) {
    this.bytes = image === undefined ? new Uint8Array(0) : image.slice();
  }

  open(size: number): number {
    const before = this.bytes.length;
    if (size > before) {
      const grown = new Uint8Array(size);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    return before;
  }

  read(position: number, into: Uint8Array): number {
    const n = Math.max(0, Math.min(into.length, this.bytes.length - position));
    into.set(this.bytes.subarray(position, position + n));
    return n;
  }

  write(position: number, from: Uint8Array): number {
    if (this.failing) return -5;
    if (position + from.length > this.bytes.length) return -22; // writes stay inside what open() sized
    this.bytes.set(from, position);
    this.writes++;
    this.bytesWritten += from.length;
    return 0;
  }

  sync(): number {
    if (this.failing) return -5;
    this.syncs++;
    return 0;
  }

  close(): void {
    this.closed++;
  }

  /** @returns a copy of the region as a kill would leave it. */
  crashImage(): Uint8Array {
    return this.bytes.slice();
  }
}
