/**
 * Test PKI generated with openssl: a CA, a server certificate for `localhost` / 127.0.0.1, a client
 * certificate, and an unrelated second CA (for "wrong CA" tests). EC P-256 keys, so the whole set takes well
 * under a second. Cached per process and directory.
 *
 * openssl runs through execFileSync with argument arrays (no shell); the only file contents we write are
 * constant config snippets.
 * @module
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { makeTempDir } from "./tempdir.js";

/** A certificate and its key, as files and as PEM text. */
export interface CertPair {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

/** Everything {@link makeTestPki} generates. */
export interface TestPki {
  /** Directory holding every file. */
  dir: string;
  /** Trusted test CA (signs `server` and `client`). */
  ca: CertPair;
  /** Server certificate: CN=localhost, SAN DNS:localhost, IP:127.0.0.1, EKU serverAuth. */
  server: CertPair;
  /** Client certificate: CN=xsmqtt-test-client, EKU clientAuth. */
  client: CertPair;
  /** A second CA that signed nothing here: trusting it must make verification fail. */
  otherCa: CertPair;
}

const OPENSSL = process.env.OPENSSL ?? "openssl";

const CA_CONFIG = `[req]
distinguished_name = dn
[dn]
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
# Moddable's TLS reads the authority key id of every certificate the server sends, the root included.
authorityKeyIdentifier = keyid:always
`;

const SERVER_EXT = `basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
authorityKeyIdentifier = keyid
`;

const CLIENT_EXT = `basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

const cache = new Map<string, TestPki>();

function openssl(args: string[]): void {
  try {
    execFileSync(OPENSSL, args, { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`openssl ${args[0] ?? ""} failed: ${stderr || String(error)}`);
  }
}

function serial(): string {
  // Positive 63-bit serial, hex; unique per certificate so chains never collide.
  return "0x" + ((randomBytes(8).readBigUInt64BE() >> 1n) | 1n).toString(16);
}

/** Key algorithm of a test PKI: P-256 (default), or RSA 2048 for Moddable's TLS (ECDHE_RSA/DHE_RSA only). */
export type TestKeyType = "ec" | "rsa";

function newKey(keyPath: string, type: TestKeyType): void {
  if (type === "rsa") openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keyPath]);
  else openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", keyPath]);
}

function makeCa(dir: string, name: string, cn: string, config: string, type: TestKeyType): CertPair {
  const keyPath = path.join(dir, `${name}.key`);
  const certPath = path.join(dir, `${name}.crt`);
  newKey(keyPath, type);
  openssl(["req", "-x509", "-new", "-key", keyPath, "-subj", `/CN=${cn}`, "-days", "3650", "-sha256",
    "-config", config, "-extensions", "v3_ca", "-set_serial", serial(), "-out", certPath]);
  return { keyPath, certPath, key: readFileSync(keyPath, "utf8"), cert: readFileSync(certPath, "utf8") };
}

function makeLeaf(
  dir: string, name: string, cn: string, ca: CertPair, config: string, ext: string, type: TestKeyType,
): CertPair {
  const keyPath = path.join(dir, `${name}.key`);
  const csrPath = path.join(dir, `${name}.csr`);
  const certPath = path.join(dir, `${name}.crt`);
  newKey(keyPath, type);
  openssl(["req", "-new", "-key", keyPath, "-subj", `/CN=${cn}`, "-config", config, "-out", csrPath]);
  openssl(["x509", "-req", "-in", csrPath, "-CA", ca.certPath, "-CAkey", ca.keyPath, "-set_serial", serial(),
    "-days", "825", "-sha256", "-extfile", ext, "-out", certPath]);
  return { keyPath, certPath, key: readFileSync(keyPath, "utf8"), cert: readFileSync(certPath, "utf8") };
}

/**
 * Generates (once per process per `dir` and key type) the test PKI into `dir` (default: a fresh temp directory, removed
 * when the process exits, or by the next test process if this one is killed).
 * @throws when openssl is missing or fails (message includes openssl's stderr).
 */
export function makeTestPki(dir?: string, type: TestKeyType = "ec"): TestPki {
  const key = `${type}:${dir ?? ""}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const target = dir ?? makeTempDir("pki");
  // A directory we invented is ours to remove; a caller's directory is left alone.
  if (dir === undefined) process.once("exit", () => rmSync(target, { recursive: true, force: true }));
  mkdirSync(target, { recursive: true });
  const config = path.join(target, "openssl.cnf");
  const serverExt = path.join(target, "server.ext");
  const clientExt = path.join(target, "client.ext");
  writeFileSync(config, CA_CONFIG);
  writeFileSync(serverExt, SERVER_EXT);
  writeFileSync(clientExt, CLIENT_EXT);
  const ca = makeCa(target, "ca", "xsmqtt test CA", config, type);
  const otherCa = makeCa(target, "other-ca", "xsmqtt unrelated CA", config, type);
  const server = makeLeaf(target, "server", "localhost", ca, config, serverExt, type);
  const client = makeLeaf(target, "client", "xsmqtt-test-client", ca, config, clientExt, type);
  const pki: TestPki = { dir: target, ca, server, client, otherCa };
  cache.set(key, pki);
  return pki;
}
