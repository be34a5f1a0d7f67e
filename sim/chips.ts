/**
 * The simulator's view of the simulated chips (`sim/chips/`): one factory per sensor kind, one shared
 * environment per seed, and fault names as the CLI spells them.
 * @module
 */
import type { SimI2CDevice } from "./bus.js";
import type { SensorKind } from "../src/app/config.js";
import { Environment } from "./chips/environment.js";
import type { FaultName, SimChip as Chip } from "./chips/chip.js";
import { SimSHT3x } from "./chips/sht3x.js";
import { SimBME280 } from "./chips/bme280.js";
import { SimBH1750 } from "./chips/bh1750.js";

/** Fault names accepted by `--fault` and {@link SimChip.setFault}. */
export type ChipFault = FaultName;

/** A chip as the simulator drives it. */
export interface SimChip {
  /** What the bus talks to. */
  readonly device: SimI2CDevice;
  /** Model name. */
  readonly model: string;
  /**
   * Injects a fault (persistent until cleared: `nack` and `corruptCrc` apply to every transaction), or
   * clears every fault with `null`.
   * @throws RangeError when this chip does not model the fault (e.g. corruptCrc on a BME280).
   */
  setFault(fault: ChipFault | null): void;
}

/** Environments per (seed, variant); immutable after construction, shared by devices. */
const VARIANTS = 16;

/** A process-wide cache of environments, created on first use. */
export class EnvironmentCache {
  readonly #map = new Map<number, Environment>();
  /** The environment for `seed` and device `index` (16 variants per seed). */
  get(seed: number, index: number): Environment {
    const key = (seed >>> 0) * VARIANTS + (index % VARIANTS);
    let env = this.#map.get(key);
    if (!env) {
      env = new Environment({ seed: key + 1, startHour: new Date().getHours() });
      this.#map.set(key, env);
    }
    return env;
  }
}

const cache = new EnvironmentCache();

/** Creates the simulated chip for `kind`, measuring the shared environment of (seed, index). */
export function createChip(kind: SensorKind, seed: number, index: number): SimChip {
  const environment = cache.get(seed, index);
  const chip: Chip = kind === "sht3x" ? new SimSHT3x({ environment }) : kind === "bme280" ? new SimBME280({ environment })
    : new SimBH1750({ environment });
  return {
    device: chip,
    model: chip.model,
    setFault(fault: ChipFault | null): void {
      if (fault === null) chip.clearFaults();
      else if (fault === "nack" || fault === "corruptCrc") chip.setFault(fault, Infinity);
      else chip.setFault(fault, true);
    },
  };
}
