/**
 * A scripted MQTT broker for one client at a time, built on our codec, over {@link MemoryNetwork}.
 *
 * It decodes with a server-role StreamDecoder and answers CONNACK / SUBACK / UNSUBACK / PUBACK / PINGRESP.
 * Knobs make it misbehave (refuse, withhold acks, ignore pings, stall, send raw bytes) for fault and
 * hostile-broker tests. Everything is created in the constructor; handling a packet allocates nothing,
 * so it can run inside XS allocation measurements. Engine-neutral: no Node imports.
 * @module
 */
import { encodeAck } from "../../src/codec/ack.js";
import { NEED_MORE, PacketType } from "../../src/codec/codes.js";
import { encodeConnack, type ConnackInfo } from "../../src/codec/connect-server.js";
import { ServerStreamDecoder } from "../../src/codec/decoder-server.js";
import type { ServerPacket } from "../../src/codec/packet-server.js";
import { encodeEmpty } from "../../src/codec/ping.js";
import { encodePublish, type PublishInfo } from "../../src/codec/publish.js";
import { encodeSuback, filterQos, firstFilter, nextFilter, type SubackInfo } from "../../src/codec/subscribe-server.js";
import type { MemoryConnection, MemoryNetwork } from "./memory-transport.js";

/** Options of {@link ScriptedBroker}. */
export interface ScriptedBrokerOptions {
  /** Decoder assembly buffer and largest accepted packet (default 4096). */
  bufferSize?: number;
  /** Capacity for withheld PUBACK ids (default 1024). */
  heldAcks?: number;
}

/** Scripted broker bound to a {@link MemoryNetwork}. */
export class ScriptedBroker {
  /** Current connection (the newest accepted), or null. */
  connection: MemoryConnection | null = null;

  // Script knobs.
  /** CONNACK return code to answer with (0 = accept). */
  connackCode = 0;
  /** Session present flag to answer with. */
  sessionPresent = false;
  /** Answer QoS 1 PUBLISH with PUBACK at once; when false the ids are held until {@link releaseAcks}. */
  autoPuback = true;
  /** Answer PINGREQ. */
  answerPings = true;
  /** SUBACK code to grant; -1 grants what was requested. 0x80 refuses. */
  subackCode = -1;
  /** When set, the SUBACK code for filter `index` (0-based, in packet order) of a SUBSCRIBE (tests; may allocate). */
  subackFor: ((index: number, requested: number) => number) | null = null;
  /** Filters per SUBSCRIBE / UNSUBSCRIBE received, last packet. */
  lastFilterCount = 0;
  /** Do not answer CONNECT at all (connect-timeout tests). */
  ignoreConnect = false;
  /** Answer a QoS 2 PUBLISH with PUBREC at once. */
  autoPubrec = true;
  /** Answer PUBREL with PUBCOMP at once. */
  autoPubcomp = true;
  /** Answer the client's PUBREC (for our QoS 2 PUBLISH) with PUBREL at once. */
  autoPubrel = true;

  // Observations.
  /** CONNECT packets received. */
  connects = 0;
  /** PUBLISH packets received. */
  publishes = 0;
  /** PUBLISH packets received with DUP. */
  dups = 0;
  /** PINGREQs received. */
  pings = 0;
  /** SUBSCRIBE packets received. */
  subscribes = 0;
  /** UNSUBSCRIBE packets received. */
  unsubscribes = 0;
  /** DISCONNECT packets received. */
  disconnects = 0;
  /** PUBACKs received (for our QoS 1 publishes to the client). */
  pubacks = 0;
  /** PUBRECs received (for our QoS 2 publishes to the client). */
  pubrecs = 0;
  /** PUBRELs received (for the client's QoS 2 publishes). */
  pubrels = 0;
  /** PUBCOMPs received (for our QoS 2 publishes to the client). */
  pubcomps = 0;
  /** Packet id of the last PUBREL / PUBREC received. */
  lastPubrelId = 0;
  lastPubrecId = 0;
  /** Decode errors (the connection is reset on one). */
  errors = 0;
  /** Last decode error code. */
  lastError = 0;
  /** Fields of the last PUBLISH received. */
  lastPacketId = 0;
  lastQos = 0;
  lastDup = false;
  lastRetain = false;
  lastPayloadLength = 0;
  /** CONNECT fields of the last CONNECT. */
  lastKeepAlive = 0;
  lastCleanSession = false;
  /** Optional hook called for every decoded packet (tests; may allocate). */
  onPacket: ((packet: ServerPacket) => void) | null = null;

  readonly #decoder: ServerStreamDecoder;
  readonly #tx: Uint8Array;
  readonly #connack: ConnackInfo = { sessionPresent: false, returnCode: 0 };
  readonly #suback: SubackInfo;
  readonly #subackCodes: Uint8Array;
  readonly #pub: PublishInfo;
  readonly #held: Uint16Array;
  #heldCount = 0;
  readonly #rx: Uint8Array;
  readonly #onData: (c: MemoryConnection) => void;
  readonly #onClose: (c: MemoryConnection) => void;

  /** Installs itself as `network.accept`. */
  constructor(network: MemoryNetwork, options: ScriptedBrokerOptions = {}) {
    const size = options.bufferSize ?? 4096;
    this.#decoder = new ServerStreamDecoder({ buffer: new Uint8Array(size), maxPacketSize: size, streamPayloads: false });
    this.#tx = new Uint8Array(size + 16);
    this.#rx = new Uint8Array(size);
    this.#subackCodes = new Uint8Array(32);
    this.#suback = { packetId: 1, returnCodes: this.#subackCodes, count: 1 };
    const empty = new Uint8Array(0);
    this.#pub = {
      topic: empty, topicOffset: 0, topicLength: 0, payload: empty, payloadOffset: 0, payloadLength: 0,
      qos: 0, retain: false, dup: false, packetId: 0,
    };
    this.#held = new Uint16Array(options.heldAcks ?? 1024);
    this.#onData = (c) => this.#receive(c);
    this.#onClose = (c) => {
      if (c === this.connection) this.connection = null;
    };
    network.accept = (c) => {
      this.connection = c;
      this.#decoder.reset();
      this.#heldCount = 0;
      c.onData = this.#onData;
      c.onClose = this.#onClose;
    };
  }

  /**
   * Sends a PUBLISH to the client.
   * @returns bytes sent, or a negative codec code / 0 when it does not fit or there is no connection.
   */
  publish(topic: Uint8Array, payload: Uint8Array, offset: number, length: number, qos: number, packetId: number,
    retain = false, dup = false): number {
    const c = this.connection;
    if (c === null) return 0;
    const info = this.#pub;
    info.topic = topic;
    info.topicOffset = 0;
    info.topicLength = topic.length;
    info.payload = payload;
    info.payloadOffset = offset;
    info.payloadLength = length;
    info.qos = qos;
    info.packetId = qos > 0 ? packetId : 0;
    info.retain = retain;
    info.dup = dup;
    const end = encodePublish(this.#tx, 0, info);
    if (end < 0) return end;
    return c.send(this.#tx, 0, end);
  }

  /** Sends raw bytes (malformed packets for hostile tests). @returns bytes sent. */
  sendRaw(bytes: Uint8Array, offset: number, length: number): number {
    const c = this.connection;
    return c === null ? 0 : c.send(bytes, offset, length);
  }

  /** Sends a 4-byte ack (PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK) for `id`. @returns bytes sent. */
  sendAck(type: number, id: number): number {
    const c = this.connection;
    if (c === null) return 0;
    encodeAck(this.#tx, 0, type, id);
    return c.send(this.#tx, 0, 4);
  }

  /** Sends the withheld PUBACKs (in order). @returns how many. */
  releaseAcks(): number {
    const c = this.connection;
    const n = this.#heldCount;
    if (c !== null) {
      for (let i = 0; i < n; i++) {
        encodeAck(this.#tx, 0, PacketType.PUBACK, this.#held[i]!);
        c.send(this.#tx, 0, 4);
      }
    }
    this.#heldCount = 0;
    return n;
  }

  /** PUBACK ids currently withheld. */
  get heldAcks(): number {
    return this.#heldCount;
  }

  /** Drops the connection abruptly (the client sees a reset). */
  kick(): void {
    this.connection?.reset();
    this.connection = null;
  }

  #receive(c: MemoryConnection): void {
    const rx = this.#rx;
    const decoder = this.#decoder;
    while (c.inbound.count > 0 && this.connection === c) {
      const n = c.inbound.count < rx.length ? c.inbound.count : rx.length;
      c.receive(rx, 0, n);
      let offset = 0;
      while (offset < n) {
        const r = decoder.decode(rx, offset, n);
        if (r === NEED_MORE) break;
        if (r < 0) {
          this.errors++;
          this.lastError = r;
          this.kick();
          return;
        }
        offset = decoder.offset;
        this.#handle(c, decoder.packet);
        if (this.connection !== c) return;
      }
    }
  }

  #handle(c: MemoryConnection, p: ServerPacket): void {
    const hook = this.onPacket;
    if (hook !== null) hook(p);
    const tx = this.#tx;
    switch (p.type) {
      case PacketType.CONNECT: {
        this.connects++;
        this.lastKeepAlive = p.keepAlive;
        this.lastCleanSession = p.cleanSession;
        if (this.ignoreConnect) return;
        this.#connack.returnCode = this.connackCode;
        this.#connack.sessionPresent = this.connackCode === 0 && this.sessionPresent;
        const end = encodeConnack(tx, 0, this.#connack);
        c.send(tx, 0, end);
        if (this.connackCode !== 0) c.close();
        return;
      }
      case PacketType.PUBLISH:
        this.publishes++;
        if (p.dup) this.dups++;
        this.lastPacketId = p.packetId;
        this.lastQos = p.qos;
        this.lastDup = p.dup;
        this.lastRetain = p.retain;
        this.lastPayloadLength = p.payloadLength;
        if (p.qos === 1) {
          if (this.autoPuback) {
            encodeAck(tx, 0, PacketType.PUBACK, p.packetId);
            c.send(tx, 0, 4);
          } else if (this.#heldCount < this.#held.length) {
            this.#held[this.#heldCount++] = p.packetId;
          }
        } else if (p.qos === 2 && this.autoPubrec) {
          encodeAck(tx, 0, PacketType.PUBREC, p.packetId);
          c.send(tx, 0, 4);
        }
        return;
      case PacketType.PUBREL:
        this.pubrels++;
        this.lastPubrelId = p.packetId;
        if (this.autoPubcomp) {
          encodeAck(tx, 0, PacketType.PUBCOMP, p.packetId);
          c.send(tx, 0, 4);
        }
        return;
      case PacketType.PUBREC:
        this.pubrecs++;
        this.lastPubrecId = p.packetId;
        if (this.autoPubrel) {
          encodeAck(tx, 0, PacketType.PUBREL, p.packetId);
          c.send(tx, 0, 4);
        }
        return;
      case PacketType.PUBCOMP:
        this.pubcomps++;
        return;
      case PacketType.PUBACK:
        this.pubacks++;
        return;
      case PacketType.SUBSCRIBE: {
        this.subscribes++;
        const codes = this.#subackCodes;
        let count = 0;
        const end = p.listOffset + p.listLength;
        for (let e = firstFilter(p); e < end && count < codes.length; e = nextFilter(p.buffer, e, p.type)) {
          const requested = filterQos(p.buffer, e);
          const f = this.subackFor;
          codes[count] = f !== null ? f(count, requested) : this.subackCode >= 0 ? this.subackCode : requested;
          count++;
        }
        this.lastFilterCount = count;
        this.#suback.packetId = p.packetId;
        this.#suback.count = count;
        const out = encodeSuback(tx, 0, this.#suback);
        if (out > 0) c.send(tx, 0, out);
        return;
      }
      case PacketType.UNSUBSCRIBE:
        this.unsubscribes++;
        {
          let count = 0;
          const end = p.listOffset + p.listLength;
          for (let e = firstFilter(p); e < end; e = nextFilter(p.buffer, e, p.type)) count++;
          this.lastFilterCount = count;
        }
        encodeAck(tx, 0, PacketType.UNSUBACK, p.packetId);
        c.send(tx, 0, 4);
        return;
      case PacketType.PINGREQ:
        this.pings++;
        if (this.answerPings) {
          encodeEmpty(tx, 0, PacketType.PINGRESP);
          c.send(tx, 0, 2);
        }
        return;
      case PacketType.DISCONNECT:
        this.disconnects++;
        c.close();
        this.connection = null;
        return;
      default:
        return;
    }
  }
}
