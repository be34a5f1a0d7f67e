/**
 * Subscriptions and routing: a fixed table of filters (UTF-8 bytes, encoded once at `subscribe`),
 * handlers and SUBSCRIBE/UNSUBSCRIBE progress. Incoming topics are matched against every filter with the
 * codec's byte-level `+`/`#` matcher, so one PUBLISH reaches every matching handler without allocating.
 * @module
 */
import { topicMatches } from "../codec/topic.js";
import type { MqttMessage } from "./message.js";

/** Handler of incoming messages; `message` is reused: copy what you keep. */
export type MessageHandler = (message: MqttMessage) => void;
/** SUBACK callback: granted QoS (0/1/2) or 0x80 for failure, and the subscription id it is for. */
export type SubackHandler = (granted: number, id: number) => void;
/** UNSUBACK callback: the id of the subscription whose UNSUBSCRIBE the broker acknowledged. */
export type UnsubackHandler = (id: number) => void;

/** Subscription states. */
export const SubState = Object.freeze({
  FREE: 0,
  /** Needs a SUBSCRIBE on the current (or next) connection. */
  NEW: 1,
  /** SUBSCRIBE sent, waiting for SUBACK. */
  SUBSCRIBING: 2,
  /** SUBACK granted. */
  ACTIVE: 3,
  /** SUBACK 0x80. */
  FAILED: 4,
  /** `unsubscribe` called; needs an UNSUBSCRIBE. */
  UNSUB_NEEDED: 5,
  /** UNSUBSCRIBE sent, waiting for UNSUBACK. */
  UNSUBSCRIBING: 6,
} as const);

/** Fixed table of subscriptions. */
export class Router {
  /** Maximum subscriptions. */
  readonly capacity: number;
  /** Filter bytes per entry (null when free). */
  readonly filters: Array<Uint8Array | null>;
  /** Filter text per entry, kept for error reports. */
  readonly texts: Array<string | null>;
  /** Handler per entry (null once unsubscribed). */
  readonly handlers: Array<MessageHandler | null>;
  /** SUBACK callback per entry. */
  readonly subackHandlers: Array<SubackHandler | null>;
  /** UNSUBACK callback per entry (set by `unsubscribe`). */
  readonly unsubackHandlers: Array<UnsubackHandler | null>;
  /** Entries with the same non-zero group go out in one SUBSCRIBE / UNSUBSCRIBE (several filters). */
  readonly groups: Int32Array;
  #group = 0;
  /** Requested QoS per entry. */
  readonly qos: Uint8Array;
  /** Granted QoS (or 0x80) per entry, 0xff before the first SUBACK. */
  readonly granted: Uint8Array;
  /** {@link SubState} per entry. */
  readonly states: Uint8Array;
  /** Packet id of the SUBSCRIBE/UNSUBSCRIBE awaiting its ack, 0 when none. */
  readonly packetIds: Uint16Array;
  /**
   * Reuse generation per entry, folded into ids so a stale id never hits a reused entry. A float64 count (not
   * a wrapping 16-bit one), so ids do not repeat after 65,536 reuses of an entry.
   */
  readonly generations: Float64Array;

  /** Bytes the numeric columns of a table of `capacity` entries take in a shared buffer (a multiple of 8). */
  static byteLength(capacity: number): number {
    return (13 * capacity + 7) & ~7;
  }

  /**
   * @param capacity maximum subscriptions (1…255).
   * @param buffer where the numeric columns live (default: a buffer of their own; see `InflightTable`).
   * @param byteOffset start in `buffer`, a multiple of 8; {@link Router.byteLength} bytes are used.
   */
  constructor(capacity: number, buffer?: ArrayBuffer, byteOffset = 0) {
    this.capacity = capacity;
    this.filters = new Array<Uint8Array | null>(capacity).fill(null);
    this.texts = new Array<string | null>(capacity).fill(null);
    this.handlers = new Array<MessageHandler | null>(capacity).fill(null);
    this.subackHandlers = new Array<SubackHandler | null>(capacity).fill(null);
    this.unsubackHandlers = new Array<UnsubackHandler | null>(capacity).fill(null);
    this.groups = new Int32Array(capacity);
    // One ArrayBuffer for the five numeric columns: generations (8-byte aligned) | packetIds | qos | granted | states.
    const c = capacity;
    const b = buffer ?? new ArrayBuffer(13 * c);
    const o = buffer === undefined ? 0 : byteOffset;
    this.generations = new Float64Array(b, o, c);
    this.packetIds = new Uint16Array(b, o + 8 * c, c);
    this.qos = new Uint8Array(b, o + 10 * c, c);
    this.granted = new Uint8Array(b, o + 11 * c, c).fill(0xff);
    this.states = new Uint8Array(b, o + 12 * c, c);
  }

  /**
   * Adds a subscription in state NEW.
   * @returns its id (> 0), or -1 when the table is full.
   */
  add(filter: Uint8Array, text: string, qos: number, handler: MessageHandler, onSuback: SubackHandler | null, group = 0): number {
    for (let i = 0; i < this.capacity; i++) {
      if (this.states[i] === SubState.FREE) {
        this.filters[i] = filter;
        this.texts[i] = text;
        this.handlers[i] = handler;
        this.subackHandlers[i] = onSuback;
        this.qos[i] = qos;
        this.granted[i] = 0xff;
        this.states[i] = SubState.NEW;
        this.packetIds[i] = 0;
        this.groups[i] = group;
        return this.idOf(i);
      }
    }
    return -1;
  }

  /** @returns a new group number (entries sharing it go out in one packet). */
  newGroup(): number {
    this.#group = this.#group >= 0x7fffffff ? 1 : this.#group + 1;
    return this.#group;
  }

  /** @returns free entries. */
  get freeCount(): number {
    let n = 0;
    for (let i = 0; i < this.capacity; i++) if (this.states[i] === SubState.FREE) n++;
    return n;
  }

  /** @returns the public id of entry `index`. */
  idOf(index: number): number {
    return (this.generations[index] ?? 0) * this.capacity + index + 1;
  }

  /** @returns the entry index of a public id, or -1 when stale/unknown/free. */
  indexOfId(id: number): number {
    if (!Number.isInteger(id) || id < 1) return -1;
    const index = (id - 1) % this.capacity;
    const gen = Math.floor((id - 1) / this.capacity);
    if (this.generations[index] !== gen || this.states[index] === SubState.FREE) return -1;
    return index;
  }

  /** Frees entry `index` and bumps its generation. */
  free(index: number): void {
    this.filters[index] = null;
    this.texts[index] = null;
    this.handlers[index] = null;
    this.subackHandlers[index] = null;
    this.unsubackHandlers[index] = null;
    this.groups[index] = 0;
    this.states[index] = SubState.FREE;
    this.packetIds[index] = 0;
    this.generations[index] = (this.generations[index] ?? 0) + 1;
  }

  /** @returns the entry waiting for an ack with packet id `id`, or -1. */
  indexOfPacketId(id: number): number {
    for (let i = 0; i < this.capacity; i++) if (this.packetIds[i] === id && this.states[i] !== SubState.FREE) return i;
    return -1;
  }

  /** True when `id` is held by a SUBSCRIBE/UNSUBSCRIBE awaiting its ack (for packet id allocation). */
  usesPacketId(id: number): boolean {
    return this.indexOfPacketId(id) >= 0;
  }

  /**
   * First entry at or after `start` whose filter matches the topic and which has a handler.
   * @returns the index, or -1 when none.
   */
  nextMatch(start: number, topic: Uint8Array, offset: number, length: number): number {
    for (let i = start; i < this.capacity; i++) {
      const filter = this.filters[i];
      if (filter === null || filter === undefined || this.handlers[i] === null) continue;
      const s = this.states[i];
      // Deliver from the moment SUBSCRIBE went out: brokers may publish retained messages before SUBACK.
      if (s !== SubState.SUBSCRIBING && s !== SubState.ACTIVE && s !== SubState.NEW) continue;
      if (topicMatches(filter, 0, filter.length, topic, offset, length)) return i;
    }
    return -1;
  }

  /**
   * A new connection without a session: every live subscription needs a SUBSCRIBE again; UNSUBSCRIBEs in
   * progress are moot (the broker has nothing) and those entries are freed.
   */
  sessionLost(): void {
    for (let i = 0; i < this.capacity; i++) {
      const s = this.states[i];
      if (s === SubState.SUBSCRIBING || s === SubState.ACTIVE) {
        this.states[i] = SubState.NEW;
        this.packetIds[i] = 0;
      } else if (s === SubState.UNSUB_NEEDED || s === SubState.UNSUBSCRIBING) {
        this.free(i);
      }
    }
  }

  /** A new connection with the session kept: only requests without their ack need sending again. */
  sessionKept(): void {
    for (let i = 0; i < this.capacity; i++) {
      const s = this.states[i];
      if (s === SubState.SUBSCRIBING) {
        this.states[i] = SubState.NEW;
        this.packetIds[i] = 0;
      } else if (s === SubState.UNSUBSCRIBING || s === SubState.UNSUB_NEEDED) {
        // UNSUB_NEEDED may still hold the id of a SUBSCRIBE whose SUBACK died with the old connection.
        this.states[i] = SubState.UNSUB_NEEDED;
        this.packetIds[i] = 0;
      }
    }
  }
}
