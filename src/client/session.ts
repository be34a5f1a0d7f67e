/**
 * Session state: everything that outlives one connection. The tx pool (encoded packets), the QoS 1/2 in-flight
 * table (with the injected QoS 2 engine's phase per record, see {@link Qos2Seam}), the offline queue, the
 * subscription table, the registered topics, packet id allocation, the per-message completion tokens and the
 * poison-message bookkeeping.
 *
 * Poison policy: a QoS 1 message the broker answers by dropping the connection would otherwise be resent
 * first after every CONNACK, forever. When a connection ends, the oldest message sent on it that is still
 * unacknowledged, with no PUBACK received since it was sent, gets a strike; at `poisonAfter` strikes in a row
 * it is set aside (parked): it keeps its packet id and tx slot, is not resent, and is reported. The
 * application then drops it ({@link Session.drop}) or retries it ({@link Session.retry}).
 * Allocation-free after construction.
 * @module
 */
import { BufferPool } from "../codec/pool.js";
import type { MqttError } from "./errors.js";
import { InflightTable } from "./inflight.js";
import { Outbox } from "./outbox.js";
import { Router } from "./router.js";

/**
 * The QoS 2 seam: what the client needs from a QoS 2 engine (`Qos2Engine` in `qos2.ts`, injected with the
 * `qos2` option). Only this interface lives in the QoS 0/1 modules, so a build without `qos2.ts` carries no
 * QoS 2 state machine. Allocation-free after {@link Qos2Seam.bind}.
 */
export interface Qos2Seam {
  /** Incoming QoS 2 ids the engine can hold at once (the journal keeps a cell per id). */
  readonly capacity: number;
  /**
   * Binds the engine to one client whose in-flight window has `window` records (setup time; allocates), and to
   * the journal that saves its incoming ids when the client has a `store` (else null).
   */
  bind(window: number, journal: IncomingJournal | null): void;
  /**
   * Outgoing phase per in-flight record index: 0 = QoS 1 (or free), 1 = QoS 2 PUBLISH sent, waiting for PUBREC,
   * 2 = PUBREC received, PUBREL owed or sent, waiting for PUBCOMP.
   */
  readonly phase: Uint8Array;
  /**
   * An incoming QoS 2 PUBLISH with `id` arrived.
   * @returns 1 first receipt (deliver it), 0 already received and not yet released (do not deliver again),
   *   -1 the incoming table is full (nothing recorded).
   */
  received(id: number): number;
  /**
   * The handlers have run for incoming `id` and its PUBREC is about to be owed: the id is saved to the journal
   * (if any), so a redelivery after a reboot is recognised. Idempotent.
   */
  delivered(id: number): void;
  /** PUBREL for incoming `id`: the id is forgotten (a later PUBLISH with it is a new message). */
  released(id: number): void;
  /** Setup: an id received and not released before a reboot, read back from the journal. @returns false when full. */
  restore(id: number): boolean;
  /** The broker holds no session: every incoming id is forgotten. */
  reset(): void;
}

/** States of a saved message (see {@link JournalSeam}). */
export const RecordState = Object.freeze({
  /** No message. */
  FREE: 0,
  /** In the offline queue (no packet id yet). */
  QUEUED: 1,
  /** Sent (or about to be) with its packet id; waiting for PUBACK / PUBREC / PUBCOMP. */
  IN_FLIGHT: 2,
} as const);

/** Receives what the journal reports (a `StoreError`): the client counts it and passes it to `onError`. */
export type JournalReport = (error: MqttError) => void;

/**
 * The persistence seam: what the client needs from a session journal (`SessionJournal` in `journal.ts`,
 * injected with the `journal` option). Only this interface lives in the QoS 0/1 modules, so a build without
 * `journal.ts` carries no persistence code. Every method but `bind`/`restore` is allocation-free.
 */
export interface JournalSeam {
  /** Setup: the tx pool's message slots are `[firstSlot, pool.slotCount)`; `incoming` QoS 2 cells; failures go to `report`. */
  bind(pool: BufferPool, firstSlot: number, incoming: number, report: JournalReport): void;
  /**
   * Setup: reads back what was saved and puts it into `session` (in-flight table, queue, QoS 2 engine); reports
   * what could not be put back. Allocates. @returns how many messages were put back.
   */
  restore(session: Session): number;
  /** A QoS 1/2 message was encoded into `slot` and accepted: saved before any of its bytes can leave. */
  stored(slot: number, state: number, qos: number, phase: number, id: number, length: number, idOffset: number): void;
  /** The message in `slot` changed state, phase or packet id. */
  update(slot: number, state: number, phase: number, id: number): void;
  /** The message in `slot` is done (acknowledged or dropped). No-op for a slot with nothing saved. */
  freed(slot: number): void;
  /** Incoming QoS 2 cell `index` now holds `id` (0 = free). */
  incoming(index: number, id: number): void;
  /** Closes the store (the client's `close()`). */
  close(): void;
}

/** Where a QoS 2 engine saves its incoming ids (the client's journal, when it has one). */
export interface IncomingJournal {
  /** Cell `index` of the incoming table now holds `id` (0 = free). */
  incoming(index: number, id: number): void;
}

/** Fixed session state of one client. */
export class Session {
  /** Tx pool: in-flight QoS 1 packets, queued packets, and (first slots) the staging region. */
  readonly pool: BufferPool;
  /** Unacknowledged QoS 1 publishes. */
  readonly inflight: InflightTable;
  /** Publishes waiting for a connection. */
  readonly outbox: Outbox;
  /** Subscriptions. */
  readonly router: Router;
  /** Topic names registered with `topic()` (setup time), by handle. */
  readonly topics: Uint8Array[] = [];
  /** Strikes (consecutive losses right after sending) per in-flight record index. */
  readonly strikes: Uint8Array;
  /** 1 when the in-flight record is set aside as poison. */
  readonly parked: Uint8Array;
  /** Connection number the record was last sent on. */
  readonly sentConn: Float64Array;
  /** Completion token per in-flight record (QoS 1/2). */
  readonly tokens: Float64Array;
  /** Token of the message the last `publish` call accepted (0: QoS 0, or refused). */
  lastToken = 0;
  #token = 0;
  /** Strikes that set a message aside; 0 = never. */
  readonly poisonAfter: number;
  /** Records currently set aside. */
  parkedCount = 0;
  /** Accepted connections so far (numbers the connection a record was sent on). */
  conn = 0;
  /** Highest send sequence acknowledged on the current connection (the broker got at least that far). */
  ackedSeq = 0;
  /** The QoS 2 engine, or null (a QoS 0/1 client). */
  readonly qos2: Qos2Seam | null;
  /** The persistent image of this session (`journal` option), or null. */
  journal: JournalSeam | null = null;
  readonly #idInUse: (id: number) => boolean;

  /**
   * @param slots tx pool slots; @param slotSize bytes per slot; @param window in-flight window;
   * @param queue offline queue capacity; @param maxSubs subscription table size; @param poisonAfter strikes;
   * @param qos2 the QoS 2 engine (bound by {@link Session.start}) or null.
   */
  constructor(slots: number, slotSize: number, window: number, queue: number, maxSubs: number, poisonAfter: number,
    qos2: Qos2Seam | null) {
    this.pool = new BufferPool(slots, slotSize);
    this.inflight = new InflightTable(window);
    this.outbox = new Outbox(queue);
    this.router = new Router(maxSubs);
    this.strikes = new Uint8Array(window);
    this.parked = new Uint8Array(window);
    this.sentConn = new Float64Array(window);
    this.tokens = new Float64Array(window);
    this.poisonAfter = poisonAfter;
    this.qos2 = qos2;
    const router = this.router;
    this.#idInUse = (id: number): boolean => router.usesPacketId(id);
  }

  /**
   * Setup, once the staging slots are taken: binds the QoS 2 engine and, with a journal, has it put back what
   * it saved before a reboot (see `journal.ts`).
   * @returns how many saved messages were put back.
   */
  start(journal: JournalSeam | null): number {
    if (this.qos2 !== null) this.qos2.bind(this.inflight.capacity, journal);
    this.journal = journal;
    return journal === null ? 0 : journal.restore(this);
  }

  /**
   * Copies the payload of the queued or in-flight message with `token` into `into` (as much as fits).
   * @returns the payload's full length, or -1 for an unknown token.
   */
  payloadOf(token: number, into: Uint8Array): number {
    let slot = -1;
    let length = 0;
    const i = this.recordOfToken(token);
    if (i >= 0) {
      slot = this.inflight.slots[i]!;
      length = this.inflight.lengths[i]!;
    } else {
      const e = this.outbox.indexOfToken(token);
      if (e < 0) return -1;
      slot = this.outbox.slots[e]!;
      length = this.outbox.lengths[e]!;
    }
    const bytes = this.pool.bytes;
    const at = this.pool.offsetOf(slot);
    let h = at + 1;
    while ((bytes[h++]! & 0x80) !== 0) { /* remaining length: 1-4 bytes */ }
    const start = h + 2 + (bytes[h]! << 8 | bytes[h + 1]!) + 2; // topic, then the packet id (QoS 1/2 only here)
    const n = at + length - start;
    const m = n < into.length ? n : into.length;
    for (let k = 0; k < m; k++) into[k] = bytes[start + k]!;
    return n;
  }

  /** Returns a message's tx slot to the pool and frees its journal record (if it has one). */
  release(slot: number): void {
    this.pool.release(slot);
    this.journal?.freed(slot);
  }

  /** @returns a packet id not in flight and not held by a SUBSCRIBE/UNSUBSCRIBE (1…65535). */
  nextId(): number {
    return this.inflight.nextId(this.#idInUse);
  }

  /** @returns a new completion token (1, 2, 3 …; exact up to 2^53). */
  newToken(): number {
    return ++this.#token;
  }

  /** @returns the in-flight record index of `token` (> 0), or -1. */
  recordOfToken(token: number): number {
    const inflight = this.inflight;
    if (!(token > 0) || inflight.count === 0) return -1;
    for (let i = 0; i < inflight.capacity; i++) if (inflight.ids[i] !== 0 && this.tokens[i] === token) return i;
    return -1;
  }

  /**
   * Drops the in-flight message of record `i` (the application gave it up): frees its packet id and slot.
   * A QoS 2 message the broker has PUBREC'd is not dropped (only its PUBREL is owed; the broker owns it).
   * @returns true when dropped.
   */
  dropRecord(i: number): boolean {
    if (this.phaseOf(i) === 2) return false;
    const id = this.inflight.ids[i] ?? 0;
    if (id === 0) return false;
    if (this.parked[i] === 1) this.parkedCount--;
    this.parked[i] = 0;
    this.strikes[i] = 0;
    if (this.qos2 !== null) this.qos2.phase[i] = 0;
    this.release(this.inflight.remove(id));
    return true;
  }

  /** In-flight record `i` was (re)sent now, on the current connection. */
  markSent(i: number): void {
    this.sentConn[i] = this.conn;
  }

  /** @returns the QoS 2 phase of in-flight record `i` (0 for QoS 1 or without an engine). */
  phaseOf(i: number): number {
    const q2 = this.qos2;
    return q2 === null ? 0 : q2.phase[i] ?? 0;
  }

  /**
   * The final acknowledgement for `id` (PUBACK: `phase` 0; PUBCOMP: `phase` 2): frees its record and slot.
   * @returns the message's completion token (> 0), or 0 when `id` was not in flight in that phase.
   */
  acked(id: number, phase = 0): number {
    const inflight = this.inflight;
    const i = inflight.indexOf(id);
    if (i < 0 || this.phaseOf(i) !== phase) return 0;
    if (phase !== 0) this.qos2!.phase[i] = 0;
    if (this.parked[i] === 1) this.parkedCount--;
    this.parked[i] = 0;
    this.strikes[i] = 0;
    const seq = inflight.seqs[i]!;
    if (seq > this.ackedSeq) this.ackedSeq = seq;
    this.release(inflight.remove(id));
    return this.tokens[i] ?? 0;
  }

  /**
   * PUBREC for outgoing `id`: the broker owns the QoS 2 message; from now on PUBREL, never the PUBLISH, is
   * (re)sent for it [MQTT-4.3.3-1]. Counts as progress for the poison policy.
   * @returns true when `id` is a QoS 2 record (waiting for PUBREC, or a repeated PUBREC): PUBREL is owed.
   */
  pubrec(id: number): boolean {
    const i = this.inflight.indexOf(id);
    const phase = i < 0 ? 0 : this.phaseOf(i);
    if (phase === 0) return false;
    if (phase === 1) {
      this.qos2!.phase[i] = 2;
      this.journal?.update(this.inflight.slots[i]!, RecordState.IN_FLIGHT, 2, id);
      this.strikes[i] = 0;
      const seq = this.inflight.seqs[i]!;
      if (seq > this.ackedSeq) this.ackedSeq = seq;
    }
    return true;
  }

  /** A CONNACK was accepted. @returns how many records are to be resent (parked ones are not). */
  connected(): number {
    this.conn++;
    this.ackedSeq = 0;
    const inflight = this.inflight;
    let n = inflight.markAllPending();
    for (let i = 0; i < inflight.capacity; i++) {
      if (this.parked[i] === 1 && inflight.ids[i] !== 0) {
        inflight.pending[i] = 0;
        n--;
      }
    }
    return n;
  }

  /**
   * The current connection ended. Strikes the suspect (the oldest record sent on it, still unacknowledged,
   * with no PUBACK on this connection for anything sent after it) and parks it at `poisonAfter` strikes.
   * @returns the index of the record set aside now, or -1.
   */
  connectionEnded(): number {
    if (this.poisonAfter === 0) return -1;
    const inflight = this.inflight;
    let suspect = -1;
    let best = Infinity;
    for (let i = 0; i < inflight.capacity; i++) {
      if (inflight.ids[i] === 0 || this.parked[i] === 1 || inflight.pending[i] === 1) continue;
      if (this.sentConn[i] !== this.conn) continue;
      const seq = inflight.seqs[i]!;
      if (seq < best) {
        best = seq;
        suspect = i;
      }
    }
    // A PUBACK for something sent after it: the broker read past it, so it is not what killed the link.
    if (suspect < 0 || this.ackedSeq > best) return -1;
    const strikes = (this.strikes[suspect] ?? 0) + 1;
    this.strikes[suspect] = strikes;
    if (strikes < this.poisonAfter) return -1;
    this.parked[suspect] = 1;
    this.parkedCount++;
    return suspect;
  }

  /**
   * Drops a parked message: frees its packet id and tx slot.
   * @returns true when `packetId` was set aside.
   */
  drop(packetId: number): boolean {
    const i = this.inflight.indexOf(packetId);
    if (i < 0 || this.parked[i] !== 1) return false;
    this.parked[i] = 0;
    this.strikes[i] = 0;
    this.parkedCount--;
    if (this.qos2 !== null) this.qos2.phase[i] = 0;
    this.release(this.inflight.remove(packetId));
    return true;
  }

  /**
   * Un-parks a message with its strikes cleared; it is resent (the caller schedules that).
   * @returns the record index, or -1 when `packetId` was not set aside.
   */
  retry(packetId: number): number {
    const i = this.inflight.indexOf(packetId);
    if (i < 0 || this.parked[i] !== 1) return -1;
    this.parked[i] = 0;
    this.strikes[i] = 0;
    this.parkedCount--;
    this.inflight.pending[i] = 1;
    return i;
  }
}
