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
import { BME280_COMPENSATION } from "../src/drivers/bme280.js";
import { SimBH1750 } from "./chips/bh1750.js";

/** Fault names accepted by `--fault` and {@link SimChip.setFault}. */
export type ChipFault = FaultName;

/** A register-level simulated chip (the class every `sim/chips/` model extends). */
export type SimChipModel = Chip;

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

/**
 * Creates the bare simulated chip for `kind` on the shared environment of (seed, index): no wrapper object,
 * nothing per chip but the model's own state (what a fleet of thousands of devices wants).
 */
export function createSimChip(kind: SensorKind, seed: number, index: number): SimChipModel {
  const environment = cache.get(seed, index);
  return kind === "sht3x" ? new SimSHT3x({ environment }) : kind === "bme280" ? new SimBME280({ environment, compensation: BME280_COMPENSATION })
    : new SimBH1750({ environment });
}

/**
 * Applies a CLI fault to a chip: persistent until cleared (`nack` and `corruptCrc` on every transaction),
 * or clears every fault with `null`.
 * @throws RangeError when the chip does not model the fault.
 */
export function setChipFault(chip: SimChipModel, fault: ChipFault | null): void {
  if (fault === null) chip.clearFaults();
  else if (fault === "nack" || fault === "corruptCrc") chip.setFault(fault, Infinity);
  else chip.setFault(fault, true);
}

/** One wrapper class for every {@link createChip} result: methods on the prototype, no closure per chip. */
class ChipHandle implements SimChip {
  readonly device: SimChipModel;
  constructor(chip: SimChipModel) {
    this.device = chip;
  }
  get model(): string {
    return this.device.model;
  }
  setFault(fault: ChipFault | null): void {
    setChipFault(this.device, fault);
  }
}

/** Creates the simulated chip for `kind`, measuring the shared environment of (seed, index). */
export function createChip(kind: SensorKind, seed: number, index: number): SimChip {
  return new ChipHandle(createSimChip(kind, seed, index));
}

/** Wraps an existing bare chip as a {@link SimChip}. */
export function chipHandle(chip: SimChipModel): SimChip {
  return new ChipHandle(chip);
}
