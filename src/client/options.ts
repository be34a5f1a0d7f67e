/**
 * Client options: the public option types and their validation at the API edge (construction time).
 *
 * {@link parseOptions} checks every option's type and range and turns the strings of the CONNECT packet into
 * bytes once; it throws an {@link InvalidOptionError} naming the first bad option. Nothing here runs after
 * construction. Helpers {@link checkText} and {@link isInt} are shared with the setup-time API calls.
 * @module
 */
import { sizeConnect, type ConnectInfo, type WillInfo } from "../codec/connect.js";
import { utf8Encode } from "../codec/text.js";
import { validateTopicName } from "../codec/topic.js";
import type { BackoffOptions } from "./backoff.js";
import { clientCodeMessage } from "./codes.js";
import { InvalidOptionError, type MqttError } from "./errors.js";
import type { Host, SocketConstructor, TlsOptions } from "./host.js";
import type { JournalSeam, Qos2Seam } from "./session.js";

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
  /**
   * A PUBLISH larger than `rxBufferSize`: "refuse" ends the connection, "stream" delivers chunks, "skip"
   * acknowledges it (QoS 1), reports a `MessageSkippedError` and goes on ["refuse"]. With "skip" the default
   * `maxIncomingPacketSize` is the MQTT maximum, so a persistent session cannot loop on a redelivery.
   */
  oversize?: "refuse" | "stream" | "skip";
  /**
   * Consecutive connection losses right after sending a QoS 1 message (with no PUBACK in between) after which
   * it is set aside and reported as a `PoisonMessageError`; 0 never sets anything aside [3].
   */
  poisonAfter?: number;
  /** Ms a PINGREQ may wait for its PINGRESP before the link is declared dead [keepAlive × 500, i.e. half of it]. */
  pingTimeout?: number;
  /** Subscription table size [16]. */
  maxSubscriptions?: number;
  /**
   * QoS 2 support: a `Qos2Engine` from `qos2.ts` (`xsmqtt/client/qos2` on the device) [null = QoS 0/1 only:
   * `publish(…, 2)` returns INVALID_QOS, `subscribe(…, 2)` throws]. One engine per client.
   */
  qos2?: Qos2Seam | null;
  /**
   * Sessions that survive a reboot: a `SessionJournal` from `journal.ts` (`xsmqtt/client/journal` on the
   * device) over a host's `SessionStore` (`FileSessionStore` on Node, `FilesSessionStore` on Moddable). Queued
   * and in-flight QoS 1/2 messages and the incoming QoS 2 ids are saved as they enter and leave (the writes per
   * message are listed in `journal.ts`) and read back here, at construction: saved in-flight messages are resent
   * first, with DUP, on the first connection. Use it with `cleanSession: false` and a fixed `clientId`, so the
   * broker keeps its side too. `close()` closes the store. [null = RAM only]
   */
  journal?: JournalSeam | null;
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
  /**
   * Per-message completion of a QoS 1/2 message, identified by the token `publish` gave it
   * (`client.lastToken` right after the call): `status` is `COMPLETED` (2: PUBACK / PUBCOMP received),
   * `DROPPED_OLDEST` (-119: dropped from the offline queue by the "drop-oldest" policy) or `POISON_MESSAGE`
   * (-125: set aside by the poison policy; if then retried with `retryPoisoned`, it is reported again when
   * acknowledged). Messages dropped by the application (`dropMessage`, `dropPoisoned`) are not reported.
   * Allocation-free.
   */
  onComplete?(token: number, status: number): void;
}


/** Validated configuration (built once at construction); fields as in {@link MqttClientOptions}, defaults applied. */
export interface ClientConfig {
  /** The host seam. */
  host: Host;
  /** Broker host name or IPv4 address. */
  hostname: string;
  /** Broker port. */
  port: number;
  /** `host.tls` when `tls` is set, else `host.tcp`. */
  socketClass: SocketConstructor;
  /** TLS options, or null for plain TCP. */
  tls: TlsOptions | null;
  /** CONNECT fields, as bytes. */
  connect: ConnectInfo;
  /** Exact CONNECT packet size. */
  connectSize: number;
  /** CONNECT clean-session flag. */
  cleanSession: boolean;
  /** Keepalive, seconds. */
  keepAlive: number;
  /** Bytes per tx slot. */
  slotSize: number;
  /** In-flight window. */
  window: number;
  /** Offline queue capacity. */
  queue: number;
  /** Tx slots (not counting the staging region). */
  slots: number;
  /** Overflow policy is "drop-oldest". */
  dropOldest: boolean;
  /** Receive buffer size. */
  rxSize: number;
  /** Largest incoming packet accepted. */
  maxIncoming: number;
  /** Policy for a PUBLISH larger than the receive buffer. */
  oversize: "refuse" | "stream" | "skip";
  /** Ms from socket open to CONNACK. */
  connectTimeout: number;
  /** Subscription table size. */
  maxSubs: number;
  /** Reconnect after a loss. */
  reconnect: boolean;
  /** Backoff policy. */
  backoff: BackoffOptions;
  /** Strikes that set a QoS 1 message aside (0 = never). */
  poisonAfter: number;
  /** PINGRESP deadline, ms. */
  pingTimeout: number;
  /** The QoS 2 engine, or null. */
  qos2: Qos2Seam | null;
  /** The session journal, or null. */
  journal: JournalSeam | null;
  /** Application callbacks (validated functions or undefined). */
  onConnected: ((sessionPresent: boolean) => void) | undefined;
  onDisconnected: ((code: number) => void) | undefined;
  onError: ((error: MqttError) => void) | undefined;
  onWritable: (() => void) | undefined;
  onQueueOverflow: ((code: number) => void) | undefined;
  onComplete: ((token: number, status: number) => void) | undefined;
}

const DEFAULT_PORT = 1883;
const DEFAULT_TLS_PORT = 8883;
/** The MQTT maximum packet size: remaining length 268,435,455 plus a 5-byte fixed header. */
const MAX_PACKET = 268435460;

/** @returns true when `v` is an integer number in `[min, max]`. */
export function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

function isPositive(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v > 0;
}

/**
 * Checks a string for the MQTT UTF-8 rules that a JS string can break: a lone surrogate (it would be encoded
 * as U+FFFD, silently changing the text) and U+0000 [MQTT-1.5.3-1, -2].
 * @returns null when well-formed, else the reason.
 */
export function checkText(text: string, allowNul = false): string | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 && !allowNul) return "U+0000 not allowed";
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) return "lone surrogate (ill-formed UTF-16)";
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return "lone surrogate (ill-formed UTF-16)";
    }
  }
  return null;
}

/** UTF-8 bytes of a validated string option (`binary`: U+0000 allowed). @throws InvalidOptionError naming `option`. */
export function textBytes(option: string, text: unknown, maxBytes = 65535, binary = false): Uint8Array {
  if (typeof text !== "string") throw new InvalidOptionError(option, "string required");
  const bad = checkText(text, binary);
  if (bad !== null) throw new InvalidOptionError(option, bad);
  const bytes = utf8Encode(text);
  if (bytes.length > maxBytes) throw new InvalidOptionError(option, `at most ${maxBytes} bytes`);
  return bytes;
}

function callback<T>(option: string, value: T | undefined): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "function") throw new InvalidOptionError(option, "function required");
  return value;
}

function parseWill(w: unknown): WillInfo | null {
  if (w === undefined || w === null) return null;
  if (typeof w !== "object") throw new InvalidOptionError("will", "object or null required");
  const will = w as WillOptions;
  const topic = textBytes("will.topic", will.topic);
  const check = validateTopicName(topic, 0, topic.length);
  if (check < 0) throw new InvalidOptionError("will.topic", clientCodeMessage(check));
  let payload: Uint8Array;
  if (typeof will.payload === "string") payload = textBytes("will.payload", will.payload, 65535, true);
  else if (will.payload instanceof Uint8Array) payload = will.payload.slice();
  else throw new InvalidOptionError("will.payload", "string or Uint8Array required");
  if (payload.length > 65535) throw new InvalidOptionError("will.payload", "at most 65535 bytes");
  const qos = will.qos ?? 0;
  if (qos !== 0 && qos !== 1) throw new InvalidOptionError("will.qos", "0 or 1 required");
  const retain = will.retain ?? false;
  if (typeof retain !== "boolean") throw new InvalidOptionError("will.retain", "boolean required");
  return { topic, payload, qos, retain };
}

function parseReconnect(rc: ReconnectOptions | false): BackoffOptions {
  let initialDelay = 1000, maxDelay = 60000, multiplier = 2, stableAfter = 30000;
  if (rc === false) return { initialDelay, maxDelay, multiplier, stableAfter };
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
  return { initialDelay, maxDelay, multiplier, stableAfter };
}

/**
 * Validates `options` and builds the configuration (setup time; allocates).
 * @returns the configuration.
 * @throws InvalidOptionError (a RangeError, `code = INVALID_OPTION` -120) naming the first bad option.
 */
export function parseOptions(options: MqttClientOptions): ClientConfig {
  if (options === null || typeof options !== "object") throw new InvalidOptionError("options", "object required");
  const host = options.host;
  if (host === null || typeof host !== "object" || typeof host.tcp !== "function" || host.clock === undefined ||
    typeof host.random !== "function") {
    throw new InvalidOptionError("host", "a Host with tcp, clock and random is required");
  }
  const hostname = options.hostname;
  if (typeof hostname !== "string" || hostname.length === 0) throw new InvalidOptionError("hostname", "non-empty string required");
  const tls = options.tls ?? null;
  if (tls !== null) {
    if (typeof tls !== "object") throw new InvalidOptionError("tls", "object or null required");
    if (typeof host.tls !== "function") throw new InvalidOptionError("tls", "the host has no TLS socket class");
  }
  const port = options.port ?? (tls !== null ? DEFAULT_TLS_PORT : DEFAULT_PORT);
  if (!isInt(port, 1, 65535)) throw new InvalidOptionError("port", "integer 1..65535 required");
  const clientId = textBytes("clientId", options.clientId);
  const cleanSession = options.cleanSession ?? true;
  if (typeof cleanSession !== "boolean") throw new InvalidOptionError("cleanSession", "boolean required");
  if (clientId.length === 0 && !cleanSession) {
    throw new InvalidOptionError("clientId", "an empty client id requires cleanSession: true [MQTT-3.1.3-7]");
  }
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
  const oversize = options.oversize ?? "refuse";
  if (oversize !== "refuse" && oversize !== "stream" && oversize !== "skip") {
    throw new InvalidOptionError("oversize", "\"refuse\", \"stream\" or \"skip\" required");
  }
  const maxIncoming = options.maxIncomingPacketSize ?? (oversize === "skip" ? MAX_PACKET : 65536);
  if (!isInt(maxIncoming, 16, MAX_PACKET)) throw new InvalidOptionError("maxIncomingPacketSize", "integer 16..268435460 required");
  const connectTimeout = options.connectTimeout ?? 10000;
  if (!isPositive(connectTimeout)) throw new InvalidOptionError("connectTimeout", "positive ms required");
  const maxSubs = options.maxSubscriptions ?? 16;
  if (!isInt(maxSubs, 1, 255)) throw new InvalidOptionError("maxSubscriptions", "integer 1..255 required");
  const qos2 = options.qos2 ?? null;
  if (qos2 !== null && (typeof qos2 !== "object" || typeof qos2.bind !== "function" || typeof qos2.received !== "function")) {
    throw new InvalidOptionError("qos2", "a Qos2Engine or null required");
  }
  const journal = options.journal ?? null;
  if (journal !== null && (typeof journal !== "object" || typeof journal.bind !== "function" || typeof journal.stored !== "function")) {
    throw new InvalidOptionError("journal", "a SessionJournal or null required");
  }
  const poisonAfter = options.poisonAfter ?? 3;
  if (!isInt(poisonAfter, 0, 255)) throw new InvalidOptionError("poisonAfter", "integer 0..255 required");
  const pingTimeout = options.pingTimeout ?? keepAlive * 500;
  if (!(keepAlive === 0 || isPositive(pingTimeout))) throw new InvalidOptionError("pingTimeout", "positive ms required");
  const rc = options.reconnect ?? {};
  const backoff = parseReconnect(rc);

  let username: Uint8Array | null = null;
  let password: Uint8Array | null = null;
  if (options.username !== undefined && options.username !== null) username = textBytes("username", options.username);
  if (options.password !== undefined && options.password !== null) {
    if (username === null) throw new InvalidOptionError("password", "requires a username [MQTT-3.1.2-22]");
    if (typeof options.password === "string") password = textBytes("password", options.password, 65535, true);
    else if (options.password instanceof Uint8Array) password = options.password.slice(); // the caller may wipe theirs
    else throw new InvalidOptionError("password", "string or Uint8Array required");
    if (password.length > 65535) throw new InvalidOptionError("password", "at most 65535 bytes");
  }
  const will = parseWill(options.will);
  const connect: ConnectInfo = { clientId, cleanSession, keepAlive, username, password, will };
  const connectSize = sizeConnect(connect);
  if (connectSize < 0) throw new InvalidOptionError("connect", `CONNECT cannot be encoded: ${clientCodeMessage(connectSize)}`);
  if (connectSize > slotSize) throw new InvalidOptionError("txSlotSize", `CONNECT needs ${connectSize} bytes; raise txSlotSize`);

  return {
    host, hostname, port, socketClass: tls !== null ? host.tls! : host.tcp, tls, connect, connectSize, cleanSession, keepAlive,
    slotSize, window, queue, slots, dropOldest: overflow === "drop-oldest", rxSize,
    maxIncoming: oversize === "refuse" ? Math.min(maxIncoming, rxSize) : maxIncoming, oversize, connectTimeout, maxSubs,
    reconnect: rc !== false, backoff, poisonAfter, pingTimeout, qos2, journal,
    onConnected: callback("onConnected", options.onConnected),
    onDisconnected: callback("onDisconnected", options.onDisconnected),
    onError: callback("onError", options.onError),
    onWritable: callback("onWritable", options.onWritable),
    onQueueOverflow: callback("onQueueOverflow", options.onQueueOverflow),
    onComplete: callback("onComplete", options.onComplete),
  };
}

/** @returns true when `text` is a dotted-quad IPv4 address (connected by `address`, not resolved). */
export function isIPv4(text: string): boolean {
  const parts = text.split(".");
  if (parts.length !== 4) return false;
  for (const p of parts) if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return false;
  return true;
}
