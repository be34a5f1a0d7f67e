/**
 * `embedded:io/i2c` for Moddable's desktop simulators (lin, mac, win), which have no I2C: the same class
 * shape over the simulated bus and chips of `sim/` (engine-neutral, so they run on XS). The manifest maps
 * `embedded:io/i2c` here on those platforms; on esp32 it stays Moddable's real class.
 *
 * One bus per process, with an SHT3x (0x44), a BME280 (0x76) and a BH1750 (0x23), created on first use and
 * kept on `globalThis` (module scope holds no state: preloaded modules are frozen).
 * @module
 */
import config from "mc/config";
import Time from "time";
import Timer from "timer";
import { SimI2CBus } from "xsmqtt/sim/bus";
import { bindSimI2C } from "xsmqtt/sim/i2c-adapter";
import { Environment } from "xsmqtt/sim/chips/environment";
import { SimSHT3x } from "xsmqtt/sim/chips/sht3x";
import { SimBME280 } from "xsmqtt/sim/chips/bme280";
import { BME280_COMPENSATION } from "xsmqtt/drivers/bme280";
import { SimBH1750 } from "xsmqtt/sim/chips/bh1750";
import type { I2CConstructor, I2COptions } from "xsmqtt/drivers/i2c";
import type { FaultName, SimChip } from "xsmqtt/sim/chips/chip";

const KEY = "xsmqttSimI2C";

function simulatedI2C(): I2CConstructor {
  const g = globalThis as Record<string, unknown>;
  let io = g[KEY] as I2CConstructor | undefined;
  if (io === undefined) {
    const bus = new SimI2CBus({ now: () => Time.ticks });
    const environment = new Environment({ seed: 1, startHour: 12 });
    const chips: Record<string, SimChip> = {
      sht3x: new SimSHT3x({ environment }),
      bme280: new SimBME280({ environment, compensation: BME280_COMPENSATION }),
      bh1750: new SimBH1750({ environment }),
    };
    bus.attach(0x44, chips["sht3x"]!);
    bus.attach(0x76, chips["bme280"]!);
    bus.attach(0x23, chips["bh1750"]!);
    scheduleFault(chips);
    io = bindSimI2C(bus);
    g[KEY] = io;
  }
  return io;
}

function isFault(chip: SimChip, name: string): name is FaultName {
  const supported: readonly string[] = chip.supportedFaults;
  return supported.indexOf(name) >= 0;
}

/**
 * A fault scheduled from the build's config, for tests on the simulator: `simFault=<chip>:<fault>:<from>:<to>`
 * (milliseconds after start), e.g. `bme280:absent:4000:9000`. Set at `from`, cleared at `to`.
 */
function scheduleFault(chips: Record<string, SimChip>): void {
  const spec = (config as Record<string, unknown>)["simFault"];
  if (typeof spec !== "string" || spec === "") return;
  const [name, fault, from, to] = spec.split(":");
  const chip = chips[name ?? ""];
  if (chip === undefined || fault === undefined || !isFault(chip, fault)) {
    trace(`xsmqtt sim: bad simFault ${spec}\n`);
    return;
  }
  Timer.set(() => {
    chip.setFault(fault, true);
    trace(`xsmqtt sim: fault ${spec} set\n`);
  }, Number(from));
  Timer.set(() => {
    chip.clearFaults();
    trace(`xsmqtt sim: fault ${spec} cleared\n`);
  }, Number(to));
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
