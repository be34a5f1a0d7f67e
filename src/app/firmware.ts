/**
 * The sensor-board firmware: sensors → readings as text → MQTT topics, with availability, Home Assistant
 * discovery, a period command, sensor and device diagnostics and optional SenML.
 *
 * One job per module: this one schedules and publishes; `sensors.ts` drives the chips and their status topics,
 * `discovery.ts` builds and announces the Home Assistant documents, `diagnostics.ts` publishes what the host's
 * {@link DiagnosticsProvider} and the firmware know about the board, `sizing.ts` derives the client's options.
 *
 * Everything is injected: the host (sockets, clock, random), the I2C io class, the sensor driver classes
 * and the configuration. The same class runs on the ESP32 (`hosts/moddable/main.ts`) and in the desktop
 * simulator (`sim/device.ts`).
 *
 * Steady state allocates nothing: topics are registered once as client handles, every constant payload is
 * encoded at setup, readings are written as decimal text into a fixed text region with the codec's
 * `writeDecimal`, the sample timer is created once and re-armed, callbacks are bound once.
 * Allocation happens only at setup, on connect (nothing), on the fault path (the driver's error object), and
 * on a period command that moves the readings' `expire_after` (the discovery documents are rebuilt). Device
 * diagnostics rounds allocate nothing (numbers from the provider, written as text into a fixed buffer).
 *
 * Footprint: every table, constant payload and text buffer of one firmware lives in ONE ArrayBuffer (a few
 * views on it), and the client is sized from the configuration ({@link firmwareClientSizing}): tx slots as
 * large as the largest message this firmware can send, as many as one sample round plus a few, an rx buffer
 * that holds the largest command it accepts, one subscription. A fleet of simulated boards in one process
 * (sim/) pays this per device, an ESP32 once.
 * @module
 */

import { writeAscii, writeDecimal, writeInteger } from "../codec/text.js";
import { MqttClient, type MqttClientOptions } from "../client/client.js";
import { BUSY, ClientState, QUEUED, SENT } from "../client/codes.js";
import type { MqttError } from "../client/errors.js";
import type { Host } from "../client/host.js";
import type { MqttMessage } from "../client/message.js";
import type { I2CConstructor } from "../drivers/i2c.js";
import {
  EXPIRE_AUTO, expireAfterFor, KIND_QUANTITIES, PERIOD_MAX, PERIOD_MIN, validateConfig, type FirmwareConfig, type Quantity,
  type SensorConfig,
} from "./config.js";
import { diagnosticNames, DiagnosticsPublisher, normalizeMac, type DiagnosticsProvider } from "./diagnostics.js";
import { DiscoveryAnnouncer } from "./discovery.js";
import { Sensors } from "./sensors.js";
import { senmlWriterFor, type SenmlWriter } from "./senml.js";
import {
  DIAG_SIZE, discoveryDocumentSizes, firmwareClientOptions, NOT_A_NUMBER_TEXT, OUT_OF_RANGE_TEXT, READING_SLOT_SIZE,
  sizeClient,
} from "./sizing.js";
import {
  deviceErrorTopic, OFFLINE, OK, ONLINE, parsePeriod, PERIOD_NOT_A_NUMBER, periodCommandTopic, periodStateTopic,
  QUANTITIES, readingTopic, senmlTopic, sensorErrorTopic, statusTopic,
} from "./topics.js";
import { FirmwareCounters, type FirmwareEvent, type SensorDrivers } from "./types.js";

export type { FirmwareEvent, SensorDriver, SensorDriverClass, SensorDrivers } from "./types.js";
export { FirmwareCounters } from "./types.js";
export type { DiagnosticsProvider } from "./diagnostics.js";
export { firmwareClientSizing, type FirmwareClientSizing } from "./sizing.js";

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
  /**
   * What the host knows about the board (MAC, hardware version, serial number, Wi-Fi RSSI, free heap): announced
   * to Home Assistant and published as diagnostics. Absent: uptime and reconnects only, no MAC.
   */
  diagnostics?: DiagnosticsProvider;
}

/** Delay from start() to the first sample round, ms: longer than any chip's conversion time. */
const FIRST_SAMPLE_DELAY = 250;

/** Bytes of the period state text region (at most 7 digits). */
const PERIOD_TEXT_SIZE = 16;

// `typeof v === "number"` in the sample path would copy the literal into a new chunk on every call on XS.
const NUMBER_TYPE = "number";

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
  /** Quantity of each reading index. */
  readonly readingQuantities: readonly Quantity[];
  /** Last value of each reading (NaN until the first good sample). */
  readonly values: Float64Array;
  /** 1 when the last sample of the reading's sensor succeeded. */
  readonly valid: Uint8Array;
  /** Per sensor: last fault code, or `null` when healthy. */
  readonly sensorFault: readonly (string | null)[];
  /** Per sensor: last fault message, or `null`. */
  readonly sensorMessage: readonly (string | null)[];

  readonly #host: Host;
  readonly #onEvent: ((event: FirmwareEvent, detail: string) => void) | undefined;
  readonly #wallClock: (() => number) | undefined;

  // Every table below is a view on one ArrayBuffer; the indexes are fixed at construction.
  /** Int32 tables: per reading its sensor, topic handle, decimals; per sensor its status topic handle. */
  readonly #ints: Int32Array;
  /** Byte tables and texts: per reading QoS and retain; per sensor configured/health/diag-pending; constant payloads; text regions. */
  readonly #bytes: Uint8Array;
  readonly #rSensor: number;
  readonly #rHandle: number;
  readonly #rDecimals: number;
  readonly #rQos: number;
  readonly #rRetain: number;

  // Sensors, by sensor index.
  readonly #sensors: readonly SensorConfig[];
  readonly #bank: Sensors;

  // Constant payloads (offsets in #bytes) and topics.
  readonly #statusHandle: number;
  readonly #periodHandle: number;
  readonly #deviceErrorHandle: number;
  readonly #senmlHandle: number;
  readonly #onlineAt: number;
  readonly #offlineAt: number;
  readonly #notANumberAt: number;
  readonly #outOfRangeAt: number;
  readonly #discovery: DiscoveryAnnouncer;
  readonly #diagnostics: DiagnosticsPublisher;
  readonly #diagTimer: unknown;
  #startedAt = 0;

  // Announce sequence after each CONNACK: 0 `online`, 1.. the discovery documents; then (see #pump) the period
  // state, sensor statuses and the device diagnostics round.
  #announce = -1;
  #periodPending = false;

  // Text regions.
  readonly #readingAt: number;
  readonly #periodAt: number;
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
    this.#onEvent = options.onEvent;
    this.#wallClock = options.wallClock;
    const clock = options.host.clock;
    for (const s of config.sensors)
      if (!options.drivers[s.kind]) throw new TypeError(`no driver class given for sensor kind "${s.kind}"`);

    const { prefix, deviceId } = config;
    const provider = options.diagnostics;
    const diagnosticNamesList = diagnosticNames(provider);

    // Reading table.
    const quantities: Quantity[] = [];
    const sensorOf: number[] = [];
    config.sensors.forEach((s, si) => {
      for (const q of KIND_QUANTITIES[s.kind]) {
        quantities.push(q);
        sensorOf.push(si);
      }
    });
    const count = quantities.length;
    const n = config.sensors.length;
    this.readingQuantities = Object.freeze(quantities);

    this.#senml = senmlWriterFor(config);
    const senmlSize = this.#senml ? this.#senml.maxSize : 0;

    // One ArrayBuffer: [values f64 | int32 tables | byte tables, constant payloads, text regions | diag | senml].
    const intCount = 3 * count + n;
    this.#rSensor = 0;
    this.#rHandle = count;
    this.#rDecimals = 2 * count;
    const sErrorHandle = 3 * count;
    let b = 0;
    const validAt = b;
    b += count;
    this.#rQos = b;
    b += count;
    this.#rRetain = b;
    b += count;
    const flagsAt = b;
    b += 3 * n;
    this.#onlineAt = b;
    b += ONLINE.length;
    this.#offlineAt = b;
    b += OFFLINE.length;
    const okAt = b;
    b += OK.length;
    this.#notANumberAt = b;
    b += NOT_A_NUMBER_TEXT.length;
    this.#outOfRangeAt = b;
    b += OUT_OF_RANGE_TEXT.length;
    this.#readingAt = b;
    b += READING_SLOT_SIZE;
    this.#periodAt = b;
    b += PERIOD_TEXT_SIZE;
    const diagAt = b;
    b += DIAG_SIZE;
    const senmlAt = b;
    b += senmlSize;
    const intsAt = count * 8;
    const bytesAt = intsAt + intCount * 4;
    const arena = new ArrayBuffer(bytesAt + b);
    this.values = new Float64Array(arena, 0, count).fill(NaN);
    const ints = new Int32Array(arena, intsAt, intCount);
    const bytes = new Uint8Array(arena, bytesAt, b);
    this.#ints = ints;
    this.#bytes = bytes;
    this.valid = new Uint8Array(arena, bytesAt + validAt, count);
    this.#senmlBuffer = new Uint8Array(arena, bytesAt + senmlAt, senmlSize);
    writeAscii(bytes, this.#onlineAt, ONLINE);
    writeAscii(bytes, this.#offlineAt, OFFLINE);
    writeAscii(bytes, okAt, OK);
    writeAscii(bytes, this.#notANumberAt, NOT_A_NUMBER_TEXT);
    writeAscii(bytes, this.#outOfRangeAt, OUT_OF_RANGE_TEXT);
    for (let r = 0; r < count; r++) ints[this.#rSensor + r] = sensorOf[r]!;

    const statusName = statusTopic(prefix, deviceId);
    const clientOptions = firmwareClientOptions(config, options.host,
      bytes.subarray(this.#offlineAt, this.#offlineAt + OFFLINE.length),
      sizeClient(config, config.discovery ? discoveryDocumentSizes(config, provider) : [], senmlSize, diagnosticNamesList), {
        ...options.client,
        onConnected: this.#connected.bind(this),
        onDisconnected: this.#disconnected.bind(this),
        onError: this.#error.bind(this),
        onWritable: this.#writable.bind(this),
        onQueueOverflow: this.#queueOverflow.bind(this),
      });
    const client = new MqttClient(clientOptions);
    this.client = client;

    // Topic handles, registered once.
    for (let r = 0; r < count; r++) {
      const s = config.sensors[sensorOf[r]!]!;
      ints[this.#rHandle + r] = client.topic(readingTopic(prefix, deviceId, s.name, quantities[r]!));
      ints[this.#rDecimals + r] = QUANTITIES[quantities[r]!].decimals;
      bytes[this.#rQos + r] = s.policy.qos;
      bytes[this.#rRetain + r] = s.policy.retain ? 1 : 0;
    }
    this.#statusHandle = client.topic(statusName);
    this.#periodHandle = client.topic(periodStateTopic(prefix, deviceId));
    this.#deviceErrorHandle = client.topic(deviceErrorTopic(prefix, deviceId));
    this.#senmlHandle = this.#senml ? client.topic(senmlTopic(prefix, deviceId)) : -1;
    this.#discovery = new DiscoveryAnnouncer(client, config, {
      mac: normalizeMac(provider?.mac), hwVersion: provider?.hwVersion, serialNumber: provider?.serialNumber,
      diagnostics: diagnosticNamesList,
    });
    this.#diagnostics = new DiagnosticsPublisher(client, prefix, deviceId, provider, bytes, this.#readingAt);

    // Sensors.
    this.#sensors = config.sensors;
    for (let i = 0; i < n; i++) ints[sErrorHandle + i] = client.topic(sensorErrorTopic(prefix, deviceId, config.sensors[i]!.name));
    this.#bank = new Sensors({
      configs: config.sensors, drivers: options.drivers, i2c: options.i2c, now: () => clock.now(), delay: options.delay,
      counters: this.counters, onEvent: options.onEvent,
      bytes, flagsAt, okAt, ints, handlesAt: sErrorHandle, text: new Uint8Array(arena, bytesAt + diagAt, DIAG_SIZE),
    });
    this.sensorFault = this.#bank.fault;
    this.sensorMessage = this.#bank.message;

    this.#timer = options.host.clock.timer(this.#tick.bind(this));
    this.#diagTimer = options.host.clock.timer(this.#diagTick.bind(this));
    this.#subscription = client.subscribe(periodCommandTopic(prefix, deviceId), 1, this.#command.bind(this));
  }

  /**
   * Reading labels, `<sensor>/<quantity>`, one per reading index. Built on each call (for views and logs;
   * not kept per firmware: a fleet of simulated boards would hold thousands of copies).
   */
  get readingNames(): readonly string[] {
    const names: string[] = [];
    for (let r = 0; r < this.readingQuantities.length; r++)
      names.push(`${this.#sensors[this.#ints[this.#rSensor + r]!]!.name}/${this.readingQuantities[r]!}`);
    return Object.freeze(names);
  }

  /** Sensor names (topic levels), one per sensor index. Built on each call, like {@link readingNames}. */
  get sensorNames(): readonly string[] {
    return Object.freeze(this.#sensors.map((s) => s.name));
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
    for (let i = 0; i < this.#sensors.length; i++) this.#bank.setup(i, true);
    // First round once the conversions started by configure() are done (BH1750: up to 180 ms). `#nextDue` is
    // when the armed timer is due, so a timer that fires a little early still schedules the next round a
    // full period on, instead of re-arming for the remainder and sampling twice.
    this.#nextDue = this.#host.clock.now() + FIRST_SAMPLE_DELAY;
    this.#host.clock.schedule(this.#timer, FIRST_SAMPLE_DELAY);
    this.#startedAt = this.#host.clock.now();
    if (this.config.diagnosticsInterval > 0) this.#host.clock.schedule(this.#diagTimer, this.config.diagnosticsInterval);
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
    this.#host.clock.close(this.#diagTimer);
    if (this.client.state === ClientState.CONNECTED)
      this.client.publish(this.#statusHandle, this.#bytes, this.#offlineAt, OFFLINE.length, 1, true);
    this.client.end();
    this.#bank.close();
  }

  /**
   * Changes the sample period; takes effect immediately (the next sample is due `ms` from now) and is reported
   * on the period state topic. When the readings' `expire_after` is derived from the period and moves, the
   * discovery documents are rebuilt and published again (a rare command: this allocates).
   * @returns true when accepted (1000..3600000 ms)
   */
  setPeriod(ms: number): boolean {
    if (!(ms >= PERIOD_MIN && ms <= PERIOD_MAX) || Math.floor(ms) !== ms) return false;
    const before = this.period;
    this.period = ms;
    if (this.config.discovery && this.config.expireAfter === EXPIRE_AUTO && expireAfterFor(before) !== expireAfterFor(ms))
      this.#rediscover();
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
    const buf = this.#bytes;
    const ints = this.#ints;
    const base = this.#readingAt;
    for (let r = 0; r < count; r++) {
      if (!this.valid[r]) continue;
      const end = writeDecimal(buf, base, this.values[r]!, ints[this.#rDecimals + r]!);
      if (end < 0) {
        this.counters.dropped++;
        continue;
      }
      const status = this.client.publish(ints[this.#rHandle + r]!, buf, base, end - base, buf[this.#rQos + r]!,
        buf[this.#rRetain + r] === 1);
      if (status === SENT || status === QUEUED) this.counters.readings++;
      else this.counters.dropped++;
    }
    this.counters.samples++;
    const senml = this.#senml;
    if (senml) {
      const wall = this.#wallClock ? this.#wallClock() : 0;
      const end = senml.write(this.#senmlBuffer, 0, wall >= 978_307_200_000 ? wall / 1000 : NaN, this.values, this.valid);
      if (end > 0) {
        const status = this.client.publish(this.#senmlHandle, this.#senmlBuffer, 0, end, count > 0 ? buf[this.#rQos]! : 0, false);
        if (status === SENT || status === QUEUED) this.counters.senml++;
        else this.counters.dropped++;
      }
    }
    this.#pump();
  }

  // Rebuilds the discovery documents for the current period and owes them again (after `online`).
  #rediscover(): void {
    this.#discovery.rebuild(this.period);
    if (this.#announce < 0 || this.#announce > 1) this.#announce = 1;
  }

  #diagTick(): void {
    if (!this.#running) return;
    this.#host.clock.schedule(this.#diagTimer, this.config.diagnosticsInterval);
    this.#diagnostics.request();
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

  // Samples sensor i into its readings' values/valid; an unconfigured sensor is configured instead (its
  // readings are invalid this round).
  #sampleSensor(i: number): void {
    const bank = this.#bank;
    const count = this.values.length;
    const sensorOf = this.#ints;
    if (!bank.configured(i)) {
      for (let r = 0; r < count; r++) if (sensorOf[this.#rSensor + r] === i) this.valid[r] = 0;
      bank.setup(i, true);
      return;
    }
    const record = bank.sample(i);
    let ok = record !== undefined;
    for (let r = 0; r < count && ok; r++) {
      if (sensorOf[this.#rSensor + r] !== i) continue;
      const v = record![this.readingQuantities[r]!];
      if (typeof v !== NUMBER_TYPE || v !== v) ok = false;
    }
    for (let r = 0; r < count; r++) {
      if (sensorOf[this.#rSensor + r] !== i) continue;
      if (ok) {
        this.values[r] = record![this.readingQuantities[r]!] as number;
        this.valid[r] = 1;
      } else this.valid[r] = 0;
    }
    if (ok) bank.healthy(i);
    else bank.failed(i);
  }

  // Publishes what is owed: the announce sequence after CONNACK, the period state, sensor diagnostics.
  // Stops at BUSY; onWritable calls it again.
  #pump(): void {
    const client = this.client;
    if (client.state !== ClientState.CONNECTED) return;
    while (this.#announce >= 0) {
      const a = this.#announce;
      let status: number;
      if (a === 0) status = client.publish(this.#statusHandle, this.#bytes, this.#onlineAt, ONLINE.length, 1, true);
      else {
        const d = a - 1;
        if (d >= this.#discovery.count) {
          this.#announce = -1;
          break;
        }
        status = this.#discovery.publish(d);
      }
      if (status === BUSY) return;
      this.#announce = a + 1;
    }
    if (this.#periodPending) {
      const bytes = this.#bytes;
      const base = this.#periodAt;
      const end = writeInteger(bytes, base, this.period);
      const status = end < 0 ? SENT : client.publish(this.#periodHandle, bytes, base, end - base, 1, true);
      if (status === BUSY) return;
      this.#periodPending = false;
    }
    if (this.#bank.pumpStatus(client) === BUSY) return;
    if (this.#diagnostics.pending) {
      if (this.#diagnostics.pump(this.#host.clock.now() - this.#startedAt, this.counters.connects - 1) === BUSY) return;
      this.counters.diagnostics++;
    }
  }

  #command(message: MqttMessage): void {
    const value = parsePeriod(message.payload, message.payloadOffset, message.payloadLength);
    if (value < 0) {
      this.counters.rejected++;
      const notANumber = value === PERIOD_NOT_A_NUMBER;
      this.client.publish(this.#deviceErrorHandle, this.#bytes, notANumber ? this.#notANumberAt : this.#outOfRangeAt,
        notANumber ? NOT_A_NUMBER_TEXT.length : OUT_OF_RANGE_TEXT.length, 0, false);
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
    this.#diagnostics.request();
    this.#bank.oweStatus();
    this.#pump();
    this.#onEvent?.("connected", this.config.deviceId);
  }

  #disconnected(code: number): void {
    if (this.#stopped) return;
    this.counters.disconnects++;
    this.#announce = -1;
    this.#diagnostics.cancel();
    this.#onEvent?.("disconnected", String(code));
  }

  /** Reported with the error's class, so a log tells a refused certificate from a lost link. */
  #error(error: MqttError): void {
    this.#onEvent?.("error", `${error.name}: ${error.message}`);
  }

  #writable(): void {
    this.#pump();
  }

  /** The client dropped the oldest queued message to take a new one (drop-oldest): count it, never silently. */
  #queueOverflow(): void {
    this.counters.dropped++;
  }

  /** Subscription id of the period command (for tests). */
  get commandSubscription(): number {
    return this.#subscription;
  }
}
