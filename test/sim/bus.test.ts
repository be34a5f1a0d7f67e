import { describe, expect, it } from "vitest";
import { I2CNackError, ManualClock, SimI2CBus, type SimI2CDevice } from "../../sim/bus.js";
import { createSimI2C } from "../../hosts/node/i2c.js";

/** A device that echoes back the last bytes written, and records the time and stop flags. */
function echo(): SimI2CDevice & { last: Uint8Array; times: number[]; stops: boolean[] } {
  const d = {
    last: new Uint8Array(0), times: [] as number[], stops: [] as boolean[],
    write(bytes: Uint8Array, stop: boolean, now: number) { d.last = bytes.slice(); d.times.push(now); d.stops.push(stop); return true; },
    read(into: Uint8Array, stop: boolean, now: number) {
      for (let i = 0; i < into.length; i++) into[i] = d.last[i % Math.max(1, d.last.length)] ?? 0;
      d.times.push(now); d.stops.push(stop); return true;
    },
  };
  return d;
}

describe("SimI2CBus", () => {
  it("routes transactions by address with the injected time and stop flags", () => {
    const clock = new ManualClock(100);
    const bus = new SimI2CBus({ now: clock.now });
    const dev = echo();
    bus.attach(0x44, dev);
    bus.write(0x44, Uint8Array.of(1, 2, 3), false);
    clock.advance(5);
    const got = bus.read(0x44, new Uint8Array(3));
    expect([...got]).toEqual([1, 2, 3]);
    expect(dev.times).toEqual([100, 105]);
    expect(dev.stops).toEqual([false, true]);
    expect([...bus.read(0x44, 2)]).toEqual([1, 2]);
    expect(bus.counters).toEqual({ writes: 1, reads: 2, nacks: 0, bytes: 8 });
  });

  it("NACKs a missing address with an Error, and a device that refuses", () => {
    const bus = new SimI2CBus({ now: () => 0 });
    expect(() => bus.write(0x50, Uint8Array.of(0))).toThrow(I2CNackError);
    bus.attach(0x50, { write: () => false, read: () => false });
    let caught: unknown;
    try { bus.read(0x50, new Uint8Array(1)); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as I2CNackError).address).toBe(0x50);
    expect(bus.counters.nacks).toBe(2);
  });

  it("validates addresses and refuses double attachment; detach and scan", () => {
    const bus = new SimI2CBus({ now: () => 0 });
    expect(() => bus.attach(0x00, echo())).toThrow(RangeError);
    expect(() => bus.attach(0x78, echo())).toThrow(RangeError);
    bus.attach(0x23, echo());
    bus.attach(0x76, echo());
    expect(() => bus.attach(0x23, echo())).toThrow(RangeError);
    expect(bus.scan()).toEqual([0x23, 0x76]);
    expect(bus.detach(0x23)).toBe(true);
    expect(bus.detach(0x23)).toBe(false);
    expect(bus.scan()).toEqual([0x76]);
    expect(() => new SimI2CBus({} as never)).toThrow(TypeError);
  });

  it("ManualClock never goes backwards", () => {
    const c = new ManualClock();
    c.advance(10);
    c.set(15);
    expect(c.now()).toBe(15);
    expect(() => c.set(14)).toThrow(RangeError);
    expect(() => c.advance(-1)).toThrow(RangeError);
  });
});

describe("createSimI2C (embedded:io/i2c on the desktop)", () => {
  it("read(buffer) fills exactly byteLength bytes; read(count) returns an ArrayBuffer", () => {
    const bus = new SimI2CBus({ now: () => 0 });
    const dev = echo();
    bus.attach(0x44, dev);
    const I2C = createSimI2C(bus);
    const io = new I2C({ data: 21, clock: 22, hz: 400_000, address: 0x44 });
    io.write(Uint8Array.of(9, 8, 7, 6));
    const backing = new Uint8Array(6).fill(0xee);
    const view = new Uint8Array(backing.buffer, 1, 3);
    io.read(view);
    expect([...backing]).toEqual([0xee, 9, 8, 7, 0xee, 0xee]);
    const ab = io.read(2);
    expect(ab).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(ab)]).toEqual([9, 8]);
    io.write(Uint8Array.of(1), false);
    expect(dev.stops.at(-1)).toBe(false);
  });

  it("a NACK throws Error(\"NACK\"); construction does not probe", () => {
    const bus = new SimI2CBus({ now: () => 0 });
    const I2C = createSimI2C(bus);
    const io = new I2C({ data: 21, clock: 22, hz: 100_000, address: 0x10 });
    expect(() => io.write(Uint8Array.of(0))).toThrow("NACK");
    expect(() => io.read(new Uint8Array(1))).toThrow(Error);
  });

  it("validates options and refuses use after close()", () => {
    const bus = new SimI2CBus({ now: () => 0 });
    bus.attach(0x44, echo());
    const I2C = createSimI2C(bus);
    expect(() => new I2C({ data: 21, clock: 21, hz: 400_000, address: 0x44 })).toThrow(RangeError);
    expect(() => new I2C({ data: 21, clock: 22, hz: 0, address: 0x44 })).toThrow(RangeError);
    expect(() => new I2C({ data: 21, clock: 22, hz: 400_000, address: 0x80 })).toThrow(RangeError);
    expect(() => new I2C({ data: -1, clock: 22, hz: 400_000, address: 0x44 })).toThrow(RangeError);
    expect(() => new I2C({ data: 21, clock: 22, hz: 400_000, address: 0x44, format: "number" as never })).toThrow(RangeError);
    const io = new I2C({ data: 21, clock: 22, hz: 400_000, address: 0x44 });
    io.close();
    expect(() => io.write(Uint8Array.of(0))).toThrow("closed");
    expect(() => io.read(new Uint8Array(1))).toThrow("closed");
  });

  it("does not disguise a simulator bug as a NACK", () => {
    const bus = new SimI2CBus({ now: () => 0 });
    bus.attach(0x44, { write: () => { throw new TypeError("bug"); }, read: () => true });
    const io = new (createSimI2C(bus))({ data: 21, clock: 22, hz: 400_000, address: 0x44 });
    expect(() => io.write(Uint8Array.of(0))).toThrow(TypeError);
  });
});
