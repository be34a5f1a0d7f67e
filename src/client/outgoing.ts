/**
 * The transmit path's top half: what to send, in which order.
 *
 * - {@link Outgoing.publish}: a checked publish is encoded straight into the staging region (QoS 0) or into a
 *   tx slot owned by the in-flight table and copied to staging (QoS 1), or encoded into the offline queue.
 * - {@link Outgoing.pump}: sends whatever is owed, in order, as far as the staging region allows: PUBACKs,
 *   PINGREQ, resends after a reconnect, SUBSCRIBE/UNSUBSCRIBE, the offline queue; then raises WRITABLE if a
 *   publish was refused with BUSY and room freed.
 * The reused info objects (`#pub`, `#sub`, `#unsub`) are filled and consumed inside one call that never runs
 * user code: every callback is deferred through the event queue. Allocation-free.
 * @module
 */
import { encodeAck } from "../codec/ack.js";
import { PacketType } from "../codec/codes.js";
import { encodeEmpty } from "../codec/ping.js";
import { encodePublish, sizePublish, type PublishInfo } from "../codec/publish.js";
import {
  encodeSubscribe, encodeUnsubscribe, sizeSubscribe, sizeUnsubscribe, type SubscribeInfo, type UnsubscribeInfo,
} from "../codec/subscribe.js";
import { BUSY, ClientState, DROPPED_OLDEST, NOT_CONNECTED, QUEUED, QUEUE_FULL, SENT, TOO_LARGE } from "./codes.js";
import type { Link } from "./connection.js";
import { EventKind } from "./events.js";
import { RecordState } from "./session.js";
import { SubState } from "./router.js";

/** Outgoing packet scheduling for one client. */
export class Outgoing {
  /** Unacknowledged QoS 1 records still to be resent on this connection. */
  resendCount = 0;
  /** Resends carry DUP (the broker kept the session). */
  resendDup = false;
  /** SUBSCRIBE/UNSUBSCRIBE work may be owed. */
  subWork = false;
  /** A publish returned BUSY: raise WRITABLE when `busySize` bytes fit again. */
  wantWritable = false;
  busySize = 0;
  /** Acks owed, FIFO, as `type << 16 | packet id` (PUBACK, PUBREC, PUBREL, PUBCOMP; reading pauses while any are owed). */
  readonly acks: Uint32Array;
  ackHead = 0;
  ackCount = 0;
  readonly #link: Link;
  readonly #pub: PublishInfo;
  readonly #sub: SubscribeInfo;
  readonly #unsub: UnsubscribeInfo;
  readonly #filters: Uint8Array[];
  readonly #subQos: Uint8Array;

  /** @param link the connection lifecycle this schedules for; @param ackCapacity ack ring size. */
  constructor(link: Link, ackCapacity: number) {
    this.#link = link;
    this.acks = new Uint32Array(ackCapacity);
    const empty = new Uint8Array(0);
    this.#pub = {
      topic: empty, topicOffset: 0, topicLength: 0, payload: empty, payloadOffset: 0, payloadLength: 0,
      qos: 0, retain: false, dup: false, packetId: 0,
    };
    const maxSubs = link.session.router.capacity;
    this.#filters = new Array<Uint8Array>(maxSubs).fill(empty);
    this.#subQos = new Uint8Array(maxSubs);
    this.#sub = { packetId: 0, filters: this.#filters, qos: this.#subQos, count: 1 };
    this.#unsub = { packetId: 0, filters: this.#filters, count: 1 };
  }

  /** @returns the size of one SUBSCRIBE for `filters` (setup-time check against the slot size). */
  subscribeSize(filters: readonly Uint8Array[], qos: readonly number[]): number {
    const n = filters.length;
    if (n > this.#filters.length) return -1;
    for (let k = 0; k < n; k++) {
      this.#filters[k] = filters[k]!;
      this.#subQos[k] = qos[k] ?? 0;
    }
    this.#sub.count = n;
    this.#sub.packetId = 1;
    return sizeSubscribe(this.#sub);
  }

  /**
   * Publishes checked arguments (the API edge has validated every type and range).
   * @returns SENT, QUEUED, BUSY, TOO_LARGE, QUEUE_FULL, NOT_CONNECTED, or a codec code from sizing.
   */
  publish(topic: Uint8Array, payload: Uint8Array, offset: number, length: number, qos: number, retain: boolean): number {
    const link = this.#link;
    const info = this.#pub;
    info.topic = topic;
    info.topicOffset = 0;
    info.topicLength = topic.length;
    info.payload = payload;
    info.payloadOffset = offset;
    info.payloadLength = length;
    info.qos = qos;
    info.retain = retain;
    info.dup = false;
    info.packetId = 1; // placeholder for sizing; the real id is set when the packet enters the window
    const size = sizePublish(info);
    if (size < 0) return size;
    if (size > link.slotSize) return TOO_LARGE;
    if (link.state !== ClientState.CONNECTED || link.session.outbox.count > 0 || this.resendCount > 0) {
      return this.#enqueue(size, qos);
    }
    const tx = link.tx;
    if (qos === 0) {
      const out = tx.reserve(size);
      if (out < 0) return this.#refused(size, 0);
      if (encodePublish(tx.bytes, out, info) !== out + size) {
        tx.unreserve(size);
        return TOO_LARGE;
      }
      link.counters.sent++;
      return SENT;
    }
    const session = link.session;
    const pool = session.pool;
    if (session.inflight.full || pool.available === 0) return this.#busy(size);
    const out = tx.reserve(size);
    if (out < 0) return this.#refused(size, qos);
    const slot = pool.acquire();
    const at = pool.offsetOf(slot);
    info.packetId = session.nextId();
    if (encodePublish(pool.bytes, at, info) !== at + size) {
      pool.release(slot);
      tx.unreserve(size);
      return TOO_LARGE;
    }
    // Saved before a byte of it can reach the socket (staging is written out later, in this turn's flush).
    session.journal?.stored(slot, RecordState.IN_FLIGHT, qos, qos === 2 ? 1 : 0, info.packetId, size, size - length - 2);
    pool.bytes.copyWithin(out, at, at + size);
    const token = session.newToken();
    this.#track(info.packetId, slot, size, qos, token);
    session.lastToken = token;
    link.counters.sent++;
    return SENT;
  }

  /** Adds the in-flight record of a QoS 1/2 PUBLISH just staged (QoS 2: waiting for PUBREC). */
  #track(id: number, slot: number, size: number, qos: number, token: number): void {
    const session = this.#link.session;
    const i = session.inflight.add(id, slot, size);
    session.markSent(i);
    session.tokens[i] = token;
    if (qos === 2) session.qos2!.phase[i] = 1;
  }

  /** Staging refused `size` bytes: BUSY while connected, else the write failed and the packet is queued. */
  #refused(size: number, qos: number): number {
    const link = this.#link;
    if (link.tx.failed) {
      link.writeFailed();
      return this.#enqueue(size, qos);
    }
    return this.#busy(size);
  }

  #busy(size: number): number {
    this.#link.counters.busy++;
    this.wantWritable = true;
    this.busySize = size;
    return BUSY;
  }

  #enqueue(size: number, qos: number): number {
    const link = this.#link;
    const session = link.session;
    const outbox = session.outbox;
    const pool = session.pool;
    if (outbox.capacity === 0) {
      // Connected but resends are still going out: that is backpressure, not "offline".
      return link.state === ClientState.CONNECTED ? this.#busy(size) : NOT_CONNECTED;
    }
    if (outbox.full || pool.available === 0) {
      if (link.dropOldest && outbox.count > 0) {
        const dropped = outbox.tokens[outbox.head] ?? 0;
        session.release(outbox.shift());
        link.counters.dropped++;
        link.emit(EventKind.OVERFLOW, DROPPED_OLDEST, null);
        if (dropped > 0 && link.completions) link.emit(EventKind.DROPPED, dropped, null);
      }
      if (outbox.full || pool.available === 0) {
        link.counters.rejected++;
        link.emit(EventKind.OVERFLOW, QUEUE_FULL, null);
        return QUEUE_FULL;
      }
    }
    const slot = pool.acquire();
    const at = pool.offsetOf(slot);
    if (encodePublish(pool.bytes, at, this.#pub) !== at + size) {
      pool.release(slot);
      return TOO_LARGE;
    }
    // QoS 1/2: the id (placeholder now) sits just before the payload; patched when the entry is sent.
    const token = qos === 0 ? 0 : session.newToken();
    const idOffset = size - this.#pub.payloadLength - 2;
    outbox.push(slot, size, qos, idOffset, token);
    if (qos !== 0) session.journal?.stored(slot, RecordState.QUEUED, qos, 0, 0, size, idOffset);
    session.lastToken = token;
    link.counters.queued++;
    return QUEUED;
  }

  /** Owes an ack of `type` (PUBACK, PUBREC, PUBREL, PUBCOMP) for `id`: staged now when nothing is owed before it, else queued. */
  queueAck(type: number, id: number): void {
    const acks = this.acks;
    if (this.ackCount === 0) {
      const tx = this.#link.tx;
      const out = tx.reserve(4);
      if (out >= 0) {
        encodeAck(tx.bytes, out, type, id);
        return;
      }
    }
    if (this.ackCount >= acks.length) return; // cannot happen: reading pauses while acks are owed
    let at = this.ackHead + this.ackCount;
    if (at >= acks.length) at -= acks.length;
    acks[at] = type << 16 | id;
    this.ackCount++;
  }

  /** Stages owed acks while room allows. @returns true when none is left owed. */
  flushAcks(): boolean {
    const acks = this.acks;
    const tx = this.#link.tx;
    while (this.ackCount > 0) {
      const out = tx.reserve(4);
      if (out < 0) return false;
      const a = acks[this.ackHead] ?? 0;
      encodeAck(tx.bytes, out, a >>> 16, a & 0xffff);
      this.ackHead = this.ackHead + 1 >= acks.length ? 0 : this.ackHead + 1;
      this.ackCount--;
    }
    return true;
  }

  /** A new connection was accepted: `resends` records go first, with DUP when the session was kept. */
  connected(resends: number, sessionKept: boolean): void {
    this.resendCount = resends;
    this.resendDup = sessionKept;
    this.subWork = true;
  }

  /** The connection ended: owed acks die with it. */
  reset(): void {
    this.ackCount = 0;
    this.ackHead = 0;
  }

  /** Sends whatever is owed, in order, as far as the staging region allows (see the module notes). */
  pump(): void {
    const link = this.#link;
    const tx = link.tx;
    if (tx.socket === null || link.state !== ClientState.CONNECTED) return;
    if (this.ackCount > 0 && !this.flushAcks()) return;
    const ka = link.keepalive;
    if (ka.pingPending) {
      const out = tx.reserve(2);
      if (out < 0) return;
      encodeEmpty(tx.bytes, out, PacketType.PINGREQ);
      ka.pingSent(link.clock.now());
      link.counters.pingsSent++;
    }
    const session = link.session;
    const pool = session.pool;
    const inflight = session.inflight;
    while (this.resendCount > 0) {
      const i = inflight.oldestPending();
      if (i < 0) {
        this.resendCount = 0;
        break;
      }
      if (session.phaseOf(i) === 2) {
        // QoS 2 after PUBREC: the broker owns the message; PUBREL again, not the PUBLISH [MQTT-4.3.3-1].
        const out = tx.reserve(4);
        if (out < 0) return;
        encodeAck(tx.bytes, out, PacketType.PUBREL, inflight.ids[i] ?? 0);
      } else {
        const length = inflight.lengths[i] ?? 0;
        const out = tx.reserve(length);
        if (out < 0) return;
        const at = pool.offsetOf(inflight.slots[i] ?? 0);
        const first = pool.bytes[at] ?? 0;
        pool.bytes[at] = this.resendDup ? first | 0x08 : first & ~0x08; // DUP [MQTT-3.3.1-1], [MQTT-3.1.2-6]
        pool.bytes.copyWithin(out, at, at + length);
      }
      inflight.pending[i] = 0;
      session.markSent(i);
      this.resendCount--;
      link.counters.resent++;
    }
    if (this.subWork && !this.#sendSubscriptions()) return;
    const outbox = session.outbox;
    while (outbox.count > 0) {
      const e = outbox.peek();
      const length = outbox.lengths[e] ?? 0;
      const qos = outbox.qos[e] ?? 0;
      if (qos !== 0 && inflight.full) return;
      const out = tx.reserve(length);
      if (out < 0) return;
      const slot = outbox.slots[e] ?? 0;
      const at = pool.offsetOf(slot);
      outbox.shift();
      if (qos !== 0) {
        const id = session.nextId();
        const idAt = at + (outbox.idOffsets[e] ?? 0);
        pool.bytes[idAt] = id >>> 8;
        pool.bytes[idAt + 1] = id & 0xff;
        session.journal?.update(slot, RecordState.IN_FLIGHT, qos === 2 ? 1 : 0, id); // before it can leave
        pool.bytes.copyWithin(out, at, at + length);
        this.#track(id, slot, length, qos, outbox.tokens[e] ?? 0);
      } else {
        pool.bytes.copyWithin(out, at, at + length);
        pool.release(slot);
      }
      link.counters.sent++;
    }
    if (this.wantWritable && tx.room() >= this.busySize && !inflight.full && pool.available > 0) {
      this.wantWritable = false;
      link.emit(EventKind.WRITABLE, 0, null);
    }
  }

  /**
   * @returns true when every SUBSCRIBE/UNSUBSCRIBE owed was staged. Entries of one group (a `subscribeMany` /
   * `unsubscribeMany` call) go out in one packet, their filters in entry order; others one per packet.
   */
  #sendSubscriptions(): boolean {
    const link = this.#link;
    const router = link.session.router;
    const tx = link.tx;
    const states = router.states;
    const filters = this.#filters;
    for (let i = 0; i < router.capacity; i++) {
      const s = states[i];
      const subscribing = s === SubState.NEW;
      if (!subscribing && !(s === SubState.UNSUB_NEEDED && router.packetIds[i] === 0)) continue;
      const group = router.groups[i] ?? 0;
      let n = 0;
      for (let j = i; j < router.capacity; j++) {
        if (j !== i && (group === 0 || router.groups[j] !== group)) continue;
        const sj = states[j];
        if (subscribing ? sj !== SubState.NEW : !(sj === SubState.UNSUB_NEEDED && router.packetIds[j] === 0)) continue;
        const filter = router.filters[j];
        if (filter === null || filter === undefined) continue;
        filters[n] = filter;
        this.#subQos[n] = router.qos[j] ?? 0;
        n++;
        if (group === 0) break;
      }
      if (n === 0) continue;
      const id = link.session.nextId();
      let size: number;
      let out: number;
      if (subscribing) {
        this.#sub.packetId = id;
        this.#sub.count = n;
        size = sizeSubscribe(this.#sub);
        out = tx.reserve(size);
        if (out < 0) return false;
        if (encodeSubscribe(tx.bytes, out, this.#sub) !== out + size) {
          tx.unreserve(size);
          return false;
        }
      } else {
        this.#unsub.packetId = id;
        this.#unsub.count = n;
        size = sizeUnsubscribe(this.#unsub);
        out = tx.reserve(size);
        if (out < 0) return false;
        if (encodeUnsubscribe(tx.bytes, out, this.#unsub) !== out + size) {
          tx.unreserve(size);
          return false;
        }
      }
      for (let j = i, k = 0; j < router.capacity && k < n; j++) {
        if (j !== i && (group === 0 || router.groups[j] !== group)) continue;
        const sj = states[j];
        if (subscribing ? sj !== SubState.NEW : !(sj === SubState.UNSUB_NEEDED && router.packetIds[j] === 0)) continue;
        if (router.filters[j] === null) continue;
        states[j] = subscribing ? SubState.SUBSCRIBING : SubState.UNSUBSCRIBING;
        router.packetIds[j] = id;
        k++;
      }
    }
    this.subWork = false;
    return true;
  }
}
