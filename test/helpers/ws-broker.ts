/**
 * A WebSocket MQTT broker for tests: aedes served through the `ws` package's WebSocketServer (subprotocol
 * `mqtt` selected by `handleProtocols`, MQTT 3.1.1 section 6), plus a plain TCP listener on the same aedes so
 * MQTT.js observers can watch. Optionally `wss` with a certificate (test PKI). Debian's mosquitto 2.0.11 here
 * is built without libwebsockets (no `libwebsockets` in `ldd`), so it cannot serve `protocol websockets`.
 * @module
 */
import net from "node:net";
import http from "node:http";
import https from "node:https";
import { Aedes } from "aedes";
import { WebSocketServer, createWebSocketStream, type WebSocket } from "ws";

/** A running broker. */
export interface WsBroker {
  /** Port of the WebSocket endpoint (path {@link path}). */
  readonly wsPort: number;
  /** Path of the WebSocket endpoint. */
  readonly path: string;
  /** Port of the plain MQTT listener (same broker). */
  readonly tcpPort: number;
  /** `mqtt://127.0.0.1:<tcpPort>` for observers. */
  readonly url: string;
  /** Open WebSocket connections. */
  readonly sockets: ReadonlySet<WebSocket>;
  /** Drops every WebSocket connection abruptly (TCP destroyed, no close frame); returns how many. */
  dropAll(): number;
  /** Stops listeners, connections and the broker. */
  stop(): Promise<void>;
}

/** Options of {@link startWsBroker}. */
export interface WsBrokerOptions {
  /** Endpoint path ["/mqtt"]. */
  path?: string;
  /** Serve `wss` with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
}

/** Starts aedes on free loopback ports: WebSocket (`ws` or `wss`) and plain TCP. */
export async function startWsBroker(options: WsBrokerOptions = {}): Promise<WsBroker> {
  const path = options.path ?? "/mqtt";
  const aedes = await Aedes.createBroker({ heartbeatInterval: 60_000 });
  aedes.on("clientError", () => undefined);
  aedes.on("connectionError", () => undefined);
  const tcpSockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    tcpSockets.add(socket);
    socket.on("close", () => tcpSockets.delete(socket));
    socket.on("error", () => undefined);
    aedes.handle(socket);
  });
  const server = options.tls === undefined ? http.createServer() : https.createServer({ cert: options.tls.cert, key: options.tls.key });
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({
    server,
    path,
    handleProtocols: (protocols) => (protocols.has("mqtt") ? "mqtt" : false),
  });
  wss.on("connection", (ws) => {
    sockets.add(ws);
    ws.on("close", () => sockets.delete(ws));
    ws.on("error", () => undefined);
    const stream = createWebSocketStream(ws);
    stream.on("error", () => undefined);
    aedes.handle(stream as unknown as net.Socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  const wsPort = (server.address() as net.AddressInfo).port;
  const tcpPort = (tcp.address() as net.AddressInfo).port;
  return {
    wsPort,
    path,
    tcpPort,
    url: `mqtt://127.0.0.1:${tcpPort}`,
    sockets,
    dropAll() {
      const n = sockets.size;
      for (const ws of sockets) ws.terminate();
      return n;
    },
    async stop() {
      for (const ws of sockets) ws.terminate();
      for (const s of tcpSockets) s.destroy();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
