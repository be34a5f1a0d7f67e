/**
 * MQTT over secure WebSockets (`wss://`) on Moddable: the framing of `src/transport/websocket.ts` over
 * {@link ModdableTLS}; the client's `tls` options reach the TLS socket as `secure` (verification on by default).
 * @module
 */
import type { SocketConstructor } from "xsmqtt/client/host";
import { webSocketOver, type WebSocketTransportOptions } from "xsmqtt/transport/websocket";
import { ModdableTLS } from "xsmqtt/moddable/tls";

/**
 * A socket class speaking MQTT over WebSockets over TLS; plug it in as `Host.tls` (used when the client has
 * `tls` options).
 *
 * @example
 * ```ts
 * const host = { tcp: ModdableTCP, tls: secureWebSocketClass({ path: "/mqtt" }), clock, random: Math.random };
 * new MqttClient({ host, hostname: "broker.example", port: 443, tls: { ca }, clientId: "esp32-0001" }).connect();
 * ```
 */
export function secureWebSocketClass(options: WebSocketTransportOptions = {}): SocketConstructor {
  return webSocketOver(ModdableTLS, options);
}
