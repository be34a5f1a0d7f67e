/**
 * Helpers for the codec conformance tests: crafted frames, decoding them every way our codec can (one-shot
 * `decodePacket`, the stream decoder on the whole frame, and the stream decoder one byte at a time), and
 * encoding into a guarded buffer to prove a refused encode writes nothing.
 * @module
 */
import { expect } from "vitest";
import { decodePacket, NEED_MORE, ServerPacket, UNEXPECTED_PACKET } from "../../src/codec/index.js";
import { newDecoder } from "../codec/util.js";

export type Part = number | string | Uint8Array | readonly number[];

const encoder = new TextEncoder();

/** Bytes from numbers, strings (UTF-8), arrays. */
export function bytes(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === "number") out.push(part);
    else if (typeof part === "string") out.push(...encoder.encode(part));
    else out.push(...part);
  }
  return Uint8Array.from(out);
}

/** A packet with its remaining length (one byte, < 128) computed from the body. */
export function frame(header: number, ...body: Part[]): Uint8Array {
  const b = bytes(...body);
  if (b.length > 127) throw new Error("frame() builds packets below 128 bytes");
  return bytes(header, b.length, b);
}

/** A u16-length-prefixed field. */
export function field(...content: Part[]): Uint8Array {
  const c = bytes(...content);
  return bytes(c.length >> 8, c.length & 0xff, c);
}

/** A CONNECT ("MQTT", level 4) with the given flags and keepalive 60, then the payload fields. */
export function connectFrame(flags: number, ...payload: Part[]): Uint8Array {
  return frame(0x10, field("MQTT"), 4, flags, 0, 60, ...payload);
}

/** Decodes `f` the three ways; @returns the result of each (the one-shot result is normalised to the code). */
export function decodeAll(f: Uint8Array, role: "client" | "server"): { oneShot: number; whole: number; bytewise: number; packet: ServerPacket } {
  const packet = new ServerPacket();
  const oneShot = decodePacket(f, 0, f.length, packet);
  const whole = newDecoder({ buffer: new Uint8Array(512), maxPacketSize: 1 << 20, role, streamPayloads: false });
  const w = whole.decode(f, 0, f.length);
  const bytewise = newDecoder({ buffer: new Uint8Array(512), maxPacketSize: 1 << 20, role, streamPayloads: false });
  let b = NEED_MORE;
  for (let i = 0; i < f.length && b === NEED_MORE; i++) b = bytewise.decode(f, i, i + 1);
  return { oneShot, whole: w, bytewise: b, packet };
}

/** Asserts that every decode path refuses `f` with `code`. */
export function expectRefused(f: Uint8Array, role: "client" | "server", code: number): void {
  const r = decodeAll(f, role);
  // decodePacket has no direction: a packet for the other role is valid to it.
  expect(r.oneShot).toBe(code === UNEXPECTED_PACKET ? f.length : code);
  expect(r.whole).toBe(code);
  expect(r.bytewise).toBe(code);
}

/** Asserts that every decode path accepts `f`; @returns the one-shot decoded packet. */
export function expectAccepted(f: Uint8Array, role: "client" | "server"): ServerPacket {
  const r = decodeAll(f, role);
  expect(r.oneShot).toBe(f.length);
  expect(r.whole).toBe(1); // PACKET
  expect(r.bytewise).toBe(1);
  return r.packet;
}

/**
 * Runs an encoder into a buffer filled with 0xAA. @returns the result and the bytes written (when >= 0), and
 * asserts that a refusal left the buffer untouched.
 */
export function encodeInto(encode: (buf: Uint8Array, offset: number) => number, size = 256): { result: number; out: number[] } {
  const buf = new Uint8Array(size).fill(0xaa);
  const result = encode(buf, 0);
  if (result < 0) {
    expect(buf.every((b) => b === 0xaa)).toBe(true);
    return { result, out: [] };
  }
  return { result, out: [...buf.subarray(0, result)] };
}
