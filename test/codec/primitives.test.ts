// codes.ts, bytes.ts, pool.ts: code table, bounds-checked primitives, the buffer pool.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as codec from "../../src/codec/index.js";
import {
  BufferPool, BUFFER_TOO_SMALL, codeMessage, codeName, INVALID_FIELD, INVALID_SLOT, POOL_EXHAUSTED, readU16,
  sizeVarInt, STRING_TOO_LONG, TRUNCATED, writeBytes, writeU16, writeU8, writeVarInt,
} from "../../src/codec/index.js";

describe("codes", () => {
  const errorCodes = Object.entries(codec).filter(([k, v]) => typeof v === "number" && v < 0 && /^[A-Z_0-9]+$/.test(k)) as [string, number][];

  it("every error code is distinct, negative, named after its constant and has its own message", () => {
    expect(errorCodes.length).toBeGreaterThanOrEqual(29);
    expect(new Set(errorCodes.map(([, v]) => v)).size).toBe(errorCodes.length);
    for (const [name, value] of errorCodes) expect(codeName(value)).toBe(name);
    expect(new Set(errorCodes.map(([, v]) => codeMessage(v))).size).toBe(errorCodes.length);
    expect(codeName(-999)).toBe("UNKNOWN");
  });

  it("PacketType is frozen and numbers the 14 types", () => {
    expect(Object.isFrozen(codec.PacketType)).toBe(true);
    expect(Object.values(codec.PacketType)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });
});

describe("bytes", () => {
  it("writeU8/writeU16 check room and range and write nothing on failure", () => {
    const b = new Uint8Array(3).fill(0xaa);
    expect(writeU16(b, 2, 0x1234)).toBe(BUFFER_TOO_SMALL);
    expect(writeU16(b, 0, 0x10000)).toBe(INVALID_FIELD);
    expect(writeU8(b, 3, 1)).toBe(BUFFER_TOO_SMALL);
    expect(writeU8(b, 0, 256)).toBe(INVALID_FIELD);
    expect(b).toEqual(Uint8Array.of(0xaa, 0xaa, 0xaa));
    expect(writeU16(b, 1, 0x1234)).toBe(3);
    expect(writeU8(b, 0, 7)).toBe(1);
    expect(b).toEqual(Uint8Array.of(7, 0x12, 0x34));
    expect(readU16(b, 1)).toBe(0x1234);
    expect(readU16(b, 2)).toBe(TRUNCATED);
  });

  it("variable byte integers: spec boundaries, sizes, and refusal above 268,435,455", () => {
    const cases: [number, number[]][] = [
      [0, [0x00]], [127, [0x7f]], [128, [0x80, 0x01]], [16_383, [0xff, 0x7f]], [16_384, [0x80, 0x80, 0x01]],
      [2_097_151, [0xff, 0xff, 0x7f]], [2_097_152, [0x80, 0x80, 0x80, 0x01]], [268_435_455, [0xff, 0xff, 0xff, 0x7f]],
    ];
    for (const [value, encoded] of cases) {
      const b = new Uint8Array(4);
      expect(sizeVarInt(value)).toBe(encoded.length);
      expect(writeVarInt(b, 0, value)).toBe(encoded.length);
      expect(Array.from(b.subarray(0, encoded.length))).toEqual(encoded);
      expect(writeVarInt(new Uint8Array(encoded.length - 1), 0, value)).toBe(BUFFER_TOO_SMALL);
    }
    expect(sizeVarInt(268_435_456)).toBe(INVALID_FIELD);
    expect(sizeVarInt(-1)).toBe(INVALID_FIELD);
  });

  it("writeBytes writes a u16 prefix and the range, or nothing", () => {
    const src = Uint8Array.of(1, 2, 3, 4);
    const b = new Uint8Array(4).fill(9);
    expect(writeBytes(b, 1, src, 1, 2)).toBe(BUFFER_TOO_SMALL);
    expect(b).toEqual(Uint8Array.of(9, 9, 9, 9));
    expect(writeBytes(b, 0, src, 1, 2)).toBe(4);
    expect(b).toEqual(Uint8Array.of(0, 2, 2, 3));
    expect(writeBytes(b, 0, src, 3, 2)).toBe(INVALID_FIELD);
    expect(writeBytes(new Uint8Array(70_000), 0, new Uint8Array(65_536), 0, 65_536)).toBe(STRING_TOO_LONG);
  });
});

describe("BufferPool", () => {
  it("hands out every slot once, then POOL_EXHAUSTED; release makes a slot available again", () => {
    const pool = new BufferPool(4, 32);
    expect(pool.bytes.length).toBe(128);
    const slots = [pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()];
    expect(new Set(slots).size).toBe(4);
    expect(slots.every((s) => s >= 0 && s < 4)).toBe(true);
    expect(pool.available).toBe(0);
    expect(pool.acquire()).toBe(POOL_EXHAUSTED);
    expect(pool.release(slots[2]!)).toBe(0);
    expect(pool.acquire()).toBe(slots[2]);
    expect(pool.offsetOf(3)).toBe(96);
  });

  it("refuses double release and foreign slots", () => {
    const pool = new BufferPool(2, 8);
    const s = pool.acquire();
    expect(pool.release(s)).toBe(0);
    expect(pool.release(s)).toBe(INVALID_SLOT);
    expect(pool.release(2)).toBe(INVALID_SLOT);
    expect(pool.release(-1)).toBe(INVALID_SLOT);
    expect(pool.release(0.5)).toBe(INVALID_SLOT);
    expect(pool.available).toBe(2);
  });

  it("keeps its invariants under random acquire/release sequences (model check)", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(9))), (ops) => {
      const pool = new BufferPool(5, 4);
      const held = new Set<number>();
      for (const [acquire, pick] of ops) {
        if (acquire) {
          const s = pool.acquire();
          if (held.size === 5) expect(s).toBe(POOL_EXHAUSTED);
          else { expect(held.has(s)).toBe(false); held.add(s); }
        } else {
          expect(pool.release(pick)).toBe(held.has(pick) ? 0 : INVALID_SLOT);
          held.delete(pick);
        }
        expect(pool.available).toBe(5 - held.size);
      }
    }));
  });

  it("rejects bad construction arguments", () => {
    expect(() => new BufferPool(0, 8)).toThrow(RangeError);
    expect(() => new BufferPool(2, 1.5)).toThrow(RangeError);
  });
});
