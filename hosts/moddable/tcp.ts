/**
 * The client's TCP seam over Moddable's `embedded:io/socket/tcp` (lwip on ESP32, BSD sockets on lin).
 *
 * Moddable's socket differs from the seam in three ways this adapter closes, so the client sees the same
 * contract as on `hosts/node` (the contract suite in test/hosts and test/device binds both):
 * - **Names.** Moddable's socket reads only `address` (dotted IPv4); a `host` name is ignored and the socket
 *   fails. The adapter resolves `host` with the SDK's `Net.resolve` first (asynchronously, as lwip does)
 *   and connects to the address; an unresolvable name is reported through `onError("ENOTFOUND")`.
 *   `localhost` needs no look-up (see {@link LOOPBACK}).
 * - **`write()` after a failure** returns `undefined` on Moddable (and throws `"would block"` when the data
 *   does not fit). The adapter passes `undefined` on unchanged: the seam says it means "connection failed".
 * - **Callbacks** run with `this` = the adapter (the object the client holds), never the inner socket.
 *
 * Allocation: per connection only (the inner socket and its three callbacks); `read`/`write` allocate nothing.
 * @module
 */
import TCP from "embedded:io/socket/tcp";
import Net from "net";
import type { Socket, SocketOptions } from "xsmqtt/client/host";

/** Reason given to `onError` when a host name does not resolve. */
export const NAME_NOT_RESOLVED = "ENOTFOUND";

/**
 * `localhost` is the loopback address without a look-up (RFC 6761 §6.3). Needed, not only quicker: on the lin
 * simulator `Net.resolve("localhost")` fails, because GLib answers `::1` first and Moddable takes only IPv4.
 */
const LOOPBACK = "127.0.0.1";

/** Dotted-quad IPv4 literal: connect without a DNS look-up. */
function isIPv4(name: string): boolean {
  let dots = 0;
  let digits = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return false;
      dots++;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) digits++;
    else return false;
  }
  return dots === 3 && digits > 0;
}

/**
 * ECMA-419 TCP socket with name resolution, as the client's {@link Socket}.
 *
 * @example
 * ```ts
 * new ModdableTCP({ host: "broker.local", port: 1883, nodelay: true, onWritable(n) {}, onReadable(n) {}, onError() {} });
 * ```
 */
export class ModdableTCP implements Socket {
  #inner: TCP | undefined = undefined;
  #closed = false;
  readonly #options: SocketOptions;

  /**
   * Starts connecting at once (after the look-up when `host` is a name).
   * @throws TypeError when neither `address` nor `host` is a non-empty string, or `port` is not 1..65535.
   */
  constructor(options: SocketOptions) {
    const target = options.address ?? options.host;
    if (typeof target !== "string" || target === "") throw new TypeError("address or host required");
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) throw new RangeError("invalid port");
    this.#options = options;
    if (isIPv4(target)) this.#open(target);
    else if (target.toLowerCase() === "localhost") this.#open(LOOPBACK);
    else Net.resolve(target, (_name, address) => this.#resolved(address));
  }

  #resolved(address: string | undefined): void {
    if (this.#closed) return;
    if (address === undefined || address === "") this.#options.onError?.call(this, NAME_NOT_RESOLVED);
    else this.#open(address);
  }

  #open(address: string): void {
    const options = this.#options;
    this.#inner = new TCP({
      address,
      port: options.port,
      nodelay: options.nodelay === true,
      format: "buffer",
      onReadable: (count: number) => { if (!this.#closed) options.onReadable?.call(this, count); },
      onWritable: (count: number) => { if (!this.#closed) options.onWritable?.call(this, count); },
      onError: () => { if (!this.#closed) options.onError?.call(this); },
    });
  }

  /**
   * Reads exactly `buffer.byteLength` bytes (Moddable throws when more than are buffered).
   * @throws Error when not connected yet or closed.
   */
  read(buffer: Uint8Array): unknown {
    const inner = this.#inner;
    if (inner === undefined || this.#closed) throw new Error("not connected");
    inner.read(buffer);
    return undefined;
  }

  /**
   * Queues all of `buffer`.
   * @returns the send space left, or `undefined` when the connection has failed (Moddable's return).
   * @throws Error("would block") when `buffer` exceeds the send space, or before the connection exists.
   */
  write(buffer: Uint8Array): number | undefined {
    const inner = this.#inner;
    if (inner === undefined || this.#closed) throw new Error("would block");
    const space: unknown = inner.write(buffer);
    return typeof space === "number" ? space : undefined;
  }

  /** Closes the connection (or abandons the look-up). Idempotent; no callback runs afterwards. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inner?.close();
    this.#inner = undefined;
  }
}
