/**
 * `embedded:io/i2c` for Moddable's desktop simulators (lin, mac, win), which have no I2C: the same class
 * shape over the simulated bus and chips of `sim/` (engine-neutral, so they run on XS). The manifest maps
 * `embedded:io/i2c` here on those platforms; on esp32 it stays Moddable's real class.
 *
 * One bus per process, with an SHT3x (0x44), a BME280 (0x76) and a BH1750 (0x23), created on first use and
 * kept on `globalThis` (module scope holds no state: preloaded modules are frozen).
 * @module
 */
import Time from "time";
import { SimI2CBus } from "xsmqtt/sim/bus";
import { bindSimI2C } from "xsmqtt/sim/i2c-adapter";
import { Environment } from "xsmqtt/sim/chips/environment";
import { SimSHT3x } from "xsmqtt/sim/chips/sht3x";
import { SimBME280 } from "xsmqtt/sim/chips/bme280";
import { BME280_COMPENSATION } from "xsmqtt/drivers/bme280";
import { SimBH1750 } from "xsmqtt/sim/chips/bh1750";
import type { I2CConstructor, I2COptions } from "xsmqtt/drivers/i2c";

const KEY = "xsmqttSimI2C";

function simulatedI2C(): I2CConstructor {
  const g = globalThis as Record<string, unknown>;
  let io = g[KEY] as I2CConstructor | undefined;
  if (io === undefined) {
    const bus = new SimI2CBus({ now: () => Time.ticks });
    const environment = new Environment({ seed: 1, startHour: 12 });
    bus.attach(0x44, new SimSHT3x({ environment }));
    bus.attach(0x76, new SimBME280({ environment, compensation: BME280_COMPENSATION }));
    bus.attach(0x23, new SimBH1750({ environment }));
    io = bindSimI2C(bus);
    g[KEY] = io;
  }
  return io;
}

/** `embedded:io/i2c`-shaped class over the simulated bus. */
export default class I2C {
  readonly #target: InstanceType<I2CConstructor>;
  constructor(options: I2COptions) {
    const io = simulatedI2C();
    this.#target = new io(options);
  }
  get format(): "buffer" {
    return "buffer";
  }
  set format(value: "buffer") {
    if (value !== "buffer") throw new RangeError("unsupported format");
  }
  read(buffer: Uint8Array | number, stop?: boolean): unknown {
    return (this.#target.read as (b: Uint8Array | number, s?: boolean) => unknown)(buffer, stop);
  }
  write(buffer: Uint8Array, stop?: boolean): unknown {
    return this.#target.write(buffer, stop);
  }
  close(): void {
    this.#target.close();
  }
}
