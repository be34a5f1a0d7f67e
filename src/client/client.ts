/**
 * MqttClient: the thin public API of the MQTT 3.1.1 client (QoS 0/1; QoS 2 with the injected `qos2` engine).
 *
 * Arguments are checked here, at the edge: `publish` returns a named status for anything malformed (never
 * SENT), setup-time calls throw typed errors. The work is done by parts with one job each:
 * - `session.ts`: state that outlives a connection (tx pool, in-flight, offline queue, subscriptions, packet
 *   ids, poison bookkeeping);
 * - `outgoing.ts` + `transmit.ts`: the transmit path (what to send in which order; staging and writes in pieces);
 * - `receive.ts`: the receive path (decode, route, acks);
 * - `connection.ts`: the connection lifecycle (connect, keepalive, loss, backoff, timers) and the deferred
 *   callbacks (`events.ts`): user callbacks run only at the end of an operation, with the state consistent.
 *
 * Memory: every buffer, table, reused info object, the message view and every callback are created in the
 * constructor, sized by the options. After `connect()`, publish / receive / ack / ping allocate nothing.
 * @module
 */
import { validateTopicFilter, validateTopicName } from "../codec/topic.js";
import { CLIENT_CLOSED, ClientState, INVALID_ARGUMENT, INVALID_HANDLE, INVALID_QOS, INVALID_RANGE, NOT_CONNECTED, clientCodeMessage } from "./codes.js";
import { Link } from "./connection.js";
import type { ClientCounters } from "./counters.js";
import { ClientClosedError, InvalidOptionError } from "./errors.js";
import { parseOptions, textBytes, type MqttClientOptions } from "./options.js";
import { SubState, type MessageHandler, type SubackHandler, type UnsubackHandler } from "./router.js";

export { ClientCounters } from "./counters.js";
export type { MqttClientOptions, ReconnectOptions, WillOptions } from "./options.js";

/** A non-negative safe integer. (No `typeof` string: on XS a literal in non-preloaded code costs a chunk.) */
function isIndex(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

/**
 * MQTT 3.1.1 client (QoS 0 and 1, and 2 with the `qos2` option) for the host seam. See the module notes and docs/architecture.md.
 *
 * @example
 * ```ts
 * const client = new MqttClient({ host, hostname: "127.0.0.1", clientId: "dev-1", onError: (e) => trace(e.message) });
 * client.connect();
 * const temp = client.topic("sensors/dev-1/temperature");
 * client.publish(temp, bytes, 0, n, 1, false); // SENT, QUEUED or a negative status
 * ```
 */
export class MqttClient {
  readonly #link: Link;

  /**
   * Validates the options and creates every buffer and table. Does not connect (call {@link connect}).
   * @throws InvalidOptionError (a RangeError, `code = INVALID_OPTION` -120) naming the bad option.
   */
  constructor(options: MqttClientOptions) {
    this.#link = new Link(parseOptions(options));
  }

  /** Counters (numbers on one preallocated object). */
  get counters(): ClientCounters {
    return this.#link.counters;
  }

  /** Current {@link ClientState}. */
  get state(): number {
    return this.#link.state;
  }

  /** Session present flag of the last accepted CONNACK. */
  get sessionPresent(): boolean {
    return this.#link.sessionPresent;
  }

  #open(what: string): void {
    if (this.#link.state === ClientState.DISPOSED) throw new ClientClosedError(what);
  }

  /**
   * Starts connecting (and keeps reconnecting per the policy). From IDLE or CLOSED (after `end()`) it opens a
   * socket now; while WAITING for a reconnect it skips the remaining delay. No-op when connecting/connected.
   * @throws ClientClosedError (`CLIENT_CLOSED` -124) after {@link close}.
   */
  connect(): void {
    this.#open("connect");
    const link = this.#link;
    link.enter();
    try { link.connect(); } finally { link.leave(); }
  }

  /**
   * Registers a topic name for publishing: validated and encoded to UTF-8 once (setup time; allocates).
   * @returns the numeric handle for {@link publish}.
   * @throws InvalidOptionError for an invalid topic name (empty, wildcards, lone surrogates, U+0000, too long);
   *   ClientClosedError after {@link close}.
   */
  topic(name: string): number {
    this.#open("topic");
    const bytes = textBytes("topic", name);
    const check = validateTopicName(bytes, 0, bytes.length);
    if (check < 0) throw new InvalidOptionError("topic", clientCodeMessage(check));
    const topics = this.#link.session.topics;
    topics.push(bytes);
    return topics.length - 1;
  }

  /**
   * Publishes `payload[offset, offset+length)` on a registered topic. Allocation-free. QoS 2 (with the `qos2`
   * option) keeps the message in flight until PUBCOMP: PUBLISH → PUBREC → PUBREL → PUBCOMP.
   * @returns SENT (0) staged (QoS 1: and in flight), QUEUED (1) held offline; or BUSY (-100, window full or
   *   staging region full: retry from `onWritable`), TOO_LARGE (-101), QUEUE_FULL (-102), NOT_CONNECTED (-103,
   *   no queue or ended), INVALID_HANDLE (-104, not a handle from `topic()`), INVALID_QOS (-105, not the
   *   number 0 or 1, or 2 with a `qos2` engine), INVALID_RANGE (-106, offset/length not non-negative safe integers inside the payload),
   *   INVALID_ARGUMENT (-123, payload not a Uint8Array or retain not a boolean), CLIENT_CLOSED (-124, after
   *   `close()`), or a codec code from sizing (`PACKET_TOO_LARGE` -4). A QoS 1/2 message accepted (SENT or
   *   QUEUED) gets a completion token, read from {@link lastToken} right after the call. Packets published in one turn are
   *   coalesced and written together after the turn, or on return to the client when called from a callback.
   */
  publish(handle: number, payload: Uint8Array, offset: number, length: number, qos: number, retain: boolean): number {
    const link = this.#link;
    if (link.state === ClientState.DISPOSED) return CLIENT_CLOSED;
    if (!isIndex(handle)) return INVALID_HANDLE;
    const topic = link.session.topics[handle];
    if (topic === undefined) return INVALID_HANDLE;
    if (qos !== 0 && qos !== 1 && (qos !== 2 || link.session.qos2 === null)) return INVALID_QOS;
    if (!(payload instanceof Uint8Array) || (retain !== true && retain !== false)) return INVALID_ARGUMENT;
    if (!isIndex(offset) || !isIndex(length) || offset + length > payload.length) return INVALID_RANGE;
    link.session.lastToken = 0;
    if (link.state === ClientState.CLOSED) return NOT_CONNECTED;
    const session = link.session;
    let status = NOT_CONNECTED;
    let token = 0;
    link.enter();
    try {
      status = link.out.publish(topic, payload, offset, length, qos, retain);
      token = session.lastToken;
    } finally {
      link.leave(); // may run callbacks that publish again: this call's token is restored below
    }
    session.lastToken = token;
    return status;
  }

  /**
   * Subscribes `handler` to `filter` (setup time: encodes the filter once; allocates). Every incoming PUBLISH
   * whose topic matches is passed to every matching handler. Written now when connected, else at the next
   * CONNACK; resent automatically after a reconnect without session.
   * @param qos 0, 1, or 2 with the `qos2` option (maximum QoS requested).
   * @param onSuback called with `(granted, id)`: the granted QoS, or 0x80 on failure (a SubscribeError also
   *   goes to `onError`). Several filters in one packet: {@link subscribeMany}.
   * @returns the subscription id (> 0) for {@link unsubscribe}.
   * @throws InvalidOptionError for a bad filter, QoS (2 without the `qos2` option) or handler, or a full
   *   subscription table;
   *   ClientClosedError (`CLIENT_CLOSED` -124) after {@link close}.
   */
  subscribe(filter: string, qos: number, handler: MessageHandler, onSuback?: SubackHandler): number {
    return this.#subscribe([filter], [qos], handler, onSuback, false)[0]!;
  }

  /**
   * Subscribes `handler` to several filters in ONE SUBSCRIBE packet (setup time; allocates). Each filter
   * becomes a subscription of its own (its own id, granted QoS and {@link unsubscribe}); the SUBACK's return
   * codes are matched to them in order [MQTT-3.9.3-1]. Resent automatically after a reconnect without session
   * (as one packet again).
   * @param qos one QoS for every filter, or one per filter (0, 1, or 2 with the `qos2` option).
   * @param onSuback called once per filter with `(granted, id)`: granted QoS or 0x80 (a SubscribeError also
   *   goes to `onError` for each refused filter).
   * @returns the subscription ids, in the order of `filters`.
   * @throws InvalidOptionError for an empty list, a bad filter, QoS or handler, a SUBSCRIBE larger than
   *   `txSlotSize`, or not enough free entries in the subscription table (then nothing is subscribed);
   *   ClientClosedError (`CLIENT_CLOSED` -124) after {@link close}.
   */
  subscribeMany(filters: readonly string[], qos: number | readonly number[], handler: MessageHandler,
    onSuback?: SubackHandler): number[] {
    if (!Array.isArray(filters) || filters.length === 0) throw new InvalidOptionError("filters", "non-empty array required");
    const list: number[] = [];
    for (let k = 0; k < filters.length; k++) list.push(Array.isArray(qos) ? (qos as readonly number[])[k] as number : qos as number);
    return this.#subscribe(filters, list, handler, onSuback, true);
  }

  #subscribe(filters: readonly string[], qos: readonly number[], handler: MessageHandler, onSuback: SubackHandler | undefined,
    grouped: boolean): number[] {
    this.#open("subscribe");
    const link = this.#link;
    for (const q of qos) {
      if (q !== 0 && q !== 1 && q !== 2) throw new InvalidOptionError("qos", "0, 1 or 2 required");
      if (q === 2 && link.session.qos2 === null) throw new InvalidOptionError("qos", "QoS 2 needs the qos2 option");
    }
    if (typeof handler !== "function") throw new InvalidOptionError("handler", "function required");
    if (onSuback !== undefined && onSuback !== null && typeof onSuback !== "function") {
      throw new InvalidOptionError("onSuback", "function required");
    }
    const encoded: Uint8Array[] = [];
    for (const filter of filters) {
      const bytes = textBytes("filter", filter);
      const check = validateTopicFilter(bytes, 0, bytes.length);
      if (check < 0) throw new InvalidOptionError("filter", clientCodeMessage(check));
      encoded.push(bytes);
    }
    const router = link.session.router;
    if (encoded.length > router.freeCount) throw new InvalidOptionError("maxSubscriptions", "subscription table full");
    const size = link.out.subscribeSize(encoded, qos);
    if (size < 0 || size > link.slotSize) throw new InvalidOptionError("filter", "SUBSCRIBE larger than txSlotSize");
    const group = grouped ? router.newGroup() : 0;
    const ids: number[] = [];
    for (let k = 0; k < encoded.length; k++) {
      ids.push(router.add(encoded[k]!, filters[k]!, qos[k]!, handler, onSuback ?? null, group));
    }
    link.out.subWork = true;
    link.enter();
    try { link.pumpSoon(); } finally { link.exit(); }
    return ids;
  }

  /**
   * Removes a subscription: its handler gets nothing more from now on; an UNSUBSCRIBE goes out when connected.
   * @param onUnsuback called with the id when the broker's UNSUBACK arrives (not called when nothing had to be
   *   sent: a subscription never acknowledged by a SUBACK is removed at once).
   * @returns true when `id` was a live subscription.
   * @throws InvalidOptionError for a non-function `onUnsuback`; ClientClosedError (`CLIENT_CLOSED` -124) after
   *   {@link close}.
   */
  unsubscribe(id: number, onUnsuback?: UnsubackHandler): boolean {
    return this.#unsubscribe([id], onUnsuback, false) === 1;
  }

  /**
   * Removes several subscriptions with ONE UNSUBSCRIBE packet (their filters in the order of `ids`); like
   * {@link unsubscribe} for each. `onUnsuback` is called once per id when the UNSUBACK arrives.
   * @returns how many of `ids` were live subscriptions (the others are ignored).
   * @throws InvalidOptionError for a non-array `ids` or a non-function `onUnsuback`; ClientClosedError after
   *   {@link close}.
   */
  unsubscribeMany(ids: readonly number[], onUnsuback?: UnsubackHandler): number {
    if (!Array.isArray(ids)) throw new InvalidOptionError("ids", "array required");
    return this.#unsubscribe(ids, onUnsuback, true);
  }

  #unsubscribe(ids: readonly number[], onUnsuback: UnsubackHandler | undefined, grouped: boolean): number {
    this.#open("unsubscribe");
    if (onUnsuback !== undefined && onUnsuback !== null && typeof onUnsuback !== "function") {
      throw new InvalidOptionError("onUnsuback", "function required");
    }
    const link = this.#link;
    const router = link.session.router;
    const group = grouped ? router.newGroup() : 0;
    let n = 0;
    let send = false;
    for (const id of ids) {
      const i = router.indexOfId(id);
      if (i < 0) continue;
      const s = router.states[i];
      if (s === SubState.UNSUB_NEEDED || s === SubState.UNSUBSCRIBING) continue;
      n++;
      router.handlers[i] = null;
      if (s === SubState.NEW || s === SubState.FAILED) {
        router.free(i);
        continue;
      }
      // SUBSCRIBING keeps its packet id until the SUBACK, then the UNSUBSCRIBE follows.
      router.states[i] = SubState.UNSUB_NEEDED;
      router.unsubackHandlers[i] = onUnsuback ?? null;
      router.groups[i] = group;
      if (s === SubState.ACTIVE) router.packetIds[i] = 0;
      send = true;
    }
    if (send) {
      link.out.subWork = true;
      link.enter();
      try { link.pumpSoon(); } finally { link.exit(); }
    }
    return n;
  }

  /**
   * Ends the connection cleanly: sends DISCONNECT when connected (the broker then discards the will), closes
   * the socket, stops reconnecting. In-flight and queued messages are kept for a later {@link connect}.
   */
  end(): void {
    const link = this.#link;
    link.enter();
    try { link.end(); } finally { link.leave(); }
  }

  /**
   * Disposes of the client: {@link end}, then its three timers are closed and the subscription handlers
   * and topics released. Every later call is reported: `publish` returns CLIENT_CLOSED (-124), `connect`,
   * `topic`, `subscribe` and `unsubscribe` throw a ClientClosedError. Idempotent.
   */
  close(): void {
    const link = this.#link;
    if (link.state === ClientState.DISPOSED) return;
    link.enter();
    try {
      link.dispose();
      const router = link.session.router;
      for (let i = 0; i < router.capacity; i++) if (router.states[i] !== SubState.FREE) router.free(i);
      link.session.topics.length = 0;
    } finally {
      link.leave();
    }
  }

  /**
   * Drops a QoS 1 message set aside as poison (reported by a PoisonMessageError): frees its packet id and slot.
   * @returns true when `packetId` was set aside.
   */
  dropPoisoned(packetId: number): boolean {
    const link = this.#link;
    link.enter();
    try {
      const dropped = link.session.drop(packetId);
      if (dropped) link.pumpSoon();
      return dropped;
    } finally {
      link.exit();
    }
  }

  /**
   * Sends a message set aside as poison again (its strikes cleared): now when connected, else after CONNACK.
   * @returns true when `packetId` was set aside.
   */
  retryPoisoned(packetId: number): boolean {
    const link = this.#link;
    link.enter();
    try {
      if (link.session.retry(packetId) < 0) return false;
      if (link.state === ClientState.CONNECTED) {
        link.out.resendCount++;
        link.pumpSoon();
      }
      return true;
    } finally {
      link.exit();
    }
  }

  /**
   * Completion token of the QoS 1/2 message the last {@link publish} call accepted (SENT or QUEUED): a number
   * > 0, unique per client, that `onComplete(token, status)`, {@link messages}, {@link packetIdOf} and
   * {@link dropMessage} use. 0 after a QoS 0 publish or a refused one. Allocation-free.
   */
  get lastToken(): number {
    return this.#link.session.lastToken;
  }

  /**
   * Lists the QoS 1/2 messages not completed yet: in flight (oldest send first is not guaranteed; set-aside
   * ones included), then queued (oldest first). Allocation-free: fills `into` as far as it fits.
   * @returns how many there are (may exceed `into.length`).
   */
  messages(into: Float64Array): number {
    const session = this.#link.session;
    const inflight = session.inflight;
    let n = 0;
    for (let i = 0; i < inflight.capacity; i++) {
      if (inflight.ids[i] === 0) continue;
      if (n < into.length) into[n] = session.tokens[i] ?? 0;
      n++;
    }
    const outbox = session.outbox;
    for (let p = 0; p < outbox.count; p++) {
      const t = outbox.tokens[(outbox.head + p) % outbox.capacity] ?? 0;
      if (t === 0) continue; // QoS 0
      if (n < into.length) into[n] = t;
      n++;
    }
    return n;
  }

  /** @returns the packet id of the message with `token` while in flight (> 0), 0 while queued, -1 when unknown (completed, dropped or never issued). */
  packetIdOf(token: number): number {
    const session = this.#link.session;
    const i = session.recordOfToken(token);
    if (i >= 0) return session.inflight.ids[i] ?? -1;
    return session.outbox.indexOfToken(token) >= 0 ? 0 : -1;
  }

  /**
   * Drops a queued or in-flight QoS 1/2 message (frees its slot and packet id; not reported to `onComplete`).
   * An in-flight message may already have reached the broker. A QoS 2 message the broker has acknowledged with
   * PUBREC is not dropped: the broker owns it, only its PUBREL is owed.
   * @returns true when dropped; false for an unknown token or a PUBREC'd QoS 2 message.
   */
  dropMessage(token: number): boolean {
    const link = this.#link;
    const session = link.session;
    const i = session.recordOfToken(token);
    if (i >= 0) {
      if (session.inflight.pending[i] === 1 && link.out.resendCount > 0) link.out.resendCount--;
      const dropped = session.dropRecord(i);
      if (dropped) {
        link.enter();
        try { link.pumpSoon(); } finally { link.exit(); }
      }
      return dropped;
    }
    const e = session.outbox.indexOfToken(token);
    if (e < 0) return false;
    session.release(session.outbox.removeAt(e));
    return true;
  }

  /**
   * Copies the payload of a queued or in-flight QoS 1/2 message into `into` (as much as fits), e.g. to see
   * which readings came back from the session store after a reboot. Allocation-free.
   * @returns the payload's full length (may exceed `into.length`), or -1 for an unknown token.
   */
  readMessage(token: number, into: Uint8Array): number {
    return this.#link.session.payloadOf(token, into);
  }

  /** QoS 1/2 messages sent and not yet completed (PUBACK / PUBCOMP), including those set aside as poison. */
  get inflight(): number {
    return this.#link.session.inflight.count;
  }

  /** QoS 1 messages set aside as poison, waiting for {@link dropPoisoned} / {@link retryPoisoned}. */
  get poisoned(): number {
    return this.#link.session.parkedCount;
  }

  /** Messages waiting in the offline queue. */
  get queued(): number {
    return this.#link.session.outbox.count;
  }

  /** True while a CONNACK-accepted connection is up. */
  get connected(): boolean {
    return this.#link.state === ClientState.CONNECTED;
  }

  /** Granted QoS (0/1/2), 0x80 (refused), or -1 (unknown id / no SUBACK yet) of a subscription. */
  granted(id: number): number {
    const router = this.#link.session.router;
    const i = router.indexOfId(id);
    if (i < 0) return -1;
    const g = router.granted[i] ?? 0xff;
    return g === 0xff ? -1 : g;
  }
}
