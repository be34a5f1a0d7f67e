// Types for the SDK's `ssl/session` (modules/crypt/ssl/session_419.js, mapped by
// $(MODDABLE)/modules/crypt/tls_419.json), which ships without typings. Only what hosts/moddable/tls.ts uses.
declare module "ssl/session" {
  /** The raw socket a session drives: the session reads `readable`, updates it as it reads, and sets `writable`. */
  export interface SessionSocket {
    readable: number;
    writable: number | undefined;
    read(buffer: Uint8Array): unknown;
    write(buffer: Uint8Array): number | undefined;
  }
  export interface SessionOptions {
    /** SNI and the name the server certificate is verified against. */
    serverName?: string;
    /** Trusted CA certificate, DER. */
    certificate?: ArrayBuffer;
    /** Verify the server chain and name (default true). */
    verify?: boolean;
    /** Client certificate chain for mutual TLS, DER each. */
    clientCertificates?: ArrayBuffer[];
    /** Private key for the first client certificate, PKCS#8 DER. */
    clientKey?: ArrayBuffer;
    /** TLS version, 0x303 for TLS 1.2. */
    protocolVersion?: number;
    /** Session cache on/off. */
    cache?: boolean;
  }
  export default class SSLSession {
    constructor(options: SessionOptions);
    initiateHandshake(): void;
    /** Drives the handshake; true once it is finished. Throws a TLS error when the peer is refused. */
    handshake(socket: SessionSocket): boolean;
    /** Decrypted application data; `undefined` when none is complete yet, `null` when the peer closed. */
    read(socket: SessionSocket): Uint8Array | null | undefined;
    /** Encrypts and writes; returns the send space left. */
    write(socket: SessionSocket, data: Uint8Array): number;
    close(socket: SessionSocket): void;
  }
}
