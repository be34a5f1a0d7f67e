/**
 * QoS 2 steady state on the in-memory transport, shared by the XS allocation scenario
 * (test/xs/scenarios/client-qos2.xs.ts) and the Node functional test (test/client/qos2-steady-state.test.ts).
 *
 * A client with a {@link Qos2Engine} against the scripted broker (which answers PUBLISH QoS 2 with PUBREC,
 * PUBREL with PUBCOMP and the client's PUBREC with PUBREL). Everything is created by {@link createQos2Rig};
 * each step then runs one whole four-packet exchange and allocates nothing. Engine-neutral.
 * @module
 */
import { MqttClient } from "../../src/client/client.js";
import type { MqttMessage } from "../../src/client/message.js";
import { Qos2Engine } from "../../src/client/qos2.js";
import type { JournalSeam } from "../../src/client/session.js";
import { ManualClock } from "./manual-clock.js";
import { MemoryNetwork } from "./memory-transport.js";
import { ScriptedBroker } from "./scripted-broker.js";

/** Observations of the QoS 2 rig (numbers only). */
export class Qos2Counts {
  /** Handler calls. */
  delivered = 0;
  /** Errors reported by the client. */
  errors = 0;
  /** onComplete(token, COMPLETED) calls. */
  completed = 0;
  /** Sum of completed tokens (checks the callback gets real tokens). */
  tokenSum = 0;
}

/** A connected QoS 2 client plus one-step closures. */
export interface Qos2Rig {
  network: MemoryNetwork;
  broker: ScriptedBroker;
  clock: ManualClock;
  client: MqttClient;
  engine: Qos2Engine;
  counts: Qos2Counts;
  /** Connects and subscribes at QoS 2; true when granted 2. */
  start(): boolean;
  /** One QoS 2 publish: PUBLISH → PUBREC → PUBREL → PUBCOMP. */
  publishQos2(): void;
  /** One QoS 1 publish: PUBLISH → PUBACK. */
  publishQos1(): void;
  /** The broker sends one QoS 2 message: PUBLISH → PUBREC → PUBREL → PUBCOMP, delivered once. */
  receiveQos2(): void;
  /** The broker sends a QoS 2 message, then the same again with DUP before its PUBREL: delivered once. */
  receiveQos2Duplicate(): void;
  /** A QoS 1 publish whose PUBACK is withheld: listed with messages(), looked up, dropped, its late PUBACK ignored. */
  publishListDrop(): void;
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Builds the rig (all allocation happens here); with `journal`, the session is saved as it goes. */
export function createQos2Rig(journal: JournalSeam | null = null): Qos2Rig {
  const network = new MemoryNetwork({ sendBuffer: 8192, receiveBuffer: 65536 });
  const broker = new ScriptedBroker(network);
  const clock = new ManualClock();
  const counts = new Qos2Counts();
  const engine = new Qos2Engine({ incoming: 8 });
  const client = new MqttClient({
    host: { tcp: network.socketClass, clock, random: () => 0.5 },
    hostname: "broker.local",
    clientId: "rig-q2",
    keepAlive: 60,
    inflightWindow: 8,
    offlineQueue: 4,
    qos2: engine,
    journal,
    onError: () => {
      counts.errors++;
    },
    onComplete: (token, status) => {
      if (status === 2) {
        counts.completed++;
        counts.tokenSum += token;
      }
    },
  });
  const payload = ascii("0123456789abcdef");
  const handle = client.topic("sensors/rig-q2/energy");
  const cmdTopic = ascii("cmd/rig-q2/valve");
  const onMessage = (m: MqttMessage): void => {
    if (m.qos === 2) counts.delivered++;
  };
  const into = new Float64Array(8);
  let nextId = 0;
  let sub = 0;
  return {
    network, broker, clock, client, engine, counts,
    start(): boolean {
      client.connect();
      network.pump();
      clock.advance(0);
      sub = client.subscribe("cmd/rig-q2/#", 2, onMessage);
      network.pump();
      clock.advance(0);
      network.pump();
      return client.connected && client.granted(sub) === 2;
    },
    publishQos2(): void {
      client.publish(handle, payload, 0, 16, 2, false);
      clock.advance(0);
      network.pump();
    },
    publishQos1(): void {
      client.publish(handle, payload, 0, 16, 1, false);
      clock.advance(0);
      network.pump();
    },
    receiveQos2(): void {
      nextId = nextId >= 65535 ? 1 : nextId + 1;
      broker.publish(cmdTopic, payload, 0, 16, 2, nextId);
      network.pump();
    },
    publishListDrop(): void {
      broker.autoPuback = false;
      client.publish(handle, payload, 0, 16, 1, false);
      const token = client.lastToken;
      if (client.messages(into) !== 1 || into[0] !== token || client.packetIdOf(token) <= 0) counts.errors++;
      client.dropMessage(token);
      clock.advance(0);
      network.pump();
      broker.autoPuback = true;
      broker.releaseAcks();
      network.pump();
    },
    receiveQos2Duplicate(): void {
      nextId = nextId >= 65535 ? 1 : nextId + 1;
      broker.autoPubrel = false;
      broker.publish(cmdTopic, payload, 0, 16, 2, nextId);
      broker.publish(cmdTopic, payload, 0, 16, 2, nextId, false, true);
      network.pump();
      broker.autoPubrel = true;
      broker.sendAck(6, nextId); // PUBREL
      network.pump();
    },
  };
}
