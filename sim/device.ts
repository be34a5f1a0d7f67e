/**
 * One simulated sensor board: the real firmware (`src/app`) on the Node host, its sensors being simulated
 * chips on a simulated I2C bus. The network is real TCP to a real broker.
 *
 * Each device gets its own socket class (a thin subclass of the Node host's socket) so the simulator can
 * cut that device's connection abruptly ({@link SimDevice.cut}: the broker sees a reset and fires the will,
 * the firmware sees a lost link and reconnects) or kill the device ({@link SimDevice.kill}: power loss —
 * nothing more is sent, no DISCONNECT, no `offline` of its own).
 * @module
 */
import net from "node:net";
import { NodeStreamSocket, type NodeSocketOptions } from "../hosts/node/tcp.js";
import { NodeClock } from "../hosts/node/clock.js";
import { TLSSocket } from "../hosts/node/tls.js";
import type { Host, SocketConstructor } from "../src/client/host.js";
import type { MqttClientOptions } from "../src/client/client.js";
import { Firmware, type FirmwareEvent, type SensorDrivers } from "../src/app/firmware.js";
import { DEFAULT_ADDRESS, type SensorKind } from "../src/app/config.js";
import { SHT3x } from "../src/drivers/sht3x.js";
import { BME280 } from "../src/drivers/bme280.js";
import { BH1750 } from "../src/drivers/bh1750.js";
import { SimI2CBus } from "./bus.js";
import { bindSimI2C } from "./i2c-adapter.js";
import { createChip, type ChipFault, type SimChip } from "./chips.js";

/** Driver classes for the three kinds. */
export const DRIVERS: SensorDrivers = Object.freeze({
  sht3x: SHT3x as unknown as NonNullable<SensorDrivers["sht3x"]>,
  bme280: BME280 as unknown as NonNullable<SensorDrivers["bme280"]>,
  bh1750: BH1750 as unknown as NonNullable<SensorDrivers["bh1750"]>,
});

/** Options of one simulated device. */
export interface SimDeviceOptions {
  id: string;
  /** Index in the fleet (varies the simulated environment a little per device). */
  index?: number;
  broker: { hostname: string; port: number; tls?: boolean; rejectUnauthorized?: boolean; ca?: string };
  username?: string | null;
  password?: string | null;
  sensors: readonly SensorKind[];
  period: number;
  prefix: string;
  qos: 0 | 1;
  retain: boolean;
  senml: boolean;
  discovery: boolean;
  discoveryPrefix: string;
  seed: number;
  keepAlive?: number;
  /** Client sizing/reconnect overrides (the fleet uses small pools). */
  client?: Partial<MqttClientOptions>;
  /** Faults to inject before start. */
  faults?: readonly { sensor: SensorKind; kind: ChipFault }[];
  /** Rare events (connect, fault, period...). */
  onEvent?: (device: string, event: FirmwareEvent, detail: string) => void;
}

/** I2C pins of the simulated board (ESP32 DevKit defaults). */
export const SIM_PINS = Object.freeze({ data: 21, clock: 22 });

/** A simulated board. */
export class SimDevice {
  readonly id: string;
  readonly firmware: Firmware;
  readonly bus: SimI2CBus;
  readonly chips: ReadonlyMap<SensorKind, SimChip>;
  #sockets = new Set<net.Socket>();
  #dead = false;

  constructor(options: SimDeviceOptions) {
    this.id = options.id;
    const clock = new NodeClock({ unref: false });
    this.bus = new SimI2CBus({ now: () => clock.now() });
    const chips = new Map<SensorKind, SimChip>();
    for (const kind of options.sensors) {
      const chip = createChip(kind, options.seed, options.index ?? 0);
      this.bus.attach(DEFAULT_ADDRESS[kind], chip.device);
      chips.set(kind, chip);
    }
    this.chips = chips;
    for (const f of options.faults ?? []) chips.get(f.sensor)?.setFault(f.kind);

    const host: Host = {
      tcp: this.#socketClass(),
      tls: TLSSocket as unknown as SocketConstructor,
      clock,
      random: Math.random,
    };
    const onEvent = options.onEvent;
    const id = options.id;
    this.firmware = new Firmware({
      config: {
        broker: {
          hostname: options.broker.hostname,
          port: options.broker.port,
          tls: options.broker.tls ? { rejectUnauthorized: options.broker.rejectUnauthorized ?? true, ca: options.broker.ca } : null,
          username: options.username ?? null,
          password: options.password ?? null,
          keepAlive: options.keepAlive ?? 60,
        },
        deviceId: id,
        prefix: options.prefix,
        period: options.period,
        qos: options.qos,
        retain: options.retain,
        senml: options.senml,
        discovery: options.discovery,
        discoveryPrefix: options.discoveryPrefix,
        sensors: options.sensors.map((kind) => ({ kind, data: SIM_PINS.data, clock: SIM_PINS.clock, address: DEFAULT_ADDRESS[kind] })),
      },
      host,
      i2c: bindSimI2C(this.bus),
      drivers: DRIVERS,
      wallClock: Date.now,
      client: { reconnect: { initialDelay: 500, maxDelay: 10_000, multiplier: 2, stableAfter: 10_000 }, ...options.client },
      onEvent: onEvent ? (event, detail) => onEvent(id, event, detail) : undefined,
    });
  }

  // One socket class per device, so the device can find (and cut) its own Node sockets.
  #socketClass(): SocketConstructor {
    const device = this;
    class DeviceSocket extends NodeStreamSocket {
      constructor(options: NodeSocketOptions) {
        super(options);
        const socket = net.connect({ host: options.address ?? options.host, port: options.port, allowHalfOpen: true });
        device.#sockets.add(socket);
        socket.once("close", () => device.#sockets.delete(socket));
        this.attach(socket, "connect", options.nodelay === true);
        if (device.#dead) socket.destroy();
      }
      override write(buffer: Uint8Array): number {
        if (device.#dead) return 0; // powered off: nothing leaves the board
        return super.write(buffer);
      }
    }
    return DeviceSocket as unknown as SocketConstructor;
  }

  /** Connects and starts sampling. */
  start(): void {
    this.firmware.start();
  }

  /** Clean stop: `offline` retained, DISCONNECT, sensors closed. */
  stop(): void {
    this.firmware.stop();
  }

  /**
   * Network cut: destroys this device's TCP connection(s) abruptly. The broker sees a reset (the will
   * publishes `offline`), the firmware sees the link drop and reconnects with backoff.
   * @returns the number of connections cut
   */
  cut(): number {
    let n = 0;
    for (const s of this.#sockets) {
      s.resetAndDestroy();
      n++;
    }
    return n;
  }

  /** Power loss: the connection dies with a reset and the firmware never sends anything again. */
  kill(): void {
    this.#dead = true;
    for (const s of this.#sockets) s.resetAndDestroy();
    this.firmware.stop(); // timers and sensors; its writes go nowhere (#dead)
  }

  /** Injects (or with `null` clears) a fault on the chip of `kind`. Returns false when no such chip. */
  setFault(kind: SensorKind, fault: ChipFault | null): boolean {
    const chip = this.chips.get(kind);
    if (!chip) return false;
    chip.setFault(fault);
    return true;
  }
}
