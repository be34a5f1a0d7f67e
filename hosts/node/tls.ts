/**
 * Node implementation of the TLS twin of `embedded:io/socket/tcp` (`embedded:io/socket/tcp/tls` shape) over
 * node:tls, with exactly the read/write/callback semantics of {@link TCPSocket} (shared base class).
 *
 * Certificates and keys may be PEM text, PEM bytes or DER bytes (as Moddable resources usually are).
 *
 * Verification is ON by default: the server chain must lead to `secure.ca` (Node's default roots when
 * absent) and the certificate must match `secure.servername ?? host ?? address`. The first `onWritable` comes
 * after the handshake and verification succeeded. A failure is reported through `onError(code)` and kept in
 * `lastError`, with Node's code (`"UNABLE_TO_VERIFY_LEAF_SIGNATURE"`, `"SELF_SIGNED_CERT_IN_CHAIN"`,
 * `"DEPTH_ZERO_SELF_SIGNED_CERT"`, `"ERR_TLS_CERT_ALTNAME_INVALID"`, ...), so the client can raise a typed error.
 * @module
 */
import { X509Certificate, createPrivateKey } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import { TLS_VERIFY_REASONS } from "../../src/client/errors.js";
import { NodeStreamSocket, type NodeSocketOptions } from "./tcp.js";

const PEM_PREFIX = "-----BEGIN";

function isPem(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 64)).toString("latin1").includes(PEM_PREFIX);
}

/** Certificate as PEM: text as is; bytes either PEM or DER (Moddable resources are usually DER). */
function certPem(value: string | Uint8Array | undefined): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  if (isPem(value)) return Buffer.from(value).toString("utf8");
  return new X509Certificate(value).toString();
}

/** Private key as PEM: text as is; bytes either PEM or DER (PKCS#8, or SEC1 for EC keys, or PKCS#1 RSA). */
function keyPem(value: string | Uint8Array | undefined): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  if (isPem(value)) return Buffer.from(value).toString("utf8");
  const der = Buffer.from(value);
  for (const type of ["pkcs8", "sec1", "pkcs1"] as const) {
    try {
      return createPrivateKey({ key: der, format: "der", type }).export({ format: "pem", type: "pkcs8" }).toString();
    } catch {
      // try the next encoding
    }
  }
  throw new TypeError("secure.key: not a PEM or DER private key");
}

/** TLS verification failure codes (Node/OpenSSL) that mean "the server is not who it claims to be". */
export const TLS_VERIFY_ERRORS: ReadonlySet<string> = new Set(TLS_VERIFY_REASONS);

/**
 * ECMA-419 TLS socket over node:tls.
 *
 * @example
 * ```ts
 * new TLSSocket({ host: "localhost", port: 8883, secure: { ca: caPem }, onWritable, onReadable, onError });
 * ```
 */
export class TLSSocket extends NodeStreamSocket {
  /** Starts connecting and the handshake at once; `options.secure` holds CA, client cert/key and names. */
  constructor(options: NodeSocketOptions) {
    super(options);
    const secure = options.secure ?? {};
    const target = options.address ?? options.host ?? "";
    const verifyName = secure.servername ?? options.host ?? options.address ?? "";
    // allowHalfOpen is honoured by tls.connect (passed to the TLSSocket) though @types/node omits it.
    const connectOptions: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
      host: target,
      port: options.port,
      allowHalfOpen: true,
      ca: certPem(secure.ca),
      cert: certPem(secure.cert),
      key: keyPem(secure.key),
      // SNI must be a DNS name (RFC 6066); an IP is still verified, through checkServerIdentity below.
      servername: net.isIP(verifyName) === 0 && verifyName !== "" ? verifyName : undefined,
      rejectUnauthorized: secure.rejectUnauthorized !== false,
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(verifyName, cert),
    };
    const socket = tls.connect(connectOptions);
    this.attach(socket, "secureConnect", options.nodelay === true);
  }
}
