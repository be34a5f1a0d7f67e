/**
 * QoS 2 engine: the exactly-once state machine, in a module of its own so a QoS 0/1 device build does not
 * carry it (omit `xsmqtt/client/qos2` from the manifest; `publish(…, 2)` then returns INVALID_QOS and
 * `subscribe(…, 2)` throws).
 *
 * Outgoing (the sender's side, MQTT 3.1.1 §4.3.3): PUBLISH → PUBREC → PUBREL → PUBCOMP. The message keeps its
 * packet id and in-flight record until PUBCOMP; {@link Qos2Engine.phase} says per record whether the broker
 * has acknowledged receipt (PUBREC). After a reconnect with the session kept, records still waiting for PUBREC
 * are resent as PUBLISH with DUP, the others as PUBREL [MQTT-4.4.0-1].
 *
 * Incoming (the receiver's side, method B of §4.3.3): the packet id of a QoS 2 PUBLISH is recorded on first
 * receipt, the message is delivered to the handlers then, and PUBREC is sent; a redelivery (DUP) of a recorded
 * id is answered with PUBREC but not delivered again; PUBREL forgets the id and is answered with PUBCOMP
 * [MQTT-4.3.3-2]. The recorded ids outlive reconnects while the broker keeps the session (they are forgotten
 * when a CONNACK says the session is new).
 *
 * Memory: two typed arrays, created by {@link Qos2Engine.bind} at client construction. Allocation-free after.
 * @module
 */
import { InvalidOptionError } from "./errors.js";
import type { IncomingJournal, Qos2Seam } from "./session.js";

/** Options of {@link Qos2Engine}. */
export interface Qos2EngineOptions {
  /**
   * Incoming QoS 2 messages received and not yet released (PUBREL) held at once [32]. Keep it at least the
   * broker's in-flight limit for this client (mosquitto: `max_inflight_messages`, default 20); when it is full
   * the connection is ended with a ProtocolError and the broker redelivers later.
   */
  incoming?: number;
}

/**
 * The QoS 2 engine a client is given with the `qos2` option. One engine per client.
 *
 * @example
 * ```ts
 * import { Qos2Engine } from "xsmqtt/client/qos2";
 * const client = new MqttClient({ host, hostname, clientId: "dev-1", cleanSession: false, qos2: new Qos2Engine() });
 * client.publish(handle, payload, 0, payload.length, 2, false);
 * ```
 */
export class Qos2Engine implements Qos2Seam {
  /** Outgoing phase per in-flight record (see {@link Qos2Seam.phase}); empty until bound. */
  phase: Uint8Array = new Uint8Array(0);
  /** Incoming packet ids received and not released; 0 = free. */
  readonly #ids: Uint16Array;
  /** 1 where the id in the same cell is saved in the journal. */
  readonly #saved: Uint8Array;
  #journal: IncomingJournal | null = null;
  #count = 0;
  #bound = false;

  /** @throws InvalidOptionError (`INVALID_OPTION` -120) when `incoming` is not an integer 1…65535. */
  constructor(options?: Qos2EngineOptions) {
    const incoming = options?.incoming ?? 32;
    if (!Number.isInteger(incoming) || incoming < 1 || incoming > 65535) {
      throw new InvalidOptionError("qos2.incoming", "integer 1..65535 required");
    }
    this.#ids = new Uint16Array(incoming);
    this.#saved = new Uint8Array(incoming);
  }

  /** Incoming QoS 2 messages received (PUBREC sent) and not released yet. */
  get pending(): number {
    return this.#count;
  }

  /** @inheritDoc */
  get capacity(): number {
    return this.#ids.length;
  }

  /** @inheritDoc @throws InvalidOptionError when the engine is already bound to another client. */
  bind(window: number, journal: IncomingJournal | null): void {
    if (this.#bound) throw new InvalidOptionError("qos2", "engine already used by another client");
    this.#bound = true;
    this.phase = new Uint8Array(window);
    this.#journal = journal;
  }

  /** @inheritDoc */
  received(id: number): number {
    const ids = this.#ids;
    let free = -1;
    for (let i = 0; i < ids.length; i++) {
      const v = ids[i];
      if (v === id) return 0;
      if (v === 0 && free < 0) free = i;
    }
    if (free < 0) return -1;
    ids[free] = id;
    this.#count++;
    return 1;
  }

  /** @inheritDoc */
  delivered(id: number): void {
    const journal = this.#journal;
    if (journal === null) return;
    const ids = this.#ids;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] !== id) continue;
      if (this.#saved[i] === 0) {
        this.#saved[i] = 1;
        journal.incoming(i, id);
      }
      return;
    }
  }

  /** @inheritDoc */
  released(id: number): void {
    const ids = this.#ids;
    if (this.#count === 0 || id === 0) return;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === id) {
        ids[i] = 0;
        this.#count--;
        this.#forget(i);
        return;
      }
    }
  }

  /** @inheritDoc */
  restore(id: number): boolean {
    if (this.received(id) < 0) return false;
    // The journal already holds it (restore hands back cells in a layout of its own: the caller rewrites it).
    const ids = this.#ids;
    for (let i = 0; i < ids.length; i++) if (ids[i] === id) this.#saved[i] = 1;
    return true;
  }

  /** @inheritDoc */
  reset(): void {
    for (let i = 0; i < this.#ids.length; i++) this.#forget(i);
    this.#ids.fill(0);
    this.#count = 0;
  }

  #forget(i: number): void {
    if (this.#saved[i] === 0) return;
    this.#saved[i] = 0;
    this.#journal?.incoming(i, 0);
  }
}
