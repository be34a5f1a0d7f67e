/**
 * MQTT over WebSockets (`ws://`) on Moddable: the engine-neutral RFC 6455 framing of `src/transport/websocket.ts`
 * (the same module `hosts/node/ws.ts` uses) over {@link ModdableTCP}, so names resolve and failures read as on
 * TCP. Why not the SDK's `modules/network/websocket` client: it is built on the classic `socket` module, not
 * on the ECMA-419 socket the seam wraps, it hands each message over as a new ArrayBuffer (one allocation per
 * message), and it cannot tell the caller how much send space is left; this framing reads payload bytes
 * straight from the TCP socket into the client's views and reports space like TCP.
 *
 * For `wss://` see `xsmqtt/moddable/wss` (kept apart so a `ws`-only build does not carry TLS).
 * Allocation: as `src/transport/websocket.ts` (per connection; nothing per packet).
 * @module
 */
import type { SocketConstructor } from "xsmqtt/client/host";
import { webSocketOver, type WebSocketTransportOptions } from "xsmqtt/transport/websocket";
import { ModdableTCP } from "xsmqtt/moddable/tcp";

/**
 * A socket class speaking MQTT over WebSockets over TCP; plug it in as `Host.tcp`.
 *
 * @example
 * ```ts
 * const host = { tcp: webSocketClass({ path: "/mqtt" }), clock, random: Math.random };
 * new MqttClient({ host, hostname: "broker.local", port: 8080, clientId: "esp32-0001" }).connect();
 * ```
 */
export function webSocketClass(options: WebSocketTransportOptions = {}): SocketConstructor {
  return webSocketOver(ModdableTCP, options);
}
