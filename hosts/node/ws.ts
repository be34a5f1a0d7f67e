/**
 * MQTT over WebSockets on the Node host: `ws://` over {@link TCPSocket} and `wss://` over {@link TLSSocket},
 * framed by the engine-neutral `src/transport/websocket.ts` (shared with `hosts/moddable/ws.ts`). The result is a
 * socket class with exactly the seam's contract (first `onWritable` after the WebSocket handshake, exact
 * reads, write returns the space left or `undefined` after failure, `onError` after the close frame or FIN
 * once everything was read, no callback after `close()`), so the client is unchanged.
 * @module
 */
import type { SocketConstructor } from "../../src/client/host.js";
import { webSocketOver, type WebSocketTransportOptions } from "../../src/transport/websocket.js";
import { TCPSocket } from "./tcp.js";
import { TLSSocket } from "./tls.js";

export {
  WebSocketSocket,
  WS_HANDSHAKE_FAILED,
  WS_PROTOCOL_ERROR,
  WS_SEND_RESERVE,
  webSocketOver,
  type WebSocketTransportOptions,
} from "../../src/transport/websocket.js";

/** Options of {@link webSocketClass}. */
export interface WebSocketClassOptions extends WebSocketTransportOptions {
  /** `true` for `wss://` (TLS; the client's `tls` options reach it as `secure`), else `ws://` [false]. */
  secure?: boolean;
}

/**
 * A socket class speaking MQTT over WebSockets. Plug it in as `Host.tcp` (`ws://`) or, with `secure: true`,
 * as `Host.tls` (`wss://`, used when the client has `tls` options).
 *
 * @example
 * ```ts
 * const host = { ...createNodeHost(), tcp: webSocketClass({ path: "/mqtt" }) };
 * const client = new MqttClient({ host, hostname: "127.0.0.1", port: 8080, clientId: "ws-demo" });
 * ```
 */
export function webSocketClass(options: WebSocketClassOptions = {}): SocketConstructor {
  return webSocketOver(options.secure === true ? TLSSocket : TCPSocket, options);
}
