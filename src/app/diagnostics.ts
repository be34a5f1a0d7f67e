/**
 * Device diagnostics: what the board truly knows about itself, published as plain integers to
 * `<prefix>/<deviceId>/diag/<name>` and announced to Home Assistant as `entity_category: diagnostic` sensors.
 *
 * - `uptime`: seconds since the firmware started (the host clock; always known);
 * - `reconnects`: connections after the first one since start (always known);
 * - `rssi`: Wi-Fi signal, dBm, when the host's {@link DiagnosticsProvider} has `rssi()`;
 * - `heap`: free heap, bytes, when the provider has `freeHeap()`.
 *
 * The host fills the provider: the simulator with simulated values (sim/device.ts), the ESP32 entry with what
 * Moddable exposes (`Net.get("RSSI")`, `Net.get("MAC")`, the `instrumentation` module's "System Free Memory").
 * A round allocates nothing: handles and the text buffer are made once, values are numbers.
 *
 * Module scope: frozen constants and functions (XS preload).
 * @module
 */

import { writeInteger } from "../codec/text.js";
import type { MqttClient } from "../client/client.js";
import { BUSY } from "../client/codes.js";
import { diagnosticTopic } from "./topics.js";

/**
 * What the host knows about the board, injected into the firmware (`FirmwareOptions.diagnostics`).
 * Every member is optional: leave out what the platform cannot tell.
 */
export interface DiagnosticsProvider {
  /** MAC address of the network interface (`"aa:bb:cc:dd:ee:ff"`, any case, `:`/`-` or none); read at setup. */
  readonly mac?: string | undefined;
  /** Hardware revision for the device registry (`hw_version`); read at setup. */
  readonly hwVersion?: string | undefined;
  /** Serial number for the device registry (`serial_number`); read at setup. */
  readonly serialNumber?: string | undefined;
  /** Wi-Fi RSSI in dBm, called once per diagnostics round; anything but a finite number = unknown this round. Must not allocate. */
  rssi?(): number;
  /** Free heap in bytes, called once per diagnostics round; anything but a finite number = unknown. Must not allocate. */
  freeHeap?(): number;
}

/** Names of the device diagnostics (topic level and Home Assistant object id). */
export type DiagnosticName = "uptime" | "reconnects" | "rssi" | "heap";

/** How one diagnostic is described to Home Assistant. */
export interface DiagnosticInfo {
  /** Entity name. */
  readonly label: string;
  /** `device_class`, or `null` for none. */
  readonly deviceClass: string | null;
  /** `unit_of_measurement`, or `null`. */
  readonly unit: string | null;
  /** `state_class`. */
  readonly stateClass: "measurement" | "total_increasing";
  /** `icon`, or `null` (the device class gives one). */
  readonly icon: string | null;
}

/** Home Assistant descriptions of the diagnostics, by name. */
export const DIAGNOSTICS: Readonly<Record<DiagnosticName, DiagnosticInfo>> = Object.freeze({
  uptime: Object.freeze({ label: "Uptime", deviceClass: "duration", unit: "s", stateClass: "total_increasing", icon: null }),
  reconnects: Object.freeze({ label: "Reconnects", deviceClass: null, unit: null, stateClass: "total_increasing", icon: "mdi:lan-connect" }),
  rssi: Object.freeze({ label: "Wi-Fi signal", deviceClass: "signal_strength", unit: "dBm", stateClass: "measurement", icon: null }),
  heap: Object.freeze({ label: "Free heap", deviceClass: "data_size", unit: "B", stateClass: "measurement", icon: null }),
} as const);

const UPTIME = 0;
const RECONNECTS = 1;
const RSSI = 2;
const HEAP = 3;
const END = 4;

/** The diagnostics a provider makes available, in publish order (setup time; allocates). */
export function diagnosticNames(provider: DiagnosticsProvider | undefined): DiagnosticName[] {
  const names: DiagnosticName[] = ["uptime", "reconnects"];
  if (provider && typeof provider.rssi === "function") names.push("rssi");
  if (provider && typeof provider.freeHeap === "function") names.push("heap");
  return names;
}

/**
 * A MAC address as Home Assistant's device registry writes it (`aa:bb:cc:dd:ee:ff`), or `undefined` when
 * `mac` is not 12 hex digits (with or without `:`/`-` separators). Setup time.
 */
export function normalizeMac(mac: string | undefined): string | undefined {
  if (typeof mac !== "string") return undefined;
  let hex = "";
  for (let i = 0; i < mac.length; i++) {
    const c = mac.charCodeAt(i) | 32;
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) hex += String.fromCharCode(c);
    else if (c !== 58 && c !== 45) return undefined;
  }
  if (hex.length !== 12) return undefined;
  let out = "";
  for (let i = 0; i < 12; i += 2) out += (i ? ":" : "") + hex.slice(i, i + 2);
  return out;
}

/** Bytes a diagnostic payload can take: a signed integer below 10^15. */
const TEXT_SIZE = 17;

/**
 * Publishes the device diagnostics as integers; one round at a time, resumable after `BUSY`. Holds no buffer of
 * its own: it writes into a text region the firmware lends (the readings' region; a publish copies the bytes).
 */
export class DiagnosticsPublisher {
  readonly #client: MqttClient;
  readonly #provider: DiagnosticsProvider | undefined;
  readonly #text: Uint8Array;
  readonly #textAt: number;
  // Topic handles by diagnostic (-1: not published, the provider cannot tell).
  readonly #uptime: number;
  readonly #reconnects: number;
  readonly #rssi: number;
  readonly #heap: number;
  /** Next diagnostic of the owed round (UPTIME..HEAP), or -1 when none is owed. */
  #next = -1;

  /**
   * Setup: registers one topic handle per diagnostic the provider supports.
   * @param client - the firmware's client (handles are registered on it)
   * @param text - bytes `[textAt, textAt + maxPayload)` to write a value into; used only during {@link pump}
   */
  constructor(client: MqttClient, prefix: string, deviceId: string, provider: DiagnosticsProvider | undefined,
    text: Uint8Array, textAt: number) {
    this.#client = client;
    this.#provider = provider;
    this.#text = text;
    this.#textAt = textAt;
    const names = diagnosticNames(provider);
    const handle = (name: DiagnosticName): number =>
      names.indexOf(name) >= 0 ? client.topic(diagnosticTopic(prefix, deviceId, name)) : -1;
    this.#uptime = handle("uptime");
    this.#reconnects = handle("reconnects");
    this.#rssi = handle("rssi");
    this.#heap = handle("heap");
  }

  /** Largest payload in bytes (a signed integer), for client sizing and the lent text region. */
  static readonly maxPayload = TEXT_SIZE;

  /** Owes a round: the next {@link pump} publishes every diagnostic (restarts a round in progress). */
  request(): void {
    this.#next = 0;
  }

  /** Drops an owed round (the link went down). */
  cancel(): void {
    this.#next = -1;
  }

  /** True while a round is owed. */
  get pending(): boolean {
    return this.#next >= 0;
  }

  /**
   * Publishes what is owed of the round (QoS 0, not retained: stale diagnostics must not outlive the board).
   * Unknown values (the provider returned no finite number) are skipped. Allocates nothing.
   * @param uptimeMs - milliseconds since start
   * @param reconnects - connections after the first
   * @returns 0 when the round is done (or none was owed), {@link BUSY} when the client is full (call again on writable)
   */
  pump(uptimeMs: number, reconnects: number): number {
    while (this.#next >= 0 && this.#next < END) {
      const kind = this.#next;
      const provider = this.#provider;
      let handle = -1;
      let value = NaN;
      if (kind === UPTIME) {
        handle = this.#uptime;
        value = Math.floor(uptimeMs / 1000);
      } else if (kind === RECONNECTS) {
        handle = this.#reconnects;
        value = reconnects;
      } else if (kind === RSSI && this.#rssi >= 0) {
        handle = this.#rssi;
        value = provider!.rssi!();
      } else if (kind === HEAP && this.#heap >= 0) {
        handle = this.#heap;
        value = provider!.freeHeap!();
      }
      // Numbers only: `undefined`, strings and NaN fail both comparisons.
      if (handle >= 0 && value > -1e15 && value < 1e15) {
        const at = this.#textAt;
        const end = writeInteger(this.#text, at, value);
        if (end > at) {
          const status = this.#client.publish(handle, this.#text, at, end - at, 0, false);
          if (status === BUSY) return BUSY;
        }
      }
      this.#next = kind + 1;
    }
    this.#next = -1;
    return 0;
  }
}
