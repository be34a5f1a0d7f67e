/**
 * The sensor-board firmware: sensors → readings as text → MQTT topics, with availability, Home Assistant
 * discovery, a period command, sensor diagnostics and optional SenML.
 *
 * Everything is injected: the host (sockets, clock, random), the I2C io class, the sensor driver classes
 * and the configuration. The same class runs on the ESP32 (`hosts/moddable/main.ts`) and in the desktop
 * simulator (`sim/device.ts`).
 *
 * Steady state allocates nothing: topics are registered once as client handles, every constant payload is
 * encoded at setup, readings are written as decimal text into one slot of a {@link BufferPool} with the
 * codec's `writeDecimal`, the sample timer is created once and re-armed, callbacks are bound once.
 * Allocation happens only at setup, on connect (nothing), and on the fault path (the driver's error object).
 * @module
 */

import { BufferPool } from "../codec/pool.js";
import { utf8Encode, writeAscii, writeDecimal, writeInteger, writeUtf8 } from "../codec/text.js";
import { MqttClient, type MqttClientOptions } from "../client/client.js";
import { BUSY, ClientState, QUEUED, SENT } from "../client/codes.js";
import type { MqttError } from "../client/errors.js";
import type { Host, TlsOptions } from "../client/host.js";
import type { MqttMessage } from "../client/message.js";
import { sensorCodeName } from "../drivers/errors.js";
import type { I2CConstructor } from "../drivers/i2c.js";
import {
  KIND_QUANTITIES, validateConfig, type FirmwareConfig, type Quantity, type SensorConfig, type SensorKind,
} from "./config.js";
import { discoveryDocuments } from "./discovery.js";
import { SenmlWriter } from "./senml.js";
import {
  deviceErrorTopic, OFFLINE, OK, ONLINE, parsePeriod, PERIOD_NOT_A_NUMBER, periodCommandTopic, periodStateTopic,
  QUANTITIES, readingTopic, senmlTopic, sensorErrorTopic, statusTopic,
} from "./topics.js";

/** The ECMA-419 sensor-class shape the firmware drives (`SHT3x`, `BME280`, `BH1750`). */
export interface SensorDriver {
  /** Applies settings / (re)initialises the chip. Throws on a bus or chip fault. */
  configure(options?: Record<string, unknown>): void;
  /** Reads the chip: a reused object with SI fields (`temperature`, `humidity`, `pressure`, `illuminance`). */
  sample(): object | undefined;
  /** Releases the bus. */
  close(): void;
}

/** A sensor driver class, constructed as `new Driver({ sensor: { io, data, clock, address, hz }, onError })`. */
export interface SensorDriverClass {
  new (options: {
    sensor: { io: I2CConstructor; data: number; clock: number; address: number; hz: number; port?: number };
    onError?: (error: unknown) => void;
    now?: () => number;
    delay?: (ms: number) => void;
  }): SensorDriver;
}

/** Driver classes by kind; only the kinds present in the configuration are needed. */
export type SensorDrivers = Partial<Record<SensorKind, SensorDriverClass>>;

/** What the firmware is built from. */
export interface FirmwareOptions {
  /** Raw configuration (validated by {@link validateConfig}) or an already validated one. */
  config: unknown;
  /** Sockets, clock and random number source. */
  host: Host;
  /** The `embedded:io/i2c` class (or the simulated one). */
  i2c: I2CConstructor;
  /** Sensor driver classes by kind. */
  drivers: SensorDrivers;
  /** Wall-clock milliseconds since 1970 for SenML `bt`; absent or before 2001: `bt` omitted. */
  wallClock?: () => number;
  /** Blocking wait (Moddable `Timer.delay`) handed to the drivers; absent on the desktop. */
  delay?: (ms: number) => void;
  /** Overrides of the client's sizing/reconnect options (pools, window, offline queue, reconnect...). */
  client?: Partial<MqttClientOptions>;
  /** Notified of rare events (connect, disconnect, faults, commands): for logs and the simulator view. */
  onEvent?: (event: FirmwareEvent, detail: string) => void;
}

/** Events reported through {@link FirmwareOptions.onEvent}. */
export type FirmwareEvent = "connected" | "disconnected" | "error" | "fault" | "recovered" | "period" | "rejected";

/** Counters for the simulator view and tests; plain numbers, updated in place. */
export class FirmwareCounters {
  /** Sample rounds run. */
  samples = 0;
  /** Readings published (SENT or QUEUED). */
  readings = 0;
  /** SenML documents published. */
  senml = 0;
  /** Publishes refused by the client (BUSY, QUEUE_FULL, NOT_CONNECTED, TOO_LARGE...). */
  dropped = 0;
  /** Sensor faults (failed configure or sample). */
  faults = 0;
  /** Sensor recoveries. */
  recoveries = 0;
  /** Period commands accepted. */
  commands = 0;
  /** Period commands rejected (bad payload / out of range). */
  rejected = 0;
  /** CONNACKs received. */
  connects = 0;
  /** Connections lost (excluding the final `stop()`). */
  disconnects = 0;
}

const UNKNOWN = 0;
const HEALTHY = 1;
const FAULTY = 2;

/** Fault code used when a driver reports an error without a code. */
const GENERIC_FAULT = "SENSOR_FAULT";

/** Delay from start() to the first sample round, ms: longer than any chip's conversion time. */
const FIRST_SAMPLE_DELAY = 250;

/** Bytes of the reading text slot: sign, 16 integer digits, point, decimals. */
const READING_SLOT_SIZE = 32;

// `typeof v === "number"` in the sample path would copy the literal into a new chunk on every call on XS.
const NUMBER_TYPE = "number";
/** Bytes for a diagnostics payload (`CODE: message`). */
const DIAG_SIZE = 160;

/** The firmware of one sensor board. */
export class Firmware {
  /** The validated configuration. */
  readonly config: FirmwareConfig;
  /** The MQTT client (exposed for counters and the view). */
  readonly client: MqttClient;
  /** Counters, updated in place. */
  readonly counters = new FirmwareCounters();
  /** Current sample period, ms (changed by the period command). */
  period: number;
  /** Reading labels, `<sensor>/<quantity>`, one per reading index. */
  readonly readingNames: readonly string[];
  /** Quantity of each reading index. */
  readonly readingQuantities: readonly Quantity[];
  /** Last value of each reading (NaN until the first good sample). */
  readonly values: Float64Array;
  /** 1 when the last sample of the reading's sensor succeeded. */
  readonly valid: Uint8Array;
  /** Sensor names (topic levels), one per sensor index. */
  readonly sensorNames: readonly string[];
  /** Per sensor: last fault code, or `null` when healthy. */
  readonly sensorFault: (string | null)[];
  /** Per sensor: last fault message, or `null`. */
  readonly sensorMessage: (string | null)[];

  readonly #host: Host;
  readonly #i2c: I2CConstructor;
  readonly #drivers: SensorDrivers;
  readonly #onEvent: ((event: FirmwareEvent, detail: string) => void) | undefined;
  readonly #wallClock: (() => number) | undefined;
  readonly #delay: ((ms: number) => void) | undefined;
  readonly #now: () => number;

  // Sensors, by sensor index.
  readonly #sensors: readonly SensorConfig[];
  readonly #driver: (SensorDriver | null)[];
  readonly #configured: Uint8Array;
  readonly #health: Uint8Array;
  readonly #diagPending: Uint8Array;
  readonly #lastError: unknown[];
  readonly #errorHandle: Int32Array;
  readonly #onDriverError: ((error: unknown) => void)[];

  // Readings, by reading index.
  readonly #readingSensor: Int32Array;
  readonly #readingHandle: Int32Array;
  readonly #readingDecimals: Int32Array;
  readonly #readingQos: Uint8Array;
  readonly #readingRetain: Uint8Array;

  // Constant payloads and topics.
  readonly #statusHandle: number;
  readonly #periodHandle: number;
  readonly #deviceErrorHandle: number;
  readonly #senmlHandle: number;
  readonly #online: Uint8Array;
  readonly #offline: Uint8Array;
  readonly #ok: Uint8Array;
  readonly #notANumber: Uint8Array;
  readonly #outOfRange: Uint8Array;
  readonly #discoveryHandles: Int32Array;
  readonly #discoveryPayloads: readonly Uint8Array[];

  // Announce sequence after each CONNACK: 0 online, 1 period, 2.. discovery, then pending diagnostics.
  #announce = -1;
  #periodPending = false;

  // Text buffers.
  readonly #pool: BufferPool;
  readonly #diag: Uint8Array;
  readonly #senml: SenmlWriter | null;
  readonly #senmlBuffer: Uint8Array;

  readonly #timer: unknown;
  #nextDue = 0;
  #running = false;
  #stopped = false;
  readonly #subscription: number;

  /**
   * Setup: validates the configuration, creates the client, the sensor drivers, every topic handle and
   * every constant payload. Nothing connects until {@link start}.
   * @throws {ConfigError} for a bad configuration; `InvalidOptionError` for bad client overrides.
   */
  constructor(options: FirmwareOptions) {
    const config = validateConfig(options.config);
    this.config = config;
    this.period = config.period;
    this.#host = options.host;
    this.#i2c = options.i2c;
    this.#drivers = options.drivers;
    this.#onEvent = options.onEvent;
    this.#wallClock = options.wallClock;
    this.#delay = options.delay;
    const clock = options.host.clock;
    this.#now = () => clock.now();
    for (const s of config.sensors)
      if (!options.drivers[s.kind]) throw new TypeError(`no driver class given for sensor kind "${s.kind}"`);

    const { prefix, deviceId } = config;
    const docs = config.discovery ? discoveryDocuments(config) : [];
    const docPayloads = docs.map((d) => utf8Encode(d.json));
    let largest = 0;
    for (let i = 0; i < docs.length; i++) largest = Math.max(largest, docPayloads[i]!.length + docs[i]!.topic.length);

    // Reading table.
    const names: string[] = [];
    const quantities: Quantity[] = [];
    const sensorOf: number[] = [];
    config.sensors.forEach((s, si) => {
      for (const q of KIND_QUANTITIES[s.kind]) {
        names.push(`${s.name}/${q}`);
        quantities.push(q);
        sensorOf.push(si);
      }
    });
    const count = names.length;
    this.readingNames = Object.freeze(names);
    this.readingQuantities = Object.freeze(quantities);
    this.values = new Float64Array(count).fill(NaN);
    this.valid = new Uint8Array(count);
    this.#readingSensor = Int32Array.from(sensorOf);
    this.#readingHandle = new Int32Array(count);
    this.#readingDecimals = new Int32Array(count);
    this.#readingQos = new Uint8Array(count);
    this.#readingRetain = new Uint8Array(count);

    this.#senml = config.senml
      ? new SenmlWriter(deviceId, names.map((n, i) => {
        const q = QUANTITIES[quantities[i]!];
        return { name: n.replace("/", ":"), unit: q.senmlUnit, decimals: q.decimals };
      }))
      : null;
    this.#senmlBuffer = new Uint8Array(this.#senml ? this.#senml.maxSize : 0);
    largest = Math.max(largest, this.#senmlBuffer.length + prefix.length + deviceId.length + 8, DIAG_SIZE + 128);

    const tls = config.broker.tls;
    let tlsOptions: TlsOptions | null = null;
    if (tls) {
      tlsOptions = { rejectUnauthorized: tls.rejectUnauthorized };
      if (tls.ca !== undefined) tlsOptions.ca = tls.ca;
      if (tls.cert !== undefined) tlsOptions.cert = tls.cert;
      if (tls.key !== undefined) tlsOptions.key = tls.key;
      if (tls.servername !== undefined) tlsOptions.servername = tls.servername;
    }
    const statusName = statusTopic(prefix, deviceId);
    this.#online = utf8Encode(ONLINE);
    this.#offline = utf8Encode(OFFLINE);
    this.#ok = utf8Encode(OK);
    this.#notANumber = utf8Encode("cmd/period: rejected, not a decimal number of milliseconds");
    this.#outOfRange = utf8Encode("cmd/period: rejected, out of range 1000..3600000 ms");

    const clientOptions: MqttClientOptions = {
      host: options.host,
      hostname: config.broker.hostname,
      port: config.broker.port,
      clientId: deviceId,
      cleanSession: true,
      keepAlive: config.broker.keepAlive,
      will: { topic: statusName, payload: this.#offline, qos: 1, retain: true },
      username: config.broker.username,
      password: config.broker.password,
      tls: tlsOptions,
      txSlots: 8,
      txSlotSize: Math.max(256, largest + 32),
      rxBufferSize: 256,
      inflightWindow: 8,
      offlineQueue: 8,
      overflow: "drop-oldest",
      ...options.client,
      onConnected: this.#connected.bind(this),
      onDisconnected: this.#disconnected.bind(this),
      onError: this.#error.bind(this),
      onWritable: this.#writable.bind(this),
    } as MqttClientOptions;
    const client = new MqttClient(clientOptions);
    this.client = client;

    // Topic handles, registered once.
    for (let r = 0; r < count; r++) {
      const s = config.sensors[sensorOf[r]!]!;
      this.#readingHandle[r] = client.topic(readingTopic(prefix, deviceId, s.name, quantities[r]!));
      this.#readingDecimals[r] = QUANTITIES[quantities[r]!].decimals;
      this.#readingQos[r] = s.policy.qos;
      this.#readingRetain[r] = s.policy.retain ? 1 : 0;
    }
    this.#statusHandle = client.topic(statusName);
    this.#periodHandle = client.topic(periodStateTopic(prefix, deviceId));
    this.#deviceErrorHandle = client.topic(deviceErrorTopic(prefix, deviceId));
    this.#senmlHandle = this.#senml ? client.topic(senmlTopic(prefix, deviceId)) : -1;
    this.#discoveryHandles = Int32Array.from(docs.map((d) => client.topic(d.topic)));
    this.#discoveryPayloads = Object.freeze(docPayloads);

    // Sensors.
    this.#sensors = config.sensors;
    const n = config.sensors.length;
    this.sensorNames = Object.freeze(config.sensors.map((s) => s.name));
    this.sensorFault = new Array<string | null>(n).fill(null);
    this.sensorMessage = new Array<string | null>(n).fill(null);
    this.#driver = new Array<SensorDriver | null>(n).fill(null);
    this.#configured = new Uint8Array(n);
    this.#health = new Uint8Array(n);
    this.#diagPending = new Uint8Array(n);
    this.#lastError = new Array<unknown>(n).fill(undefined);
    this.#errorHandle = Int32Array.from(config.sensors.map((s) => client.topic(sensorErrorTopic(prefix, deviceId, s.name))));
    this.#onDriverError = config.sensors.map((_s, i) => (error: unknown) => { this.#lastError[i] = error; });

    this.#pool = new BufferPool(2, READING_SLOT_SIZE);
    this.#diag = new Uint8Array(DIAG_SIZE);
    this.#timer = options.host.clock.timer(this.#tick.bind(this));
    this.#subscription = client.subscribe(periodCommandTopic(prefix, deviceId), 1, this.#command.bind(this));
  }

  /** Connection state (`ClientState` value of the client). */
  get state(): number {
    return this.client.state;
  }

  /** True after {@link start} and before {@link stop}. */
  get running(): boolean {
    return this.#running;
  }

  /**
   * Connects, configures the sensors and starts sampling: the first round 250 ms later (conversion time),
   * then every {@link period} ms.
   * Readings taken while the link is down go to the client's offline queue (oldest dropped when full).
   */
  start(): void {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    this.client.connect();
    for (let i = 0; i < this.#sensors.length; i++) this.#setup(i, true);
    // First round once the conversions started by configure() are done (BH1750: up to 180 ms).
    this.#nextDue = this.#host.clock.now() + FIRST_SAMPLE_DELAY - this.period;
    this.#host.clock.schedule(this.#timer, FIRST_SAMPLE_DELAY);
  }

  /**
   * Stops cleanly: publishes `offline` (retained) on the status topic — a clean DISCONNECT suppresses the
   * will, so the firmware says it itself — then ends the client, closes the sensors and the timer.
   */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#running = false;
    this.#host.clock.close(this.#timer);
    if (this.client.state === ClientState.CONNECTED)
      this.client.publish(this.#statusHandle, this.#offline, 0, this.#offline.length, 1, true);
    this.client.end();
    for (let i = 0; i < this.#driver.length; i++) this.#closeDriver(i);
  }

  /**
   * Changes the sample period; takes effect immediately (the next sample is due `ms` from now).
   * @returns true when accepted (1000..3600000 ms)
   */
  setPeriod(ms: number): boolean {
    if (!(ms >= 1000 && ms <= 3_600_000) || Math.floor(ms) !== ms) return false;
    this.period = ms;
    if (this.#running) {
      this.#nextDue = this.#host.clock.now() + ms;
      this.#host.clock.schedule(this.#timer, ms);
    }
    this.#periodPending = true;
    this.#pump();
    return true;
  }

  /** Takes one sample round now and publishes it (also what the timer calls). */
  sampleNow(): void {
    const count = this.values.length;
    for (let i = 0; i < this.#sensors.length; i++) this.#sampleSensor(i);
    const pool = this.#pool;
    const slot = pool.acquire();
    if (slot < 0) return;
    const buf = pool.bytes;
    const base = pool.offsetOf(slot);
    for (let r = 0; r < count; r++) {
      if (!this.valid[r]) continue;
      const end = writeDecimal(buf, base, this.values[r]!, this.#readingDecimals[r]!);
      if (end < 0) {
        this.counters.dropped++;
        continue;
      }
      const status = this.client.publish(this.#readingHandle[r]!, buf, base, end - base, this.#readingQos[r]!,
        this.#readingRetain[r] === 1);
      if (status === SENT || status === QUEUED) this.counters.readings++;
      else this.counters.dropped++;
    }
    pool.release(slot);
    this.counters.samples++;
    const senml = this.#senml;
    if (senml) {
      const wall = this.#wallClock ? this.#wallClock() : 0;
      const end = senml.write(this.#senmlBuffer, 0, wall >= 978_307_200_000 ? wall / 1000 : NaN, this.values, this.valid);
      if (end > 0) {
        const status = this.client.publish(this.#senmlHandle, this.#senmlBuffer, 0, end, this.#readingQos[0] ?? 0, false);
        if (status === SENT || status === QUEUED) this.counters.senml++;
        else this.counters.dropped++;
      }
    }
    this.#pump();
  }

  #tick(): void {
    if (!this.#running) return;
    const now = this.#host.clock.now();
    let next = this.#nextDue + this.period;
    if (next <= now) next = now + this.period; // fell behind (suspended host): don't burst
    this.#nextDue = next;
    this.#host.clock.schedule(this.#timer, next - now);
    this.sampleNow();
  }

  // Constructs (if needed) and configures sensor i. A fresh configure starts a conversion, so the sensor
  // is sampled from the next round on. Reports a fault when `report` and it fails.
  #setup(i: number, report: boolean): boolean {
    const s = this.#sensors[i]!;
    try {
      let driver = this.#driver[i] ?? null;
      if (driver === null) {
        const Driver = this.#drivers[s.kind]!;
        const sensor: { io: I2CConstructor; data: number; clock: number; address: number; hz: number; port?: number } =
          { io: this.#i2c, data: s.data, clock: s.clock, address: s.address, hz: s.hz };
        if (s.port !== undefined) sensor.port = s.port;
        const options: { sensor: typeof sensor; onError: (error: unknown) => void; now: () => number; delay?: (ms: number) => void } =
          { sensor, onError: this.#onDriverError[i]!, now: this.#now };
        if (this.#delay) options.delay = this.#delay;
        driver = new Driver(options);
        this.#driver[i] = driver;
      }
      driver.configure({});
      this.#configured[i] = 1;
      return true;
    } catch (error) {
      this.#configured[i] = 0;
      if (report) this.#fault(i, error);
      return false;
    }
  }

  #sampleSensor(i: number): void {
    const count = this.values.length;
    if (!this.#configured[i]) {
      for (let r = 0; r < count; r++) if (this.#readingSensor[r] === i) this.valid[r] = 0;
      this.#setup(i, true);
      return;
    }
    let sample: object | undefined;
    this.#lastError[i] = undefined;
    try {
      sample = this.#driver[i]!.sample();
    } catch (error) {
      this.#lastError[i] = error;
      sample = undefined;
    }
    let ok = sample !== undefined && sample !== null && this.#lastError[i] === undefined;
    const record = sample as Record<string, unknown> | undefined;
    for (let r = 0; r < count && ok; r++) {
      if (this.#readingSensor[r] !== i) continue;
      const v = record![this.readingQuantities[r]!];
      if (typeof v !== NUMBER_TYPE || v !== v) ok = false;
    }
    for (let r = 0; r < count; r++) {
      if (this.#readingSensor[r] !== i) continue;
      if (ok) {
        this.values[r] = record![this.readingQuantities[r]!] as number;
        this.valid[r] = 1;
      } else this.valid[r] = 0;
    }
    if (ok) this.#healthy(i);
    else {
      this.#fault(i, this.#lastError[i] ?? "sample returned no value");
      this.#setup(i, false); // re-configure now: the conversion is ready by the next round
    }
  }

  #healthy(i: number): void {
    if (this.#health[i] === HEALTHY) return;
    const wasFaulty = this.#health[i] === FAULTY;
    this.#health[i] = HEALTHY;
    this.sensorFault[i] = null;
    this.sensorMessage[i] = null;
    this.#diagPending[i] = 1;
    if (wasFaulty) {
      this.counters.recoveries++;
      this.#onEvent?.("recovered", this.#sensors[i]!.name);
    }
  }

  // Fault path: may allocate (the driver already allocated its error object).
  #fault(i: number, error: unknown): void {
    this.counters.faults++;
    this.#configured[i] = 0;
    let code = GENERIC_FAULT;
    let message = "";
    if (typeof error === "string") message = error;
    else if (error && typeof error === "object") {
      const e = error as { code?: unknown; message?: unknown; name?: unknown };
      if (typeof e.code === "string" && e.code.length > 0) code = e.code;
      else if (typeof e.code === "number") code = e.code <= -200 && e.code > -300 ? sensorCodeName(e.code) : `E${e.code}`;
      if (typeof e.message === "string") message = e.message;
    } else message = String(error);
    if (this.#health[i] === FAULTY && this.sensorFault[i] === code && this.sensorMessage[i] === message) return;
    this.#health[i] = FAULTY;
    this.sensorFault[i] = code;
    this.sensorMessage[i] = message;
    this.#diagPending[i] = 1;
    this.#onEvent?.("fault", `${this.#sensors[i]!.name}: ${code}: ${message}`);
  }

  #closeDriver(i: number): void {
    const d = this.#driver[i];
    this.#driver[i] = null;
    this.#configured[i] = 0;
    if (!d) return;
    try {
      d.close();
    } catch {
      // closing a faulted bus may throw; nothing to do
    }
  }

  // Publishes what is owed: the announce sequence after CONNACK, the period state, sensor diagnostics.
  // Stops at BUSY; onWritable calls it again.
  #pump(): void {
    const client = this.client;
    if (client.state !== ClientState.CONNECTED) return;
    while (this.#announce >= 0) {
      const a = this.#announce;
      let status: number;
      if (a === 0) status = client.publish(this.#statusHandle, this.#online, 0, this.#online.length, 1, true);
      else {
        const d = a - 1;
        if (d >= this.#discoveryHandles.length) {
          this.#announce = -1;
          break;
        }
        const payload = this.#discoveryPayloads[d]!;
        status = client.publish(this.#discoveryHandles[d]!, payload, 0, payload.length, 1, true);
      }
      if (status === BUSY) return;
      this.#announce = a + 1;
    }
    if (this.#periodPending) {
      const pool = this.#pool;
      const slot = pool.acquire();
      if (slot < 0) return;
      const base = pool.offsetOf(slot);
      const end = writeInteger(pool.bytes, base, this.period);
      const status = end < 0 ? SENT : client.publish(this.#periodHandle, pool.bytes, base, end - base, 1, true);
      pool.release(slot);
      if (status === BUSY) return;
      this.#periodPending = false;
    }
    for (let i = 0; i < this.#diagPending.length; i++) {
      if (!this.#diagPending[i]) continue;
      let status: number;
      if (this.#health[i] === HEALTHY) {
        status = client.publish(this.#errorHandle[i]!, this.#ok, 0, this.#ok.length, 1, true);
      } else {
        const buf = this.#diag;
        let o = writeUtf8(buf, 0, this.sensorFault[i] ?? GENERIC_FAULT);
        if (o >= 0) o = writeAscii(buf, o, ": ");
        if (o >= 0) {
          const message = this.sensorMessage[i] ?? "";
          const m = writeUtf8(buf, o, message);
          o = m >= 0 ? m : writeUtf8(buf, o, "(message too long)");
        }
        status = o < 0 ? SENT : client.publish(this.#errorHandle[i]!, buf, 0, o, 1, true);
      }
      if (status === BUSY) return;
      this.#diagPending[i] = 0;
    }
  }

  #command(message: MqttMessage): void {
    const value = parsePeriod(message.payload, message.payloadOffset, message.payloadLength);
    if (value < 0) {
      this.counters.rejected++;
      const text = value === PERIOD_NOT_A_NUMBER ? this.#notANumber : this.#outOfRange;
      this.client.publish(this.#deviceErrorHandle, text, 0, text.length, 0, false);
      this.#onEvent?.("rejected", "cmd/period");
      return;
    }
    this.counters.commands++;
    this.setPeriod(value);
    this.#onEvent?.("period", "cmd/period");
  }

  #connected(): void {
    this.counters.connects++;
    this.#announce = 0;
    this.#periodPending = true;
    for (let i = 0; i < this.#diagPending.length; i++) if (this.#health[i] !== UNKNOWN) this.#diagPending[i] = 1;
    this.#pump();
    this.#onEvent?.("connected", this.config.deviceId);
  }

  #disconnected(code: number): void {
    if (this.#stopped) return;
    this.counters.disconnects++;
    this.#announce = -1;
    this.#onEvent?.("disconnected", String(code));
  }

  #error(error: MqttError): void {
    this.#onEvent?.("error", error.message);
  }

  #writable(): void {
    this.#pump();
  }

  /** Subscription id of the period command (for tests). */
  get commandSubscription(): number {
    return this.#subscription;
  }
}
