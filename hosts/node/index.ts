/**
 * The Node host: node:net / node:tls sockets with Moddable lwip semantics, a timer clock, Math.random.
 * @module
 */
import type { Host } from "../../src/client/host.js";
import { NodeClock, type NodeClockOptions } from "./clock.js";
import { TCPSocket } from "./tcp.js";
import { TLSSocket } from "./tls.js";

export {
  TCPSocket,
  NodeStreamSocket,
  DEFAULT_SEND_BUFFER_SIZE,
  DEFAULT_RECEIVE_QUEUE_LIMIT,
  type NodeSocketOptions,
  type BufferSource,
} from "./tcp.js";
export { TLSSocket, TLS_VERIFY_ERRORS } from "./tls.js";
export { NodeClock, type NodeClockOptions } from "./clock.js";
export { FileSessionStore, type FileSessionStoreOptions } from "./file-store.js";
export {
  webSocketClass,
  webSocketOver,
  WebSocketSocket,
  WS_HANDSHAKE_FAILED,
  WS_PROTOCOL_ERROR,
  WS_SEND_RESERVE,
  type WebSocketClassOptions,
  type WebSocketTransportOptions,
} from "./ws.js";

/** Options for {@link createNodeHost}. */
export interface NodeHostOptions {
  /** Clock options (e.g. `unref` so timers do not keep a test process alive). */
  clock?: NodeClockOptions;
  /** Replace the random source (deterministic reconnect jitter in tests). */
  random?: () => number;
}

/** Builds a {@link Host} for Node: `{ tcp: TCPSocket, tls: TLSSocket, clock: NodeClock, random }`. */
export function createNodeHost(options: NodeHostOptions = {}): Host {
  return {
    tcp: TCPSocket,
    tls: TLSSocket,
    clock: new NodeClock(options.clock),
    random: options.random ?? Math.random,
  };
}
