/**
 * MqttClient: MQTT 3.1.1 QoS 0/1 client state machine on the codec and the host seam.
 *
 * Memory: every buffer, table, reused info object, the message view and every callback are created in the
 * constructor, sized by the options. After `connect()`, publish / receive / ack / ping allocate nothing.
 * The only allocations after construction are at connect time (one socket object per connection) and when
 * something is reported as a typed error (error paths only).
 *
 * Flow:
 * - `publish` QoS 0 encodes into the tx staging region and writes at once; QoS 1 encodes into a tx pool slot
 *   that stays owned by the in-flight table until PUBACK. While disconnected (or while older queued packets
 *   are still draining) publishes go to the offline ring, in order.
 * - After CONNACK: in-flight packets are resent with DUP in their original order, then missing
 *   SUBSCRIBE/UNSUBSCRIBEs, then the offline queue; new publishes are accepted once all that is out.
 * - Incoming PUBLISH goes to every matching subscription handler through one reused {@link MqttMessage};
 *   the QoS 1 PUBACK is sent after the handlers return, also when one throws (the throw is reported via
 *   `onError` as a {@link HandlerError}: redelivering a message that makes a handler throw would loop).
 * - Nothing is thrown out of socket or timer callbacks: failures close the socket, go to `onError` as typed
 *   errors, and the reconnect policy takes over.
 * @module
 */
import { CHUNK, NEED_MORE, PACKET_TOO_LARGE as CODEC_PACKET_TOO_LARGE, PacketType, UNEXPECTED_PACKET } from "../codec/codes.js";
import { sizeConnect, encodeConnect, type ConnectInfo, type WillInfo } from "../codec/connect.js";
import { StreamDecoder } from "../codec/decoder.js";
import type { Packet } from "../codec/packet.js";
import { encodeAck } from "../codec/ack.js";
import { encodeEmpty } from "../codec/ping.js";
import { BufferPool } from "../codec/pool.js";
import { encodePublish, sizePublish, type PublishInfo } from "../codec/publish.js";
import {
  encodeSubscribe, encodeUnsubscribe, sizeSubscribe, sizeUnsubscribe, type SubscribeInfo, type UnsubscribeInfo,
} from "../codec/subscribe.js";
import { utf8Encode } from "../codec/text.js";
import { validateTopicFilter, validateTopicName } from "../codec/topic.js";
import { Backoff } from "./backoff.js";
import {
  BUSY, CLOSED_BY_CLIENT, CONNECTION_LOST, CONNECTION_REFUSED, CONNECT_TIMEOUT, ClientState, DROPPED_OLDEST,
  INVALID_HANDLE, INVALID_QOS, INVALID_RANGE, KEEPALIVE_TIMEOUT, NOT_CONNECTED, PACKET_TOO_LARGE, PROTOCOL_ERROR,
  QUEUED, QUEUE_FULL, SENT, TOO_LARGE, clientCodeMessage,
} from "./codes.js";
import {
  BadCredentialsError, BadProtocolVersionError, ConnectTimeoutError, ConnectionLostError, HandlerError,
  IdentifierRejectedError, InvalidOptionError, KeepaliveTimeoutError, MqttError, NotAuthorizedError,
  PacketTooLargeError, ProtocolError, ServerUnavailableError, SubscribeError, TLS_VERIFY_REASONS,
  TlsVerificationError,
} from "./errors.js";
import type { Host, Socket, SocketConstructor, SocketOptions, TlsOptions } from "./host.js";
import { InflightTable } from "./inflight.js";
import { KA_DEAD, KA_PING, Keepalive } from "./keepalive.js";
import { MqttMessage } from "./message.js";
import { Outbox } from "./outbox.js";
import { Router, SubState, type MessageHandler, type SubackHandler } from "./router.js";
import { RxStage, TxStage } from "./staging.js";

/** Reconnect policy (milliseconds). Every field optional; defaults shown. */
export interface ReconnectOptions {
  /** First backoff ceiling. Default 1000. */
  initialDelay?: number;
  /** Cap of the backoff ceiling. Default 60000. */
  maxDelay?: number;
  /** Ceiling growth per failed attempt. Default 2. */
  multiplier?: number;
  /** A connection up this long resets the backoff. Default 30000. */
  stableAfter?: number;
}

/** Last will, published by the broker when the link dies without DISCONNECT. */
export interface WillOptions {
  /** Topic name (no wildcards). */
  topic: string;
  /** Payload: bytes, or a string sent as UTF-8. */
  payload: Uint8Array | string;
  /** 0 or 1. Default 0. */
  qos?: number;
  /** Default false. */
  retain?: boolean;
}

/** Options of {@link MqttClient}. Sizes are fixed at construction; defaults in brackets. */
export interface MqttClientOptions {
  /** Platform seam: socket classes, clock, random. Required. */
  host: Host;
  /** Broker host name or IPv4 address. Required. */
  hostname: string;
  /** Broker port [1883, or 8883 with `tls`]. */
  port?: number;
  /** Client identifier (UTF-8, may be empty only with cleanSession). Required. */
  clientId: string;
  /** Start a new session on every connect [true]. `false` keeps subscriptions and QoS 1 state on the broker. */
  cleanSession?: boolean;
  /** Keepalive in seconds, 0 disables [60]. */
  keepAlive?: number;
  /** Last will [null]. */
  will?: WillOptions | null;
  /** User name [null]. */
  username?: string | null;
  /** Password (bytes or UTF-8 string) [null]; requires `username`; never reported in errors. */
  password?: string | Uint8Array | null;
  /** TLS options: connect with `host.tls`, passing these as `secure` [null = plain TCP]. */
  tls?: TlsOptions | null;
  /** Tx pool slots shared by in-flight QoS 1 packets and the offline queue [inflightWindow + offlineQueue]. */
  txSlots?: number;
  /** Bytes per tx slot: the largest outgoing packet (PUBLISH, CONNECT, SUBSCRIBE) [512]. */
  txSlotSize?: number;
  /** Receive assembly buffer: the largest incoming packet held whole [1024]. */
  rxBufferSize?: number;
  /** Max QoS 1 messages in flight [16]. */
  inflightWindow?: number;
  /** Max publishes held while offline, 0 = none (publish returns NOT_CONNECTED) [32]. */
  offlineQueue?: number;
  /** Offline queue overflow policy ["reject-new"]. */
  overflow?: "reject-new" | "drop-oldest";
  /** Reconnect policy, or `false` to stay down after a loss [defaults of {@link ReconnectOptions}]. */
  reconnect?: ReconnectOptions | false;
  /** Max ms from opening the socket to CONNACK [10000]. */
  connectTimeout?: number;
  /** Largest incoming packet accepted at all [65536]. */
  maxIncomingPacketSize?: number;
  /** A PUBLISH larger than `rxBufferSize`: "refuse" ends the connection, "stream" delivers chunks ["refuse"]. */
  oversize?: "refuse" | "stream";
  /** Subscription table size [16]. */
  maxSubscriptions?: number;
  /** CONNACK accepted. */
  onConnected?(sessionPresent: boolean): void;
  /** A connection that had been accepted ended; `code` from codes.ts (e.g. KEEPALIVE_TIMEOUT, CLOSED_BY_CLIENT). */
  onDisconnected?(code: number): void;
  /** Something went wrong (typed error; see errors.ts). Never throws out of the client. */
  onError?(error: MqttError): void;
  /** Room freed after `publish` returned BUSY. */
  onWritable?(): void;
  /** Offline queue overflow: `QUEUE_FULL` (new message rejected) or `DROPPED_OLDEST`. Allocation-free. */
  onQueueOverflow?(code: number): void;
}

/** Counters, one preallocated object per client; numbers only. */
export class ClientCounters {
  /** PUBLISH packets written (first transmissions). */
  sent = 0;
  /** PUBLISH packets received (whole messages). */
  received = 0;
  /** QoS 1 PUBLISH packets resent with DUP after a reconnect. */
  resent = 0;
  /** PUBACKs received for our QoS 1 publishes. */
  acked = 0;
  /** Publishes accepted into the offline queue. */
  queued = 0;
  /** Queued publishes dropped by "drop-oldest". */
  dropped = 0;
  /** Publishes refused with QUEUE_FULL. */
  rejected = 0;
  /** Publishes refused with BUSY. */
  busy = 0;
  /** Accepted connections (CONNACK 0). */
  connects = 0;
  /** Accepted connections after the first one. */
  reconnects = 0;
  /** Connection attempts that failed before CONNACK 0. */
  connectFailures = 0;
  /** PINGREQs sent. */
  pingsSent = 0;
  /** PINGRESPs received. */
  pingsReceived = 0;
  /** Acks for packet ids we were not waiting for. */
  unknownAcks = 0;
  /** Received PUBLISHes no subscription matched. */
  unrouted = 0;
  /** Handler exceptions (message still acknowledged). */
  handlerErrors = 0;
  /** Connections closed for protocol violations / oversize packets. */
  protocolErrors = 0;
  /** Bytes written to sockets. */
  bytesSent = 0;
  /** Socket write calls (packets are coalesced per turn, then written as power-of-two chunks). */
  writes = 0;
  /** Bytes read from sockets. */
  bytesReceived = 0;
}

const DEFAULT_PORT = 1883;
/**
 * Longest a batch staged from application code waits, while an earlier write still awaits its `onWritable`,
 * for that callback (which writes it) before the batch timer does. On lwip the callback comes with the peer's
 * ACK, so this bounds the added latency; on a quiet link the batch timer runs with delay 0 (end of turn).
 */
const FLUSH_DELAY_MS = 2;
const DEFAULT_TLS_PORT = 8883;

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

function isPositive(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v > 0;
}

function bytesOf(value: string | Uint8Array): Uint8Array {
  return typeof value === "string" ? utf8Encode(value) : value;
}

function isIPv4(text: string): boolean {
  const parts = text.split(".");
  if (parts.length !== 4) return false;
  for (const p of parts) if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return false;
  return true;
}

/**
 * MQTT 3.1.1 client (QoS 0 and 1) for the host seam. See the module notes and docs/architecture.md.
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
  /** Counters (numbers on one preallocated object). */
  readonly counters = new ClientCounters();
  /** Current {@link ClientState}. */
  state: number = ClientState.IDLE;
  /** Session present flag of the last accepted CONNACK. */
  sessionPresent = false;

  // Configuration (fixed).
  readonly #host: Host;
  readonly #socketClass: SocketConstructor;
  readonly #socketOptions: SocketOptions;
  readonly #connectTimeout: number;
  readonly #reconnect: boolean;
  readonly #dropOldest: boolean;
  readonly #slotSize: number;
  readonly #maxIncoming: number;
  readonly #cleanSession: boolean;

  // Memory (created once).
  readonly #pool: BufferPool;
  readonly #tx: TxStage;
  readonly #rx: RxStage;
  readonly #decoder: StreamDecoder;
  readonly #message: MqttMessage;
  readonly #pub: PublishInfo;
  readonly #connect: ConnectInfo;
  readonly #sub: SubscribeInfo;
  readonly #unsub: UnsubscribeInfo;
  readonly #subFilters: Uint8Array[];
  readonly #subQos: Uint8Array;
  readonly #topics: Uint8Array[] = [];
  readonly #inflight: InflightTable;
  readonly #outbox: Outbox;
  readonly #router: Router;
  readonly #backoff: Backoff;
  readonly #keepalive: Keepalive;
  readonly #acks: Uint16Array;
  #ackHead = 0;
  #ackCount = 0;

  // Callbacks (bound once).
  readonly #onConnected: ((sessionPresent: boolean) => void) | undefined;
  readonly #onDisconnected: ((code: number) => void) | undefined;
  readonly #onError: ((error: MqttError) => void) | undefined;
  readonly #onWritable: (() => void) | undefined;
  readonly #onQueueOverflow: ((code: number) => void) | undefined;
  readonly #idInUse: (id: number) => boolean;
  readonly #stateTimer: unknown;
  readonly #kaTimer: unknown;

  // Connection state.
  #socket: Socket | null = null;
  #space = 0;
  #rxAvailable = 0;
  #connectedAt = 0;
  #resendCount = 0;
  /** Whether resends after this CONNACK carry DUP: only when the broker kept the session. */
  #resendDup = false;
  #subWork = false;
  #pingWanted = false;
  #wantWritable = false;
  #busySize = 0;
  #everConnected = false;
  #draining = false;
  /** Bytes staged in the output region, not yet written to the socket (already counted off #space). */
  #outLen = 0;
  readonly #outSize: number;
  /** Nesting of client entry points (socket/timer callbacks, API calls that send); 0 = application code. */
  #depth = 0;
  /** The batch timer (writes what application code staged in this turn) is armed. */
  #batchArmed = false;
  /** A write went out and its `onWritable` has not come back yet: staged bytes may ride on that callback. */
  #awaitingWritable = false;
  readonly #batchTimer: unknown;

  /**
   * Validates the options and creates every buffer and table. Does not connect (call {@link connect}).
   * @throws InvalidOptionError (a RangeError, `code = INVALID_OPTION` -120) naming the bad option.
   */
  constructor(options: MqttClientOptions) {
    if (options === null || typeof options !== "object") throw new InvalidOptionError("options", "object required");
    const host = options.host;
    if (host === null || typeof host !== "object" || typeof host.tcp !== "function" || host.clock === undefined ||
      typeof host.random !== "function") {
      throw new InvalidOptionError("host", "a Host with tcp, clock and random is required");
    }
    this.#host = host;
    const hostname = options.hostname;
    if (typeof hostname !== "string" || hostname.length === 0) throw new InvalidOptionError("hostname", "non-empty string required");
    const tls = options.tls ?? null;
    if (tls !== null) {
      if (typeof tls !== "object") throw new InvalidOptionError("tls", "object or null required");
      if (typeof host.tls !== "function") throw new InvalidOptionError("tls", "the host has no TLS socket class");
    }
    const port = options.port ?? (tls !== null ? DEFAULT_TLS_PORT : DEFAULT_PORT);
    if (!isInt(port, 1, 65535)) throw new InvalidOptionError("port", "integer 1..65535 required");
    if (typeof options.clientId !== "string") throw new InvalidOptionError("clientId", "string required");
    const cleanSession = options.cleanSession ?? true;
    if (typeof cleanSession !== "boolean") throw new InvalidOptionError("cleanSession", "boolean required");
    if (options.clientId.length === 0 && !cleanSession) {
      throw new InvalidOptionError("clientId", "an empty client id requires cleanSession: true [MQTT-3.1.3-7]");
    }
    this.#cleanSession = cleanSession;
    const keepAlive = options.keepAlive ?? 60;
    if (!isInt(keepAlive, 0, 65535)) throw new InvalidOptionError("keepAlive", "integer seconds 0..65535 required");
    const slotSize = options.txSlotSize ?? 512;
    if (!isInt(slotSize, 16, 1 << 24)) throw new InvalidOptionError("txSlotSize", "integer 16..16777216 required");
    const window = options.inflightWindow ?? 16;
    if (!isInt(window, 1, 1024)) throw new InvalidOptionError("inflightWindow", "integer 1..1024 required");
    const queue = options.offlineQueue ?? 32;
    if (!isInt(queue, 0, 65535)) throw new InvalidOptionError("offlineQueue", "integer 0..65535 required");
    const slots = options.txSlots ?? window + queue;
    if (!isInt(slots, 1, 65535)) throw new InvalidOptionError("txSlots", "integer 1..65535 required");
    const overflow = options.overflow ?? "reject-new";
    if (overflow !== "reject-new" && overflow !== "drop-oldest") {
      throw new InvalidOptionError("overflow", "\"reject-new\" or \"drop-oldest\" required");
    }
    const rxSize = options.rxBufferSize ?? 1024;
    if (!isInt(rxSize, 16, 1 << 24)) throw new InvalidOptionError("rxBufferSize", "integer 16..16777216 required");
    const maxIncoming = options.maxIncomingPacketSize ?? 65536;
    if (!isInt(maxIncoming, 16, 268435460)) throw new InvalidOptionError("maxIncomingPacketSize", "integer 16..268435460 required");
    const oversize = options.oversize ?? "refuse";
    if (oversize !== "refuse" && oversize !== "stream") throw new InvalidOptionError("oversize", "\"refuse\" or \"stream\" required");
    const connectTimeout = options.connectTimeout ?? 10000;
    if (!isPositive(connectTimeout)) throw new InvalidOptionError("connectTimeout", "positive ms required");
    const maxSubs = options.maxSubscriptions ?? 16;
    if (!isInt(maxSubs, 1, 255)) throw new InvalidOptionError("maxSubscriptions", "integer 1..255 required");

    const rc = options.reconnect ?? {};
    let initialDelay = 1000, maxDelay = 60000, multiplier = 2, stableAfter = 30000;
    if (rc !== false) {
      if (typeof rc !== "object" || rc === null) throw new InvalidOptionError("reconnect", "object or false required");
      initialDelay = rc.initialDelay ?? initialDelay;
      maxDelay = rc.maxDelay ?? maxDelay;
      multiplier = rc.multiplier ?? multiplier;
      stableAfter = rc.stableAfter ?? stableAfter;
      if (!isPositive(initialDelay)) throw new InvalidOptionError("reconnect.initialDelay", "positive ms required");
      if (!isPositive(maxDelay) || maxDelay < initialDelay) throw new InvalidOptionError("reconnect.maxDelay", "ms >= initialDelay required");
      if (typeof multiplier !== "number" || !(multiplier >= 1) || !Number.isFinite(multiplier)) {
        throw new InvalidOptionError("reconnect.multiplier", "finite number >= 1 required");
      }
      if (typeof stableAfter !== "number" || !(stableAfter >= 0) || !Number.isFinite(stableAfter)) {
        throw new InvalidOptionError("reconnect.stableAfter", "ms >= 0 required");
      }
    }
    this.#reconnect = rc !== false;
    this.#backoff = new Backoff({ initialDelay, maxDelay, multiplier, stableAfter }, host.random);

    // CONNECT fields, encoded to bytes once.
    const clientId = utf8Encode(options.clientId);
    if (clientId.length > 65535) throw new InvalidOptionError("clientId", "at most 65535 bytes");
    let username: Uint8Array | null = null;
    let password: Uint8Array | null = null;
    if (options.username !== undefined && options.username !== null) {
      if (typeof options.username !== "string") throw new InvalidOptionError("username", "string required");
      username = utf8Encode(options.username);
    }
    if (options.password !== undefined && options.password !== null) {
      if (username === null) throw new InvalidOptionError("password", "requires a username [MQTT-3.1.2-22]");
      if (typeof options.password !== "string" && !(options.password instanceof Uint8Array)) {
        throw new InvalidOptionError("password", "string or Uint8Array required");
      }
      // Copied so the caller's buffer can be wiped; never echoed anywhere.
      password = typeof options.password === "string" ? utf8Encode(options.password) : options.password.slice();
    }
    let will: WillInfo | null = null;
    if (options.will !== undefined && options.will !== null) {
      const w = options.will;
      if (typeof w !== "object" || typeof w.topic !== "string") throw new InvalidOptionError("will.topic", "string required");
      const topic = utf8Encode(w.topic);
      const check = validateTopicName(topic, 0, topic.length);
      if (check < 0) throw new InvalidOptionError("will.topic", clientCodeMessage(check));
      if (typeof w.payload !== "string" && !(w.payload instanceof Uint8Array)) {
        throw new InvalidOptionError("will.payload", "string or Uint8Array required");
      }
      const qos = w.qos ?? 0;
      if (qos !== 0 && qos !== 1) throw new InvalidOptionError("will.qos", "0 or 1 required");
      will = { topic, payload: bytesOf(w.payload), qos, retain: w.retain === true };
    }
    this.#connect = { clientId, cleanSession, keepAlive, username, password, will };
    const connectSize = sizeConnect(this.#connect);
    if (connectSize < 0) throw new InvalidOptionError("clientId", `CONNECT cannot be encoded: ${clientCodeMessage(connectSize)}`);
    if (connectSize > slotSize) throw new InvalidOptionError("txSlotSize", `CONNECT needs ${connectSize} bytes; raise txSlotSize`);

    this.#slotSize = slotSize;
    this.#connectTimeout = connectTimeout;
    this.#dropOldest = overflow === "drop-oldest";
    this.#maxIncoming = oversize === "stream" ? maxIncoming : Math.min(maxIncoming, rxSize);

    // Tx pool: the first `stage` slots (a fresh pool hands out 0, 1, 2 ... back to back) form the output
    // region where packets are staged and coalesced, then written through power-of-two views. At least
    // 1 KiB so a burst of small publishes leaves in one write.
    const stage = Math.max(1, Math.ceil(1024 / slotSize));
    this.#pool = new BufferPool(slots + stage, slotSize);
    let stageBase = -1;
    for (let i = 0; i < stage; i++) {
      const slot = this.#pool.acquire();
      if (i === 0) stageBase = this.#pool.offsetOf(slot);
    }
    this.#outSize = stage * slotSize;
    this.#tx = new TxStage(this.#pool.bytes, stageBase, this.#outSize);
    this.#rx = new RxStage(rxSize);
    this.#decoder = new StreamDecoder({
      buffer: new Uint8Array(rxSize),
      maxPacketSize: this.#maxIncoming,
      role: "client",
      streamPayloads: oversize === "stream",
    });
    const empty = new Uint8Array(0);
    this.#message = new MqttMessage(empty);
    this.#pub = {
      topic: empty, topicOffset: 0, topicLength: 0, payload: empty, payloadOffset: 0, payloadLength: 0,
      qos: 0, retain: false, dup: false, packetId: 0,
    };
    this.#subFilters = [empty];
    this.#subQos = new Uint8Array(1);
    this.#sub = { packetId: 0, filters: this.#subFilters, qos: this.#subQos, count: 1 };
    this.#unsub = { packetId: 0, filters: this.#subFilters, count: 1 };
    this.#inflight = new InflightTable(window);
    this.#outbox = new Outbox(queue);
    this.#router = new Router(maxSubs);
    this.#keepalive = new Keepalive(keepAlive);
    // One read of D bytes holds at most D/7 QoS 1 PUBLISHes (7 bytes minimum), so it never overflows.
    this.#acks = new Uint16Array(Math.ceil(this.#rx.size / 7) + 8);

    this.#onConnected = options.onConnected;
    this.#onDisconnected = options.onDisconnected;
    this.#onError = options.onError;
    this.#onWritable = options.onWritable;
    this.#onQueueOverflow = options.onQueueOverflow;
    const router = this.#router;
    this.#idInUse = (id: number): boolean => router.usesPacketId(id);
    this.#stateTimer = host.clock.timer(() => this.#stateTimerFired());
    this.#kaTimer = host.clock.timer(() => this.#keepaliveFired());
    this.#batchTimer = host.clock.timer(() => this.#batchFired());

    // Socket callbacks: created once; `this` inside is the socket, so stale sockets are recognised.
    const self = this;
    this.#socketClass = tls !== null ? host.tls! : host.tcp;
    this.#socketOptions = {
      port,
      nodelay: true,
      format: "buffer",
      onReadable(this: Socket, count: number): void { self.#socketReadable(this, count); },
      onWritable(this: Socket, count: number): void { self.#socketWritable(this, count); },
      onError(this: Socket, error?: unknown): void { self.#socketError(this, error); },
    };
    if (isIPv4(hostname)) this.#socketOptions.address = hostname;
    else this.#socketOptions.host = hostname;
    if (tls !== null) this.#socketOptions.secure = tls;
  }

  // ---------------------------------------------------------------------------------------------- API

  /**
   * Starts connecting (and keeps reconnecting per the policy). From IDLE or CLOSED (after `end()`) it opens a
   * socket now; while WAITING for a reconnect it skips the remaining delay. No-op when connecting/connected.
   */
  connect(): void {
    const s = this.state;
    if (s === ClientState.CONNECTING || s === ClientState.CONNACK_WAIT || s === ClientState.CONNECTED) return;
    this.#host.clock.cancel(this.#stateTimer);
    if (s === ClientState.CLOSED || s === ClientState.IDLE) this.#backoff.reset();
    this.#open();
  }

  /**
   * Registers a topic name for publishing: validated and encoded to UTF-8 once (setup time; allocates).
   * @returns the numeric handle for {@link publish}.
   * @throws InvalidOptionError for an invalid topic name (empty, wildcards, bad UTF-8, too long).
   */
  topic(name: string): number {
    if (typeof name !== "string") throw new InvalidOptionError("topic", "string required");
    const bytes = utf8Encode(name);
    const check = validateTopicName(bytes, 0, bytes.length);
    if (check < 0) throw new InvalidOptionError("topic", clientCodeMessage(check));
    this.#topics.push(bytes);
    return this.#topics.length - 1;
  }

  /**
   * Publishes `payload[offset, offset+length)` on a registered topic. Allocation-free.
   * @returns SENT (0) written (QoS 1: and in flight), QUEUED (1) held offline; or BUSY (-100, window or send
   *   space full: retry from `onWritable`), TOO_LARGE (-101), QUEUE_FULL (-102), NOT_CONNECTED (-103, no
   *   queue or ended), INVALID_HANDLE (-104), INVALID_QOS (-105), INVALID_RANGE (-106), or a codec code
   *   from sizing (`PACKET_TOO_LARGE` -4). Packets published in one turn are coalesced and written together
   *   after the turn (a 0 ms batch timer), or on return when the caller is a client callback.
   */
  publish(handle: number, payload: Uint8Array, offset: number, length: number, qos: number, retain: boolean): number {
    const topic = this.#topics[handle];
    if (topic === undefined) return INVALID_HANDLE;
    if (qos !== 0 && qos !== 1) return INVALID_QOS;
    if (!(offset >= 0 && length >= 0 && offset + length <= payload.length)) return INVALID_RANGE;
    if (this.state === ClientState.CLOSED) return NOT_CONNECTED;
    const info = this.#pub;
    info.topic = topic;
    info.topicOffset = 0;
    info.topicLength = topic.length;
    info.payload = payload;
    info.payloadOffset = offset;
    info.payloadLength = length;
    info.qos = qos;
    info.retain = retain === true;
    info.dup = false;
    info.packetId = 1; // placeholder for sizing; the real id is set when the packet enters the window
    const size = sizePublish(info);
    if (size < 0) return size;
    if (size > this.#slotSize) return TOO_LARGE;
    if (this.state !== ClientState.CONNECTED || this.#outbox.count > 0 || this.#resendCount > 0) {
      return this.#enqueue(size, qos);
    }
    if (qos === 0) {
      const out = this.#reserve(size);
      if (out < 0) return this.state === ClientState.CONNECTED ? this.#busy(size) : this.#enqueue(size, 0);
      encodePublish(this.#tx.bytes, out, info);
      this.counters.sent++;
      this.#commit();
      return SENT;
    }
    if (this.#inflight.full || size > this.#space || this.#pool.available === 0) return this.#busy(size);
    const out = this.#reserve(size);
    if (out < 0) return this.state === ClientState.CONNECTED ? this.#busy(size) : this.#enqueue(size, 1);
    const slot = this.#pool.acquire();
    const at = this.#pool.offsetOf(slot);
    info.packetId = this.#inflight.nextId(this.#idInUse);
    encodePublish(this.#pool.bytes, at, info);
    this.#pool.bytes.copyWithin(out, at, at + size);
    this.#inflight.add(info.packetId, slot, size);
    this.counters.sent++;
    // If the write fails the record stays in flight and is resent after the reconnect.
    this.#commit();
    return SENT;
  }

  /**
   * Subscribes `handler` to `filter` (setup time: encodes the filter once; allocates). Every incoming PUBLISH
   * whose topic matches is passed to every matching handler. Sent now when connected, else at the next
   * CONNACK; resent automatically after a reconnect without session.
   * @param qos 0 or 1 (maximum QoS requested).
   * @param onSuback called with the granted QoS, or 0x80 on failure (a SubscribeError also goes to `onError`).
   * @returns the subscription id (> 0) for {@link unsubscribe}.
   * @throws InvalidOptionError for a bad filter or QoS, or a full subscription table.
   */
  subscribe(filter: string, qos: number, handler: MessageHandler, onSuback?: SubackHandler): number {
    if (typeof filter !== "string") throw new InvalidOptionError("filter", "string required");
    if (qos !== 0 && qos !== 1) throw new InvalidOptionError("qos", "0 or 1 required");
    if (typeof handler !== "function") throw new InvalidOptionError("handler", "function required");
    const bytes = utf8Encode(filter);
    const check = validateTopicFilter(bytes, 0, bytes.length);
    if (check < 0) throw new InvalidOptionError("filter", clientCodeMessage(check));
    this.#subFilters[0] = bytes;
    this.#subQos[0] = qos;
    this.#sub.packetId = 1;
    const size = sizeSubscribe(this.#sub);
    if (size < 0 || size > this.#slotSize) throw new InvalidOptionError("filter", "SUBSCRIBE larger than txSlotSize");
    const id = this.#router.add(bytes, filter, qos, handler, onSuback ?? null);
    if (id < 0) throw new InvalidOptionError("maxSubscriptions", "subscription table full");
    this.#subWork = true;
    if (this.state === ClientState.CONNECTED) this.#pumpFromApp();
    return id;
  }

  /**
   * Removes a subscription: its handler gets nothing more from now on; an UNSUBSCRIBE goes out when connected.
   * @returns true when `id` was a live subscription.
   */
  unsubscribe(id: number): boolean {
    const router = this.#router;
    const i = router.indexOfId(id);
    if (i < 0) return false;
    const s = router.states[i];
    if (s === SubState.UNSUB_NEEDED || s === SubState.UNSUBSCRIBING) return false;
    router.handlers[i] = null;
    if (s === SubState.NEW || s === SubState.FAILED) {
      router.free(i);
      return true;
    }
    // SUBSCRIBING keeps its packet id until the SUBACK, then the UNSUBSCRIBE follows.
    router.states[i] = SubState.UNSUB_NEEDED;
    if (s === SubState.ACTIVE) router.packetIds[i] = 0;
    this.#subWork = true;
    if (this.state === ClientState.CONNECTED) this.#pumpFromApp();
    return true;
  }

  /**
   * Ends the connection cleanly: sends DISCONNECT when connected (the broker then discards the will), closes
   * the socket, stops reconnecting. In-flight and queued messages are kept for a later {@link connect}.
   */
  end(): void {
    const was = this.state;
    if (was === ClientState.CLOSED) return;
    if (was === ClientState.CONNECTED) {
      // Whatever is staged goes first, then DISCONNECT, in one write where it fits.
      const out = this.#reserve(2);
      if (out >= 0) encodeEmpty(this.#tx.bytes, out, PacketType.DISCONNECT);
      this.#flush();
    }
    this.#teardown(ClientState.CLOSED);
    if (was === ClientState.CONNECTED) this.#emitDisconnected(CLOSED_BY_CLIENT);
  }

  /** QoS 1 messages sent and not yet acknowledged. */
  get inflight(): number {
    return this.#inflight.count;
  }

  /** Messages waiting in the offline queue. */
  get queued(): number {
    return this.#outbox.count;
  }

  /** True while a CONNACK-accepted connection is up. */
  get connected(): boolean {
    return this.state === ClientState.CONNECTED;
  }

  /** Granted QoS (0/1/2), 0x80 (refused), or -1 (unknown id / no SUBACK yet) of a subscription. */
  granted(id: number): number {
    const i = this.#router.indexOfId(id);
    if (i < 0) return -1;
    const g = this.#router.granted[i] ?? 0xff;
    return g === 0xff ? -1 : g;
  }

  // ------------------------------------------------------------------------------ connection lifecycle

  #open(): void {
    this.state = ClientState.CONNECTING;
    this.#space = 0;
    this.#outLen = 0;
    this.#awaitingWritable = false;
    this.#rxAvailable = 0;
    this.#decoder.reset();
    this.#host.clock.schedule(this.#stateTimer, this.#connectTimeout);
    let socket: Socket;
    try {
      socket = new this.#socketClass(this.#socketOptions);
    } catch (e) {
      this.#lost(CONNECTION_LOST, new ConnectionLostError(e instanceof Error ? e.message : undefined));
      return;
    }
    this.#socket = socket;
  }

  /** Closes the socket and timers; moves to `state`. Keeps in-flight, queue and subscriptions. */
  #teardown(state: number): void {
    const socket = this.#socket;
    this.#socket = null;
    if (socket !== null) {
      try { socket.close(); } catch { /* already dead */ }
    }
    const clock = this.#host.clock;
    clock.cancel(this.#stateTimer);
    clock.cancel(this.#kaTimer);
    if (this.state === ClientState.CONNECTED) this.#backoff.connectionEnded(clock.now() - this.#connectedAt);
    this.state = state;
    this.#space = 0;
    this.#outLen = 0;
    this.#awaitingWritable = false;
    this.#batchArmed = false;
    clock.cancel(this.#batchTimer);
    this.#rxAvailable = 0;
    this.#ackCount = 0;
    this.#ackHead = 0;
    this.#pingWanted = false;
    this.#keepalive.pingOutstanding = false;
  }

  /** The link is gone: tear down, schedule the reconnect, then report (callbacks may call end()/connect()). */
  #lost(code: number, error: MqttError | null): void {
    const was = this.state;
    if (was === ClientState.CLOSED || was === ClientState.WAITING || was === ClientState.IDLE) return;
    if (was !== ClientState.CONNECTED) this.counters.connectFailures++;
    if (this.#reconnect) {
      this.#teardown(ClientState.WAITING);
      this.#host.clock.schedule(this.#stateTimer, this.#backoff.next());
    } else {
      this.#teardown(ClientState.CLOSED);
    }
    if (error !== null) this.#emitError(error);
    if (was === ClientState.CONNECTED) this.#emitDisconnected(code);
  }

  #batchFired(): void {
    this.#batchArmed = false;
    if (this.#outLen > 0 && this.#depth === 0) this.#flush();
  }

  #stateTimerFired(): void {
    const s = this.state;
    if (s === ClientState.WAITING) this.#open();
    else if (s === ClientState.CONNECTING || s === ClientState.CONNACK_WAIT) {
      this.#lost(CONNECT_TIMEOUT, new ConnectTimeoutError(this.#connectTimeout));
    }
  }

  #keepaliveFired(): void {
    this.#depth++;
    try {
      this.#keepaliveCheck();
    } finally {
      this.#exit();
    }
  }

  #keepaliveCheck(): void {
    if (this.state !== ClientState.CONNECTED) return;
    const ka = this.#keepalive;
    const now = this.#host.clock.now();
    const action = ka.check(now);
    if (action === KA_DEAD) {
      this.#lost(KEEPALIVE_TIMEOUT, new KeepaliveTimeoutError(now - ka.lastReceived));
      return;
    }
    if (action === KA_PING) {
      this.#pingWanted = true;
      this.#pump();
      if (this.state !== ClientState.CONNECTED) return;
    }
    const delay = ka.nextDelay(now);
    if (delay >= 0) this.#host.clock.schedule(this.#kaTimer, delay);
  }

  #connackReceived(p: Packet): void {
    const code = p.returnCode;
    if (code !== 0) {
      let error: MqttError;
      switch (code) {
        case 1: error = new BadProtocolVersionError(); break;
        case 2: error = new IdentifierRejectedError(); break;
        case 3: error = new ServerUnavailableError(); break;
        case 4: error = new BadCredentialsError(); break;
        default: error = new NotAuthorizedError(); break;
      }
      this.#lost(CONNECTION_REFUSED, error);
      return;
    }
    const clock = this.#host.clock;
    clock.cancel(this.#stateTimer);
    const now = clock.now();
    this.state = ClientState.CONNECTED;
    this.#connectedAt = now;
    const present = p.sessionPresent && !this.#cleanSession;
    this.sessionPresent = present;
    this.counters.connects++;
    if (this.#everConnected) this.counters.reconnects++;
    this.#everConnected = true;
    if (present) this.#router.sessionKept();
    else this.#router.sessionLost();
    this.#subWork = true;
    // Unacknowledged QoS 1 messages go again in their original order, with or without a session: losing them
    // is not an option. With the session kept they are retransmissions (DUP 1, [MQTT-4.4.0-1]); in a new session
    // the old one is discarded ([MQTT-3.1.2-6]) and they are first deliveries of that session (DUP 0).
    this.#resendCount = this.#inflight.markAllPending();
    this.#resendDup = present;
    this.#keepalive.start(now);
    const delay = this.#keepalive.nextDelay(now);
    if (delay >= 0) clock.schedule(this.#kaTimer, delay);
    this.#pump();
    if (this.state !== ClientState.CONNECTED) return;
    const cb = this.#onConnected;
    if (cb !== undefined) {
      try { cb(present); } catch (e) { this.#emitError(new HandlerError(e)); }
    }
  }

  // ---------------------------------------------------------------------------------- socket callbacks

  #socketWritable(socket: Socket, count: number): void {
    if (socket !== this.#socket) return;
    // The socket reports its whole free space; what we staged but did not write yet is ours to subtract.
    this.#space = count - this.#outLen;
    this.#awaitingWritable = false;
    this.#depth++;
    try {
      this.#writable(socket);
    } finally {
      this.#exit();
    }
  }

  #writable(socket: Socket): void {
    if (this.state === ClientState.CONNECTING) {
      // First writable: TCP (and TLS) is up. Send CONNECT.
      const tx = this.#tx;
      const end = encodeConnect(tx.bytes, tx.base, this.#connect);
      if (end < 0 || end - tx.base > this.#space) {
        this.#lost(CONNECTION_LOST, new ConnectionLostError("send space too small for CONNECT"));
        return;
      }
      this.#outLen = end - tx.base;
      this.#space -= this.#outLen;
      this.state = ClientState.CONNACK_WAIT;
      this.#flush();
      return;
    }
    if (this.state === ClientState.CONNECTED) {
      this.#pump();
      // Reading pauses while PUBACKs cannot be written; resume once they went out.
      if (this.#rxAvailable > 0 && this.#ackCount === 0 && this.state === ClientState.CONNECTED) this.#drain(socket);
    }
  }

  #socketReadable(socket: Socket, count: number): void {
    if (socket !== this.#socket) return;
    this.#rxAvailable = count;
    this.#depth++;
    try {
      this.#drain(socket);
    } finally {
      this.#exit();
    }
  }

  #socketError(socket: Socket, error?: unknown): void {
    if (socket !== this.#socket) return;
    const reason = typeof error === "string" ? error : undefined;
    const verify = reason !== undefined && this.#socketOptions.secure !== undefined
      && TLS_VERIFY_REASONS.includes(reason);
    this.#lost(CONNECTION_LOST, verify ? new TlsVerificationError(reason) : new ConnectionLostError(reason));
  }

  // ------------------------------------------------------------------------------------------- receive

  #drain(socket: Socket): void {
    if (this.#draining) return; // a handler's publish never re-enters the read loop
    this.#draining = true;
    try {
      this.#drainLoop(socket);
    } finally {
      this.#draining = false;
    }
  }

  #drainLoop(socket: Socket): void {
    const rx = this.#rx;
    const decoder = this.#decoder;
    const bytes = rx.bytes;
    while (this.#rxAvailable > 0 && socket === this.#socket && this.#ackCount === 0) {
      const n = rx.read(socket, this.#rxAvailable);
      if (n < 0) {
        this.#lost(CONNECTION_LOST, new ConnectionLostError("read failed"));
        return;
      }
      this.#rxAvailable -= n;
      this.counters.bytesReceived += n;
      this.#keepalive.lastReceived = this.#host.clock.now();
      let offset = 0;
      while (offset < n) {
        const r = decoder.decode(bytes, offset, n);
        if (r === NEED_MORE) break;
        if (r < 0) {
          this.#protocolFailure(r);
          return;
        }
        offset = decoder.offset;
        this.#handlePacket(decoder.packet, r === CHUNK);
        if (socket !== this.#socket) return;
      }
      if (this.#ackCount > 0) this.#flushAcks(socket);
    }
  }

  #protocolFailure(code: number): void {
    this.counters.protocolErrors++;
    if (code === CODEC_PACKET_TOO_LARGE) this.#lost(PACKET_TOO_LARGE, new PacketTooLargeError(this.#maxIncoming));
    else this.#lost(PROTOCOL_ERROR, new ProtocolError(code));
  }

  #handlePacket(p: Packet, chunk: boolean): void {
    const type = p.type;
    if (this.state === ClientState.CONNACK_WAIT) {
      if (type === PacketType.CONNACK) this.#connackReceived(p);
      else this.#protocolFailure(UNEXPECTED_PACKET);
      return;
    }
    switch (type) {
      case PacketType.PUBLISH:
        this.#publishReceived(p, chunk);
        return;
      case PacketType.PUBACK: {
        const slot = this.#inflight.remove(p.packetId);
        if (slot < 0) {
          this.counters.unknownAcks++;
          return;
        }
        this.#pool.release(slot);
        this.counters.acked++;
        if (this.#outbox.count > 0 || this.#wantWritable) this.#pump();
        return;
      }
      case PacketType.PINGRESP: {
        const keepalive = this.#keepalive;
        keepalive.pingOutstanding = false;
        this.counters.pingsReceived++;
        // While the ping was out only the dead-link deadline was armed; the next PINGREQ is due keepAlive
        // after the last packet sent [MQTT-3.1.2-23], so re-arm now.
        const clock = this.#host.clock;
        const delay = keepalive.nextDelay(clock.now());
        if (delay >= 0) clock.schedule(this.#kaTimer, delay);
        return;
      }
      case PacketType.SUBACK:
        this.#subackReceived(p);
        return;
      case PacketType.UNSUBACK: {
        const router = this.#router;
        const i = router.indexOfPacketId(p.packetId);
        if (i < 0 || router.states[i] !== SubState.UNSUBSCRIBING) {
          this.counters.unknownAcks++;
          return;
        }
        router.free(i);
        return;
      }
      default:
        // CONNACK twice, or QoS 2 flow packets we never asked for.
        this.#protocolFailure(UNEXPECTED_PACKET);
    }
  }

  #subackReceived(p: Packet): void {
    const router = this.#router;
    const i = router.indexOfPacketId(p.packetId);
    if (i < 0) {
      this.counters.unknownAcks++;
      return;
    }
    const code = p.codesCount > 0 ? (p.buffer[p.codesOffset] ?? 0x80) : 0x80;
    router.packetIds[i] = 0;
    if (router.states[i] === SubState.UNSUB_NEEDED) {
      // unsubscribe() came while the SUBSCRIBE was in flight: follow up with the UNSUBSCRIBE.
      this.#subWork = true;
      this.#pump();
      return;
    }
    router.granted[i] = code;
    router.states[i] = code === 0x80 ? SubState.FAILED : SubState.ACTIVE;
    const cb = router.subackHandlers[i];
    const id = router.idOf(i);
    const text = router.texts[i] ?? "";
    if (cb !== null && cb !== undefined) {
      try { cb(code); } catch (e) { this.#emitError(new HandlerError(e)); }
    }
    if (code === 0x80) this.#emitError(new SubscribeError(text, id));
  }

  #publishReceived(p: Packet, chunk: boolean): void {
    const qos = p.qos;
    if (qos > 1) {
      // We only ever subscribe at QoS 0/1; a QoS 2 delivery breaks [MQTT-3.8.4-6].
      this.#protocolFailure(UNEXPECTED_PACKET);
      return;
    }
    const m = this.#message;
    m.topicBuffer = p.buffer;
    m.topicOffset = p.topicOffset;
    m.topicLength = p.topicLength;
    m.payload = p.payloadBuffer;
    m.payloadOffset = p.payloadOffset;
    m.payloadLength = p.payloadLength;
    m.payloadTotal = chunk ? p.payloadTotal : p.payloadLength;
    m.chunkOffset = chunk ? p.chunkOffset : 0;
    m.final = chunk ? p.final : true;
    m.qos = qos;
    m.retain = p.retain;
    m.dup = p.dup;
    m.packetId = p.packetId;
    const router = this.#router;
    const socket = this.#socket;
    let matched = false;
    let i = router.nextMatch(0, p.buffer, p.topicOffset, p.topicLength);
    while (i >= 0) {
      matched = true;
      const handler = router.handlers[i];
      if (handler !== null && handler !== undefined) {
        m.subscription = router.idOf(i);
        try {
          handler(m);
        } catch (e) {
          this.counters.handlerErrors++;
          this.#emitError(new HandlerError(e));
        }
        if (socket !== this.#socket) return; // a handler ended or lost the connection: no ack
      }
      i = router.nextMatch(i + 1, p.buffer, p.topicOffset, p.topicLength);
    }
    if (!m.final) return;
    this.counters.received++;
    if (!matched) this.counters.unrouted++;
    if (qos === 1) this.#queueAck(p.packetId);
  }

  #queueAck(id: number): void {
    const acks = this.#acks;
    if (this.#ackCount === 0) {
      const out = this.#reserve(4);
      if (out >= 0) {
        encodeAck(this.#tx.bytes, out, PacketType.PUBACK, id);
        return;
      }
    }
    if (this.#ackCount >= acks.length) return; // cannot happen: reading pauses while acks are pending
    let at = this.#ackHead + this.#ackCount;
    if (at >= acks.length) at -= acks.length;
    acks[at] = id;
    this.#ackCount++;
  }

  #flushAcks(socket: Socket): void {
    const acks = this.#acks;
    while (this.#ackCount > 0 && socket === this.#socket) {
      const out = this.#reserve(4);
      if (out < 0) return;
      encodeAck(this.#tx.bytes, out, PacketType.PUBACK, acks[this.#ackHead] ?? 0);
      this.#ackHead = this.#ackHead + 1 >= acks.length ? 0 : this.#ackHead + 1;
      this.#ackCount--;
    }
  }

  // ---------------------------------------------------------------------------------------------- send

  /**
   * Stages `size` bytes in the output region (flushing it first when full) and counts them off the send
   * space. @returns the offset in the tx array to encode/copy the packet at, or -1 (no space / no link).
   */
  #reserve(size: number): number {
    if (this.#socket === null || size > this.#space) return -1;
    // A full output region is written now; the batch timer stays armed for the rest of this turn.
    if (this.#outLen + size > this.#outSize && this.#write() < 0) return -1;
    const at = this.#tx.base + this.#outLen;
    this.#outLen += size;
    this.#space -= size;
    return at;
  }

  /** Writes everything staged and ends the batch. @returns the send space left, or -1 when the link died. */
  #flush(): number {
    if (this.#batchArmed) {
      this.#batchArmed = false;
      this.#host.clock.cancel(this.#batchTimer);
    }
    return this.#write();
  }

  /** Writes everything staged. @returns the send space left, or -1 when the link died. */
  #write(): number {
    const length = this.#outLen;
    const socket = this.#socket;
    if (length === 0 || socket === null) return this.#space;
    this.#outLen = 0;
    const space = this.#tx.write(socket, this.#tx.base, length);
    if (space < 0) {
      this.#lost(CONNECTION_LOST, new ConnectionLostError("write failed"));
      return -1;
    }
    this.#awaitingWritable = true;
    this.#space = space;
    this.counters.bytesSent += length;
    this.counters.writes = this.#tx.writes;
    this.#keepalive.lastSent = this.#host.clock.now();
    return space;
  }

  /**
   * After staging from application code (inside client callbacks the outermost entry point writes on exit).
   * The first packet of a turn arms the batch timer; everything staged until it fires leaves together, in
   * one power-of-two write sequence instead of one per packet. On a quiet link the delay is 0 (the end of
   * this turn); while an earlier write still awaits its `onWritable` the batch rides on that callback, or
   * goes after FLUSH_DELAY_MS at the latest.
   */
  #commit(): void {
    if (this.#depth > 0 || this.#batchArmed) return;
    this.#batchArmed = true;
    this.#host.clock.schedule(this.#batchTimer, this.#awaitingWritable ? FLUSH_DELAY_MS : 0);
  }

  /** Leaves a client entry point; the outermost one writes what was staged. */
  #exit(): void {
    if (--this.#depth === 0 && this.#outLen > 0) this.#flush();
  }

  #pumpFromApp(): void {
    this.#depth++;
    try {
      this.#pump();
    } finally {
      this.#exit();
    }
  }

  #busy(size: number): number {
    this.counters.busy++;
    this.#wantWritable = true;
    this.#busySize = size;
    return BUSY;
  }

  #enqueue(size: number, qos: number): number {
    const outbox = this.#outbox;
    const pool = this.#pool;
    if (outbox.capacity === 0) {
      // Connected but resends are still going out: that is backpressure, not "offline".
      return this.state === ClientState.CONNECTED ? this.#busy(size) : NOT_CONNECTED;
    }
    if (outbox.full || pool.available === 0) {
      if (this.#dropOldest && outbox.count > 0) {
        pool.release(outbox.shift());
        this.counters.dropped++;
        this.#emitOverflow(DROPPED_OLDEST);
      }
      if (outbox.full || pool.available === 0) {
        this.counters.rejected++;
        this.#emitOverflow(QUEUE_FULL);
        return QUEUE_FULL;
      }
    }
    const slot = pool.acquire();
    const at = pool.offsetOf(slot);
    encodePublish(pool.bytes, at, this.#pub);
    // QoS 1: the id (placeholder now) sits just before the payload; patched when the entry is sent.
    outbox.push(slot, size, qos, size - this.#pub.payloadLength - 2);
    this.counters.queued++;
    return QUEUED;
  }

  /**
   * Sends whatever is owed, in order, as far as send space allows: PUBACKs, PINGREQ, DUP resends,
   * SUBSCRIBE/UNSUBSCRIBE, the offline queue; then tells the application if room freed after BUSY.
   */
  #pump(): void {
    const socket = this.#socket;
    if (socket === null || this.state !== ClientState.CONNECTED) return;
    const tx = this.#tx;
    if (this.#ackCount > 0) {
      this.#flushAcks(socket);
      if (this.#ackCount > 0 || socket !== this.#socket) return;
    }
    if (this.#pingWanted) {
      const out = this.#reserve(2);
      if (out < 0) return;
      encodeEmpty(tx.bytes, out, PacketType.PINGREQ);
      this.#pingWanted = false;
      this.#keepalive.pingOutstanding = true;
      this.counters.pingsSent++;
    }
    const pool = this.#pool;
    const inflight = this.#inflight;
    while (this.#resendCount > 0) {
      const i = inflight.oldestPending();
      if (i < 0) {
        this.#resendCount = 0;
        break;
      }
      const length = inflight.lengths[i] ?? 0;
      const out = this.#reserve(length);
      if (out < 0) return;
      const at = pool.offsetOf(inflight.slots[i] ?? 0);
      const first = pool.bytes[at] ?? 0;
      pool.bytes[at] = this.#resendDup ? first | 0x08 : first & ~0x08; // DUP [MQTT-3.3.1-1], [MQTT-3.1.2-6]
      pool.bytes.copyWithin(out, at, at + length);
      inflight.pending[i] = 0;
      this.#resendCount--;
      this.counters.resent++;
    }
    if (this.#subWork && !this.#sendSubscriptions()) return;
    const outbox = this.#outbox;
    while (outbox.count > 0) {
      const e = outbox.peek();
      const length = outbox.lengths[e] ?? 0;
      if (length > this.#space || (outbox.qos[e] === 1 && inflight.full)) return;
      const out = this.#reserve(length);
      if (out < 0) return;
      const slot = outbox.slots[e] ?? 0;
      const at = pool.offsetOf(slot);
      if (outbox.qos[e] === 1) {
        const id = inflight.nextId(this.#idInUse);
        const idAt = at + (outbox.idOffsets[e] ?? 0);
        pool.bytes[idAt] = id >>> 8;
        pool.bytes[idAt + 1] = id & 0xff;
        outbox.shift();
        inflight.add(id, slot, length);
        pool.bytes.copyWithin(out, at, at + length);
      } else {
        outbox.shift();
        pool.bytes.copyWithin(out, at, at + length);
        pool.release(slot);
      }
      this.counters.sent++;
    }
    if (this.#wantWritable && this.#space >= this.#busySize && !inflight.full && pool.available > 0) {
      this.#wantWritable = false;
      const cb = this.#onWritable;
      if (cb !== undefined) {
        try { cb(); } catch (e) { this.#emitError(new HandlerError(e)); }
      }
    }
  }

  /** @returns true when every SUBSCRIBE/UNSUBSCRIBE owed went out. */
  #sendSubscriptions(): boolean {
    const router = this.#router;
    const tx = this.#tx;
    for (let i = 0; i < router.capacity; i++) {
      const s = router.states[i];
      if (s !== SubState.NEW && !(s === SubState.UNSUB_NEEDED && router.packetIds[i] === 0)) continue;
      const filter = router.filters[i];
      if (filter === null || filter === undefined) continue;
      const id = this.#inflight.nextId(this.#idInUse);
      this.#subFilters[0] = filter;
      let end: number;
      if (s === SubState.NEW) {
        this.#subQos[0] = router.qos[i] ?? 0;
        this.#sub.packetId = id;
        const out = this.#reserve(sizeSubscribe(this.#sub));
        if (out < 0) return false;
        end = encodeSubscribe(tx.bytes, out, this.#sub);
        router.states[i] = SubState.SUBSCRIBING;
      } else {
        this.#unsub.packetId = id;
        const out = this.#reserve(sizeUnsubscribe(this.#unsub));
        if (out < 0) return false;
        end = encodeUnsubscribe(tx.bytes, out, this.#unsub);
        router.states[i] = SubState.UNSUBSCRIBING;
      }
      router.packetIds[i] = id;
      if (end < 0) return false;
    }
    this.#subWork = false;
    return true;
  }

  // -------------------------------------------------------------------------------------------- events

  #emitError(error: MqttError): void {
    const cb = this.#onError;
    if (cb === undefined) return;
    try { cb(error); } catch { /* never throw out of the client */ }
  }

  #emitDisconnected(code: number): void {
    const cb = this.#onDisconnected;
    if (cb === undefined) return;
    try { cb(code); } catch (e) { this.#emitError(new HandlerError(e)); }
  }

  #emitOverflow(code: number): void {
    const cb = this.#onQueueOverflow;
    if (cb === undefined) return;
    try { cb(code); } catch (e) { this.#emitError(new HandlerError(e)); }
  }
}
