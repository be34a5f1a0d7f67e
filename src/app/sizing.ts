/**
 * The client a firmware gets: its options from the configuration (broker, credentials, TLS, the will) and its
 * sizing — transmit slots as large as the largest message the firmware can send, as many as one sample round
 * plus a few, an rx buffer that holds the largest command it accepts. Setup time only (allocates).
 *
 * Module scope: frozen constants and functions (XS preload).
 * @module
 */

import { sizeVarInt } from "../codec/bytes.js";
import { sizeConnect } from "../codec/connect.js";
import { utf8Encode, utf8Length } from "../codec/text.js";
import type { MqttClientOptions } from "../client/client.js";
import type { Host, TlsOptions } from "../client/host.js";
import { KIND_QUANTITIES, PERIOD_MAX, type FirmwareConfig } from "./config.js";
import { diagnosticNames, DiagnosticsPublisher, normalizeMac, type DiagnosticsProvider } from "./diagnostics.js";
import { discoveryDocuments } from "./discovery.js";
import { senmlWriterFor } from "./senml.js";
import {
  deviceErrorTopic, diagnosticTopic, OFFLINE, ONLINE, periodCommandTopic, periodStateTopic, readingTopic,
  senmlTopic, sensorErrorTopic, statusTopic,
} from "./topics.js";

/** Bytes of the reading text region: sign, 16 integer digits, point, decimals. */
export const READING_SLOT_SIZE = 32;
/** Bytes for a sensor diagnostics payload (`CODE: message`). */
export const DIAG_SIZE = 160;
/** Longest period command payload the rx buffer is sized for (the command itself is at most 9 digits + spaces). */
export const COMMAND_PAYLOAD_MAX = 64;
/** Device error payload of a period command that is not a number. */
export const NOT_A_NUMBER_TEXT = "cmd/period: rejected, not a decimal number of milliseconds";
/** Device error payload of a period command out of range. */
export const OUT_OF_RANGE_TEXT = "cmd/period: rejected, out of range 1000..3600000 ms";

/** Client sizing derived from a configuration (see {@link firmwareClientSizing}). */
export interface FirmwareClientSizing {
  /** Transmit slots. */
  txSlots: number;
  /** Bytes per transmit slot. */
  txSlotSize: number;
  /** Receive buffer bytes. */
  rxBufferSize: number;
  /** QoS 1 in-flight window. */
  inflightWindow: number;
  /** Offline queue entries. */
  offlineQueue: number;
  /** Subscription table size. */
  maxSubscriptions: number;
}

/** Bytes of a PUBLISH packet with a `topic`-byte topic and a `payload`-byte payload. */
export function publishSize(topic: number, payload: number, qos: number): number {
  const remaining = 2 + topic + (qos > 0 ? 2 : 0) + payload;
  return 1 + sizeVarInt(remaining) + remaining;
}

function roundUp(n: number, unit: number): number {
  return Math.ceil(n / unit) * unit;
}

/**
 * Sizes the client for what this firmware sends and receives (setup time):
 * - `txSlotSize`: the largest packet it can send — CONNECT, SUBSCRIBE, readings, status, period state,
 *   sensor diagnostics ({@link DIAG_SIZE} bytes of text), device diagnostics, rejections, SenML and discovery
 *   documents when on (sized for the longest period, whose `expire_after` has the most digits);
 * - `offlineQueue`: one sample round (the newest round survives an outage; older ones are dropped);
 * - `inflightWindow`: the QoS 1 readings of one round plus 2 (status/period/diagnostics go 2 at a time);
 * - `txSlots`: the window plus the queue: in-flight QoS 1 messages hold their slots for resend through an outage,
 *   and the round taken meanwhile still needs slots of its own (with fewer, it was refused as `BUSY`);
 * - `rxBufferSize`: the largest packet it accepts: a period command of up to {@link COMMAND_PAYLOAD_MAX} bytes
 *   (anything larger is refused by the client); the acks the broker sends are smaller;
 * - `maxSubscriptions`: 1 (the period command).
 * `docs`/`senmlMax`/`diagnostics` let the firmware pass what it has already built.
 */
export function sizeClient(config: FirmwareConfig, docs: readonly { topic: string; size: number }[], senmlMax: number,
  diagnostics: readonly string[]): FirmwareClientSizing {
  const { prefix, deviceId } = config;
  let readings = 0;
  let q1 = 0;
  let largest = 0;
  for (const s of config.sensors) {
    for (const q of KIND_QUANTITIES[s.kind]) {
      readings++;
      if (s.policy.qos === 1) q1++;
      largest = Math.max(largest, publishSize(utf8Length(readingTopic(prefix, deviceId, s.name, q)), READING_SLOT_SIZE, s.policy.qos));
    }
    largest = Math.max(largest, publishSize(utf8Length(sensorErrorTopic(prefix, deviceId, s.name)), DIAG_SIZE, 1));
  }
  const status = utf8Length(statusTopic(prefix, deviceId));
  largest = Math.max(largest, publishSize(status, OFFLINE.length, 1), publishSize(status, ONLINE.length, 1));
  largest = Math.max(largest, publishSize(utf8Length(periodStateTopic(prefix, deviceId)), 7, 1));
  largest = Math.max(largest, publishSize(utf8Length(deviceErrorTopic(prefix, deviceId)),
    Math.max(NOT_A_NUMBER_TEXT.length, OUT_OF_RANGE_TEXT.length), 0));
  for (const name of diagnostics)
    largest = Math.max(largest, publishSize(utf8Length(diagnosticTopic(prefix, deviceId, name)), DiagnosticsPublisher.maxPayload, 0));
  let senml = 0;
  if (senmlMax > 0) {
    senml = 1;
    largest = Math.max(largest, publishSize(utf8Length(senmlTopic(prefix, deviceId)), senmlMax, config.sensors[0]?.policy.qos ?? 0));
  }
  for (const d of docs) largest = Math.max(largest, publishSize(utf8Length(d.topic), d.size, 1));
  const command = utf8Length(periodCommandTopic(prefix, deviceId));
  largest = Math.max(largest, 2 + 2 + 2 + command + 1 + 3); // SUBSCRIBE
  const b = config.broker;
  const connect = sizeConnect({
    clientId: utf8Encode(deviceId), cleanSession: true, keepAlive: b.keepAlive,
    username: b.username === null ? null : utf8Encode(b.username), password: b.password === null ? null : utf8Encode(b.password),
    will: { topic: utf8Encode(statusTopic(prefix, deviceId)), payload: utf8Encode(OFFLINE), qos: 1, retain: true },
  });
  if (connect > 0) largest = Math.max(largest, connect);
  const round = readings + senml;
  const window = Math.min(round + 2, q1 + (senml > 0 && (config.sensors[0]?.policy.qos ?? 0) === 1 ? 1 : 0) + 2);
  return {
    // In-flight QoS 1 messages keep their slots for resend across an outage, so the queue needs its own.
    txSlots: window + round,
    txSlotSize: roundUp(largest, 8),
    rxBufferSize: Math.max(64, roundUp(publishSize(command, COMMAND_PAYLOAD_MAX, 1), 16)),
    inflightWindow: window,
    offlineQueue: round,
    maxSubscriptions: 1,
  };
}

/**
 * The client sizing a `Firmware` gives its client for `config` (before `options.client` overrides):
 * see the rules in the module notes. Exposed for benchmarks and tools (setup time; allocates).
 */
export function firmwareClientSizing(config: FirmwareConfig, diagnostics?: DiagnosticsProvider): FirmwareClientSizing {
  const names = diagnosticNames(diagnostics);
  const docs = config.discovery ? discoveryDocumentSizes(config, diagnostics) : [];
  const senmlMax = senmlWriterFor(config)?.maxSize ?? 0;
  return sizeClient(config, docs, senmlMax, names);
}

/**
 * Topic and size of each discovery document at its largest: at {@link PERIOD_MAX}, whose derived `expire_after`
 * has the most digits (setup time; allocates).
 */
export function discoveryDocumentSizes(config: FirmwareConfig, diagnostics?: DiagnosticsProvider): { topic: string; size: number }[] {
  return discoveryDocuments(config, {
    period: PERIOD_MAX,
    mac: normalizeMac(diagnostics?.mac),
    hwVersion: diagnostics?.hwVersion,
    serialNumber: diagnostics?.serialNumber,
    diagnostics: diagnosticNames(diagnostics),
  }).map((d) => ({ topic: d.topic, size: utf8Length(d.json) }));
}

/**
 * The client options of a firmware (setup time): broker, clean session, keep-alive, credentials, TLS, the
 * retained `offline` will on the status topic, `sizing`, `drop-oldest` overflow, then `overrides` (the caller's
 * client overrides and the firmware's callbacks).
 * @param offline - the `offline` payload bytes (a view the firmware keeps)
 */
export function firmwareClientOptions(config: FirmwareConfig, host: Host, offline: Uint8Array, sizing: FirmwareClientSizing,
  overrides: Partial<MqttClientOptions>): MqttClientOptions {
  const tls = config.broker.tls;
  let tlsOptions: TlsOptions | null = null;
  if (tls) {
    tlsOptions = { rejectUnauthorized: tls.rejectUnauthorized };
    if (tls.ca !== undefined) tlsOptions.ca = tls.ca;
    if (tls.cert !== undefined) tlsOptions.cert = tls.cert;
    if (tls.key !== undefined) tlsOptions.key = tls.key;
    if (tls.servername !== undefined) tlsOptions.servername = tls.servername;
  }
  return {
    host,
    hostname: config.broker.hostname,
    port: config.broker.port,
    clientId: config.deviceId,
    cleanSession: true,
    keepAlive: config.broker.keepAlive,
    will: { topic: statusTopic(config.prefix, config.deviceId), payload: offline, qos: 1, retain: true },
    username: config.broker.username,
    password: config.broker.password,
    tls: tlsOptions,
    ...sizing,
    overflow: "drop-oldest",
    ...overrides,
  } as MqttClientOptions;
}
