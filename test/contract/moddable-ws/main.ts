/**
 * The host seam's contract (../socket-contract.ts) on Moddable's runtime over MQTT-over-WebSockets: the
 * device's `webSocketClass` (hosts/moddable/ws.ts, the shared framing over ModdableTCP) against the WebSocket
 * peer (../ws-peer.ts). Built and run in mcsim by test/device/contract-ws.device.ts; reports through trace().
 * @module
 */
import config from "mc/config";
import Time from "time";
import { webSocketClass } from "xsmqtt/moddable/ws";
import { ModdableClock } from "xsmqtt/moddable/clock";
import { runSocketContract } from "xsmqtt/contract/socket-contract";

runSocketContract({
  tcp: webSocketClass({ path: "/mqtt" }),
  clock: new ModdableClock(() => Time.ticks),
  address: "127.0.0.1",
  port: Number(Reflect.get(config, "peerPort")),
  closedPort: Number(Reflect.get(config, "closedPort")),
  report(line: string) {
    trace(`${line}\n`);
  },
});
