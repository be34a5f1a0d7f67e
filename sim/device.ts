/**
 * One simulated sensor board: the real firmware (`src/app`) on the Node host, its sensors being simulated
 * chips on a simulated I2C bus. The network is real TCP to a real broker.
 *
 * The simulator can cut a device's connection abruptly ({@link SimDevice.cut}: the broker sees a reset and
 * fires the will, the firmware sees a lost link and reconnects) or kill the device ({@link SimDevice.kill}:
 * power loss — nothing more is sent, no DISCONNECT, no `offline` of its own).
 *
 * ## Footprint (a fleet runs thousands of these in one process)
 * Everything that is the same for every device exists once per process: the clock (stateless), the socket
 * class and the I2C class (each device hands the firmware `SharedClass.bind(null, device)`, a ~70-byte bound
 * function, instead of a class of its own: a class costs ~3 KB of closures, prototype and private names),
 * the simulated environments (`sim/chips.ts`). The device is its own I2C bus: its two or three chips sit in
 * a small array and are found by address, instead of a 128-entry bus table per device. Per device remain:
 * the firmware (and its client), the chips' register state, and the one Node socket of its connection.
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
import type { I2CConstructor, I2COptions } from "../src/drivers/i2c.js";
import { SHT3x } from "../src/drivers/sht3x.js";
import { BME280 } from "../src/drivers/bme280.js";
import { BH1750 } from "../src/drivers/bh1750.js";
import { I2CNackError } from "./bus.js";
import { chipHandle, createSimChip, setChipFault, type ChipFault, type SimChip, type SimChipModel } from "./chips.js";
import { checkI2COptions } from "./i2c-adapter.js";
import { SimBoardDiagnostics } from "./diagnostics.js";

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
  /** Sensor kinds, one chip each (kept by reference: do not mutate). */
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
  /** Client sizing/reconnect overrides (by default the firmware sizes its client from its configuration). */
  client?: Partial<MqttClientOptions>;
  /** Device diagnostics interval, ms (default 60000; 0 = on connect only). */
  diagnosticsInterval?: number;
  /** Simulated MAC, RSSI, free heap for Home Assistant and the diagnostics topics (default true). */
  diagnostics?: boolean;
  /** Faults to inject before start. */
  faults?: readonly { sensor: SensorKind; kind: ChipFault }[];
  /** Rare events (connect, fault, period...). */
  onEvent?: (device: string, event: FirmwareEvent, detail: string) => void;
}

/** I2C pins of the simulated board (ESP32 DevKit defaults). */
export const SIM_PINS = Object.freeze({ data: 21, clock: 22 });

/** The process-wide clock of simulated devices: stateless (timers are records owned by their users). */
const CLOCK = new NodeClock({ unref: false });
const now = (): number => CLOCK.now();

function bytesOf(buffer: Uint8Array | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (buffer instanceof Uint8Array) return buffer;
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  throw new TypeError("buffer required");
}

/** A simulated board. */
export class SimDevice {
  readonly id: string;
  readonly firmware: Firmware;
  readonly #kinds: readonly SensorKind[];
  /** The chips, by sensor index (the order of `options.sensors`); the device is their I2C bus. */
  readonly #chips: SimChipModel[];
  /** The Node socket of the current (or last) connection. */
  #socket: net.Socket | null = null;
  #dead = false;

  /**
   * The one `embedded:io/i2c` class of every simulated device, over the device's chips (same contract as
   * `bindSimI2C` in sim/i2c-adapter.ts). Each device passes `I2C.bind(null, device)`: `new io(options)`
   * then constructs `new I2C(device, options)`.
   */
  static readonly #I2C = class SimDeviceI2C {
    readonly #device: SimDevice;
    readonly #address: number;
    #closed = false;
    constructor(device: SimDevice, options: I2COptions) {
      const address = checkI2COptions(options);
      this.#device = device;
      this.#address = address;
    }
    get format(): "buffer" {
      return "buffer";
    }
    set format(value: string) {
      if (value !== "buffer") throw new RangeError("unsupported format");
    }
    read(buffer: Uint8Array | number, stop = true): unknown {
      if (this.#closed) throw new Error("closed");
      if (!(buffer instanceof Uint8Array)) {
        const out = new Uint8Array(buffer);
        this.#device.#transfer(this.#address, false, out, stop !== false);
        return out.buffer;
      }
      if (buffer.byteLength === 0) throw new RangeError("empty read");
      this.#device.#transfer(this.#address, false, buffer, stop !== false);
      return undefined;
    }
    write(buffer: Uint8Array | ArrayBuffer, stop = true): void {
      if (this.#closed) throw new Error("closed");
      this.#device.#transfer(this.#address, true, bytesOf(buffer), stop !== false);
    }
    close(): void {
      this.#closed = true;
    }
  };

  /**
   * The one TCP socket class of every simulated device (the Node host's socket, plus: the device remembers
   * its Node socket so it can cut it, and a dead device sends nothing). Bound per device like {@link #I2C}.
   */
  static readonly #Socket = class SimDeviceSocket extends NodeStreamSocket {
    readonly #device: SimDevice;
    constructor(device: SimDevice, options: NodeSocketOptions) {
      super(options);
      this.#device = device;
      const socket = net.connect({ host: options.address ?? options.host, port: options.port, allowHalfOpen: true });
      device.#socket = socket;
      this.attach(socket, "connect", options.nodelay === true);
      if (device.#dead) socket.destroy();
    }
    override write(buffer: Uint8Array): number {
      if (this.#device.#dead) return 0; // powered off: nothing leaves the board
      return super.write(buffer);
    }
  };

  constructor(options: SimDeviceOptions) {
    this.id = options.id;
    const kinds = options.sensors;
    const chips: SimChipModel[] = [];
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[i]!;
      if (kinds.indexOf(kind) !== i) throw new RangeError("address 0x" + DEFAULT_ADDRESS[kind].toString(16) + " in use");
      chips.push(createSimChip(kind, options.seed, options.index ?? 0));
    }
    this.#kinds = kinds;
    this.#chips = chips;
    for (const f of options.faults ?? []) this.setFault(f.sensor, f.kind);

    const host: Host = {
      tcp: SimDevice.#Socket.bind(null, this) as unknown as SocketConstructor,
      tls: TLSSocket as unknown as SocketConstructor,
      clock: CLOCK,
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
        diagnosticsInterval: options.diagnosticsInterval,
        sensors: kinds.map((kind) => ({ kind, data: SIM_PINS.data, clock: SIM_PINS.clock, address: DEFAULT_ADDRESS[kind] })),
      },
      host,
      i2c: SimDevice.#I2C.bind(null, this) as unknown as I2CConstructor,
      drivers: DRIVERS,
      wallClock: Date.now,
      client: { reconnect: { initialDelay: 500, maxDelay: 10_000, multiplier: 2, stableAfter: 10_000 }, ...options.client },
      onEvent: onEvent ? (event, detail) => onEvent(id, event, detail) : undefined,
      diagnostics: options.diagnostics === false ? undefined : new SimBoardDiagnostics(options.index ?? 0, options.seed, now),
    });
  }

  /** The chips by kind (built on each call: for tools and tests, not for hot paths). */
  get chips(): ReadonlyMap<SensorKind, SimChip> {
    const map = new Map<SensorKind, SimChip>();
    for (let i = 0; i < this.#kinds.length; i++) map.set(this.#kinds[i]!, chipHandle(this.#chips[i]!));
    return map;
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
   * Network cut: destroys this device's TCP connection abruptly. The broker sees a reset (the will
   * publishes `offline`), the firmware sees the link drop and reconnects with backoff.
   * @returns the number of connections cut (0 or 1)
   */
  cut(): number {
    const s = this.#socket;
    if (s === null || s.destroyed) return 0;
    s.resetAndDestroy();
    return 1;
  }

  /** Power loss: the connection dies with a reset and the firmware never sends anything again. */
  kill(): void {
    this.#dead = true;
    this.cut();
    this.firmware.stop(); // timers and sensors; its writes go nowhere (#dead)
  }

  /** Injects (or with `null` clears) a fault on the chip of `kind`. Returns false when no such chip. */
  setFault(kind: SensorKind, fault: ChipFault | null): boolean {
    const i = this.#kinds.indexOf(kind);
    if (i < 0) return false;
    setChipFault(this.#chips[i]!, fault);
    return true;
  }

  // The device as I2C bus: the chip at `address` answers, nobody else (a NACK throws, like the real class).
  #transfer(address: number, write: boolean, bytes: Uint8Array, stop: boolean): void {
    const kinds = this.#kinds;
    for (let i = 0; i < kinds.length; i++) {
      if (DEFAULT_ADDRESS[kinds[i]!] !== address) continue;
      const chip = this.#chips[i]!;
      if (write ? chip.write(bytes, stop, now()) : chip.read(bytes, stop, now())) return;
      break;
    }
    throw new I2CNackError(address);
  }
}
