/**
 * Test rig: a manual clock, a simulated bus, an environment and the desktop I2C class.
 * @module
 */
import { expect } from "vitest";
import { ManualClock, SimI2CBus } from "../../sim/bus.js";
import { Environment } from "../../sim/chips/environment.js";
import { createSimI2C } from "../../hosts/node/i2c.js";
import { SensorError } from "../../src/drivers/errors.js";
import type { I2CConstructor, SensorBusOptions } from "../../src/drivers/i2c.js";

export interface Rig {
  clock: ManualClock;
  bus: SimI2CBus;
  environment: Environment;
  io: I2CConstructor;
  sensor(address?: number): SensorBusOptions;
}

export function createRig(seed = 1, startHour = 12): Rig {
  const clock = new ManualClock(0);
  const bus = new SimI2CBus({ now: clock.now });
  const environment = new Environment({ seed, startHour });
  const io = createSimI2C(bus);
  return {
    clock, bus, environment, io,
    sensor: (address?: number) => (address === undefined
      ? { io, data: 21, clock: 22 }
      : { io, data: 21, clock: 22, address }),
  };
}

/** Runs `fn`, expects a SensorError with `code`, returns it. */
export function expectSensorError(fn: () => unknown, code: number): SensorError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(SensorError);
  const error = thrown as SensorError;
  expect(error.name).toBe("SensorError");
  expect(error.code).toBe(code);
  return error;
}
