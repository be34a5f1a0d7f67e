/**
 * Session journal: the persistent image of the offline queue, the in-flight QoS 1/2 table and the incoming
 * QoS 2 packet ids, kept in a {@link SessionStore} as messages enter and leave, so a watchdog reset or a power
 * cut loses nothing the client had accepted.
 *
 * Layout (little-endian), one region:
 * - `[0, 32)` file header: magic `XSMQ`, version, record count, slot size, incoming capacity, checksum.
 * - one record per message slot of the tx pool, `32 + slotSize` bytes rounded up to 32: a 32-byte record header, then the
 *   encoded PUBLISH exactly as accepted (DUP clear; while queued the packet id is a placeholder, the header
 *   carries the real one).
 * - one 4-byte cell per incoming QoS 2 id: `id`, `id ^ 0xffff` (free: 0, 0xffff).
 *
 * Record header: state (0 free, 1 queued, 2 in flight), QoS, QoS 2 phase (1 PUBLISH sent, 2 PUBREC received),
 * packet id, sequence (the order messages were accepted), packet length, offset of the packet id in the packet,
 * checksum of the packet, checksum of the header. A record only counts when both checksums hold, so a torn
 * write (power lost mid-write on a medium without atomic commits) reads as "not saved", never as a wrong message.
 *
 * Writes per message (each is one header write of 32 bytes, the first also the packet, then one `sync`):
 * - QoS 1 sent at once: 2. Accepted (before it can reach the wire), acknowledged (PUBACK).
 * - QoS 1 queued first: 3. Plus leaving the queue: its packet id is assigned then and must be known after a
 *   reboot, or the resend after the reboot would carry a new id.
 * - QoS 2: one more than QoS 1. PUBREC moves it to phase 2: after a reboot PUBREL, never the PUBLISH, is owed
 *   [MQTT-4.3.3-1].
 * - Incoming QoS 2: 2 cell writes of 4 bytes. The id is saved once the handlers have run and before PUBREC
 *   goes out (so a redelivery after a reboot is recognised), and cleared on PUBREL.
 * - QoS 0 is not journaled: "at most once" promises nothing a reboot could break.
 * Nothing else writes in steady state: no counters, no index, no rewrite of other records.
 *
 * Restore runs once, at client construction: every record whose checksums hold goes back to its slot (same
 * geometry) or to any free slot (the pool's slot count or size changed: the region is then rewritten in the new
 * layout, once). In-flight messages are resent on the first connection with DUP, queued ones follow in order.
 * Allocation-free after construction (restore allocates, once).
 * @module
 */
import type { BufferPool } from "../codec/pool.js";
import type { SessionStore } from "./host.js";
import { InvalidOptionError } from "./errors.js";
import { STORE_FAILED } from "./codes.js";
import { MqttError } from "./errors.js";
import { RecordState, type JournalReport, type JournalSeam, type Session } from "./session.js";

/** Which store operation failed (the `operation` of a {@link StoreError}). */
const OPERATIONS = Object.freeze(["open", "write", "sync", "restore"] as const);
const OPEN = 0;
const WRITE = 1;
const SYNC = 2;
const RESTORE = 3;

/**
 * The session store (`journal` option) failed: `code = STORE_FAILED` (-129). `operation` says what failed:
 * `"open"`, `"write"`, `"sync"`, or `"restore"` (saved messages that could not be put back: `detail` counts
 * them; -1 means the store held something that is not a session image). Otherwise `detail` is the store's own
 * negative code (`STORE_IO_ERROR` …). The client goes on from RAM.
 */
export class StoreError extends MqttError {
  override name = "StoreError";
  /** What failed. */
  readonly operation: string;
  /** The store's code, or how many saved messages were not restored. */
  readonly detail: number;
  /** @param operation what failed; @param detail see the class notes. */
  constructor(operation: string, detail: number) {
    super(STORE_FAILED, operation === "restore"
      ? (detail < 0 ? "session store: unreadable image, started afresh" : `session store: ${detail} saved messages not restored`)
      : `session store ${operation} failed (${detail})`);
    this.operation = operation;
    this.detail = detail;
  }
}

const FILE_HEADER = 32;
const RECORD_HEADER = 32;
const MAGIC = 0x514d5358; // "XSMQ" little-endian
const VERSION = 1;

function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}

function get32(b: Uint8Array, at: number): number {
  return (b[at]! | b[at + 1]! << 8 | b[at + 2]! << 16) + b[at + 3]! * 0x1000000;
}

/**
 * Bytes per record: the header, then the slot rounded up to 32 bytes, so every header sits on a 32-byte boundary
 * and never straddles a page of a store that commits page by page (`FilesSessionStore` on littlefs): a header
 * rewrite is then one atomic write.
 */
function recordSize(slotSize: number): number {
  return RECORD_HEADER + ((slotSize + 31) & ~31);
}

/** Adler-32 of `b[from, to)`: cheap, no table, and catches the torn and stale writes it is here for. */
export function adler32(b: Uint8Array, from: number, to: number): number {
  let a = 1;
  let s = 0;
  let i = from;
  while (i < to) {
    // 3800 bytes keep both sums exact in a double without a modulo per byte.
    const end = to - i > 3800 ? i + 3800 : to;
    for (; i < end; i++) {
      a += b[i]!;
      s += a;
    }
    a %= 65521;
    s %= 65521;
  }
  return s * 65536 + a;
}

/**
 * The persistent image of one client's session (see the module notes), given to the client with the `journal`
 * option. In a module of its own, like the QoS 2 engine, so a device build without persistence does not carry it.
 *
 * @example
 * ```ts
 * import { SessionJournal } from "xsmqtt/client/journal";
 * const client = new MqttClient({ host, hostname, clientId: "dev-1", cleanSession: false,
 *   journal: new SessionJournal(new FileSessionStore({ path: "dev-1.session" })) });
 * ```
 */
export class SessionJournal implements JournalSeam {
  /** Store writes made (header, packet and cell writes; not counting syncs). */
  writes = 0;
  /** Store syncs made (one per journaled event). */
  syncs = 0;
  /** Failed store writes and syncs (the first of each run of failures is reported). */
  failures = 0;
  /** Slots of the restored messages, oldest accepted first. */
  #restoredSlots: Int32Array = new Int32Array(0);
  /** Incoming QoS 2 ids received and not released before the reboot. */
  #restoredIncoming: Uint16Array = new Uint16Array(0);
  readonly #store: SessionStore;
  #pool: BufferPool | null = null;
  #report: JournalReport = () => {};
  #firstSlot = 0;
  #records = 0;
  #slotSize = 0;
  #recordSize = 0;
  #incoming = 0;
  #incomingBase = 0;
  #size = 0;
  readonly #header = new Uint8Array(RECORD_HEADER);
  readonly #cell = new Uint8Array(4);
  readonly #slotViews: Uint8Array[] = [];
  #state = new Uint8Array(0);
  #qos = new Uint8Array(0);
  #phase = new Uint8Array(0);
  #id = new Uint16Array(0);
  #seq = new Float64Array(0);
  #length = new Float64Array(0);
  #idOffset = new Float64Array(0);
  #packetSum = new Float64Array(0);
  #nextSeq = 1;
  #broken = false;
  #failing = false;
  /** Saved records found unreadable by {@link #load}. */
  #lost = 0;
  #bound = false;

  /** @param store where the image lives (one journal per store and per client). */
  constructor(store: SessionStore) {
    this.#store = store;
  }

  /**
   * @inheritDoc
   * @throws InvalidOptionError (`INVALID_OPTION` -120) when the journal is already bound to another client.
   */
  bind(pool: BufferPool, firstSlot: number, incoming: number, report: JournalReport): void {
    if (this.#bound) throw new InvalidOptionError("journal", "journal already used by another client");
    this.#bound = true;
    this.#pool = pool;
    this.#report = report;
    this.#firstSlot = firstSlot;
    const records = pool.slotCount - firstSlot;
    this.#records = records;
    this.#slotSize = pool.slotSize;
    this.#recordSize = recordSize(pool.slotSize);
    this.#incoming = incoming;
    this.#incomingBase = FILE_HEADER + records * this.#recordSize;
    this.#size = this.#incomingBase + 4 * incoming;
    for (let r = 0; r < records; r++) {
      this.#slotViews.push(new Uint8Array(pool.bytes.buffer, pool.bytes.byteOffset + pool.offsetOf(firstSlot + r), pool.slotSize));
    }
    this.#state = new Uint8Array(records);
    this.#qos = new Uint8Array(records);
    this.#phase = new Uint8Array(records);
    this.#id = new Uint16Array(records);
    this.#seq = new Float64Array(records);
    this.#length = new Float64Array(records);
    this.#idOffset = new Float64Array(records);
    this.#packetSum = new Float64Array(records);
  }

  /** @inheritDoc */
  close(): void {
    this.#store.close();
  }

  /** Bytes the region takes. */
  get size(): number {
    return this.#size;
  }

  /**
   * A QoS 1/2 message was encoded into `slot` and accepted: saves the packet and its header, then syncs.
   * Called before any of its bytes can reach the socket.
   */
  stored(slot: number, state: number, qos: number, phase: number, id: number, length: number, idOffset: number): void {
    const r = slot - this.#firstSlot;
    if (r < 0 || r >= this.#records || this.#broken) return;
    const pool = this.#pool!;
    const at = pool.offsetOf(slot);
    this.#state[r] = state;
    this.#qos[r] = qos;
    this.#phase[r] = phase;
    this.#id[r] = id;
    this.#seq[r] = this.#nextSeq++;
    this.#length[r] = length;
    this.#idOffset[r] = idOffset;
    this.#packetSum[r] = adler32(pool.bytes, at, at + length);
    // Packet first, header last: the header (with both checksums) is what makes the record count.
    if (this.#write(FILE_HEADER + r * this.#recordSize + RECORD_HEADER, this.#slotViews[r]!)) this.#writeHeader(r);
    this.#sync();
  }

  /** The message in `slot` changed state, phase or packet id (left the queue; PUBREC): rewrites its header, syncs. */
  update(slot: number, state: number, phase: number, id: number): void {
    const r = slot - this.#firstSlot;
    if (r < 0 || r >= this.#records || this.#state[r] === 0 || this.#broken) return;
    this.#state[r] = state;
    this.#phase[r] = phase;
    this.#id[r] = id;
    this.#writeHeader(r);
    this.#sync();
  }

  /** The message in `slot` is done (acknowledged, dropped): marks its record free, syncs. No-op for unsaved slots. */
  freed(slot: number): void {
    const r = slot - this.#firstSlot;
    if (r < 0 || r >= this.#records || this.#state[r] === 0) return;
    this.#state[r] = 0;
    if (this.#broken) return;
    this.#writeHeader(r);
    this.#sync();
  }

  /** Incoming QoS 2 cell `index` now holds `id` (0 = free): writes it, syncs. */
  incoming(index: number, id: number): void {
    if (index < 0 || index >= this.#incoming || this.#broken) return;
    const c = this.#cell;
    c[0] = id & 0xff;
    c[1] = id >>> 8;
    c[2] = ~id & 0xff;
    c[3] = (~id >>> 8) & 0xff;
    this.#write(this.#incomingBase + 4 * index, c);
    this.#sync();
  }

  /**
   * @inheritDoc
   * In-flight messages keep their packet ids (resent first on the first connection, with DUP; PUBREL for a
   * PUBREC'd QoS 2 message); queued ones go back to the queue, oldest first; each gets a new completion token.
   * Past a smaller in-flight window a message goes back to the queue (a new id when sent), except a PUBREC'd
   * QoS 2 message: only its PUBREL may be sent, so with no room it is reported as not restored, like a QoS 2
   * message without a QoS 2 engine and anything the queue has no room for.
   */
  restore(session: Session): number {
    if (this.#load() === 0 && this.#restoredIncoming.length === 0) {
      if (this.#lost > 0) this.#report(new StoreError(OPERATIONS[RESTORE], this.#lost));
      return 0;
    }
    let lost = this.#lost;
    let restored = 0;
    const pool = session.pool;
    const inflight = session.inflight;
    const q2 = session.qos2;
    for (let k = 0; k < this.#restoredSlots.length; k++) {
      const slot = this.#restoredSlots[k]!;
      const r = slot - this.#firstSlot;
      const qos = this.#qos[r]!;
      const phase = this.#phase[r]!;
      const length = this.#length[r]!;
      const idOffset = this.#idOffset[r]!;
      const id = this.#id[r]!;
      const state = this.#state[r]!;
      if (qos === 2 && q2 === null) {
        lost++;
        session.release(slot);
        continue;
      }
      const token = session.newToken();
      if (state === RecordState.IN_FLIGHT && id !== 0 && inflight.indexOf(id) < 0 && !inflight.full) {
        const at = pool.offsetOf(slot);
        pool.bytes[at + idOffset] = id >>> 8;
        pool.bytes[at + idOffset + 1] = id & 0xff;
        const i = inflight.add(id, slot, length);
        session.tokens[i] = token;
        if (qos === 2) q2!.phase[i] = phase === 2 ? 2 : 1;
        restored++;
        continue;
      }
      if (phase === 2 || session.outbox.push(slot, length, qos, idOffset, token) < 0) {
        lost++;
        session.release(slot);
        continue;
      }
      if (state !== RecordState.QUEUED) this.update(slot, RecordState.QUEUED, 0, 0);
      restored++;
    }
    if (q2 !== null) {
      for (let k = 0; k < this.#restoredIncoming.length; k++) if (!q2.restore(this.#restoredIncoming[k]!)) lost++;
    }
    if (lost > 0) this.#report(new StoreError(OPERATIONS[RESTORE], lost));
    return restored;
  }

  /**
   * Opens the store and reads back what was saved into the pool (see the module notes): the slots of the intact
   * messages, oldest first, and the incoming QoS 2 ids; counts what was unreadable. Allocates.
   * @returns how many messages were read back.
   */
  #load(): number {
    const store = this.#store;
    if (this.#pool === null) return 0;
    const before = store.open(this.#size);
    if (before < 0) {
      this.#broken = true;
      this.#report(new StoreError(OPERATIONS[OPEN], before));
      return 0;
    }
    const head = new Uint8Array(FILE_HEADER);
    if (before === 0 || store.read(0, head) !== FILE_HEADER || get32(head, 0) !== MAGIC || head[4] !== VERSION
      || get32(head, 28) !== adler32(head, 0, 28)) {
      if (before > 0) this.#report(new StoreError(OPERATIONS[RESTORE], -1)); // something unreadable was there: say so, start afresh
      this.#format();
      return 0;
    }
    const oldRecords = get32(head, 8);
    const oldSlotSize = get32(head, 12);
    const oldIncoming = get32(head, 16);
    const same = oldRecords === this.#records && oldSlotSize === this.#slotSize && oldIncoming === this.#incoming;
    const oldRecordSize = recordSize(oldSlotSize);
    const pool = this.#pool!;
    const slots: number[] = [];
    const packet = new Uint8Array(oldSlotSize);
    const h = this.#header;
    let lost = 0;
    for (let r = 0; r < oldRecords; r++) {
      const pos = FILE_HEADER + r * oldRecordSize;
      if (store.read(pos, h) !== RECORD_HEADER || h[0] === 0) continue;
      const state = h[0]!;
      const qos = h[1]!;
      const phase = h[2]!;
      const length = get32(h, 12);
      const idOffset = get32(h, 16);
      if (get32(h, 24) !== adler32(h, 0, 24) || (state !== RecordState.QUEUED && state !== RecordState.IN_FLIGHT)
        || (qos !== 1 && qos !== 2) || phase > 2 || length > oldSlotSize || idOffset + 2 > length) {
        lost++;
        continue;
      }
      if (store.read(pos + RECORD_HEADER, packet) !== oldSlotSize || adler32(packet, 0, length) !== get32(h, 20)
        || length > this.#slotSize) {
        lost++;
        continue;
      }
      const slot = same ? pool.take(this.#firstSlot + r) : pool.acquire();
      if (slot < 0) {
        lost++;
        continue;
      }
      pool.bytes.set(packet.subarray(0, length), pool.offsetOf(slot));
      const t = slot - this.#firstSlot;
      this.#state[t] = state;
      this.#qos[t] = qos;
      this.#phase[t] = phase;
      this.#id[t] = h[4]! | h[5]! << 8;
      this.#seq[t] = get32(h, 8);
      this.#length[t] = length;
      this.#idOffset[t] = idOffset;
      this.#packetSum[t] = get32(h, 20);
      if (this.#seq[t]! >= this.#nextSeq) this.#nextSeq = this.#seq[t]! + 1;
      slots.push(slot);
    }
    slots.sort((a, b) => this.#seq[a - this.#firstSlot]! - this.#seq[b - this.#firstSlot]!);
    const cells = new Uint8Array(4 * oldIncoming);
    const incoming: number[] = [];
    // A QoS 2 engine takes restored ids into cells 0, 1, 2 …: the saved cells must say the same.
    let compact = true;
    if (oldIncoming > 0 && store.read(FILE_HEADER + oldRecords * oldRecordSize, cells) === cells.length) {
      for (let k = 0; k < oldIncoming; k++) {
        const id = cells[4 * k]! | cells[4 * k + 1]! << 8;
        const check = cells[4 * k + 2]! | cells[4 * k + 3]! << 8;
        if (id === 0 || (id ^ check) !== 0xffff) continue;
        if (k !== incoming.length) compact = false;
        if (incoming.length < this.#incoming) incoming.push(id);
        else lost++;
      }
    }
    this.#restoredSlots = Int32Array.from(slots);
    this.#restoredIncoming = Uint16Array.from(incoming);
    if (!same) this.#relayout();
    else if (!compact) {
      for (let k = 0; k < this.#incoming; k++) this.incoming(k, k < incoming.length ? incoming[k]! : 0);
    }
    this.#lost = lost;
    return slots.length;
  }

  /** The configuration changed: the region is written afresh in the new layout with what was restored. */
  #relayout(): void {
    this.#format();
    for (let k = 0; k < this.#restoredSlots.length; k++) {
      const slot = this.#restoredSlots[k]!;
      const r = slot - this.#firstSlot;
      this.#write(FILE_HEADER + r * this.#recordSize + RECORD_HEADER, this.#slotViews[r]!);
      this.#writeHeader(r);
    }
    for (let k = 0; k < this.#restoredIncoming.length; k++) this.incoming(k, this.#restoredIncoming[k]!);
    this.#sync();
  }

  /** Writes a fresh file header and clears every record header and incoming cell. */
  #format(): void {
    const head = new Uint8Array(FILE_HEADER);
    put32(head, 0, MAGIC);
    head[4] = VERSION;
    put32(head, 8, this.#records);
    put32(head, 12, this.#slotSize);
    put32(head, 16, this.#incoming);
    put32(head, 28, adler32(head, 0, 28));
    const zero = new Uint8Array(RECORD_HEADER);
    for (let r = 0; r < this.#records; r++) this.#write(FILE_HEADER + r * this.#recordSize, zero);
    if (this.#incoming > 0) this.#write(this.#incomingBase, new Uint8Array(4 * this.#incoming));
    // The header last: a region is only taken as ours once everything behind it is clear.
    this.#write(0, head);
    this.#sync();
  }

  #writeHeader(r: number): void {
    const h = this.#header;
    h[0] = this.#state[r]!;
    h[1] = this.#qos[r]!;
    h[2] = this.#phase[r]!;
    h[3] = 0;
    const id = this.#id[r]!;
    h[4] = id & 0xff;
    h[5] = id >>> 8;
    h[6] = 0;
    h[7] = 0;
    put32(h, 8, this.#seq[r]!);
    put32(h, 12, this.#length[r]!);
    put32(h, 16, this.#idOffset[r]!);
    put32(h, 20, this.#packetSum[r]!);
    put32(h, 24, adler32(h, 0, 24));
    put32(h, 28, 0);
    this.#write(FILE_HEADER + r * this.#recordSize, h);
  }

  #write(position: number, from: Uint8Array): boolean {
    this.writes++;
    const rc = this.#store.write(position, from);
    if (rc >= 0) return true;
    this.#failed(WRITE, rc);
    return false;
  }

  #sync(): void {
    this.syncs++;
    const rc = this.#store.sync();
    if (rc < 0) this.#failed(SYNC, rc);
    else this.#failing = false;
  }

  /** Reports the first failure of a run of failures only: a dead medium must not flood `onError` per message. */
  #failed(op: number, rc: number): void {
    this.failures++;
    if (this.#failing) return;
    this.#failing = true;
    this.#report(new StoreError(OPERATIONS[op]!, rc));
  }
}
