/**
 * Device entry for mcconfig: Moddable's own ECMA-419 io classes and Timer wired into the firmware.
 *
 * Wi-Fi comes up the Moddable way before this module runs: the manifest includes
 * `$(MODDABLE)/examples/manifest_net.json`, whose `setup/network` (preloaded on esp32) joins the network
 * named by `config.ssid` / `config.password` (manifest `config`, or `mcconfig ... ssid=x password=y`) and
 * sets the clock by SNTP (`config.sntp`). On the desktop simulators (lin/mac/win) the host's network is
 * used and I2C is the simulated bus (`hosts/moddable/sim-i2c.ts`, mapped by the manifest's `platforms`).
 *
 * Configuration: `mc/config` holds the firmware config (see `src/app/config.ts`) plus a few flat keys that
 * are convenient on the mcconfig command line: `mqttHost`, `mqttPort`, `deviceId`. An empty `deviceId`
 * becomes `esp32-<MAC without colons>`.
 * @module
 */
import config from "mc/config";
import TCP from "embedded:io/socket/tcp";
import TLS from "embedded:io/socket/tcp/tls";
import I2C from "embedded:io/i2c";
import Net from "net";
import Time from "time";
import Timer from "timer";
import type { Host, SocketConstructor } from "xsmqtt/client/host";
import type { I2CConstructor } from "xsmqtt/drivers/i2c";
import { Firmware, type FirmwareEvent } from "xsmqtt/app/firmware";
import { ConfigError } from "xsmqtt/app/config";
import { SHT3x } from "xsmqtt/drivers/sht3x";
import { BME280 } from "xsmqtt/drivers/bme280";
import { BH1750 } from "xsmqtt/drivers/bh1750";
import { ModdableClock } from "xsmqtt/moddable/clock";

/** Builds the firmware configuration from `mc/config` (flat command-line keys override). */
function firmwareConfig(): Record<string, unknown> {
  const c = config as Record<string, unknown>;
  const broker = { ...(c["broker"] as Record<string, unknown> | undefined) };
  if (typeof c["mqttHost"] === "string" && c["mqttHost"] !== "") broker["hostname"] = c["mqttHost"];
  if (c["mqttPort"] !== undefined && c["mqttPort"] !== "") broker["port"] = c["mqttPort"];
  let deviceId = c["deviceId"];
  if (typeof deviceId !== "string" || deviceId === "") {
    const mac = Net.get("MAC") ?? "";
    deviceId = `esp32-${mac.split(":").join("").toLowerCase()}`;
  }
  return { ...c, broker, deviceId };
}

function log(event: FirmwareEvent, detail: string): void {
  trace(`xsmqtt ${event}: ${detail}\n`);
}

const host: Host = {
  tcp: TCP as unknown as SocketConstructor,
  tls: TLS as unknown as SocketConstructor,
  clock: new ModdableClock(() => Time.ticks),
  random: Math.random,
};

try {
  const firmware = new Firmware({
    config: firmwareConfig(),
    host,
    i2c: I2C as unknown as I2CConstructor,
    drivers: { sht3x: SHT3x, bme280: BME280, bh1750: BH1750 },
    wallClock: Date.now,
    delay: Timer.delay,
    onEvent: log,
  });
  firmware.start();
} catch (error) {
  if (error instanceof ConfigError) trace(`xsmqtt: bad configuration: ${error.message}\n`);
  else trace(`xsmqtt: failed to start: ${String(error)}\n`);
}
