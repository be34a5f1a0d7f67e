/**
 * The client's steady state on the in-memory transport, shared by the XS allocation scenario
 * (test/xs/scenarios/client.xs.ts) and the Node functional test (test/client/memory-steady-state.test.ts).
 *
 * Everything (network, scripted broker, manual clock, client, subscriptions, payloads, and the step
 * closures) is created by {@link createSteadyRig}; each step then runs one round trip and allocates nothing
 * in the client, transport or broker. Engine-neutral.
 * @module
 */
import { MqttClient } from "../../src/client/client.js";
import type { MqttMessage } from "../../src/client/message.js";
import { ManualClock } from "./manual-clock.js";
import { MemoryNetwork } from "./memory-transport.js";
import { ScriptedBroker } from "./scripted-broker.js";

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Observations made by the rig's handlers (numbers only). */
export class RigCounts {
  /** Calls of the `cmd/rig-1/#` handler. */
  hash = 0;
  /** Calls of the `cmd/+/led` handler. */
  plus = 0;
  /** Payload bytes seen by handlers. */
  bytes = 0;
  /** Errors reported by the client. */
  errors = 0;
  /** onConnected calls. */
  connected = 0;
  /** Last error code. */
  lastError = 0;
}

/** A connected client on the in-memory transport plus one-step closures. */
export interface SteadyRig {
  network: MemoryNetwork;
  broker: ScriptedBroker;
  clock: ManualClock;
  client: MqttClient;
  counts: RigCounts;
  /** Connects and subscribes (two filters); returns true when both SUBACKs arrived. */
  start(): boolean;
  /** One QoS 0 publish of 16 bytes, pumped to the broker. */
  publishQos0(): void;
  /** Eight QoS 0 publishes in one turn (coalesced by the client), then pumped. */
  publishBurst(): void;
  /** One QoS 1 publish of 16 bytes and its PUBACK. */
  publishQos1(): void;
  /** The broker publishes one QoS 1 message on `cmd/rig-1/led` (matches both filters); the client acks. */
  receive(): void;
  /** Advances the clock by keepAlive: the client pings, the broker answers. */
  ping(): void;
}

/** Builds the rig (all allocation happens here). */
export function createSteadyRig(): SteadyRig {
  const network = new MemoryNetwork({ sendBuffer: 8192, receiveBuffer: 65536 });
  const broker = new ScriptedBroker(network);
  const clock = new ManualClock();
  const counts = new RigCounts();
  const client = new MqttClient({
    host: { tcp: network.socketClass, clock, random: () => 0.5 },
    hostname: "broker.local",
    clientId: "rig-1",
    keepAlive: 60,
    inflightWindow: 16,
    offlineQueue: 8,
    onConnected: () => {
      counts.connected++;
    },
    onError: (e) => {
      counts.errors++;
      counts.lastError = e.code;
    },
  });
  const payload = ascii("0123456789abcdef");
  const handle = client.topic("sensors/rig-1/temperature");
  const cmdTopic = ascii("cmd/rig-1/led");
  const onHash = (m: MqttMessage): void => {
    counts.hash++;
    counts.bytes += m.payloadLength;
  };
  const onPlus = (m: MqttMessage): void => {
    counts.plus++;
    counts.bytes += m.payloadLength;
  };
  let nextId = 0;
  let subA = 0;
  let subB = 0;
  return {
    network, broker, clock, client, counts,
    start(): boolean {
      client.connect();
      network.pump();
      clock.advance(0);
      subA = client.subscribe("cmd/rig-1/#", 1, onHash);
      subB = client.subscribe("cmd/+/led", 1, onPlus);
      network.pump();
      clock.advance(0);
      network.pump();
      return client.connected && client.granted(subA) === 1 && client.granted(subB) === 1;
    },
    publishQos0(): void {
      client.publish(handle, payload, 0, 16, 0, false);
      clock.advance(0); // closes the client's one-turn batch window
      network.pump();
    },
    publishBurst(): void {
      for (let i = 0; i < 8; i++) client.publish(handle, payload, 0, 16, 0, false);
      network.pump();
      clock.advance(2); // the client's fallback flush timer, if the transport had not called onWritable
      network.pump();
    },
    publishQos1(): void {
      client.publish(handle, payload, 0, 16, 1, false);
      clock.advance(0);
      network.pump();
    },
    receive(): void {
      nextId = nextId >= 65535 ? 1 : nextId + 1;
      broker.publish(cmdTopic, payload, 0, 16, 1, nextId);
      network.pump();
    },
    ping(): void {
      clock.advance(60_000);
      network.pump();
    },
  };
}

/** A client whose packets are larger than the socket's send space, plus one-step closures. */
export interface PiecesRig {
  network: MemoryNetwork;
  broker: ScriptedBroker;
  clock: ManualClock;
  client: MqttClient;
  /** Connects; returns true when connected. */
  start(): boolean;
  /** One 900-byte QoS 1 publish over a 256-byte send buffer: written in pieces as space frees, then PUBACK. */
  publishInPieces(): void;
}

/** Builds the pieces rig (all allocation happens here). */
export function createPiecesRig(): PiecesRig {
  const network = new MemoryNetwork({ sendBuffer: 256, receiveBuffer: 65536 });
  const broker = new ScriptedBroker(network);
  const clock = new ManualClock();
  const client = new MqttClient({
    host: { tcp: network.socketClass, clock, random: () => 0.5 },
    hostname: "broker.local",
    clientId: "rig-2",
    keepAlive: 60,
    txSlotSize: 1024,
    inflightWindow: 4,
    offlineQueue: 4,
  });
  const payload = new Uint8Array(900);
  for (let i = 0; i < payload.length; i++) payload[i] = 0x30 + (i % 10);
  const handle = client.topic("sensors/rig-2/blob");
  return {
    network, broker, clock, client,
    start(): boolean {
      client.connect();
      network.pump();
      clock.advance(0);
      network.pump();
      return client.connected;
    },
    publishInPieces(): void {
      client.publish(handle, payload, 0, payload.length, 1, false);
      clock.advance(0);
      network.pump();
    },
  };
}
