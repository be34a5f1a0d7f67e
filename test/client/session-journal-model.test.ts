// [MQTT-4.1.0-1] Model-based: random publishes (QoS 1/2, online and offline), acks held and released, kicks, time, and
// crashes at any point between client turns. After each crash a new client is built from the store's image
// (as a reboot would) and must hold exactly the messages that were accepted and not completed, with the packet
// ids the broker saw; QoS 2 messages the broker PUBREC'd are never published again. At the end everything is
// delivered: each QoS 1 payload reaches the broker at least once.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COMPLETED, QUEUED, Qos2Engine, SENT, SessionJournal } from "../../src/client/index.js";
import { PacketType } from "../../src/codec/codes.js";
import { MemoryStore } from "../support/memory-store.js";
import { ascii, packets, publishes, tapRig, type TapRig } from "./tap-util.js";

/** Which acks the broker sends by itself. */
interface Acks { puback: boolean; pubrec: boolean; pubcomp: boolean }
const ALL_ACKS: Acks = { puback: true, pubrec: true, pubcomp: true };

type Op =
  | { kind: "publish"; qos: 1 | 2 }
  | { kind: "acks"; on: Acks }
  | { kind: "kick" }
  | { kind: "step"; ms: number }
  | { kind: "crash" };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(1 as const, 2 as const).map((qos) => ({ kind: "publish" as const, qos })) },
  // Each ack type held or sent on its own, so a QoS 2 message can sit PUBREC'd and not yet PUBCOMP'd.
  { weight: 2, arbitrary: fc.record({ puback: fc.boolean(), pubrec: fc.boolean(), pubcomp: fc.boolean() }).map((on) => ({ kind: "acks" as const, on })) },
  { weight: 1, arbitrary: fc.constant({ kind: "kick" as const }) },
  { weight: 4, arbitrary: fc.constantFrom(0, 10, 150, 500).map((ms) => ({ kind: "step" as const, ms })) },
  { weight: 1, arbitrary: fc.constant({ kind: "crash" as const }) },
);

interface Model {
  /** payload → QoS, for messages accepted and not completed. */
  pending: Map<string, number>;
  /** payload → packet id last seen on the wire. */
  idOnWire: Map<string, number>;
  /** payloads whose PUBREL went out (the broker owns them). */
  released: Set<string>;
  /** payloads the broker received, and how often. */
  atBroker: Map<string, number>;
}

function run(ops: Op[]): void {
  const model: Model = { pending: new Map(), idOnWire: new Map(), released: new Set(), atBroker: new Map() };
  let store = new MemoryStore();
  let acksOn: Acks = { puback: false, pubrec: false, pubcomp: false };
  let serial = 0;
  const accepted: string[] = [];
  const payloadOfToken = new Map<number, string>();
  let rig: TapRig;
  let seen: number[] = []; // packets already accounted for, per connection index
  const boot = (): void => {
    const completions: [number, number][] = [];
    rig = tapRig({
      cleanSession: false, txSlots: 6, inflightWindow: 3, offlineQueue: 3, qos2: new Qos2Engine(), poisonAfter: 0,
      journal: new SessionJournal(store),
      onComplete: (token, status) => completions.push([token, status]),
    });
    rig.broker.sessionPresent = true;
    setAcks(acksOn);
    (rig as TapRig & { completions: [number, number][] }).completions = completions;
    seen = [];
    rig.client.connect();
  };
  const setAcks = (on: Acks): void => {
    rig.broker.autoPuback = on.puback;
    rig.broker.autoPubrec = on.pubrec;
    rig.broker.autoPubcomp = on.pubcomp;
  };
  /** Reads what went on the wire since last time, in wire order: ids, PUBRELs, and what the broker got. */
  const observe = (): void => {
    const r = rig as TapRig & { completions: [number, number][] };
    for (let c = 0; c < rig.wire.length; c++) {
      const bytes = rig.wire[c] ?? [];
      const all = packets(bytes);
      const pubs = publishes(bytes);
      let pub = all.slice(0, seen[c] ?? 0).filter((p) => p.type === PacketType.PUBLISH).length;
      for (const p of all.slice(seen[c] ?? 0)) {
        if (p.type === PacketType.PUBLISH) {
          const m = pubs[pub++]!;
          expect(model.released.has(m.payload), `QoS 2 "${m.payload}" published again after its PUBREL`).toBe(false);
          model.idOnWire.set(m.payload, m.id);
          model.atBroker.set(m.payload, (model.atBroker.get(m.payload) ?? 0) + 1);
        } else if (p.type === PacketType.PUBREL) {
          // The message in flight under this id right now (ids are reused once a message completes).
          for (const [payload, id] of model.idOnWire) if (id === p.id && model.pending.get(payload) === 2) model.released.add(payload);
        }
      }
      seen[c] = all.length;
    }
    for (const [token, status] of r.completions.splice(0)) {
      const payload = payloadOfToken.get(token);
      expect(payload, `completion for unknown token ${token}`).toBeDefined();
      if (status === COMPLETED) {
        model.pending.delete(payload!);
        model.released.delete(payload!);
      }
    }
  };
  boot();
  for (const o of ops) {
    switch (o.kind) {
      case "publish": {
        const payload = `m${++serial}`;
        const h = rig!.client.topic("model/j");
        const rc = rig!.client.publish(h, ascii(payload), 0, payload.length, o.qos, false);
        if (rc === SENT || rc === QUEUED) {
          model.pending.set(payload, o.qos);
          accepted.push(payload);
          payloadOfToken.set(rig!.client.lastToken, payload);
        }
        break;
      }
      case "acks": acksOn = o.on; setAcks(o.on); break;
      case "kick": rig!.broker.kick(); break;
      case "step": rig!.step(o.ms); break;
      case "crash": {
        observe();
        store = new MemoryStore(store.crashImage());
        boot();
        // The reboot holds exactly the pending messages, with the ids the broker saw.
        const tokens = new Float64Array(32);
        const n = rig!.client.messages(tokens);
        const restored = new Map<string, number>();
        const buf = new Uint8Array(16);
        payloadOfToken.clear();
        for (let k = 0; k < n; k++) {
          const len = rig!.client.readMessage(tokens[k]!, buf);
          const payload = String.fromCharCode(...buf.subarray(0, len));
          restored.set(payload, rig!.client.packetIdOf(tokens[k]!));
          payloadOfToken.set(tokens[k]!, payload);
        }
        expect([...restored.keys()].sort()).toEqual([...model.pending.keys()].sort());
        for (const [payload, id] of restored) {
          // Once on the wire a message stays in flight under its id, across any number of reboots.
          if (model.idOnWire.has(payload)) expect(id, `id of ${payload}`).toBe(model.idOnWire.get(payload));
        }
        break;
      }
    }
    observe();
  }
  // Drain: acks on, time passes, everything completes.
  acksOn = ALL_ACKS;
  setAcks(ALL_ACKS);
  rig!.broker.kick(); // what was sent while acks were held is resent on the next connection (not on this one)
  for (let k = 0; k < 40 && model.pending.size > 0; k++) {
    rig!.step(500);
    observe();
  }
  expect([...model.pending.keys()]).toEqual([]);
  // Every accepted message reached the broker (refused publishes were never accepted).
  for (const payload of accepted) expect(model.atBroker.get(payload) ?? 0, payload).toBeGreaterThan(0);
}

describe("session journal (model-based crashes)", () => {
  it("after any crash the rebooted client holds exactly the accepted, uncompleted messages with their wire ids; all are delivered in the end", () => {
    fc.assert(fc.property(fc.array(op, { minLength: 5, maxLength: 60 }), (ops) => run(ops)), { numRuns: 300 });
  });
});
