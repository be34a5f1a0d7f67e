/**
 * The host seam: everything the client needs from the platform, as interfaces only.
 *
 * The shapes follow Moddable's ECMA-419 `embedded:io/socket/tcp` as implemented over lwip
 * (`modules/io/socket/lwip/tcp.c`), so on the device the host hands in Moddable's own classes unchanged;
 * `hosts/node` implements the same contract over node:net / node:tls for the desktop and tests.
 *
 * Contract, in the style of coreMQTT's `transport_interface.h`:
 * - Nothing here blocks. Progress is reported through callbacks, which run with `this` = the socket and are
 *   never invoked re-entrantly from inside `read`/`write`/`close` (they are posted, like Moddable's messages).
 * - Calls that cannot succeed throw (bad arguments, more bytes than available, more bytes than send space).
 *   A well-behaved caller never triggers them: it reads at most the last `onReadable` count and writes at
 *   most the last reported send space.
 *
 * Engine-neutral: no Node or Moddable types. Module holds types only.
 * @module
 */

/**
 * TLS settings for the TLS twin of the TCP socket (`embedded:io/socket/tcp/tls` shape).
 *
 * Server verification is ON unless `rejectUnauthorized` is explicitly `false`: the server chain must lead to
 * `ca` (or the host's default trust store when `ca` is absent) and its name must match `servername ?? host`.
 */
export interface TlsOptions {
  /** Trusted CA certificate(s), PEM text or DER/PEM bytes. Absent: the host's default trust store. */
  ca?: string | Uint8Array;
  /** Client certificate for mutual TLS, PEM text or bytes. Requires `key`. */
  cert?: string | Uint8Array;
  /** Private key matching `cert`, PEM text or bytes. */
  key?: string | Uint8Array;
  /** Name sent in SNI and verified against the server certificate. Default: the socket's `host`. */
  servername?: string;
  /** Verify the server certificate chain and name. Default `true`; `false` is for tests only. */
  rejectUnauthorized?: boolean;
}

/**
 * Options for constructing a {@link Socket} (ECMA-419 TCP socket options plus `secure` for TLS).
 *
 * Callbacks are called with `this` bound to the socket instance.
 */
export interface SocketOptions {
  /** Host name to resolve and connect to. One of `host` / `address` is required. */
  host?: string;
  /** Numeric IP address to connect to (no name resolution). */
  address?: string;
  /** Remote TCP port. */
  port: number;
  /** Disable Nagle's algorithm (`TCP_NODELAY`). MQTT sends small packets, so clients set `true`. */
  nodelay?: boolean;
  /** Data format for `read`/`write`; only `"buffer"` (ArrayBuffer / typed-array views) is used here. */
  format?: "buffer";
  /** TLS settings; only meaningful for the TLS socket class (`Host.tls`). */
  secure?: TlsOptions;
  /**
   * New bytes arrived. `count` is the TOTAL number of bytes now buffered and readable (not just the new
   * ones). Called again only when more data arrives; bytes left unread stay buffered.
   */
  onReadable?(this: Socket, count: number): void;
  /**
   * Send space is available: `count` bytes may be written now. The first call means the connection (and
   * the TLS handshake, for TLS) completed. Called again whenever previously written bytes drain.
   */
  onWritable?(this: Socket, count: number): void;
  /**
   * The connection failed or ended: connect failure, TLS verification failure, reset, timeout, or orderly
   * peer close once every buffered byte has been read. The socket is unusable afterwards; the owner should
   * `close()` it. Moddable passes no argument; hosts that know a reason (e.g. a TLS verification code such
   * as `"UNABLE_TO_VERIFY_LEAF_SIGNATURE"`) pass it as `error`.
   */
  onError?(this: Socket, error?: unknown): void;
}

/**
 * A connected-on-construction, non-blocking TCP (or TLS) socket.
 */
export interface Socket {
  /**
   * Reads EXACTLY `buffer.byteLength` bytes from the receive buffer into `buffer`.
   * @throws when `buffer.byteLength` is 0 or more than the bytes available (the last `onReadable` count,
   *   minus what was read since). Never returns partial data.
   * @returns unspecified (Moddable returns `undefined` for the buffer form); callers ignore it.
   */
  read(buffer: Uint8Array): unknown;
  /**
   * Queues all of `buffer` for sending; never a partial write.
   * @throws Error("would block") when `buffer.byteLength` exceeds the current send space; nothing is queued.
   * @returns the send space left after queuing (may be 0; `onWritable` reports when it grows again), or
   *   `undefined` when the connection has failed (Moddable's lwip socket does this once its PCB is gone):
   *   the bytes were not sent and the caller must treat the connection as lost.
   */
  write(buffer: Uint8Array): number | undefined;
  /** Closes the connection and frees its resources. Idempotent; no callback is invoked after `close()`. */
  close(): void;
}

/** A socket class (`embedded:io/socket/tcp` or its TLS twin), as handed in by the host. */
export interface SocketConstructor {
  /** Starts connecting immediately; the outcome is reported by `onWritable` (connected) or `onError`. */
  new (options: SocketOptions): Socket;
}

/**
 * Monotonic time and one-shot timers, created once at setup and re-armed without allocating.
 *
 * A timer record is opaque to the client: `timer(cb)` makes it once, `schedule`/`cancel` re-arm and disarm
 * it any number of times, `close` frees it.
 */
export interface Clock {
  /** Monotonic milliseconds (arbitrary origin, never goes backwards; may be fractional). */
  now(): number;
  /** Setup time: creates one idle timer that will call `callback` (with no arguments) when it fires. */
  timer(callback: () => void): unknown;
  /** (Re)arms `timer` to fire once after `delayMs` (>= 0), replacing any pending schedule. */
  schedule(timer: unknown, delayMs: number): void;
  /** Disarms `timer` if pending; it can be scheduled again later. No-op when idle. */
  cancel(timer: unknown): void;
  /** Disarms and frees `timer`; it must not be used afterwards. Idempotent. */
  close(timer: unknown): void;
}

/** Everything the platform injects into the client. */
export interface Host {
  /** TCP socket class (`embedded:io/socket/tcp`). */
  tcp: SocketConstructor;
  /** TLS socket class (`embedded:io/socket/tcp/tls`), when the platform has TLS. */
  tls?: SocketConstructor;
  /** Time and timers. */
  clock: Clock;
  /** Uniform random number in [0, 1), used for reconnect jitter. */
  random(): number;
}

/**
 * Persistent storage for a client's session (`store` option): the offline queue, the in-flight QoS 1/2 table
 * and the incoming QoS 2 packet ids, so a reset or power cut loses nothing the client had accepted.
 *
 * A flat, byte-addressed region the client lays out itself (see `journal.ts`), so an implementation is a thin
 * adapter over a file: `embedded:storage/files` on Moddable (littlefs on esp32, POSIX on the simulator), a file
 * on Node. Synchronous, like the socket's `write`. Reads happen at construction only; steady-state writes pass
 * views made at construction and must not allocate.
 */
export interface SessionStore {
  /**
   * Setup: opens (creating if needed) the region and makes it at least `size` bytes; bytes never written read
   * as 0. @returns the size it had before (0 when new), or a negative number when it cannot be opened.
   */
  open(size: number): number;
  /** Reads `into.byteLength` bytes at `position`. @returns the bytes read (fewer at the end), or < 0 on failure. */
  read(position: number, into: Uint8Array): number;
  /** Writes all of `from` at `position` (not yet durable). @returns 0, or < 0 on failure. */
  write(position: number, from: Uint8Array): number;
  /**
   * Makes every write so far durable, as one commit where the medium allows (littlefs: `lfs_file_sync`;
   * POSIX: `fsync`, or nothing when the implementation only promises to survive a process kill).
   * @returns 0, or < 0 on failure.
   */
  sync(): number;
  /** Closes the region. Idempotent. */
  close(): void;
}
