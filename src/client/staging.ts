/**
 * Allocation-free socket I/O through power-of-two staging views.
 *
 * Moddable's lwip socket reads EXACTLY `view.byteLength` bytes and writes a whole view or throws, and its
 * counted `read(count)` form allocates. So all views are made once, here, at construction: lengths
 * 1, 2, 4, … 2^k at fixed offsets. `n` bytes move as the sum of the powers of two in `n`, each step followed
 * (read) or preceded (write) by a `copyWithin` inside the same ArrayBuffer. No view is created per packet.
 * @module
 */
import type { Socket } from "./host.js";

/** Largest power of two `<= n` (n >= 1). */
export function floorPow2(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

function makeViews(bytes: Uint8Array, offset: number, max: number): Uint8Array[] {
  const views: Uint8Array[] = [];
  for (let len = 1; len <= max; len *= 2) views.push(new Uint8Array(bytes.buffer, bytes.byteOffset + offset, len));
  return views;
}

/**
 * Outgoing staging: a region of the tx pool's ArrayBuffer with views `2^k` at its start. A packet anywhere in
 * the same array is written chunk by chunk: copy the next `2^k` bytes to the staging start, write that view.
 */
export class TxStage {
  /** The array every packet to send lives in (the tx pool's `bytes`). */
  readonly bytes: Uint8Array;
  /** Start of the staging region in {@link bytes}. */
  readonly base: number;
  /** Size of the staging region (largest packet that can be staged here). */
  readonly size: number;
  /** Socket `write` calls made (one per power-of-two chunk). */
  writes = 0;
  readonly #views: Uint8Array[];

  /** @param bytes the tx pool array; @param base staging region start; @param size its size in bytes. */
  constructor(bytes: Uint8Array, base: number, size: number) {
    this.bytes = bytes;
    this.base = base;
    this.size = size;
    this.#views = makeViews(bytes, base, floorPow2(size));
  }

  /**
   * Writes `bytes[offset, offset+length)` to `socket`. The caller has checked `length <= ` send space.
   * @returns the send space left, as the socket reported it, or -1 when the socket threw or returned something
   *   other than a number (Moddable's lwip socket returns `undefined` once the connection failed): it is dead.
   */
  write(socket: Socket, offset: number, length: number): number {
    const bytes = this.bytes;
    const base = this.base;
    const views = this.#views;
    let space = 0;
    let pos = offset;
    let rest = length;
    try {
      for (let k = views.length - 1; k >= 0 && rest > 0; k--) {
        const chunk = 1 << k;
        if (rest < chunk) continue;
        if (pos !== base) bytes.copyWithin(base, pos, pos + chunk);
        const left = socket.write(views[k]!);
        this.writes++;
        // undefined (lwip: the connection failed), NaN or anything else: dead. (No `typeof`: on XS a string
        // literal compared in code that was not preloaded costs a chunk per execution.)
        if (left === undefined || !(left >= 0)) return -1;
        space = left;
        pos += chunk;
        rest -= chunk;
      }
    } catch {
      return -1;
    }
    return space;
  }
}

/**
 * Incoming staging: `data` region `[0, D)` with views `2^k` at 0, and a staging region `[D, D + D/2)` with
 * views `2^j` at `D`. The largest chunk of a read lands in place at 0; smaller ones land in staging and are
 * moved right behind it, so `[0, n)` ends up holding the next `n` stream bytes, contiguous, ready to decode.
 */
export class RxStage {
  /** Whole receive array: data region then staging region. */
  readonly bytes: Uint8Array;
  /** Data region size D (a power of two): at most this many bytes per {@link read}. */
  readonly size: number;
  readonly #front: Uint8Array[];
  readonly #back: Uint8Array[];

  /** @param size wanted data region size; rounded down to a power of two (>= 16). */
  constructor(size: number) {
    const d = floorPow2(size < 16 ? 16 : size);
    this.size = d;
    this.bytes = new Uint8Array(d + d / 2);
    this.#front = makeViews(this.bytes, 0, d);
    this.#back = makeViews(this.bytes, d, d / 2);
  }

  /**
   * Reads `min(available, size)` bytes from `socket` into `bytes[0, n)`.
   * @returns n, or -1 when the socket threw.
   */
  read(socket: Socket, available: number): number {
    const n = available < this.size ? available : this.size;
    if (n <= 0) return 0;
    const bytes = this.bytes;
    const d = this.size;
    let k = this.#front.length - 1;
    while ((1 << k) > n) k--;
    let pos = 1 << k;
    try {
      socket.read(this.#front[k]!);
      for (let j = k - 1; j >= 0; j--) {
        const chunk = 1 << j;
        if ((n & chunk) === 0) continue;
        socket.read(this.#back[j]!);
        bytes.copyWithin(pos, d, d + chunk);
        pos += chunk;
      }
    } catch {
      return -1;
    }
    return n;
  }
}
