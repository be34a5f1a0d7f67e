/**
 * hosts/node/tls.ts against a node:tls server with the generated test PKI: verification on by default,
 * failures reported with a reason, mutual TLS.
 */
import { X509Certificate, createPrivateKey } from "node:crypto";
import tls from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TLSSocket, TLS_VERIFY_ERRORS, type NodeSocketOptions } from "../../hosts/node/index.js";
import type { TlsOptions } from "../../src/client/host.js";
import { makeTestPki, type TestPki } from "../helpers/certs.js";

interface Run {
  socket: TLSSocket;
  writable: number[];
  errors: unknown[];
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timeout: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("TLSSocket (node:tls, verification on by default)", () => {
  let pki: TestPki;
  let server: tls.Server;
  let mtlsServer: tls.Server;
  let port = 0;
  let mtlsPort = 0;
  const peerNames: string[] = [];
  const sockets: TLSSocket[] = [];

  async function listen(s: tls.Server): Promise<number> {
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    const address = s.address();
    return typeof address === "object" && address !== null ? address.port : 0;
  }

  beforeAll(async () => {
    pki = makeTestPki();
    const echo = (peer: tls.TLSSocket): void => {
      peer.on("error", () => undefined);
      peer.on("data", (chunk: Buffer) => peer.write(chunk));
    };
    server = tls.createServer({ key: pki.server.key, cert: pki.server.cert }, echo);
    server.on("tlsClientError", () => undefined);
    mtlsServer = tls.createServer(
      { key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true },
      (peer) => {
        const cert = peer.getPeerCertificate();
        peerNames.push(String(cert.subject?.CN ?? ""));
        echo(peer);
      },
    );
    mtlsServer.on("tlsClientError", () => undefined);
    port = await listen(server);
    mtlsPort = await listen(mtlsServer);
  }, 10000);

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => mtlsServer.close(() => resolve()));
  });

  function open(options: Partial<NodeSocketOptions> & { secure: TlsOptions }, p = port): Run {
    const run: Run = { socket: undefined as unknown as TLSSocket, writable: [], errors: [] };
    run.socket = new TLSSocket({
      host: "localhost",
      port: p,
      nodelay: true,
      onWritable(count) {
        run.writable.push(count);
      },
      onError(error?: unknown) {
        run.errors.push(error);
      },
      ...options,
    });
    sockets.push(run.socket);
    return run;
  }

  async function roundTrip(run: Run): Promise<string> {
    await until(() => run.writable.length > 0 || run.errors.length > 0, 3000, "handshake");
    expect(run.errors).toEqual([]);
    run.socket.write(Buffer.from("hello over tls"));
    await until(() => run.socket.available === 14, 3000, "echo");
    const out = new Uint8Array(14);
    run.socket.read(out);
    return Buffer.from(out).toString();
  }

  it("trusting the right CA: handshake, then data flows both ways", async () => {
    const run = open({ secure: { ca: pki.ca.cert } });
    expect(await roundTrip(run)).toBe("hello over tls");
    expect(run.writable[0]).toBe(8192);
  }, 5000);

  it("verifies an IP address against the certificate's IP SAN (no SNI for IPs)", async () => {
    const run = open({ host: undefined, address: "127.0.0.1", secure: { ca: Buffer.from(pki.ca.cert) } });
    expect(await roundTrip(run)).toBe("hello over tls");
  }, 5000);

  it("accepts DER bytes for the CA and the client certificate/key (Moddable resources are DER)", async () => {
    const caDer = new X509Certificate(pki.ca.cert).raw;
    const certDer = new X509Certificate(pki.client.cert).raw;
    const keyDer = createPrivateKey(pki.client.key).export({ format: "der", type: "sec1" });
    const run = open(
      { secure: { ca: new Uint8Array(caDer), cert: new Uint8Array(certDer), key: new Uint8Array(keyDer) } },
      mtlsPort,
    );
    expect(await roundTrip(run)).toBe("hello over tls");
  }, 5000);

  it("wrong CA → onError with the verification code, recorded in lastError, no onWritable", async () => {
    const run = open({ secure: { ca: pki.otherCa.cert } });
    await until(() => run.errors.length > 0, 3000, "onError");
    expect(run.errors).toEqual(["UNABLE_TO_VERIFY_LEAF_SIGNATURE"]);
    expect(run.socket.lastError).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    expect(TLS_VERIFY_ERRORS.has(run.socket.lastError!)).toBe(true);
    expect(run.writable).toEqual([]);
  }, 5000);

  it("no CA given: the default trust store rejects the test server (verification is on by default)", async () => {
    const run = open({ secure: {} });
    await until(() => run.errors.length > 0, 3000, "onError");
    expect(TLS_VERIFY_ERRORS.has(String(run.errors[0]))).toBe(true);
    expect(run.writable).toEqual([]);
  }, 5000);

  it("wrong host name → ERR_TLS_CERT_ALTNAME_INVALID", async () => {
    const run = open({ secure: { ca: pki.ca.cert, servername: "broker.example.com" } });
    await until(() => run.errors.length > 0, 3000, "onError");
    expect(run.errors).toEqual(["ERR_TLS_CERT_ALTNAME_INVALID"]);
    expect(run.socket.lastError).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    expect(run.writable).toEqual([]);
  }, 5000);

  it("rejectUnauthorized: false connects despite an untrusted chain (explicit opt-out only)", async () => {
    const run = open({ secure: { ca: pki.otherCa.cert, rejectUnauthorized: false } });
    expect(await roundTrip(run)).toBe("hello over tls");
  }, 5000);

  it("mutual TLS: a client certificate signed by the CA is accepted by a server that requires one", async () => {
    const run = open({ secure: { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key } }, mtlsPort);
    expect(await roundTrip(run)).toBe("hello over tls");
    expect(peerNames).toContain("xsmqtt-test-client");
  }, 5000);

  it("mutual TLS without a client certificate → onError", async () => {
    const run = open({ secure: { ca: pki.ca.cert } }, mtlsPort);
    await until(() => run.errors.length > 0, 3000, "onError");
    // TLS 1.3 alert 116 (or a reset when it races the close).
    expect(run.socket.lastError).toMatch(/CERTIFICATE_REQUIRED|ECONNRESET/);
    // TLS 1.3: the client may finish its side before the server's alert; it must not be able to use it.
    expect(run.errors.length).toBe(1);
  }, 5000);
});
