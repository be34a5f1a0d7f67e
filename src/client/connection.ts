/**
 * The connection lifecycle: open, CONNECT/CONNACK, keepalive, loss, backoff and reconnect, the socket and
 * timer callbacks, and the deferred-callback discipline.
 *
 * Entry points (socket callbacks, timers, API calls) go through {@link Link.enter} / {@link Link.exit} (or
 * {@link Link.leave} for API calls). The outermost exit writes what was staged and then runs the queued
 * application callbacks, one at a time, each with the client's state consistent; what they stage is written
 * by the same loop. Nothing is thrown out of socket or timer callbacks: failures close the socket, are
 * reported as typed errors, and the reconnect policy takes over. Allocation-free after construction except
 * one socket object per connection and error objects on error paths.
 * @module
 */
import { encodeConnect } from "../codec/connect.js";
import { PacketType } from "../codec/codes.js";
import { encodeEmpty } from "../codec/ping.js";
import { Backoff } from "./backoff.js";
import {
  CLOSED_BY_CLIENT, CONNECTION_LOST, CONNECTION_REFUSED, CONNECT_TIMEOUT, ClientState, EVENTS_DROPPED,
  KEEPALIVE_TIMEOUT, PING_TIMEOUT,
} from "./codes.js";
import { ClientCounters } from "./counters.js";
import {
  ConnectTimeoutError, ConnectionLostError, HandlerError, KeepaliveTimeoutError, MqttError, PingTimeoutError,
  PoisonMessageError, TLS_VERIFY_REASONS, TlsVerificationError, connackError,
} from "./errors.js";
import { EventKind, EventQueue, type Callbacks } from "./events.js";
import type { Clock, Socket, SocketOptions } from "./host.js";
import { KA_DEAD, KA_PING, KA_PING_TIMEOUT, Keepalive } from "./keepalive.js";
import { isIPv4, type ClientConfig } from "./options.js";
import { Outgoing } from "./outgoing.js";
import { Receiver } from "./receive.js";
import { Session } from "./session.js";
import { Transmitter } from "./transmit.js";

/**
 * Longest a batch staged from application code waits, while an earlier write still awaits its `onWritable`,
 * for that callback (which writes it) before the batch timer does. On a quiet link the delay is 0.
 */
const FLUSH_DELAY_MS = 2;

function wrapHandlerError(e: unknown): MqttError {
  return new HandlerError(e);
}

/** Connection lifecycle of one client; owns the other parts. */
export class Link {
  /** Current {@link ClientState}. */
  state: number = ClientState.IDLE;
  /** Session present flag of the last accepted CONNACK. */
  sessionPresent = false;
  /** Counters shared by every part. */
  readonly counters = new ClientCounters();
  /** The host's clock. */
  readonly clock: Clock;
  /** Session state (pool, in-flight, queue, subscriptions, poison). */
  readonly session: Session;
  /** Staging region and writes in pieces. */
  readonly tx: Transmitter;
  /** What to send, in which order. */
  readonly out: Outgoing;
  /** The receive path. */
  readonly rx: Receiver;
  /** Keepalive bookkeeping. */
  readonly keepalive: Keepalive;
  /** Deferred application callbacks. */
  readonly events: EventQueue;
  /** Bytes per tx slot (largest outgoing packet). */
  readonly slotSize: number;
  /** Largest incoming packet accepted. */
  readonly maxIncoming: number;
  /** Offline-queue policy is "drop-oldest". */
  readonly dropOldest: boolean;
  /** An `onComplete` callback was given (completion events are queued only then). */
  readonly completions: boolean;
  readonly #cfg: ClientConfig;
  readonly #callbacks: Callbacks;
  readonly #backoff: Backoff;
  readonly #socketOptions: SocketOptions;
  readonly #stateTimer: unknown;
  readonly #kaTimer: unknown;
  readonly #batchTimer: unknown;
  /** Nesting of client entry points; 0 = application code. */
  #depth = 0;
  #batchArmed = false;
  #connectedAt = 0;
  #everConnected = false;
  #emitting = false;

  /** Builds every part from a validated configuration (setup time). */
  constructor(cfg: ClientConfig) {
    this.#cfg = cfg;
    const host = cfg.host;
    this.clock = host.clock;
    this.slotSize = cfg.slotSize;
    this.maxIncoming = cfg.maxIncoming;
    this.dropOldest = cfg.dropOldest;
    this.completions = cfg.onComplete !== undefined;
    // Tx pool: the first `stage` slots (a fresh pool hands out 0, 1, 2 ... back to back) form the staging
    // region, at least 1 KiB so a burst of small publishes leaves in one write.
    const stage = Math.max(1, Math.ceil(1024 / cfg.slotSize));
    this.session = new Session(cfg.slots + stage, cfg.slotSize, cfg.window, cfg.queue, cfg.maxSubs, cfg.poisonAfter, cfg.qos2);
    const pool = this.session.pool;
    let stageBase = -1;
    for (let i = 0; i < stage; i++) {
      const slot = pool.acquire();
      if (i === 0) stageBase = pool.offsetOf(slot);
    }
    this.keepalive = new Keepalive(cfg.keepAlive, cfg.pingTimeout);
    this.tx = new Transmitter(pool.bytes, stageBase, stage * cfg.slotSize, this.counters, host.clock, this.keepalive);
    this.rx = new Receiver(this, cfg.rxSize, cfg.maxIncoming, cfg.oversize);
    // One read of D bytes holds at most D/4 packets that each owe an ack (PUBLISH QoS 1/2: 7 bytes minimum,
    // PUBREC/PUBREL: 4), so the ack ring never overflows.
    this.out = new Outgoing(this, Math.ceil(this.rx.rx.size / 4) + 8);
    this.#backoff = new Backoff(cfg.backoff, host.random);
    this.events = new EventQueue(64 + 2 * cfg.maxSubs);
    this.#callbacks = {
      onConnected: cfg.onConnected, onDisconnected: cfg.onDisconnected, onError: cfg.onError,
      onWritable: cfg.onWritable, onQueueOverflow: cfg.onQueueOverflow, onComplete: cfg.onComplete,
    };
    this.#stateTimer = host.clock.timer(() => this.#stateTimerFired());
    this.#kaTimer = host.clock.timer(() => this.#keepaliveFired());
    this.#batchTimer = host.clock.timer(() => this.#batchFired());
    // Socket callbacks: created once; `this` inside is the socket, so stale sockets are recognised.
    const self = this;
    this.#socketOptions = {
      port: cfg.port,
      nodelay: true,
      format: "buffer",
      onReadable(this: Socket, count: number): void { self.#socketReadable(this, count); },
      onWritable(this: Socket, count: number): void { self.#socketWritable(this, count); },
      onError(this: Socket, error?: unknown): void { self.#socketError(this, error); },
    };
    if (isIPv4(cfg.hostname)) this.#socketOptions.address = cfg.hostname;
    else this.#socketOptions.host = cfg.hostname;
    if (cfg.tls !== null) this.#socketOptions.secure = cfg.tls;
    // Last: restoring reports through the event queue.
    cfg.journal?.bind(pool, stage, cfg.qos2?.capacity ?? 0, (error: MqttError): void => {
      this.counters.storeErrors++;
      this.emit(EventKind.ERROR, 0, error);
    });
    this.counters.restored = this.session.start(cfg.journal);
  }

  // ------------------------------------------------------------------------------------ entry points

  /** Enters a client entry point. */
  enter(): void {
    this.#depth++;
  }

  /**
   * Leaves a socket/timer entry point (or a setup-time API call that writes at once). The outermost one writes
   * what is staged, then runs queued callbacks (whatever they stage is written by the same loop).
   */
  exit(): void {
    if (this.#depth === 1) {
      for (let guard = 0; guard < 100000; guard++) {
        if (this.tx.failed) this.writeFailed();
        if (this.tx.outLen > 0) this.flush();
        if (this.tx.failed) continue;
        if (this.events.count === 0) break;
        this.#runEvents();
      }
    }
    this.#depth--;
  }

  /** Leaves an API call: runs queued callbacks when outermost; staged bytes ride the batch timer. */
  leave(): void {
    if (this.#depth === 1) {
      for (let guard = 0; guard < 100000; guard++) {
        if (this.tx.failed) this.writeFailed();
        if (this.events.count === 0) break;
        this.#runEvents();
      }
    }
    this.#depth--;
    if (this.#depth === 0 && this.tx.outLen > 0) this.#commit();
  }

  /** Queues an application callback (run at the end of the outermost entry point). */
  emit(kind: number, num: number, ref: MqttError | ((granted: number, id: number) => void) | null): void {
    if (this.events.push(kind, num, ref) === 0) this.counters.eventsDropped = this.events.dropped;
  }

  /** Runs the queued callbacks now (the caller guarantees a consistent state). */
  runEvents(): void {
    this.#runEvents();
  }

  #runEvents(): void {
    if (this.#emitting) return;
    this.#emitting = true;
    try {
      const dropped = this.events.dropped;
      while (this.events.runOne(this.#callbacks, wrapHandlerError) === 1) { /* each callback may queue more */ }
      if (this.events.dropped !== dropped) {
        this.counters.eventsDropped = this.events.dropped;
        try { this.#callbacks.onError?.(new MqttError(EVENTS_DROPPED)); } catch { /* never throws out */ }
      }
    } finally {
      this.#emitting = false;
    }
  }

  /**
   * Staged from application code: the first packet of a turn arms the batch timer; everything staged until
   * it fires leaves together. While an earlier write awaits its `onWritable`, the batch rides on that callback
   * or goes after FLUSH_DELAY_MS at the latest.
   */
  #commit(): void {
    if (this.#depth > 0 || this.#batchArmed) return;
    this.#batchArmed = true;
    this.clock.schedule(this.#batchTimer, this.tx.awaitingWritable ? FLUSH_DELAY_MS : 0);
  }

  /** Writes what is staged (as far as send space allows) and ends the batch. */
  flush(): void {
    if (this.#batchArmed) {
      this.#batchArmed = false;
      this.clock.cancel(this.#batchTimer);
    }
    if (this.tx.write() < 0) this.writeFailed();
  }

  /** A write found the socket dead (threw, or returned a non-number). */
  writeFailed(): void {
    if (!this.tx.failed) return;
    this.tx.failed = false;
    this.lostWith(CONNECTION_LOST, new ConnectionLostError("write failed"));
  }

  /** Schedules sending what is owed from an API call (SUBSCRIBE, UNSUBSCRIBE, a retried message). */
  pumpSoon(): void {
    if (this.state === ClientState.CONNECTED) this.out.pump();
  }

  // ------------------------------------------------------------------------------------- lifecycle

  /** Opens a socket now (from IDLE/CLOSED/WAITING). */
  connect(): void {
    const s = this.state;
    if (s === ClientState.CONNECTING || s === ClientState.CONNACK_WAIT || s === ClientState.CONNECTED) return;
    this.clock.cancel(this.#stateTimer);
    if (s === ClientState.CLOSED || s === ClientState.IDLE) this.#backoff.reset();
    this.#open();
  }

  #open(): void {
    this.state = ClientState.CONNECTING;
    this.tx.detach();
    this.rx.reset();
    this.clock.schedule(this.#stateTimer, this.#cfg.connectTimeout);
    let socket: Socket;
    try {
      socket = new this.#cfg.socketClass(this.#socketOptions);
    } catch (e) {
      this.lostWith(CONNECTION_LOST, new ConnectionLostError(e instanceof Error ? e.message : undefined));
      return;
    }
    this.tx.attach(socket);
  }

  /** Closes the socket and timers; moves to `state`. Keeps in-flight, queue and subscriptions. */
  teardown(state: number): void {
    const socket = this.tx.socket;
    this.tx.detach();
    if (socket !== null) {
      try { socket.close(); } catch { /* already dead */ }
    }
    const clock = this.clock;
    clock.cancel(this.#stateTimer);
    clock.cancel(this.#kaTimer);
    if (this.state === ClientState.CONNECTED) this.#backoff.connectionEnded(clock.now() - this.#connectedAt);
    this.state = state;
    this.#batchArmed = false;
    clock.cancel(this.#batchTimer);
    this.rx.available = 0;
    this.out.reset();
    this.keepalive.pingOutstanding = false;
    this.keepalive.pingPending = false;
  }

  /** The link is gone: strike a poison suspect, tear down, schedule the reconnect, queue the reports. */
  lostWith(code: number, error: MqttError | null): void {
    const was = this.state;
    if (was === ClientState.CLOSED || was === ClientState.WAITING || was === ClientState.IDLE ||
      was === ClientState.DISPOSED) return;
    if (was !== ClientState.CONNECTED) this.counters.connectFailures++;
    let parked = -1;
    if (was === ClientState.CONNECTED) parked = this.session.connectionEnded();
    if (this.#cfg.reconnect) {
      this.teardown(ClientState.WAITING);
      this.clock.schedule(this.#stateTimer, this.#backoff.next());
    } else {
      this.teardown(ClientState.CLOSED);
    }
    if (error !== null) this.emit(EventKind.ERROR, 0, error);
    if (was === ClientState.CONNECTED) this.emit(EventKind.DISCONNECTED, code, null);
    if (parked >= 0) {
      this.counters.poisoned++;
      const s = this.session;
      this.emit(EventKind.ERROR, 0, new PoisonMessageError(s.inflight.ids[parked] ?? 0, s.strikes[parked] ?? 0));
      if (this.completions) this.emit(EventKind.POISONED, s.tokens[parked] ?? 0, null);
    }
  }

  /** `end()`: DISCONNECT after whatever is staged, then close; no reconnect. */
  end(): void {
    const was = this.state;
    if (was === ClientState.CLOSED || was === ClientState.DISPOSED) return;
    if (was === ClientState.CONNECTED) {
      const out = this.tx.reserve(2);
      if (out >= 0) encodeEmpty(this.tx.bytes, out, PacketType.DISCONNECT);
      const n = this.tx.write();
      if (n < 0) this.tx.failed = false; // closing anyway
    }
    this.teardown(ClientState.CLOSED);
    if (was === ClientState.CONNECTED) this.emit(EventKind.DISCONNECTED, CLOSED_BY_CLIENT, null);
  }

  /** `close()`: `end()`, then the timers are closed and the client is DISPOSED. */
  dispose(): void {
    if (this.state === ClientState.DISPOSED) return;
    this.end();
    this.state = ClientState.DISPOSED;
    const clock = this.clock;
    clock.close(this.#stateTimer);
    clock.close(this.#kaTimer);
    clock.close(this.#batchTimer);
    this.#cfg.journal?.close();
  }

  #batchFired(): void {
    this.#batchArmed = false;
    if (this.tx.outLen > 0 && this.#depth === 0) {
      this.enter();
      try { this.flush(); } finally { this.exit(); }
    }
  }

  #stateTimerFired(): void {
    this.enter();
    try {
      const s = this.state;
      if (s === ClientState.WAITING) this.#open();
      else if (s === ClientState.CONNECTING || s === ClientState.CONNACK_WAIT) {
        this.lostWith(CONNECT_TIMEOUT, new ConnectTimeoutError(this.#cfg.connectTimeout));
      }
    } finally {
      this.exit();
    }
  }

  #keepaliveFired(): void {
    this.enter();
    try {
      this.#keepaliveCheck();
    } finally {
      this.exit();
    }
  }

  #keepaliveCheck(): void {
    if (this.state !== ClientState.CONNECTED) return;
    const ka = this.keepalive;
    const now = this.clock.now();
    const action = ka.check(now);
    if (action === KA_PING_TIMEOUT) {
      this.lostWith(PING_TIMEOUT, new PingTimeoutError(ka.pingTimeoutMs));
      return;
    }
    if (action === KA_DEAD) {
      this.lostWith(KEEPALIVE_TIMEOUT, new KeepaliveTimeoutError(now - ka.lastReceived));
      return;
    }
    if (action === KA_PING) {
      ka.pingPending = true;
      this.out.pump();
      if (this.state !== ClientState.CONNECTED) return;
    }
    this.#armKeepalive(now);
  }

  #armKeepalive(now: number): void {
    const delay = this.keepalive.nextDelay(now);
    if (delay >= 0) this.clock.schedule(this.#kaTimer, delay);
  }

  /** PINGRESP: the next PINGREQ is due keepAlive after the last packet sent [MQTT-3.1.2-23]; re-arm. */
  pingAnswered(): void {
    this.keepalive.pingOutstanding = false;
    this.counters.pingsReceived++;
    this.#armKeepalive(this.clock.now());
  }

  /** CONNACK with `returnCode` (0 = accepted). */
  connackReceived(returnCode: number, sessionPresent: boolean): void {
    if (returnCode !== 0) {
      this.lostWith(CONNECTION_REFUSED, connackError(returnCode));
      return;
    }
    const clock = this.clock;
    clock.cancel(this.#stateTimer);
    const now = clock.now();
    this.state = ClientState.CONNECTED;
    this.#connectedAt = now;
    const present = sessionPresent && !this.#cfg.cleanSession;
    this.sessionPresent = present;
    this.counters.connects++;
    if (this.#everConnected) this.counters.reconnects++;
    this.#everConnected = true;
    const router = this.session.router;
    if (present) router.sessionKept();
    else {
      router.sessionLost();
      this.session.qos2?.reset(); // a new session: the broker will not redeliver what it had not released
    }
    // Unacknowledged QoS 1/2 messages (except those set aside as poison) go again in their original order, with
    // or without a session. With the session kept they are retransmissions (DUP 1, [MQTT-4.4.0-1]); in a new
    // session they are first deliveries of that session (DUP 0, [MQTT-3.1.2-6]). QoS 2 messages the broker
    // has acknowledged with PUBREC go as PUBREL, never as PUBLISH again [MQTT-4.3.3-1].
    this.out.connected(this.session.connected(), present);
    this.keepalive.start(now);
    this.#armKeepalive(now);
    this.out.pump();
    if (this.state === ClientState.CONNECTED) this.emit(EventKind.CONNECTED, present ? 1 : 0, null);
  }

  // -------------------------------------------------------------------------------- socket callbacks

  #socketWritable(socket: Socket, count: number): void {
    if (socket !== this.tx.socket) return;
    this.tx.writable(count);
    this.enter();
    try {
      this.#writable(socket);
    } finally {
      this.exit();
    }
  }

  #writable(socket: Socket): void {
    const tx = this.tx;
    if (this.state === ClientState.CONNECTING) {
      // First writable: TCP (and TLS) is up. Stage CONNECT; it is written (in pieces if need be) on exit and
      // its bytes are zeroed as they leave the staging region.
      const size = this.#cfg.connectSize;
      const out = tx.reserve(size);
      const end = out < 0 ? -1 : encodeConnect(tx.bytes, out, this.#cfg.connect);
      if (out < 0 || end !== out + size) {
        this.lostWith(CONNECTION_LOST, new ConnectionLostError("CONNECT could not be staged"));
        return;
      }
      this.state = ClientState.CONNACK_WAIT;
      return;
    }
    if (tx.outLen > 0) this.flush();
    if (this.state === ClientState.CONNECTED && socket === tx.socket) {
      this.out.pump();
      // Reading pauses while PUBACKs cannot be staged; resume once they are.
      if (this.rx.available > 0 && this.out.ackCount === 0 && this.state === ClientState.CONNECTED) this.rx.drain(socket);
    }
  }

  #socketReadable(socket: Socket, count: number): void {
    if (socket !== this.tx.socket) return;
    this.rx.available = count;
    this.enter();
    try {
      this.rx.drain(socket);
    } finally {
      this.exit();
    }
  }

  #socketError(socket: Socket, error?: unknown): void {
    if (socket !== this.tx.socket) return;
    this.enter();
    try {
      const reason = typeof error === "string" ? error : undefined;
      const verify = reason !== undefined && this.#socketOptions.secure !== undefined && TLS_VERIFY_REASONS.includes(reason);
      this.lostWith(CONNECTION_LOST, verify ? new TlsVerificationError(reason) : new ConnectionLostError(reason));
    } finally {
      this.exit();
    }
  }
}
