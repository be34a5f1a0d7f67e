/**
 * Client statuses and codes, distinct from the codec's codes (which live in `-1 … -99`).
 *
 * Publish statuses are returned by `MqttClient.publish`; disconnect/error codes are passed to
 * `onDisconnected(code)` and carried by the typed errors of `errors.ts`. A code `<= -100` is a client code,
 * `-99 … -1` a codec code (see `codec/codes.ts`), `0 … 5` a CONNACK return code where noted.
 * @module
 */
import { codeMessage as codecMessage, codeName as codecName } from "../codec/codes.js";

/** Publish: QoS 0 written to the socket, or QoS 1 written and now in flight. */
export const SENT = 0;
/** Publish: held in the offline queue; it goes out, in order, after the next CONNACK. */
export const QUEUED = 1;
/** Completion (`onComplete`): the broker acknowledged the message (PUBACK for QoS 1, PUBCOMP for QoS 2). */
export const COMPLETED = 2;

/** Publish: the in-flight window or the socket send space is full; `onWritable` fires when room frees. */
export const BUSY = -100;
/** Publish: the encoded packet does not fit a tx slot (`txSlotSize`). */
export const TOO_LARGE = -101;
/** Publish: the offline queue (or the tx pool) is full and the policy is `"reject-new"`. */
export const QUEUE_FULL = -102;
/** Publish: not connected and no offline queue configured (`offlineQueue: 0`), or the client has ended. */
export const NOT_CONNECTED = -103;
/** Publish: the handle did not come from `topic()` on this client. */
export const INVALID_HANDLE = -104;
/** Publish: QoS not exactly the number 0 or 1 (QoS 2 is not supported). */
export const INVALID_QOS = -105;
/** Publish: `offset`/`length` not non-negative safe integers with `offset + length <= payload.length`. */
export const INVALID_RANGE = -106;

/** Disconnect: `end()` was called (clean, DISCONNECT sent when connected). */
export const CLOSED_BY_CLIENT = -110;
/** Disconnect: the socket failed, the peer closed, or the connection could not be opened. */
export const CONNECTION_LOST = -111;
/** Disconnect: nothing received for 1.5 × keepAlive (half-open link). */
export const KEEPALIVE_TIMEOUT = -112;
/** Disconnect: no CONNACK within `connectTimeout`. */
export const CONNECT_TIMEOUT = -113;
/** Disconnect: the broker refused the connection (CONNACK return code 1…5; the error carries which). */
export const CONNECTION_REFUSED = -114;
/** Disconnect: the broker sent something the protocol forbids (the error carries the codec code). */
export const PROTOCOL_ERROR = -115;
/** Disconnect: an incoming packet exceeds `maxIncomingPacketSize` (or the buffer with `oversize: "refuse"`). */
export const PACKET_TOO_LARGE = -116;
/** Event: a SUBSCRIBE was refused by the broker (SUBACK 0x80). */
export const SUBSCRIBE_FAILED = -117;
/** Event: a subscription handler threw; the message was still acknowledged. */
export const HANDLER_FAILED = -118;
/** Event: the offline queue dropped its oldest entry (`overflow: "drop-oldest"`). */
export const DROPPED_OLDEST = -119;
/** Option validation failed (thrown at construction). */
export const INVALID_OPTION = -120;
/** `subscribe`/`unsubscribe`: the subscription table is full or the id is unknown. */
export const NO_SUBSCRIPTION = -121;
/** A PUBACK/SUBACK/UNSUBACK arrived for a packet id we are not waiting for (counted, not fatal). */
export const UNKNOWN_PACKET_ID = -122;

/** Publish: `payload` is not a `Uint8Array`, or `retain` is not a boolean. Nothing was staged. */
export const INVALID_ARGUMENT = -123;
/** Any call after `close()`: the client is disposed (publish returns it; setup-time calls throw it). */
export const CLIENT_CLOSED = -124;
/**
 * Event: a QoS 1 message was set aside after `poisonAfter` consecutive connection losses right after sending
 * it (the broker keeps refusing it). It keeps its packet id until `dropPoisoned` / `retryPoisoned`.
 */
export const POISON_MESSAGE = -125;
/** Event: an incoming PUBLISH larger than `rxBufferSize` was acknowledged and skipped (`oversize: "skip"`). */
export const MESSAGE_SKIPPED = -126;
/** Disconnect: a PINGREQ got no PINGRESP within `pingTimeout`. */
export const PING_TIMEOUT = -127;
/** Event: the deferred-callback queue overflowed and an event was dropped (counted in `counters.eventsDropped`). */
export const EVENTS_DROPPED = -128;
/**
 * Event: the session store (`store` option) failed to open, write or sync, or saved messages could not be
 * restored. The client goes on from RAM; what was not saved is lost to a reboot only.
 */
export const STORE_FAILED = -129;
/** Session store `open`: the region could not be opened, created or grown to the requested size. */
export const STORE_OPEN_FAILED = -140;
/** Session store `read`/`write`/`sync`: the file system reported an error (I/O error, no space left). */
export const STORE_IO_ERROR = -141;
/** Session store `read`/`write`/`sync` before a successful `open`, or after `close`. */
export const STORE_NOT_OPEN = -142;
/**
 * Session store `open`: `size` is not an integer in 0 … {@link MAX_STORE_SIZE}. `read`/`write`: `position` is
 * not a non-negative integer, or a write would end past the region (its size after `open`).
 */
export const STORE_OUT_OF_RANGE = -143;
/**
 * Largest session store region, in bytes: 2^31 - 1, because Moddable's files module takes positions and sizes
 * as 32-bit integers; the Node store enforces the same bound so a layout that works there works on the device.
 */
export const MAX_STORE_SIZE = 0x7fffffff;

/** Client states, as `client.state`. */
export const ClientState = Object.freeze({
  /** Constructed, `connect()` not called yet. */
  IDLE: 0,
  /** Socket opening (TCP/TLS handshake). */
  CONNECTING: 1,
  /** CONNECT sent, waiting for CONNACK. */
  CONNACK_WAIT: 2,
  /** CONNACK accepted: publishing and receiving. */
  CONNECTED: 3,
  /** Link lost; waiting for the reconnect delay. */
  WAITING: 4,
  /** `end()` called, or reconnect disabled and the link lost; `connect()` starts again. */
  CLOSED: 5,
  /** `close()` called: timers closed, tables released. Terminal. */
  DISPOSED: 6,
} as const);

/**
 * Short name of a client code, a codec code or a publish status (e.g. `"BUSY"`, `"KEEPALIVE_TIMEOUT"`).
 * @returns the name; codes below -99 that are unknown give `"UNKNOWN"`.
 */
export function clientCodeName(code: number): string {
  switch (code) {
    case SENT: return "SENT";
    case QUEUED: return "QUEUED";
    case COMPLETED: return "COMPLETED";
    case BUSY: return "BUSY";
    case TOO_LARGE: return "TOO_LARGE";
    case QUEUE_FULL: return "QUEUE_FULL";
    case NOT_CONNECTED: return "NOT_CONNECTED";
    case INVALID_HANDLE: return "INVALID_HANDLE";
    case INVALID_QOS: return "INVALID_QOS";
    case INVALID_RANGE: return "INVALID_RANGE";
    case CLOSED_BY_CLIENT: return "CLOSED_BY_CLIENT";
    case CONNECTION_LOST: return "CONNECTION_LOST";
    case KEEPALIVE_TIMEOUT: return "KEEPALIVE_TIMEOUT";
    case CONNECT_TIMEOUT: return "CONNECT_TIMEOUT";
    case CONNECTION_REFUSED: return "CONNECTION_REFUSED";
    case PROTOCOL_ERROR: return "PROTOCOL_ERROR";
    case PACKET_TOO_LARGE: return "PACKET_TOO_LARGE";
    case SUBSCRIBE_FAILED: return "SUBSCRIBE_FAILED";
    case HANDLER_FAILED: return "HANDLER_FAILED";
    case DROPPED_OLDEST: return "DROPPED_OLDEST";
    case INVALID_OPTION: return "INVALID_OPTION";
    case NO_SUBSCRIPTION: return "NO_SUBSCRIPTION";
    case UNKNOWN_PACKET_ID: return "UNKNOWN_PACKET_ID";
    case INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case CLIENT_CLOSED: return "CLIENT_CLOSED";
    case POISON_MESSAGE: return "POISON_MESSAGE";
    case MESSAGE_SKIPPED: return "MESSAGE_SKIPPED";
    case PING_TIMEOUT: return "PING_TIMEOUT";
    case EVENTS_DROPPED: return "EVENTS_DROPPED";
    case STORE_FAILED: return "STORE_FAILED";
    case STORE_OPEN_FAILED: return "STORE_OPEN_FAILED";
    case STORE_IO_ERROR: return "STORE_IO_ERROR";
    case STORE_NOT_OPEN: return "STORE_NOT_OPEN";
    case STORE_OUT_OF_RANGE: return "STORE_OUT_OF_RANGE";
    default: return code > -100 && code < 0 ? codecName(code) : "UNKNOWN";
  }
}

/**
 * One-line message for a client code or codec code (never includes user data such as passwords).
 * @returns the message text.
 */
export function clientCodeMessage(code: number): string {
  switch (code) {
    case SENT: return "sent";
    case QUEUED: return "queued until reconnected";
    case COMPLETED: return "acknowledged by the broker";
    case BUSY: return "in-flight window or socket send space full";
    case TOO_LARGE: return "packet larger than a tx slot";
    case QUEUE_FULL: return "offline queue full";
    case NOT_CONNECTED: return "not connected and no offline queue";
    case INVALID_HANDLE: return "invalid topic handle";
    case INVALID_QOS: return "QoS must be 0 or 1";
    case INVALID_RANGE: return "offset/length outside the payload";
    case CLOSED_BY_CLIENT: return "closed by the client";
    case CONNECTION_LOST: return "connection lost";
    case KEEPALIVE_TIMEOUT: return "no traffic from the broker within 1.5 x keepAlive";
    case CONNECT_TIMEOUT: return "no CONNACK within connectTimeout";
    case CONNECTION_REFUSED: return "connection refused by the broker";
    case PROTOCOL_ERROR: return "protocol violation by the broker";
    case PACKET_TOO_LARGE: return "incoming packet too large";
    case SUBSCRIBE_FAILED: return "subscription refused by the broker";
    case HANDLER_FAILED: return "message handler threw";
    case DROPPED_OLDEST: return "offline queue full: oldest message dropped";
    case INVALID_OPTION: return "invalid option";
    case NO_SUBSCRIPTION: return "subscription table full or unknown subscription";
    case UNKNOWN_PACKET_ID: return "acknowledgement for an unknown packet id";
    case INVALID_ARGUMENT: return "payload must be a Uint8Array and retain a boolean";
    case CLIENT_CLOSED: return "the client was closed";
    case POISON_MESSAGE: return "message set aside: the broker dropped the connection right after it, repeatedly";
    case MESSAGE_SKIPPED: return "incoming message larger than rxBufferSize acknowledged and skipped";
    case PING_TIMEOUT: return "no PINGRESP within pingTimeout";
    case EVENTS_DROPPED: return "deferred event queue overflowed";
    case STORE_FAILED: return "session store failed";
    case STORE_OPEN_FAILED: return "session store could not be opened";
    case STORE_IO_ERROR: return "session store I/O error";
    case STORE_NOT_OPEN: return "session store not open";
    case STORE_OUT_OF_RANGE: return "session store position or size out of range";
    default: return code > -100 && code < 0 ? codecMessage(code) : "unknown code";
  }
}
