/**
 * The receive path: read, decode, route, acknowledge.
 *
 * Reads go through the power-of-two views of {@link RxStage} into the stream decoder; each complete packet
 * (or streamed payload chunk) is handled here: CONNACK goes to the connection lifecycle, PUBACK (QoS 1) and
 * PUBCOMP (QoS 2) free the in-flight record, PUBREC owes a PUBREL, SUBACK/UNSUBACK advance the subscription
 * table, PUBLISH reaches every matching handler through one reused {@link MqttMessage}, then its PUBACK (QoS 1)
 * or PUBREC (QoS 2) is owed; PUBREL owes a PUBCOMP. The QoS 2 packets need the injected QoS 2 engine
 * (`session.qos2`): without it they end the connection as unexpected. An incoming QoS 2 message is delivered on
 * first receipt only: the engine remembers its packet id until PUBREL, so a redelivery (DUP) is acknowledged
 * but not delivered again. Message handlers are the one callback run
 * synchronously (the message view points into the receive buffer); every other callback is deferred.
 * Only complete packets move the keepalive's "last received" time. Allocation-free (errors excepted).
 * @module
 */
import { CHUNK, NEED_MORE, PACKET_TOO_LARGE as CODEC_PACKET_TOO_LARGE, PacketType, UNEXPECTED_PACKET } from "../codec/codes.js";
import { StreamDecoder } from "../codec/decoder.js";
import type { Packet } from "../codec/packet.js";
import { CONNECTION_LOST, ClientState, PACKET_TOO_LARGE, PROTOCOL_ERROR } from "./codes.js";
import type { Link } from "./connection.js";
import { ConnectionLostError, HandlerError, MessageSkippedError, PacketTooLargeError, ProtocolError, SubscribeError } from "./errors.js";
import { EventKind } from "./events.js";
import type { Socket } from "./host.js";
import { MqttMessage } from "./message.js";
import { SubState } from "./router.js";
import { RxStage } from "./staging.js";

/** Receive state of one client. */
export class Receiver {
  /** Read staging. */
  readonly rx: RxStage;
  /** Stream decoder (client role). */
  readonly decoder: StreamDecoder;
  /** The reused view handed to message handlers. */
  readonly message: MqttMessage;
  /** Bytes the socket said are readable and not read yet. */
  available = 0;
  #draining = false;
  /** The QoS 2 PUBLISH being received (possibly in chunks) was received before: not delivered. */
  #duplicate = false;
  readonly #link: Link;
  readonly #skip: boolean;

  /**
   * @param link the lifecycle; @param rxSize receive buffer size; @param maxIncoming largest packet accepted;
   * @param oversize policy for a PUBLISH larger than the buffer.
   */
  constructor(link: Link, rxSize: number, maxIncoming: number, oversize: "refuse" | "stream" | "skip") {
    this.#link = link;
    this.rx = new RxStage(rxSize);
    this.decoder = new StreamDecoder({
      buffer: new Uint8Array(rxSize),
      maxPacketSize: maxIncoming,
      role: "client",
      streamPayloads: oversize !== "refuse",
    });
    this.#skip = oversize === "skip";
    this.message = new MqttMessage(new Uint8Array(0));
  }

  /** A new connection: nothing buffered, decoder fresh. */
  reset(): void {
    this.available = 0;
    this.decoder.reset();
  }

  /** Reads and handles what `socket` has, while no PUBACK is owed (reading pauses until acks go out). */
  drain(socket: Socket): void {
    if (this.#draining) return; // a handler's publish never re-enters the read loop
    this.#draining = true;
    try {
      this.#drainLoop(socket);
    } finally {
      this.#draining = false;
    }
  }

  #drainLoop(socket: Socket): void {
    const link = this.#link;
    const out = link.out;
    const rx = this.rx;
    const decoder = this.decoder;
    const bytes = rx.bytes;
    while (this.available > 0 && socket === link.tx.socket && out.ackCount === 0) {
      const n = rx.read(socket, this.available);
      if (n < 0) {
        link.lostWith(CONNECTION_LOST, new ConnectionLostError("read failed"));
        return;
      }
      this.available -= n;
      link.counters.bytesReceived += n;
      const now = link.clock.now();
      let offset = 0;
      while (offset < n) {
        const r = decoder.decode(bytes, offset, n);
        if (r === NEED_MORE) break;
        if (r < 0) {
          this.#failure(r, undefined);
          return;
        }
        offset = decoder.offset;
        const p = decoder.packet;
        if (r !== CHUNK || p.final) link.keepalive.lastReceived = now; // complete packets only
        this.#handle(p, r === CHUNK);
        if (socket !== link.tx.socket) return;
        // Between packets the state is consistent: let queued callbacks (e.g. one HandlerError per message of
        // a long burst) run before the event ring fills up.
        if (link.events.count > link.events.capacity >> 1) {
          link.runEvents();
          if (socket !== link.tx.socket) return;
        }
        if (link.tx.failed) {
          link.writeFailed();
          return;
        }
      }
      if (out.ackCount > 0) out.flushAcks();
    }
  }

  #failure(code: number, detail: string | undefined): void {
    const link = this.#link;
    link.counters.protocolErrors++;
    if (code === CODEC_PACKET_TOO_LARGE) link.lostWith(PACKET_TOO_LARGE, new PacketTooLargeError(link.maxIncoming));
    else link.lostWith(PROTOCOL_ERROR, new ProtocolError(code, detail));
  }

  #handle(p: Packet, chunk: boolean): void {
    const link = this.#link;
    const type = p.type;
    if (link.state === ClientState.CONNACK_WAIT) {
      if (type === PacketType.CONNACK) link.connackReceived(p.returnCode, p.sessionPresent);
      else this.#failure(UNEXPECTED_PACKET, undefined);
      return;
    }
    switch (type) {
      case PacketType.PUBLISH:
        this.#publishReceived(p, chunk);
        return;
      case PacketType.PUBACK:
      case PacketType.PUBCOMP:
        if (type === PacketType.PUBCOMP && link.session.qos2 === null) break;
        const token = link.session.acked(p.packetId, type === PacketType.PUBACK ? 0 : 2);
        if (token === 0) {
          link.counters.unknownAcks++;
          return;
        }
        link.counters.acked++;
        if (link.completions) link.emit(EventKind.COMPLETED, token, null);
        if (link.session.outbox.count > 0 || link.out.wantWritable) link.out.pump();
        return;
      case PacketType.PUBREC:
        if (link.session.qos2 === null) break;
        if (link.session.pubrec(p.packetId)) link.out.queueAck(PacketType.PUBREL, p.packetId);
        else link.counters.unknownAcks++;
        return;
      case PacketType.PUBREL: {
        const q2 = link.session.qos2;
        if (q2 === null) break;
        q2.released(p.packetId);
        link.out.queueAck(PacketType.PUBCOMP, p.packetId); // also for an id not held [MQTT-4.3.3-2]
        return;
      }
      case PacketType.PINGRESP:
        link.pingAnswered();
        return;
      case PacketType.SUBACK:
        this.#subackReceived(p);
        return;
      case PacketType.UNSUBACK: {
        // Frees every entry the UNSUBSCRIBE carried (one, or the group of an `unsubscribeMany`).
        const router = link.session.router;
        let n = 0;
        for (let i = 0; i < router.capacity; i++) {
          if (router.packetIds[i] !== p.packetId || router.states[i] !== SubState.UNSUBSCRIBING) continue;
          const cb = router.unsubackHandlers[i];
          if (cb !== null && cb !== undefined) link.emit(EventKind.UNSUBACK, router.idOf(i), cb);
          router.free(i);
          n++;
        }
        if (n === 0) link.counters.unknownAcks++;
        return;
      }
    }
    // CONNACK twice, or QoS 2 flow packets without a QoS 2 engine.
    this.#failure(UNEXPECTED_PACKET, undefined);
  }

  #subackReceived(p: Packet): void {
    const link = this.#link;
    const router = link.session.router;
    const id = p.packetId;
    let n = 0;
    for (let i = 0; i < router.capacity; i++) if (router.packetIds[i] === id && router.states[i] !== SubState.FREE) n++;
    if (n === 0) {
      link.counters.unknownAcks++;
      return;
    }
    // One return code per filter of the SUBSCRIBE, in the order of its filters [MQTT-3.9.3-1].
    if (p.codesCount !== n) {
      this.#failure(PROTOCOL_ERROR, `SUBACK with ${p.codesCount} return codes for ${n} filter${n === 1 ? "" : "s"}`);
      return;
    }
    let k = 0;
    let follow = false;
    for (let i = 0; i < router.capacity && k < n; i++) {
      if (router.packetIds[i] !== id || router.states[i] === SubState.FREE) continue;
      const code = p.buffer[p.codesOffset + k] ?? 0x80;
      k++;
      router.packetIds[i] = 0;
      if (router.states[i] === SubState.UNSUB_NEEDED) {
        follow = true; // unsubscribe() came while the SUBSCRIBE was in flight: the UNSUBSCRIBE follows
        continue;
      }
      const requested = router.qos[i] ?? 0;
      router.granted[i] = code;
      router.states[i] = code === 0x80 ? SubState.FAILED : SubState.ACTIVE;
      const cb = router.subackHandlers[i];
      if (cb !== null && cb !== undefined) link.emit(EventKind.SUBACK, code + 256 * router.idOf(i), cb);
      if (code === 0x80) link.emit(EventKind.ERROR, 0, new SubscribeError(router.texts[i] ?? "", router.idOf(i)));
      else if (code > requested) {
        // A broker may grant less than asked, never more [MQTT-3.9.3]: reported, the subscription stands.
        link.emit(EventKind.ERROR, 0, new ProtocolError(PROTOCOL_ERROR,
          `SUBACK granted QoS ${code} above the requested ${requested} (${router.texts[i] ?? ""})`));
      }
    }
    if (follow) {
      link.out.subWork = true;
      link.out.pump();
    }
  }

  #publishReceived(p: Packet, chunk: boolean): void {
    const link = this.#link;
    const qos = p.qos;
    if (qos === 2) {
      // Without a QoS 2 engine we only ever subscribe at QoS 0/1; a QoS 2 delivery breaks [MQTT-3.8.4-6].
      const q2 = link.session.qos2;
      if (q2 === null) {
        this.#failure(UNEXPECTED_PACKET, undefined);
        return;
      }
      if (!chunk || p.chunkOffset === 0) {
        const r = q2.received(p.packetId);
        if (r < 0) {
          this.#failure(PROTOCOL_ERROR, "incoming QoS 2 table full (raise Qos2Engine incoming)");
          return;
        }
        this.#duplicate = r === 0;
      }
      if (this.#duplicate) {
        // Received before and not released: acknowledged again, not delivered again [MQTT-4.3.3-2].
        if (chunk && !p.final) return;
        link.counters.duplicates++;
        link.session.qos2!.delivered(p.packetId);
        link.out.queueAck(PacketType.PUBREC, p.packetId);
        return;
      }
    }
    if (chunk && this.#skip) {
      // Larger than rxBufferSize with oversize "skip": not delivered; acknowledged and reported once whole.
      if (!p.final) return;
      link.counters.skipped++;
      link.emit(EventKind.ERROR, 0, new MessageSkippedError(p.packetId, p.payloadTotal));
      if (qos === 2) link.session.qos2!.delivered(p.packetId);
      if (qos !== 0) link.out.queueAck(qos === 1 ? PacketType.PUBACK : PacketType.PUBREC, p.packetId);
      return;
    }
    const m = this.message;
    m.topicBuffer = p.buffer;
    m.topicOffset = p.topicOffset;
    m.topicLength = p.topicLength;
    m.payload = p.payloadBuffer;
    m.payloadOffset = p.payloadOffset;
    m.payloadLength = p.payloadLength;
    m.payloadTotal = chunk ? p.payloadTotal : p.payloadLength;
    m.chunkOffset = chunk ? p.chunkOffset : 0;
    m.final = chunk ? p.final : true;
    m.qos = qos;
    m.retain = p.retain;
    m.dup = p.dup;
    m.packetId = p.packetId;
    const router = link.session.router;
    const socket = link.tx.socket;
    let matched = false;
    let i = router.nextMatch(0, p.buffer, p.topicOffset, p.topicLength);
    while (i >= 0) {
      matched = true;
      const handler = router.handlers[i];
      if (handler !== null && handler !== undefined) {
        m.subscription = router.idOf(i);
        try {
          handler(m);
        } catch (e) {
          link.counters.handlerErrors++;
          link.emit(EventKind.ERROR, 0, new HandlerError(e));
        }
        if (socket !== link.tx.socket) return; // a handler ended or lost the connection: no ack
      }
      i = router.nextMatch(i + 1, p.buffer, p.topicOffset, p.topicLength);
    }
    if (!m.final) return;
    link.counters.received++;
    if (!matched) link.counters.unrouted++;
    // Saved once the handlers have run and before PUBREC: a reboot in between redelivers (at least once), a
    // reboot after it is recognised as a redelivery (not delivered twice).
    if (qos === 2) link.session.qos2!.delivered(p.packetId);
    if (qos !== 0) link.out.queueAck(qos === 1 ? PacketType.PUBACK : PacketType.PUBREC, p.packetId);
  }
}
