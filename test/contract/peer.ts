/**
 * The peer of the socket contract (socket-contract.ts): a loopback TCP server that reads a case byte per
 * connection and acts it out. Node only; the suite itself runs on either host.
 * @module
 */
import net from "node:net";
import { freePort } from "../helpers/mosquitto.js";
import { PeerCase } from "./socket-contract.js";

/** A running peer. */
export interface ContractPeer {
  readonly port: number;
  /** A port that was bound and released: nothing listens there. */
  readonly closedPort: number;
  close(): Promise<void>;
}

/** Starts the peer on a free loopback port. */
export async function startContractPeer(): Promise<ContractPeer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let mode = 0;
    socket.on("data", (data) => {
      if (mode === 0) mode = data[0] ?? 0;
      switch (mode) {
        case PeerCase.ECHO:
          socket.write(data);
          break;
        case PeerCase.SEND_THEN_CLOSE:
          socket.end(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
          mode = -1;
          break;
        case PeerCase.RESET:
          socket.resetAndDestroy();
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
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
