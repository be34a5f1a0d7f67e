/**
 * Device entry for mcconfig: Moddable's own classes, behind the client's and the drivers' seams, wired into
 * the firmware.
 *
 * Wi-Fi comes up the Moddable way before this module runs: the manifest includes
 * `$(MODDABLE)/examples/manifest_net.json`, whose `setup/network` (preloaded on esp32) joins the network
 * named by `config.ssid` / `config.password` (manifest `config`, or `mcconfig ... ssid=x password=y`) and
 * sets the clock by SNTP (`config.sntp`). On the desktop simulators (lin/mac/win) the host's network is
 * used and I2C is the simulated bus (`hosts/moddable/sim-i2c.ts`, mapped by the manifest's `platforms`).
 *
 * The seams are adapters, never casts: {@link ModdableTCP} (names resolved with `Net.resolve`),
 * {@link ModdableTLS} (the SDK's TLS session with the seam's options), {@link ModdableI2C}, and
 * {@link ModdableClock} (wrap-safe over the 32-bit `Time.ticks`).
 *
 * Configuration: `mc/config` holds the firmware config (see `src/app/config.ts`) plus a few flat keys that
 * are convenient on the mcconfig command line: `mqttHost`, `mqttPort`, `deviceId`, `mqttTls` ("1"), `caPem`,
 * `certPem`, `keyPem` (PEM text with `\n` escapes). An empty `deviceId` becomes `esp32-<MAC without colons>`.
 * `statsPeriod` (ms, default 0 = off) traces the firmware's counters periodically, for the serial console
 * and the device lane's loss counts.
 * @module
 */
import config from "mc/config";
import Instrumentation from "instrumentation";
import Net from "net";
import Time from "time";
import Timer from "timer";
import type { Host } from "xsmqtt/client/host";
import { Firmware, type DiagnosticsProvider, type FirmwareEvent } from "xsmqtt/app/firmware";
import { ConfigError } from "xsmqtt/app/config";
import { SHT3x } from "xsmqtt/drivers/sht3x";
import { BME280 } from "xsmqtt/drivers/bme280";
import { BH1750 } from "xsmqtt/drivers/bh1750";
import { ModdableClock } from "xsmqtt/moddable/clock";
import { ModdableTCP } from "xsmqtt/moddable/tcp";
import { ModdableTLS } from "xsmqtt/moddable/tls";
import { ModdableI2C } from "xsmqtt/moddable/i2c";

/** A flat mcconfig key as text: `key=value` on the command line always arrives as a string. */
function flat(c: object, key: string): string | undefined {
  const value: unknown = Reflect.get(c, key);
  return typeof value === "string" && value !== "" ? value.split("\\n").join("\n") : undefined;
}

/** Builds the firmware configuration from `mc/config` (flat command-line keys override). */
function firmwareConfig(): Record<string, unknown> {
  const c: Record<string, unknown> = { ...config };
  const broker: Record<string, unknown> = { ...(c["broker"] as Record<string, unknown> | undefined) };
  const host = flat(c, "mqttHost");
  if (host !== undefined) broker["hostname"] = host;
  const port = flat(c, "mqttPort");
  if (port !== undefined) broker["port"] = Number(port);
  if (flat(c, "mqttTls") === "1") {
    const tls: Record<string, unknown> = {};
    const ca = flat(c, "caPem");
    const cert = flat(c, "certPem");
    const key = flat(c, "keyPem");
    if (ca !== undefined) tls["ca"] = ca;
    if (cert !== undefined) tls["cert"] = cert;
    if (key !== undefined) tls["key"] = key;
    broker["tls"] = tls;
  }
  let deviceId = flat(c, "deviceId");
  if (deviceId === undefined) {
    const mac = Net.get("MAC") ?? "";
    deviceId = `esp32-${mac.split(":").join("").toLowerCase()}`;
  }
  for (const key of ["mqttHost", "mqttPort", "mqttTls", "caPem", "certPem", "keyPem", "statsPeriod"]) delete c[key];
  return { ...c, broker, deviceId };
}

function log(event: FirmwareEvent, detail: string): void {
  trace(`xsmqtt ${event}: ${detail}\n`);
}

/**
 * What the board knows about itself, for Home Assistant: the MAC always; Wi-Fi RSSI where the platform has
 * Wi-Fi (`wifiRssi` in the platform's config: esp32); free heap where the build has instrumentation.
 */
function diagnostics(): DiagnosticsProvider {
  const mac = Net.get("MAC");
  const freeMemory = Instrumentation.map("System Free Memory");
  const hasRssi = Reflect.get(config, "wifiRssi") === true;
  return {
    ...(typeof mac === "string" && mac !== "" ? { mac } : {}),
    ...(hasRssi ? { rssi: () => Net.get("RSSI") } : {}),
    ...(freeMemory === undefined ? {} : { freeHeap: () => Instrumentation.get(freeMemory) ?? NaN }),
  };
}

const host: Host = {
  tcp: ModdableTCP,
  tls: ModdableTLS,
  clock: new ModdableClock(() => Time.ticks),
  random: Math.random,
};

try {
  const firmware = new Firmware({
    config: firmwareConfig(),
    host,
    i2c: ModdableI2C,
    drivers: { sht3x: SHT3x, bme280: BME280, bh1750: BH1750 },
    wallClock: Date.now,
    delay: Timer.delay,
    onEvent: log,
    diagnostics: diagnostics(),
  });
  firmware.start();
  const statsPeriod = Number(Reflect.get(config, "statsPeriod") ?? 0);
  if (statsPeriod > 0) {
    const n = firmware.counters;
    Timer.repeat(() => {
      trace(`xsmqtt stats: samples=${n.samples} readings=${n.readings} senml=${n.senml} dropped=${n.dropped} ` +
        `faults=${n.faults} recoveries=${n.recoveries} connects=${n.connects} disconnects=${n.disconnects}\n`);
    }, statsPeriod);
  }
} catch (error) {
  if (error instanceof ConfigError) trace(`xsmqtt: bad configuration: ${error.message}\n`);
  else trace(`xsmqtt: failed to start: ${String(error)}\n`);
}
