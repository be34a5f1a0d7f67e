/**
 * Typed errors of the client API edge. Hot paths return numeric codes; these classes are created only when
 * something is reported to the application (`onError`) or an API misuse is thrown. Every error carries a
 * numeric `code` (see `codes.ts`; codec codes for protocol errors). Messages never contain passwords or
 * payload bytes.
 *
 * `name` is a class field (XS preload freezes `Error.prototype`, so `this.name =` would throw).
 * @module
 */
import {
  CONNECTION_LOST, CONNECTION_REFUSED, CONNECT_TIMEOUT, HANDLER_FAILED, INVALID_OPTION, KEEPALIVE_TIMEOUT,
  PACKET_TOO_LARGE, PROTOCOL_ERROR, SUBSCRIBE_FAILED, CLIENT_CLOSED, POISON_MESSAGE, MESSAGE_SKIPPED, PING_TIMEOUT,
  clientCodeMessage,
} from "./codes.js";

/** Base class of every client error. `code` is a client code (`<= -100`) or a codec code (`-99 … -1`). */
export class MqttError extends Error {
  override name = "MqttError";
  /** Numeric code, see `codes.ts` (client) and `codec/codes.ts` (codec). */
  readonly code: number;
  /** @param code numeric code; @param message text (defaults to the code's table message). */
  constructor(code: number, message?: string) {
    super(message ?? clientCodeMessage(code));
    this.code = code;
  }
}

/** Invalid constructor option or API argument (thrown). A `RangeError`, carrying `code = INVALID_OPTION`. */
export class InvalidOptionError extends RangeError {
  override name = "InvalidOptionError";
  /** Always `INVALID_OPTION` (-120). */
  readonly code: number = INVALID_OPTION;
  /** Name of the offending option, e.g. `"keepAlive"`. */
  readonly option: string;
  /** @param option the option name; @param message why it is invalid (never echoes secrets). */
  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}

/**
 * The broker refused the connection (CONNACK return code 1…5). `code` is `CONNECTION_REFUSED` (-114);
 * `returnCode` is the CONNACK code. Subclasses make each reason `instanceof`-distinguishable.
 */
export class ConnectionRefusedError extends MqttError {
  override name = "ConnectionRefusedError";
  /** CONNACK return code: 1 protocol version, 2 identifier, 3 server unavailable, 4 credentials, 5 authorization. */
  readonly returnCode: number;
  /** @param returnCode the CONNACK return code; @param message text. */
  constructor(returnCode: number, message: string) {
    super(CONNECTION_REFUSED, message);
    this.returnCode = returnCode;
  }
}
/** CONNACK 1: the broker does not support MQTT 3.1.1. */
export class BadProtocolVersionError extends ConnectionRefusedError {
  override name = "BadProtocolVersionError";
  /** Return code 1. */
  constructor() { super(1, "connection refused: unacceptable protocol version"); }
}
/** CONNACK 2: the client identifier is not allowed. */
export class IdentifierRejectedError extends ConnectionRefusedError {
  override name = "IdentifierRejectedError";
  /** Return code 2. */
  constructor() { super(2, "connection refused: identifier rejected"); }
}
/** CONNACK 3: the MQTT service is unavailable (retried with backoff). */
export class ServerUnavailableError extends ConnectionRefusedError {
  override name = "ServerUnavailableError";
  /** Return code 3. */
  constructor() { super(3, "connection refused: server unavailable"); }
}
/** CONNACK 4: bad user name or password (the password is never included). */
export class BadCredentialsError extends ConnectionRefusedError {
  override name = "BadCredentialsError";
  /** Return code 4. */
  constructor() { super(4, "connection refused: bad user name or password"); }
}
/** CONNACK 5: not authorized. */
export class NotAuthorizedError extends ConnectionRefusedError {
  override name = "NotAuthorizedError";
  /** Return code 5. */
  constructor() { super(5, "connection refused: not authorized"); }
}

/** No CONNACK within `connectTimeout`. `code = CONNECT_TIMEOUT` (-113). */
export class ConnectTimeoutError extends MqttError {
  override name = "ConnectTimeoutError";
  /** @param ms the timeout that elapsed. */
  constructor(ms: number) { super(CONNECT_TIMEOUT, `no CONNACK within ${ms} ms`); }
}

/** Nothing received for 1.5 × keepAlive: the link is half-open. `code = KEEPALIVE_TIMEOUT` (-112). */
export class KeepaliveTimeoutError extends MqttError {
  override name = "KeepaliveTimeoutError";
  /** @param silentMs how long the broker was silent. */
  constructor(silentMs: number) { super(KEEPALIVE_TIMEOUT, `no traffic from the broker for ${Math.round(silentMs)} ms`); }
}

/** The socket failed or the peer closed. `code = CONNECTION_LOST` (-111); `reason` is the host's reason, if any. */
export class ConnectionLostError extends MqttError {
  override name = "ConnectionLostError";
  /** Host-provided reason (e.g. `"ECONNREFUSED"`), or `undefined` (Moddable gives none). */
  readonly reason: string | undefined;
  /** @param reason the host's reason, if it gave one. */
  constructor(reason: string | undefined) {
    super(CONNECTION_LOST, reason === undefined ? "connection lost" : `connection lost: ${reason}`);
    this.reason = reason;
  }
}

/**
 * Reasons a TLS host gives when the server's certificate was refused (the OpenSSL names Node uses). Moddable's
 * TLS socket gives no reason; there a refused certificate is a plain {@link ConnectionLostError}.
 */
export const TLS_VERIFY_REASONS: readonly string[] = Object.freeze([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * The server's TLS certificate was refused: wrong CA, wrong host name, expired. `code` is `CONNECTION_LOST`
 * and `reason` the host's verification code. The client keeps retrying with backoff (the broker's certificate
 * may be fixed), so an application that wants to stop calls `end()` on this error.
 */
export class TlsVerificationError extends ConnectionLostError {
  override name = "TlsVerificationError";
}

/**
 * The broker sent a malformed packet, a packet the client role forbids, or violated the protocol.
 * `code` is the codec code (e.g. `MALFORMED_REMAINING_LENGTH`, `UNEXPECTED_PACKET`) or `PROTOCOL_ERROR` (-115).
 */
export class ProtocolError extends MqttError {
  override name = "ProtocolError";
  /** @param code codec code or PROTOCOL_ERROR; @param detail optional context. */
  constructor(code: number, detail?: string) {
    super(code, detail === undefined ? `protocol error: ${clientCodeMessage(code)}` : `protocol error: ${detail}`);
  }
}

/** An incoming packet is larger than allowed (`oversize: "refuse"` or over `maxIncomingPacketSize`). */
export class PacketTooLargeError extends MqttError {
  override name = "PacketTooLargeError";
  /** Always `PACKET_TOO_LARGE` (-116); `limit` is the enforced maximum. */
  readonly limit: number;
  /** @param limit the enforced maximum packet size. */
  constructor(limit: number) {
    super(PACKET_TOO_LARGE, `incoming packet larger than ${limit} bytes`);
    this.limit = limit;
  }
}

/** The broker refused a subscription (SUBACK 0x80). `code = SUBSCRIBE_FAILED` (-117). */
export class SubscribeError extends MqttError {
  override name = "SubscribeError";
  /** The filter that was refused. */
  readonly filter: string;
  /** Subscription id returned by `subscribe`. */
  readonly subscription: number;
  /** @param filter the refused filter; @param subscription its id. */
  constructor(filter: string, subscription: number) {
    super(SUBSCRIBE_FAILED, `subscription refused: ${filter}`);
    this.filter = filter;
    this.subscription = subscription;
  }
}

/** A message handler threw; the message was still acknowledged. `code = HANDLER_FAILED` (-118); `cause` is what was thrown. */
export class HandlerError extends MqttError {
  override name = "HandlerError";
  /** @param cause the value the handler threw. */
  constructor(cause: unknown) {
    super(HANDLER_FAILED, "message handler threw");
    this.cause = cause;
  }
}

/**
 * A QoS 1 message was set aside: the connection was lost right after sending it `strikes` times in a row
 * (e.g. the broker refuses its size). `code = POISON_MESSAGE` (-125). It keeps its packet id and tx slot
 * until the application calls `client.dropPoisoned(packetId)` or `client.retryPoisoned(packetId)`.
 */
export class PoisonMessageError extends MqttError {
  override name = "PoisonMessageError";
  /** Packet id of the message set aside. */
  readonly packetId: number;
  /** Consecutive connection losses right after sending it. */
  readonly strikes: number;
  /** @param packetId its packet id; @param strikes how many losses. */
  constructor(packetId: number, strikes: number) {
    super(POISON_MESSAGE, `message ${packetId} set aside after ${strikes} connection losses right after sending it`);
    this.packetId = packetId;
    this.strikes = strikes;
  }
}

/**
 * An incoming PUBLISH larger than `rxBufferSize` was acknowledged (QoS 1) and not delivered
 * (`oversize: "skip"`). `code = MESSAGE_SKIPPED` (-126).
 */
export class MessageSkippedError extends MqttError {
  override name = "MessageSkippedError";
  /** Packet id (0 for QoS 0). */
  readonly packetId: number;
  /** Payload size in bytes. */
  readonly size: number;
  /** @param packetId its packet id; @param size its payload size. */
  constructor(packetId: number, size: number) {
    super(MESSAGE_SKIPPED, `incoming message of ${size} payload bytes skipped (larger than rxBufferSize)`);
    this.packetId = packetId;
    this.size = size;
  }
}

/** A PINGREQ got no PINGRESP within `pingTimeout`. `code = PING_TIMEOUT` (-127). */
export class PingTimeoutError extends MqttError {
  override name = "PingTimeoutError";
  /** @param ms the deadline that elapsed. */
  constructor(ms: number) { super(PING_TIMEOUT, `no PINGRESP within ${Math.round(ms)} ms`); }
}

/** A setup-time call (`subscribe`, `unsubscribe`, `topic`, `connect`) after `close()`. `code = CLIENT_CLOSED` (-124). */
export class ClientClosedError extends MqttError {
  override name = "ClientClosedError";
  /** @param what the call that was refused. */
  constructor(what: string) { super(CLIENT_CLOSED, `${what}: the client was closed`); }
}

/**
 * The CONNACK refusal for `returnCode` 1…5 (anything else above 0 is reported as not authorized).
 * @returns the typed error, `code = CONNECTION_REFUSED` (-114).
 */
export function connackError(returnCode: number): ConnectionRefusedError {
  switch (returnCode) {
    case 1: return new BadProtocolVersionError();
    case 2: return new IdentifierRejectedError();
    case 3: return new ServerUnavailableError();
    case 4: return new BadCredentialsError();
    default: return new NotAuthorizedError();
  }
}
