/// <reference path="./typings/ssl-session.d.ts" />
/**
 * The client's TLS seam on Moddable: the SDK's TLS 1.2 `ssl/session` over {@link ModdableTCP}.
 *
 * Why not the SDK's `examples/io/tcp/tlssocket` as is: it constructs `new options.TCP.io(...)`, reads by
 * byte count only, takes the SDK's own option names (`certificate`, `clientCertificates`, DER), and lets a
 * refused certificate escape as an exception from inside a socket callback. This class keeps the seam's
 * contract, the same as `hosts/node/tls.ts`:
 * - options `{ca, cert, key, servername, rejectUnauthorized}`, PEM text or DER/PEM bytes (PEM is decoded here);
 * - verification is ON unless `rejectUnauthorized === false`; the name checked is `servername ?? host ?? address`;
 * - the first `onWritable` comes after the handshake; a refused certificate is `onError("CERT_REJECTED")` (one of
 *   the client's `TLS_VERIFY_REASONS`, so it becomes a `TlsVerificationError`), any other TLS failure
 *   `onError("TLS_HANDSHAKE_FAILED")`;
 * - `read(view)` copies exactly `view.byteLength` bytes of decrypted data; `write` returns the send space
 *   left (never more than one TLS record, 16 KiB, minus its overhead) or `undefined` once the link failed;
 * - host names resolve through {@link ModdableTCP}.
 *
 * Allocation: the SDK's session allocates per TLS record (decryption); nothing else per packet here.
 * @module
 */
import Session, { type SessionSocket } from "ssl/session";
import type { Socket, SocketOptions, TlsOptions } from "xsmqtt/client/host";
import { ModdableTCP } from "xsmqtt/moddable/tcp";

/** Bytes a TLS 1.2 record adds to what it carries (header, explicit IV, MAC/tag, padding), rounded up. */
const RECORD_OVERHEAD = 96;
/** Largest plaintext one record carries (2^14). */
const MAX_RECORD = 16384;
/** Reason for a certificate the session refused (chain or name). */
export const CERT_REJECTED = "CERT_REJECTED";
/** Reason for any other handshake failure (alert, unsupported cipher, malformed record). */
export const TLS_HANDSHAKE_FAILED = "TLS_HANDSHAKE_FAILED";

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** DER bytes of a certificate or key given as PEM text, PEM bytes or DER bytes (setup time). */
export function derOf(value: string | Uint8Array): ArrayBuffer {
  let text: string;
  if (typeof value === "string") text = value;
  else if (value.length > 10 && value[0] === 0x2d && value[1] === 0x2d) text = String.fromCharCode(...value);
  else return value.slice().buffer;
  const begin = text.indexOf("-----BEGIN");
  if (begin < 0) throw new TypeError("not a PEM block");
  const bodyStart = text.indexOf("\n", begin) + 1;
  const bodyEnd = text.indexOf("-----END", bodyStart);
  if (bodyStart <= 0 || bodyEnd < 0) throw new TypeError("not a PEM block");
  const out = new Uint8Array(((bodyEnd - bodyStart) * 3) >> 2);
  let bits = 0;
  let value6 = 0;
  let length = 0;
  for (let i = bodyStart; i < bodyEnd; i++) {
    const digit = BASE64.indexOf(text.charAt(i));
    if (digit < 0) continue; // line breaks, padding
    value6 = (value6 << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[length++] = (value6 >> bits) & 0xff;
    }
  }
  return out.slice(0, length).buffer;
}

/** Session options from the seam's {@link TlsOptions}. */
function sessionOptions(secure: TlsOptions, name: string): ConstructorParameters<typeof Session>[0] {
  return {
    serverName: secure.servername ?? name,
    verify: secure.rejectUnauthorized !== false,
    certificate: secure.ca === undefined ? undefined : derOf(secure.ca),
    clientCertificates: secure.cert === undefined ? undefined : [derOf(secure.cert)],
    clientKey: secure.key === undefined ? undefined : derOf(secure.key),
    protocolVersion: 0x303,
  };
}

/** The TCP socket as the SDK's session drives it: byte counts it reads and updates, raw reads and writes. */
class TcpLink implements SessionSocket {
  /** Encrypted bytes buffered in the TCP socket (the session decrements it as it reads). */
  readable = 0;
  /** TCP send space (the session sets it from each write); `undefined` once the link failed. */
  writable: number | undefined = 0;
  readonly #tcp: ModdableTCP;
  constructor(tcp: ModdableTCP) {
    this.#tcp = tcp;
  }
  read(buffer: Uint8Array): unknown {
    return this.#tcp.read(buffer);
  }
  write(buffer: Uint8Array): number | undefined {
    return this.#tcp.write(buffer);
  }
}

/**
 * TLS socket with the seam's contract.
 *
 * @example
 * ```ts
 * new ModdableTLS({ host: "broker.local", port: 8883, secure: { ca: caPem }, onWritable, onReadable, onError });
 * ```
 */
export class ModdableTLS implements Socket {
  readonly #options: SocketOptions;
  readonly #tcp: ModdableTCP;
  /** The encrypted side, as the session drives it. */
  readonly #link: TcpLink;
  #session: Session | undefined;
  #ready = false;
  #closed = false;
  /** Decrypted bytes not yet read by the client, and where the next read starts. */
  #data: Uint8Array | undefined = undefined;
  #position = 0;

  /**
   * Starts connecting and the handshake.
   * @throws TypeError for a CA, certificate or key that is not PEM or DER; as {@link ModdableTCP} for bad targets.
   */
  constructor(options: SocketOptions) {
    this.#options = options;
    const name = options.host ?? options.address ?? "";
    this.#session = new Session(sessionOptions(options.secure ?? {}, name));
    this.#session.initiateHandshake();
    const self = this;
    this.#tcp = new ModdableTCP({
      host: options.host,
      address: options.address,
      port: options.port,
      nodelay: options.nodelay,
      onReadable(count) { self.#tcpReadable(count); },
      onWritable(count) { self.#tcpWritable(count); },
      onError(reason) { self.#fail(reason === undefined ? undefined : String(reason)); },
    });
    this.#link = new TcpLink(this.#tcp);
  }

  #tcpWritable(count: number): void {
    this.#link.writable = count;
    if (!this.#ready) this.#handshake();
    else if (count > RECORD_OVERHEAD) this.#options.onWritable?.call(this, Math.min(count, MAX_RECORD) - RECORD_OVERHEAD);
  }

  #tcpReadable(count: number): void {
    this.#link.readable = count;
    if (!this.#ready) this.#handshake();
    if (this.#ready && this.#data === undefined) this.#decrypt();
  }

  /** Runs the handshake over every record already buffered (the session takes one record per call). */
  #handshake(): void {
    const session = this.#session;
    const link = this.#link;
    if (session === undefined) return;
    try {
      // One call per buffered record, then one more with nothing buffered: that is the call in which the
      // client answers the server's flight (key exchange, finished), as the SDK's own TLS socket does.
      let before: number;
      let idle = 0;
      do {
        before = link.readable;
        if (session.handshake(link)) {
          this.#ready = true;
          const space = link.writable;
          if (typeof space === "number" && space > RECORD_OVERHEAD) {
            this.#options.onWritable?.call(this, Math.min(space, MAX_RECORD) - RECORD_OVERHEAD);
          }
          return;
        }
        if (link.readable === before) idle++;
      } while (idle < 2 && !this.#closed);
    } catch (error) {
      const message = error instanceof Error ? error.message : "";
      // The session throws "certificate: auth err" when the server's chain or name does not verify.
      this.#fail(message.indexOf("certificate: auth") >= 0 ? CERT_REJECTED : TLS_HANDSHAKE_FAILED);
    }
  }

  /** Decrypts the next record(s) and reports them; the client reads them through {@link read}. */
  #decrypt(): void {
    const session = this.#session;
    if (session === undefined || this.#closed) return;
    let data: Uint8Array | null | undefined;
    try {
      data = session.read(this.#link);
    } catch {
      this.#fail(TLS_HANDSHAKE_FAILED);
      return;
    }
    if (data === null) {
      this.#fail(undefined);
      return;
    }
    if (data === undefined || data.byteLength === 0) return;
    this.#data = data;
    this.#position = 0;
    this.#options.onReadable?.call(this, data.byteLength);
  }

  #fail(reason: string | undefined): void {
    if (this.#closed) return;
    this.#link.writable = undefined;
    this.#options.onError?.call(this, reason);
  }

  /**
   * Copies exactly `buffer.byteLength` decrypted bytes.
   * @throws Error when fewer are available (the last `onReadable` count minus what was read since).
   */
  read(buffer: Uint8Array): unknown {
    const data = this.#data;
    const length = buffer.byteLength;
    if (data === undefined || length === 0 || this.#position + length > data.byteLength) throw new Error("invalid");
    buffer.set(data.subarray(this.#position, this.#position + length));
    this.#position += length;
    if (this.#position === data.byteLength) {
      this.#data = undefined;
      // More records may already sit in the TCP buffer: deliver them after this turn, as a socket would.
      if (this.#link.readable > 0) Promise.resolve().then(() => { if (this.#data === undefined) this.#decrypt(); });
    }
    return undefined;
  }

  /**
   * Encrypts and queues all of `buffer` as one record.
   * @returns the send space left, or `undefined` when the link failed.
   * @throws Error("would block") before the handshake finished or when `buffer` exceeds one record.
   */
  write(buffer: Uint8Array): number | undefined {
    const session = this.#session;
    if (!this.#ready || session === undefined || this.#closed) throw new Error("would block");
    if (this.#link.writable === undefined) return undefined;
    if (buffer.byteLength > MAX_RECORD - RECORD_OVERHEAD) throw new Error("would block");
    const space = session.write(this.#link, buffer);
    if (this.#link.writable === undefined) return undefined;
    return Math.max(0, Math.min(space, MAX_RECORD) - RECORD_OVERHEAD);
  }

  /** Closes the connection. Idempotent; no callback runs afterwards. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tcp.close();
    this.#session = undefined;
    this.#data = undefined;
  }
}
