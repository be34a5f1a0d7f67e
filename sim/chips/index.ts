/**
 * Simulated chips and their environment (engine-neutral).
 * @module
 */
export { SimChip, sensirionCrc, type ChipFaults, type FaultName, type SimChipOptions } from "./chip.js";
export {
  Environment, DAY_MS, ENVIRONMENT_RANGES, mulberry32, hash01,
  type EnvironmentOptions, type EnvironmentOverrides, type EnvironmentReading, type EnvironmentSource,
} from "./environment.js";
export { SimSHT3x } from "./sht3x.js";
export { SimBME280, DATASHEET_CALIBRATION, type SimBME280Options } from "./bme280.js";
export { SimBH1750 } from "./bh1750.js";
