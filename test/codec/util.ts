// Shared helpers for the codec tests: a plain packet model (shaped like mqtt-packet objects), encoding a model
// with our encoders, reading our decoded Packet back into a model, and normalising mqtt-packet output.
import {
  encodeAck, encodeConnack, encodeConnect, encodeEmpty, encodePublish, encodeSuback, encodeSubscribe,
  encodeUnsubscribe, filterLength, filterOffset, filterQos, nextFilter, ServerPacket, PacketType, sizeAck, sizeConnect,
  Packet, ServerStreamDecoder, sizeEmpty, sizePublish, sizeSuback, sizeSubscribe, sizeUnsubscribe, StreamDecoder, utf8Encode,
} from "../../src/codec/index.js";
import { mulberry32 } from "../../sim/chips/environment.js";

/** Options of {@link newDecoder}: a decoder's options with the role to build. */
export interface RoleDecoderOptions {
  buffer: Uint8Array;
  maxPacketSize: number;
  role: "client" | "server";
  streamPayloads: boolean;
}

/**
 * The decoder of a role: the client-role `StreamDecoder` or the `ServerStreamDecoder`. Typed with a
 * `ServerPacket` result so tests can read either role's fields; a client decoder's packet has only the client
 * fields (the others read `undefined`).
 */
export function newDecoder(options: RoleDecoderOptions): StreamDecoder & { readonly packet: ServerPacket } {
  const { buffer, maxPacketSize, streamPayloads } = options;
  if (options.role === "server") return new ServerStreamDecoder({ buffer, maxPacketSize, streamPayloads });
  return new StreamDecoder({ buffer, maxPacketSize, role: "client", streamPayloads }) as StreamDecoder & { readonly packet: ServerPacket };
}

export type AckCmd = "puback" | "pubrec" | "pubrel" | "pubcomp" | "unsuback";
export type EmptyCmd = "pingreq" | "pingresp" | "disconnect";

export type Model =
  | {
    cmd: "connect"; clientId: string; clean: boolean; keepalive: number; username?: string; password?: Uint8Array;
    will?: { topic: string; payload: Uint8Array; qos: number; retain: boolean };
  }
  | { cmd: "connack"; sessionPresent: boolean; returnCode: number }
  | { cmd: "publish"; topic: string; payload: Uint8Array; qos: number; retain: boolean; dup: boolean; messageId?: number }
  | { cmd: AckCmd; messageId: number }
  | { cmd: "subscribe"; messageId: number; subscriptions: { topic: string; qos: number }[] }
  | { cmd: "suback"; messageId: number; granted: number[] }
  | { cmd: "unsubscribe"; messageId: number; unsubscriptions: string[] }
  | { cmd: EmptyCmd };

export const ACK_TYPES: Record<AckCmd, number> = {
  puback: PacketType.PUBACK, pubrec: PacketType.PUBREC, pubrel: PacketType.PUBREL, pubcomp: PacketType.PUBCOMP,
  unsuback: PacketType.UNSUBACK,
};
export const EMPTY_TYPES: Record<EmptyCmd, number> = {
  pingreq: PacketType.PINGREQ, pingresp: PacketType.PINGRESP, disconnect: PacketType.DISCONNECT,
};
const TYPE_NAMES = [
  "", "connect", "connack", "publish", "puback", "pubrec", "pubrel", "pubcomp", "subscribe", "suback",
  "unsubscribe", "unsuback", "pingreq", "pingresp", "disconnect",
] as const;

/** Which decoder role receives this command. */
export function receiverRole(cmd: Model["cmd"]): "client" | "server" {
  switch (cmd) {
    case "connack": case "suback": case "unsuback": case "pingresp": return "client";
    case "publish": case "puback": case "pubrec": case "pubrel": case "pubcomp": return "client"; // both ways
    default: return "server";
  }
}

/** Bytes from a hex string with optional spaces. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Bytes from a mix of numbers and ASCII strings (for annotated fixtures). */
export function bytes(...parts: (number | string | Uint8Array)[]): Uint8Array {
  const list: number[] = [];
  for (const part of parts) {
    if (typeof part === "number") list.push(part);
    else if (typeof part === "string") for (const b of utf8Encode(part)) list.push(b);
    else for (const b of part) list.push(b);
  }
  return Uint8Array.from(list);
}

/** Exact size of the model's packet by our size functions. */
export function sizeModel(m: Model): number {
  switch (m.cmd) {
    case "connect": return sizeConnect(connectInfo(m));
    case "connack": return 4;
    case "publish": return sizePublish(publishInfo(m));
    case "subscribe": return sizeSubscribe(subscribeInfo(m));
    case "suback": return sizeSuback({ packetId: m.messageId, returnCodes: m.granted, count: m.granted.length });
    case "unsubscribe": return sizeUnsubscribe(unsubscribeInfo(m));
    case "pingreq": case "pingresp": case "disconnect": return sizeEmpty();
    default: return sizeAck();
  }
}

function connectInfo(m: Extract<Model, { cmd: "connect" }>) {
  return {
    clientId: utf8Encode(m.clientId), cleanSession: m.clean, keepAlive: m.keepalive,
    username: m.username === undefined ? null : utf8Encode(m.username), password: m.password ?? null,
    will: m.will === undefined ? null : { topic: utf8Encode(m.will.topic), payload: m.will.payload, qos: m.will.qos, retain: m.will.retain },
  };
}
function publishInfo(m: Extract<Model, { cmd: "publish" }>) {
  const topic = utf8Encode(m.topic);
  return {
    topic, topicOffset: 0, topicLength: topic.length, payload: m.payload, payloadOffset: 0,
    payloadLength: m.payload.length, qos: m.qos, retain: m.retain, dup: m.dup, packetId: m.messageId ?? 0,
  };
}
function subscribeInfo(m: Extract<Model, { cmd: "subscribe" }>) {
  return {
    packetId: m.messageId, filters: m.subscriptions.map((s) => utf8Encode(s.topic)),
    qos: m.subscriptions.map((s) => s.qos), count: m.subscriptions.length,
  };
}
function unsubscribeInfo(m: Extract<Model, { cmd: "unsubscribe" }>) {
  return { packetId: m.messageId, filters: m.unsubscriptions.map(utf8Encode), count: m.unsubscriptions.length };
}

/** Encodes the model with our encoders into `buf` at `offset`; returns the encoder's result. */
export function encodeModel(m: Model, buf: Uint8Array, offset = 0): number {
  switch (m.cmd) {
    case "connect": return encodeConnect(buf, offset, connectInfo(m));
    case "connack": return encodeConnack(buf, offset, m);
    case "publish": return encodePublish(buf, offset, publishInfo(m));
    case "subscribe": return encodeSubscribe(buf, offset, subscribeInfo(m));
    case "suback": return encodeSuback(buf, offset, { packetId: m.messageId, returnCodes: m.granted, count: m.granted.length });
    case "unsubscribe": return encodeUnsubscribe(buf, offset, unsubscribeInfo(m));
    case "pingreq": case "pingresp": case "disconnect": return encodeEmpty(buf, offset, EMPTY_TYPES[m.cmd]);
    default: return encodeAck(buf, offset, ACK_TYPES[m.cmd], m.messageId);
  }
}

/** Encodes the model into a fresh exact-size array (throws on an encode error: test setup). */
export function encodeToBytes(m: Model): Uint8Array {
  const size = sizeModel(m);
  if (size < 0) throw new Error(`size failed ${size} for ${JSON.stringify(m)}`);
  const out = new Uint8Array(size);
  const end = encodeModel(m, out, 0);
  if (end !== size) throw new Error(`encode returned ${end}, size ${size}`);
  return out;
}

const decoder = new TextDecoder("utf-8", { fatal: true });
function text(buf: Uint8Array, offset: number, length: number): string {
  return decoder.decode(buf.slice(offset, offset + length));
}

/** Reads our decoded Packet back into a model (copies: test side only). */
export function packetToModel(packet: Packet): Model {
  // A server decoder's result has the CONNECT/SUBSCRIBE fields; only those types read them.
  const p = packet as ServerPacket;
  const b = p.buffer;
  const cmd = TYPE_NAMES[p.type];
  switch (cmd) {
    case "connect": {
      const m: Model = { cmd, clientId: text(b, p.clientIdOffset, p.clientIdLength), clean: p.cleanSession, keepalive: p.keepAlive };
      if (p.usernameOffset >= 0) m.username = text(b, p.usernameOffset, p.usernameLength);
      if (p.passwordOffset >= 0) m.password = b.slice(p.passwordOffset, p.passwordOffset + p.passwordLength);
      if (p.willTopicOffset >= 0) {
        m.will = {
          topic: text(b, p.willTopicOffset, p.willTopicLength),
          payload: b.slice(p.willPayloadOffset, p.willPayloadOffset + p.willPayloadLength), qos: p.willQos, retain: p.willRetain,
        };
      }
      return m;
    }
    case "connack": return { cmd, sessionPresent: p.sessionPresent, returnCode: p.returnCode };
    case "publish": {
      const m: Model = {
        cmd, topic: text(b, p.topicOffset, p.topicLength),
        payload: p.payloadBuffer.slice(p.payloadOffset, p.payloadOffset + p.payloadLength), qos: p.qos, retain: p.retain, dup: p.dup,
      };
      if (p.qos > 0) m.messageId = p.packetId;
      return m;
    }
    case "subscribe": {
      const subscriptions: { topic: string; qos: number }[] = [];
      for (let e = p.listOffset; e < p.listOffset + p.listLength; e = nextFilter(b, e, p.type)) {
        subscriptions.push({ topic: text(b, filterOffset(e), filterLength(b, e)), qos: filterQos(b, e) });
      }
      return { cmd, messageId: p.packetId, subscriptions };
    }
    case "unsubscribe": {
      const unsubscriptions: string[] = [];
      for (let e = p.listOffset; e < p.listOffset + p.listLength; e = nextFilter(b, e, p.type)) {
        unsubscriptions.push(text(b, filterOffset(e), filterLength(b, e)));
      }
      return { cmd, messageId: p.packetId, unsubscriptions };
    }
    case "suback": return { cmd, messageId: p.packetId, granted: Array.from(b.slice(p.codesOffset, p.codesOffset + p.codesCount)) };
    case "pingreq": case "pingresp": case "disconnect": return { cmd };
    case "puback": case "pubrec": case "pubrel": case "pubcomp": case "unsuback": return { cmd, messageId: p.packetId };
    default: throw new Error(`bad type ${p.type}`);
  }
}

/** The mqtt-packet object for a model (for generate). */
export function modelToMqttPacket(m: Model): Record<string, unknown> {
  switch (m.cmd) {
    case "connect": {
      const o: Record<string, unknown> = {
        cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clientId: m.clientId, clean: m.clean, keepalive: m.keepalive,
      };
      if (m.username !== undefined) o.username = m.username;
      if (m.password !== undefined) o.password = Buffer.from(m.password);
      if (m.will !== undefined) o.will = { ...m.will, payload: Buffer.from(m.will.payload) };
      return o;
    }
    case "publish": return { ...m, payload: Buffer.from(m.payload), messageId: m.messageId };
    default: return { ...m };
  }
}

/** A model from an mqtt-packet parse result (keeps only the 3.1.1 fields). */
export function mqttPacketToModel(o: Record<string, any>): Model {
  const cmd = o.cmd as Model["cmd"];
  switch (cmd) {
    case "connect": {
      const m: Model = { cmd, clientId: o.clientId, clean: o.clean, keepalive: o.keepalive };
      if (o.username !== undefined) m.username = o.username;
      if (o.password !== undefined) m.password = new Uint8Array(o.password);
      if (o.will !== undefined) {
        m.will = { topic: o.will.topic, payload: new Uint8Array(o.will.payload), qos: o.will.qos, retain: o.will.retain };
      }
      return m;
    }
    case "connack": return { cmd, sessionPresent: o.sessionPresent, returnCode: o.returnCode };
    case "publish": {
      const m: Model = { cmd, topic: o.topic, payload: new Uint8Array(o.payload), qos: o.qos, retain: o.retain, dup: o.dup };
      if (o.qos > 0) m.messageId = o.messageId;
      return m;
    }
    case "subscribe":
      return { cmd, messageId: o.messageId, subscriptions: o.subscriptions.map((s: any) => ({ topic: s.topic, qos: s.qos })) };
    case "suback": return { cmd, messageId: o.messageId, granted: [...o.granted] };
    case "unsubscribe": return { cmd, messageId: o.messageId, unsubscriptions: [...o.unsubscriptions] };
    case "pingreq": case "pingresp": case "disconnect": return { cmd };
    default: return { cmd, messageId: o.messageId } as Model;
  }
}

/** Deterministic PRNG (mulberry32) so chunkings and fuzz runs are reproducible from a seed. */
export const rng = mulberry32;
