/**
 * The simulated board's diagnostics provider: what the ESP32 host would read from Moddable (`Net.get("MAC")`,
 * `Net.get("RSSI")`, the `instrumentation` module's free memory), simulated here. Deterministic per device:
 * a locally administered MAC from the fleet index, an RSSI that drifts slowly around a per-device level, and a
 * free heap that varies a little around a typical ESP32 figure. Methods live on the prototype, so a fleet pays
 * a few numbers per device.
 * @module
 */
import type { DiagnosticsProvider } from "../src/app/diagnostics.js";

/** Hardware version reported by simulated boards. */
export const SIM_HW_VERSION = "sim";

/** Simulated diagnostics of one board. */
export class SimBoardDiagnostics implements DiagnosticsProvider {
  /** `02:78:73:xx:xx:xx`: locally administered ("xs"), the last three bytes the device index. */
  readonly mac: string;
  /** {@link SIM_HW_VERSION}. */
  readonly hwVersion = SIM_HW_VERSION;
  /** `SIM-<seed>-<index>`. */
  readonly serialNumber: string;
  readonly #now: () => number;
  readonly #level: number;
  readonly #phase: number;

  /**
   * @param index - the device's index in the fleet (0 for one board)
   * @param seed - the simulation seed
   * @param now - monotonic milliseconds (the simulator's clock)
   */
  constructor(index: number, seed: number, now: () => number) {
    const hex = (n: number): string => (n & 0xff).toString(16).padStart(2, "0");
    this.mac = `02:78:73:${hex(index >> 16)}:${hex(index >> 8)}:${hex(index)}`;
    this.serialNumber = `SIM-${seed}-${index}`;
    this.#now = now;
    this.#level = -48 - ((index * 7 + seed) % 30); // -48 .. -77 dBm
    this.#phase = (index * 0.7 + seed) % 6.283;
  }

  /** Simulated Wi-Fi RSSI, dBm: the device's level ±4 dB, drifting over minutes. */
  rssi(): number {
    return Math.round(this.#level + 4 * Math.sin(this.#now() / 90_000 + this.#phase));
  }

  /** Simulated free heap, bytes: around 172 KB (an ESP32 running this firmware), ±2 KB. */
  freeHeap(): number {
    return 172_000 + Math.round(2000 * Math.sin(this.#now() / 45_000 + this.#phase));
  }
}
