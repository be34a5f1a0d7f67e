/**
 * The transmit path's bottom half: the staging region and writes in pieces.
 *
 * Packets are staged back to back in a region of the tx pool's array ({@link Transmitter.reserve}), then
 * written through the power-of-two views of {@link TxStage}. A write sends as much as the socket's send space
 * allows; the rest stays staged (moved to the region's start) and goes out from the next `onWritable`. So the
 * only size limit of a packet is the staging region (at least one tx slot), never the socket's buffer, and a
 * large packet at the head of the offline queue cannot block the queue behind it.
 *
 * Structural guarantees (the credential-leak fix):
 * - Only bytes inside `[base, base + outLen)` are ever written, and `outLen` grows only through
 *   {@link Transmitter.reserve}, which accepts integer sizes that fit, for a packet the caller then encodes there.
 * - Bytes leave the region as soon as they are written: the vacated tail is zeroed, and a torn-down connection
 *   zeroes what was staged. So the CONNECT (client id, user name, password) does not linger in a buffer that
 *   is written later.
 * Allocation-free after construction.
 * @module
 */
import type { ClientCounters } from "./counters.js";
import type { Clock, Socket } from "./host.js";
import type { Keepalive } from "./keepalive.js";
import { TxStage } from "./staging.js";

/** Staging region plus the socket it writes to. One per client. */
export class Transmitter {
  /** The array every outgoing packet lives in (the tx pool's bytes). */
  readonly bytes: Uint8Array;
  /** Start of the staging region in {@link bytes}. */
  readonly base: number;
  /** Size of the staging region (>= one tx slot). */
  readonly size: number;
  /** The socket written to, or null while there is no connection. */
  socket: Socket | null = null;
  /** Socket send space as last reported (by `onWritable` or a `write` return). */
  space = 0;
  /** Bytes staged and not yet written, at `[base, base + outLen)`. */
  outLen = 0;
  /** A write went out and its `onWritable` has not come back yet. */
  awaitingWritable = false;
  readonly #stage: TxStage;
  readonly #counters: ClientCounters;
  readonly #clock: Clock;
  readonly #keepalive: Keepalive;

  /**
   * @param bytes the tx pool array; @param base region start; @param size region size; @param counters stats;
   * @param clock stamps writes; @param keepalive whose `lastSent` every write moves.
   */
  constructor(bytes: Uint8Array, base: number, size: number, counters: ClientCounters, clock: Clock, keepalive: Keepalive) {
    this.bytes = bytes;
    this.base = base;
    this.size = size;
    this.#stage = new TxStage(bytes, base, size);
    this.#counters = counters;
    this.#clock = clock;
    this.#keepalive = keepalive;
  }

  /** Free bytes in the staging region. */
  room(): number {
    return this.size - this.outLen;
  }

  /**
   * Reserves `size` bytes at the end of the staged data, writing what is staged first when the region is full.
   * @returns the offset in {@link bytes} to encode the packet at; -1 when there is no socket, `size` is not a
   *   positive integer that fits the region, the region stays full (send space exhausted), or the write failed
   *   (then {@link failed} is true and the caller reports the loss).
   */
  reserve(size: number): number {
    if (this.socket === null || !(size > 0 && size <= this.size) || Math.floor(size) !== size) return -1;
    if (this.outLen + size > this.size) {
      if (this.write() < 0 || this.outLen + size > this.size) return -1;
    }
    const at = this.base + this.outLen;
    this.outLen += size;
    return at;
  }

  /** Gives back the last `size` bytes reserved (their packet could not be encoded); zeroes them. */
  unreserve(size: number): void {
    const end = this.base + this.outLen;
    this.outLen -= size;
    this.bytes.fill(0, end - size, end);
  }

  /** True after a write found the socket dead (until {@link detach}). */
  failed = false;

  /**
   * Writes as much of the staged bytes as the send space allows; the rest stays staged for `onWritable`.
   * @returns bytes written (>= 0), or -1 when the socket threw or returned a non-number (connection failed).
   */
  write(): number {
    const socket = this.socket;
    const staged = this.outLen;
    if (socket === null || staged === 0) return 0;
    const n = staged < this.space ? staged : this.space;
    if (n <= 0) return 0;
    const base = this.base;
    const left = this.#stage.write(socket, base, n);
    const counters = this.#counters;
    counters.writes = this.#stage.writes;
    if (left < 0) {
      this.failed = true;
      return -1;
    }
    const rest = staged - n;
    const bytes = this.bytes;
    if (rest > 0) {
      bytes.copyWithin(base, base + n, base + staged);
      counters.partialWrites++;
    }
    bytes.fill(0, base + rest, base + staged);
    this.outLen = rest;
    this.space = left;
    this.awaitingWritable = true;
    counters.bytesSent += n;
    this.#keepalive.lastSent = this.#clock.now();
    return n;
  }

  /** The socket reported `count` bytes of free send space. */
  writable(count: number): void {
    this.space = Number.isFinite(count) && count > 0 ? count : 0;
    this.awaitingWritable = false;
  }

  /** Starts a connection on `socket`: nothing staged, no send space until its first `onWritable`. */
  attach(socket: Socket): void {
    this.detach();
    this.socket = socket;
  }

  /** Ends the connection: staged bytes are dropped and zeroed. */
  detach(): void {
    if (this.outLen > 0) this.bytes.fill(0, this.base, this.base + this.outLen);
    this.socket = null;
    this.outLen = 0;
    this.space = 0;
    this.awaitingWritable = false;
    this.failed = false;
  }
}
