/**
 * The host seam's contract (../socket-contract.ts) on Moddable's runtime, with the device's own adapters over
 * Moddable's classes. Built by the device lane (test/device/contract.device.ts) for lin and run in mcsim; it
 * reports through trace(). `peerPort` and `closedPort` come from the mcconfig command line.
 * @module
 */
import config from "mc/config";
import Time from "time";
import { ModdableTCP } from "xsmqtt/moddable/tcp";
import { ModdableClock } from "xsmqtt/moddable/clock";
import { runSocketContract } from "xsmqtt/contract/socket-contract";

runSocketContract({
  tcp: ModdableTCP,
  clock: new ModdableClock(() => Time.ticks),
  address: "127.0.0.1",
  port: Number(Reflect.get(config, "peerPort")),
  closedPort: Number(Reflect.get(config, "closedPort")),
  report(line: string) {
    trace(`${line}\n`);
  },
});
