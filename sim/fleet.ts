/**
 * A fleet of simulated devices in one Node process, started staggered so the broker is not hit by a
 * connect storm (real fleets power up over seconds, not in one tick).
 * @module
 */
import { SimDevice, type SimDeviceOptions } from "./device.js";

/** Options of {@link Fleet}: everything a device needs except its id, plus fleet-wide settings. */
export interface FleetOptions extends Omit<SimDeviceOptions, "id"> {
  /** Number of devices. */
  count: number;
  /** Device ids: `<idPrefix>0001`, ... */
  idPrefix: string;
  /** Spread the starts evenly over this many ms (0: all at once). */
  stagger: number;
}

/** Device id number `i` (0-based): `<idPrefix><i+1, at least 4 digits>`. */
export function fleetDeviceId(idPrefix: string, i: number): string {
  return `${idPrefix}${String(i + 1).padStart(4, "0")}`;
}

/** Creates, starts and stops many {@link SimDevice}s. */
export class Fleet {
  /** The devices, in id order. */
  readonly devices: SimDevice[] = [];
  readonly #stagger: number;
  #timers: NodeJS.Timeout[] = [];

  /** Creates every device (nothing connects until {@link start}). */
  constructor(options: FleetOptions) {
    const { count, idPrefix, stagger, ...shared } = options;
    this.#stagger = stagger;
    for (let i = 0; i < count; i++) this.devices.push(new SimDevice({ ...shared, id: fleetDeviceId(idPrefix, i), index: i }));
  }

  /** Starts the devices, spread over the stagger time; resolves when all have been started. */
  start(): Promise<void> {
    const n = this.devices.length;
    if (n === 0) return Promise.resolve();
    if (this.#stagger <= 0 || n === 1) {
      for (const d of this.devices) d.start();
      return Promise.resolve();
    }
    const step = this.#stagger / n;
    return new Promise((resolve) => {
      let started = 0;
      // Batches per timer tick keep the timer count small for large fleets.
      const batch = Math.max(1, Math.ceil(n / Math.max(1, this.#stagger / 10)));
      for (let first = 0; first < n; first += batch) {
        const t = setTimeout(() => {
          for (let i = first; i < Math.min(n, first + batch); i++) {
            this.devices[i]!.start();
            started++;
          }
          if (started === n) resolve();
        }, Math.floor(first * step));
        this.#timers.push(t);
      }
    });
  }

  /** Cuts every device's connection abruptly (each reconnects by itself). Returns how many were cut. */
  cutAll(): number {
    let n = 0;
    for (const d of this.devices) n += d.cut();
    return n;
  }

  /** Stops every device cleanly (offline retained, DISCONNECT). */
  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    for (const d of this.devices) d.stop();
  }

  /** Devices whose client is connected now. */
  get connected(): number {
    let n = 0;
    for (const d of this.devices) if (d.firmware.client.connected) n++;
    return n;
  }

  /** Resolves when at least `count` devices are connected; rejects after `timeoutMs`. */
  waitConnected(count: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const check = (): void => {
        if (this.connected >= count) return resolve();
        if (Date.now() > deadline) return reject(new Error(`${this.connected} of ${count} devices connected after ${timeoutMs} ms`));
        setTimeout(check, 50);
      };
      check();
    });
  }
}
