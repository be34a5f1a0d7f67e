/**
 * Device benchmark app (a): xsmqtt's client publishing like a sensor, on Moddable's runtime.
 *
 * Built by `npm run bench:device` (bench/device.ts) with mcconfig for lin, through a generated manifest that
 * includes this folder's manifest and maps only the client-role codec files and the client files one by one
 * (no index barrels, no simulator, no server-role codec). Connects to 127.0.0.1:`config.port` and publishes
 * `config.rounds` rounds of 3 readings at QoS 1 with an in-flight window of 4, each reading's text written by
 * writeDecimal into one reused buffer. Figures are reported by the probe shared with
 * ../moddable-publisher/main.js (Moddable's ECMA-419 client doing the same publishing).
 * @module
 */
import config from "mc/config";
import TCP from "embedded:io/socket/tcp";
import Time from "time";
import Timer from "timer";
import Probe from "xsmqtt-bench/probe";
import { MqttClient } from "xsmqtt/client/client";
import { SENT } from "xsmqtt/client/codes";
import type { Clock, Host, SocketConstructor } from "xsmqtt/client/host";
import { writeDecimal } from "xsmqtt/codec/text";

Probe.start();

const c = config as unknown as Record<string, unknown>;
const port = Number(c["port"]);
const total = Number(c["rounds"] ?? 1000) * 3;
const WARM = 600;
const BUSY = -100;

/** One-shot timers re-armed without allocating: a parked repeating Moddable timer (as hosts/moddable). */
const PARK = 0x3fffffff;
const clock: Clock = {
  now: () => Time.ticks,
  timer(callback: () => void): unknown {
    const id = Timer.repeat(() => {
      Timer.schedule(id);
      callback();
    }, PARK);
    Timer.schedule(id);
    return id;
  },
  schedule(timer: unknown, delayMs: number): void {
    Timer.schedule(timer as Timer, delayMs > 0 ? delayMs : 0, PARK);
  },
  cancel(timer: unknown): void {
    Timer.schedule(timer as Timer);
  },
  close(timer: unknown): void {
    Timer.clear(timer as Timer);
  },
};
const host: Host = { tcp: TCP as unknown as SocketConstructor, clock, random: Math.random };

// Pools sized for three short readings with a window of 4 (the figure the heap target adds).
const TX_SLOTS = 8;
const TX_SLOT_SIZE = 64;
const RX_BUFFER = 128;
Probe.report("pool.bytes", TX_SLOTS * TX_SLOT_SIZE + RX_BUFFER);

const text = new Uint8Array(16);
const DECIMALS = [2, 1, 0];
let sent = 0;
let done = false;
let poll: Timer | undefined;

const client = new MqttClient({
  host,
  hostname: "127.0.0.1",
  port,
  clientId: "bench-xsmqtt",
  keepAlive: 60,
  txSlots: TX_SLOTS,
  txSlotSize: TX_SLOT_SIZE,
  rxBufferSize: RX_BUFFER,
  inflightWindow: 4,
  offlineQueue: 4,
  maxSubscriptions: 1,
  reconnect: false,
  onConnected() {
    Probe.connected();
    pump();
  },
  onWritable: pump,
  onError(error) {
    if (!done) Probe.report("fail", `${error.name} ${error.message}`);
  },
});
Probe.mark("constructed");
const handles = [
  client.topic("xsmqtt/bench-0001/sht3x/temperature"),
  client.topic("xsmqtt/bench-0001/sht3x/humidity"),
  client.topic("xsmqtt/bench-0001/bme280/pressure"),
];
Probe.mark("topics");

function reading(i: number, n: number): number {
  if (i === 0) return 21.5 + (n % 50) / 10;
  if (i === 1) return 40 + (n % 200) / 10;
  return 101325 + (n % 100);
}

function pump(): void {
  while (sent < total) {
    const i = sent % 3;
    const length = writeDecimal(text, 0, reading(i, sent), DECIMALS[i]);
    Probe.beforePublish();
    const status = client.publish(handles[i], text, 0, length, 1, false);
    Probe.afterPublish();
    if (status !== SENT) {
      if (status !== BUSY) Probe.report("fail", `publish status ${status}`);
      return; // BUSY: onWritable calls pump again
    }
    if (++sent === WARM) Probe.warm();
  }
  poll ??= Timer.repeat(finish, 2);
}

function finish(): void {
  if (client.inflight !== 0 || done) return;
  done = true;
  if (poll !== undefined) Timer.clear(poll);
  Probe.finish(total, client.counters.acked, total - WARM);
  client.end();
}

client.connect();
Probe.mark("connecting");
