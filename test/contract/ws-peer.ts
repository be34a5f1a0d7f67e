/**
 * The socket contract's peer (see peer.ts) behind a WebSocket endpoint: the same cases, acted out in binary
 * frames by the `ws` package's server (subprotocol `mqtt`). The case byte is the first payload byte. "Close"
 * is a close frame (1000) then the TCP FIN; "reset" destroys the TCP connection with RST. Node only.
 * @module
 */
import http from "node:http";
import net from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { freePort } from "../helpers/mosquitto.js";
import { PeerCase } from "./socket-contract.js";
import type { ContractPeer } from "./peer.js";

/** Starts the WebSocket contract peer on a free loopback port, endpoint `path`. */
export async function startWsContractPeer(path = "/mqtt"): Promise<ContractPeer> {
  const server = http.createServer();
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ server, path, handleProtocols: (p) => (p.has("mqtt") ? "mqtt" : false) });
  wss.on("connection", (ws) => {
    sockets.add(ws);
    ws.on("close", () => sockets.delete(ws));
    ws.on("error", () => undefined);
    let mode = 0;
    ws.on("message", (data: Buffer) => {
      if (mode === 0) mode = data[0] ?? 0;
      switch (mode) {
        case PeerCase.ECHO:
          ws.send(data, { binary: true });
          break;
        case PeerCase.SEND_THEN_CLOSE:
          ws.send(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { binary: true });
          ws.close(1000);
          mode = -1;
          break;
        case PeerCase.RESET:
          (ws as unknown as { _socket: net.Socket })._socket.resetAndDestroy();
          break;
        default:
          break;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const closedPort = await freePort();
  return {
    port,
    closedPort,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.terminate();
      wss.close();
      server.close(() => resolve());
    }),
  };
}
