// The whole firmware on XS (src/app/firmware.ts: sensors → decimal text in pool slots → client.publish):
// the in-memory transport, the scripted broker and the manual clock of test/support/, the three drivers
// over the allocation-free fake I2C of test/xs/support/fake-i2c.ts (sharing the host clock).
// Setup (not measured): connect, SUBSCRIBE cmd/period, availability "online", 14 Home Assistant discovery
// documents (period number, 6 readings, 3 sensor statuses, 4 device diagnostics), period state, per-sensor
// "ok" diagnostics, a first device diagnostics round. Then 20,000 sample periods of 6 readings each, with a
// device diagnostics round (uptime, reconnects, RSSI, free heap from an allocation-free provider) every 60 s:
//   firmware.sample-publish-q0      QoS 0 readings
//   firmware.sample-publish-q1      QoS 1 readings, the broker PUBACKs each
//   firmware.sample-publish-senml   QoS 0 readings plus one SenML document per period (with `bt`)
// Every PUBLISH is checked as it reaches the broker, with numbers only: its topic against the 6 reading
// topics, its decimal text against the value the fake chip served (within the quantity's rounding).
import { MqttClient } from "../../../src/client/client.js";
import { Firmware } from "../../../src/app/firmware.js";
import { diagnosticTopic, QUANTITIES, readingTopic, senmlTopic, statusTopic } from "../../../src/app/topics.js";
import { PacketType } from "../../../src/codec/codes.js";
import type { Packet } from "../../../src/codec/packet.js";
import { BH1750, BME280, bme280FineTemperature, bme280Humidity, bme280Pressure, bme280Temperature, SHT3x,
} from "../../../src/drivers/index.js";
import { ManualClock } from "../../support/manual-clock.js";
import { MemoryNetwork } from "../../support/memory-transport.js";
import { ScriptedBroker } from "../../support/scripted-broker.js";
import { check, checkEqual, measureAlloc } from "../harness.js";
import { EXAMPLE_CALIBRATION, FakeChips, fakeI2C, TABLE_SIZE } from "../support/fake-i2c.js";

const PERIODS = 20_000;
const PERIOD = 1000;
const PREFIX = "xsmqtt";
const SENSORS = ["sht3x", "sht3x", "bme280", "bme280", "bme280", "bh1750"] as const;
const QUANTITY = ["temperature", "humidity", "temperature", "pressure", "humidity", "illuminance"] as const;
const READINGS = QUANTITY.length;

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function textOf(buf: Uint8Array, offset: number, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += String.fromCharCode(buf[offset + i]!);
  return s;
}

function sameBytes(buf: Uint8Array, offset: number, length: number, expected: Uint8Array): boolean {
  if (length !== expected.length) return false;
  for (let i = 0; i < length; i++) if (buf[offset + i] !== expected[i]) return false;
  return true;
}

/** Parses `-?digits(.digits)?`; NaN for anything else. Numbers only: usable inside measured loops. */
function parseDecimal(buf: Uint8Array, offset: number, length: number): number {
  let i = offset;
  const end = offset + length;
  let sign = 1;
  if (i < end && buf[i] === 0x2d) {
    sign = -1;
    i++;
  }
  let value = 0;
  let digits = 0;
  let scale = 0;
  let point = false;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === 0x2e && !point) {
      point = true;
      continue;
    }
    if (c < 0x30 || c > 0x39) return NaN;
    value = value * 10 + (c - 0x30);
    digits++;
    if (point) scale++;
  }
  if (digits === 0) return NaN;
  return (sign * value) / Math.pow(10, scale);
}

/** What one rig's broker saw (numbers only). */
class Seen {
  readings = 0;
  bad = 0;
  senml = 0;
  diagnostics = 0;
  other = 0;
  retained = 0;
  /** Last mismatch: reading index, value parsed, value expected. */
  badIndex = -1;
  badValue = 0;
  badExpected = 0;
}

interface Rig {
  name: string;
  chips: FakeChips;
  clock: ManualClock;
  network: MemoryNetwork;
  broker: ScriptedBroker;
  firmware: Firmware;
  client: MqttClient;
  seen: Seen;
  /** Setup-time log of every PUBLISH (topic, payload text, retain); disabled before measuring. */
  log: string[];
  /** One sample period: advance the clock (timer → sample → publish → batch flush), pump both ways. */
  period: () => void;
  /** Switch the broker's packet hook from the setup log to the numeric checker. */
  measureMode: () => void;
}

function makeRig(name: string, qos: 0 | 1, senml: boolean): Rig {
  const deviceId = `fw-${name}`;
  const clock = new ManualClock();
  const chips = new FakeChips(() => clock.time);
  const network = new MemoryNetwork({ sendBuffer: 8192, receiveBuffer: 65536 });
  const broker = new ScriptedBroker(network);
  const host = { tcp: network.socketClass, clock, random: (): number => 0.5 };
  const firmware = new Firmware({
    config: {
      broker: { hostname: "broker.local", port: 1883, keepAlive: 60 },
      deviceId,
      prefix: PREFIX,
      period: PERIOD,
      qos,
      retain: false,
      senml,
      discovery: true,
      sensors: [
        { kind: "sht3x", data: 21, clock: 22 },
        { kind: "bme280", data: 21, clock: 22 },
        { kind: "bh1750", data: 21, clock: 22 },
      ],
    },
    host,
    i2c: fakeI2C(chips),
    drivers: { sht3x: SHT3x, bme280: BME280, bh1750: BH1750 },
    wallClock: () => 1_700_000_000_000 + clock.time,
    // What hosts/moddable passes (Net.get("MAC"), Net.get("RSSI"), Instrumentation), as numbers from the clock.
    diagnostics: {
      mac: "24:0A:C4:00:00:01",
      rssi: (): number => -60 - (clock.time % 7),
      freeHeap: (): number => 150_000 + (clock.time % 1000),
    },
  });
  const client = firmware.client;
  const seen = new Seen();
  const log: string[] = [];

  // Expected values per fake table entry (the drivers' formulas were pinned to the datasheet by drivers.xs.ts).
  const cal = EXAMPLE_CALIBRATION;
  const expected = new Float64Array(READINGS * TABLE_SIZE);
  for (let e = 0; e < TABLE_SIZE; e++) {
    const tFine = bme280FineTemperature(cal, chips.bme.adcT[e]!);
    expected[0 * TABLE_SIZE + e] = -45 + (175 * chips.sht.rawT[e]!) / 65535;
    expected[1 * TABLE_SIZE + e] = (100 * chips.sht.rawH[e]!) / 65535;
    expected[2 * TABLE_SIZE + e] = bme280Temperature(cal, chips.bme.adcT[e]!);
    expected[3 * TABLE_SIZE + e] = bme280Pressure(cal, tFine, chips.bme.adcP[e]!);
    expected[4 * TABLE_SIZE + e] = bme280Humidity(cal, tFine, chips.bme.adcH[e]!);
    expected[5 * TABLE_SIZE + e] = chips.bh.counts[e]! / 1.2;
  }
  const tolerance = new Float64Array(READINGS);
  const topics: Uint8Array[] = [];
  for (let r = 0; r < READINGS; r++) {
    tolerance[r] = 0.5 * Math.pow(10, -QUANTITIES[QUANTITY[r]!].decimals) + 1e-9;
    topics.push(ascii(readingTopic(PREFIX, deviceId, SENSORS[r]!, QUANTITY[r]!)));
  }
  const senmlName = ascii(senmlTopic(PREFIX, deviceId));
  const diagNames: Uint8Array[] = [];
  for (const d of ["uptime", "reconnects", "rssi", "heap"]) diagNames.push(ascii(diagnosticTopic(PREFIX, deviceId, d)));
  const sht = chips.sht;
  const bme = chips.bme;
  const bh = chips.bh;

  // Numeric checker, created once: runs inside the measured loop for every packet the broker decodes.
  const checker = (p: Packet): void => {
    if (p.type !== PacketType.PUBLISH) return;
    if (p.retain) seen.retained++;
    let r = -1;
    for (let i = 0; i < READINGS; i++) {
      if (sameBytes(p.buffer, p.topicOffset, p.topicLength, topics[i]!)) {
        r = i;
        break;
      }
    }
    if (r < 0) {
      if (sameBytes(p.buffer, p.topicOffset, p.topicLength, senmlName)) seen.senml++;
      else {
        let diag = false;
        for (let i = 0; i < diagNames.length; i++) if (sameBytes(p.buffer, p.topicOffset, p.topicLength, diagNames[i]!)) diag = true;
        if (diag) seen.diagnostics++;
        else seen.other++;
      }
      return;
    }
    const entry = r < 2 ? sht.lastRead : r < 5 ? bme.published : bh.lastRead;
    const want = expected[r * TABLE_SIZE + entry]!;
    const got = parseDecimal(p.payloadBuffer, p.payloadOffset, p.payloadLength);
    seen.readings++;
    if (!(Math.abs(got - want) <= tolerance[r]!)) {
      seen.bad++;
      seen.badIndex = r;
      seen.badValue = got;
      seen.badExpected = want;
    }
  };
  // Setup-time logger (allocates: strings).
  broker.onPacket = (p: Packet): void => {
    if (p.type !== PacketType.PUBLISH) return;
    log.push(`${textOf(p.buffer, p.topicOffset, p.topicLength)} ${p.retain ? "R" : "-"}${p.qos} ` +
      textOf(p.payloadBuffer, p.payloadOffset, Math.min(p.payloadLength, 40)));
  };

  return {
    name, chips, clock, network, broker, firmware, client, seen, log,
    period: (): void => {
      clock.advance(PERIOD);
      network.pump();
    },
    measureMode: (): void => {
      broker.onPacket = checker;
    },
  };
}

/** Connects and lets the setup traffic and the first sample round settle. */
function startRig(rig: Rig): void {
  rig.firmware.start();
  for (let i = 0; i < 8; i++) {
    rig.network.pump();
    rig.clock.advance(0);
  }
  // First round at +250 ms, then a few periods (diagnostics "ok" follow the first good samples).
  rig.clock.advance(250);
  rig.network.pump();
  for (let i = 0; i < 3; i++) rig.period();
}

function checkSetup(rig: Rig, qos: 0 | 1, senml: boolean): void {
  const n = rig.name;
  const deviceId = `fw-${n}`;
  checkEqual(`${n}: connected`, rig.client.connected, true);
  checkEqual(`${n}: one CONNECT`, rig.broker.connects, 1);
  checkEqual(`${n}: SUBSCRIBE cmd/period`, rig.broker.subscribes, 1);
  checkEqual(`${n}: no sensor faults`, rig.firmware.counters.faults, 0);
  checkEqual(`${n}: no NACK`, rig.chips.nacks, 0);
  const log = rig.log;
  const has = (line: string): boolean => log.indexOf(line) >= 0;
  check(`${n}: availability online (retained, QoS 1)`, has(`${statusTopic(PREFIX, deviceId)} R1 online`), log.join(" | "));
  const discovery = log.filter((l) => l.startsWith("homeassistant/") && l.includes(`/${deviceId}/`));
  checkEqual(`${n}: 14 discovery documents`, discovery.length, 14);
  check(`${n}: device diagnostics on connect`, has(`${PREFIX}/${deviceId}/diag/reconnects -0 0`) &&
    log.some((l) => l.startsWith(`${PREFIX}/${deviceId}/diag/rssi -0 -6`)), log.join(" | "));
  check(`${n}: discovery retained QoS 1 JSON`, discovery.every((l) => l.includes(" R1 {")), discovery.join(" | "));
  check(`${n}: period state 1000`, has(`${PREFIX}/${deviceId}/period R1 1000`), log.join(" | "));
  for (const s of ["sht3x", "bme280", "bh1750"])
    check(`${n}: ${s} diagnostics ok`, has(`${PREFIX}/${deviceId}/${s}/error R1 ok`), log.join(" | "));
  const temp = log.filter((l) => l.startsWith(`${PREFIX}/${deviceId}/sht3x/temperature `));
  check(`${n}: sht3x temperature readings at QoS ${qos}`, temp.length >= 3 && temp.every((l) => l.includes(` -${qos} `)),
    temp.join(" | "));
  const senmlDocs = log.filter((l) => l.startsWith(`${PREFIX}/${deviceId}/senml `));
  if (senml) check(`${n}: SenML documents`, senmlDocs.length >= 3 && senmlDocs[0]!.includes(' -0 [{"bn":"urn:dev:xsmqtt:'),
    senmlDocs.join(" | "));
  else checkEqual(`${n}: no SenML`, senmlDocs.length, 0);
}

function runRig(name: string, qos: 0 | 1, senml: boolean): void {
  const rig = makeRig(name, qos, senml);
  startRig(rig);
  checkSetup(rig, qos, senml);
  rig.measureMode();
  const c = rig.firmware.counters;
  const readings0 = c.readings;
  const samples0 = c.samples;
  const acked0 = rig.client.counters.acked;
  const diagnostics0 = c.diagnostics;
  measureAlloc(`firmware.sample-publish-${name}`, PERIODS, rig.period);
  const rounds = PERIODS + 1000; // + harness warm-up
  checkEqual(`${name}: one sample round per period`, c.samples - samples0, rounds);
  checkEqual(`${name}: 6 readings published per period`, c.readings - readings0, rounds * READINGS);
  checkEqual(`${name}: the broker got and checked every reading`, rig.seen.readings, rounds * READINGS);
  check(`${name}: every reading's text matches the chip's value`, rig.seen.bad === 0,
    `${rig.seen.bad} bad; last: reading ${rig.seen.badIndex} got ${rig.seen.badValue}, expected ${rig.seen.badExpected}`);
  checkEqual(`${name}: nothing else published`, rig.seen.other, 0);
  checkEqual(`${name}: a device diagnostics round per minute`, c.diagnostics - diagnostics0, Math.floor(rounds / 60));
  checkEqual(`${name}: 4 diagnostics per round reached the broker`, rig.seen.diagnostics, 4 * (c.diagnostics - diagnostics0));
  checkEqual(`${name}: readings not retained`, rig.seen.retained, 0);
  checkEqual(`${name}: SenML documents`, rig.seen.senml, senml ? rounds : 0);
  checkEqual(`${name}: nothing dropped`, c.dropped, 0);
  checkEqual(`${name}: no faults`, c.faults, 0);
  if (qos === 1) {
    checkEqual(`${name}: every QoS 1 reading PUBACKed`, rig.client.counters.acked - acked0, rounds * READINGS);
    checkEqual(`${name}: nothing left in flight`, rig.client.inflight, 0);
  }
  checkEqual(`${name}: still connected`, rig.client.connected, true);
  checkEqual(`${name}: broker decode errors`, rig.broker.errors, 0);
}

runRig("q0", 0, false);
runRig("q1", 1, false);
runRig("senml", 0, true);
