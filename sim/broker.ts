/**
 * An embedded MQTT broker (aedes, in process) on a free loopback port, so `npm start` works on a fresh
 * machine without mosquitto. Not for production: it exists so the simulator has somewhere to publish.
 * @module
 */
import net from "node:net";
import { Aedes } from "aedes";

/** A running embedded broker. */
export interface EmbeddedBroker {
  /** Loopback port it listens on. */
  readonly port: number;
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  /** Connected clients right now. */
  readonly clients: number;
  /** Destroys every client connection (each sees a reset): a network cut for every device. */
  cutAll(): number;
  /** Destroys the connection of one client id, if connected; returns true when it found one. */
  cut(clientId: string): boolean;
  /** Closes all connections and the listener. */
  stop(): Promise<void>;
}

/**
 * Starts aedes on `127.0.0.1:<port>` (`port` 0 = any free port).
 * @param port listening port, default 0 (free port)
 */
export async function startEmbeddedBroker(port = 0): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker({ heartbeatInterval: 60_000 });
  const sockets = new Map<string, net.Socket>();
  const all = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    all.add(socket);
    socket.setNoDelay(true);
    socket.on("close", () => all.delete(socket));
    socket.on("error", () => undefined);
    aedes.handle(socket);
  });
  aedes.on("client", (client) => {
    const conn = (client as unknown as { conn?: net.Socket }).conn;
    if (conn && client.id) sockets.set(client.id, conn);
  });
  aedes.on("clientDisconnect", (client) => {
    const conn = (client as unknown as { conn?: net.Socket }).conn;
    if (client.id && sockets.get(client.id) === conn) sockets.delete(client.id);
  });
  // A client error is the client's problem (abrupt close, protocol error); the broker keeps running.
  aedes.on("clientError", () => undefined);
  aedes.on("connectionError", () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return {
    port: actual,
    url: `mqtt://127.0.0.1:${actual}`,
    get clients() {
      return aedes.connectedClients;
    },
    cutAll() {
      const n = all.size;
      for (const s of all) s.destroy();
      return n;
    },
    cut(clientId: string) {
      const s = sockets.get(clientId);
      if (!s) return false;
      s.destroy();
      return true;
    },
    async stop() {
      for (const s of all) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
