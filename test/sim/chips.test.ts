import { describe, expect, it } from "vitest";
import { ManualClock, SimI2CBus, I2CNackError } from "../../sim/bus.js";
import { Environment } from "../../sim/chips/environment.js";
import { SimSHT3x } from "../../sim/chips/sht3x.js";
import { DATASHEET_CALIBRATION, SimBME280 } from "../../sim/chips/bme280.js";
import { SimBH1750 } from "../../sim/chips/bh1750.js";
import { sensirionCrc } from "../../sim/chips/chip.js";
import { BME280_COMPENSATION, createBME280Calibration, parseBME280Calibration } from "../../src/drivers/bme280.js";

function rig() {
  const clock = new ManualClock();
  const bus = new SimI2CBus({ now: clock.now });
  const environment = new Environment({ seed: 1, startHour: 12 });
  return { clock, bus, environment };
}
const cmd = (c: number) => Uint8Array.of(c >> 8, c & 0xff);

describe("SimSHT3x", () => {
  it("NACKs unknown commands and reads with nothing pending", () => {
    const { bus, environment } = rig();
    bus.attach(0x44, new SimSHT3x({ environment }));
    expect(() => bus.write(0x44, cmd(0x1234))).toThrow(I2CNackError);
    expect(() => bus.write(0x44, Uint8Array.of(0x24))).toThrow(I2CNackError);
    expect(() => bus.read(0x44, 6)).toThrow(I2CNackError);
  });

  it("NACKs reads and commands until the conversion time has elapsed, then answers once with valid CRCs", () => {
    const { clock, bus, environment } = rig();
    environment.override({ temperature: 21.5, humidity: 44 });
    bus.attach(0x44, new SimSHT3x({ environment }));
    bus.write(0x44, cmd(0x2400));
    clock.advance(15);
    expect(() => bus.read(0x44, 6)).toThrow(I2CNackError);
    expect(() => bus.write(0x44, cmd(0x2416))).toThrow(I2CNackError);
    clock.advance(0.5);
    const d = bus.read(0x44, 6);
    expect(d[2]).toBe(sensirionCrc(d[0]!, d[1]!));
    expect(d[5]).toBe(sensirionCrc(d[3]!, d[4]!));
    expect(-45 + (175 * ((d[0]! << 8) | d[1]!)) / 65535).toBeCloseTo(21.5, 2);
    expect((100 * ((d[3]! << 8) | d[4]!)) / 65535).toBeCloseTo(44, 2);
    expect(() => bus.read(0x44, 6)).toThrow(I2CNackError); // consumed
  });

  it("low and medium repeatability finish in 4.5 and 6.5 ms", () => {
    const { clock, bus, environment } = rig();
    bus.attach(0x44, new SimSHT3x({ environment }));
    bus.write(0x44, cmd(0x2416));
    clock.advance(4.5);
    expect(bus.read(0x44, 6).length).toBe(6);
    bus.write(0x44, cmd(0x240b));
    clock.advance(6.4);
    expect(() => bus.read(0x44, 6)).toThrow(I2CNackError);
    clock.advance(0.1);
    expect(bus.read(0x44, 6).length).toBe(6);
  });

  it("status register: reset-detected after power-up and soft reset, heater bit, deaf for 1.5 ms after reset", () => {
    const { clock, bus, environment } = rig();
    const chip = new SimSHT3x({ environment });
    bus.attach(0x44, chip);
    bus.write(0x44, cmd(0xf32d));
    let s = bus.read(0x44, 3);
    expect(((s[0]! << 8) | s[1]!) & 0x10).toBe(0x10);
    expect(s[2]).toBe(sensirionCrc(s[0]!, s[1]!));
    bus.write(0x44, cmd(0x3041));
    bus.write(0x44, cmd(0x306d));
    bus.write(0x44, cmd(0xf32d));
    s = bus.read(0x44, 3);
    expect((s[0]! << 8) | s[1]!).toBe(0x2000);
    bus.write(0x44, cmd(0x30a2));
    expect(chip.heater).toBe(false);
    clock.advance(1);
    expect(() => bus.write(0x44, cmd(0xf32d))).toThrow(I2CNackError);
    clock.advance(0.5);
    bus.write(0x44, cmd(0xf32d));
  });

  it("corruptCrc corrupts exactly N answers", () => {
    const { clock, bus, environment } = rig();
    const chip = new SimSHT3x({ environment });
    bus.attach(0x44, chip);
    chip.setFault("corruptCrc", 1);
    for (const bad of [true, false]) {
      bus.write(0x44, cmd(0x2400));
      clock.advance(16);
      const d = bus.read(0x44, 6);
      expect(d[2] !== sensirionCrc(d[0]!, d[1]!)).toBe(bad);
    }
    expect(() => chip.setFault("nack", -1)).toThrow(RangeError);
    expect(() => chip.setFault("absent", 1)).toThrow(RangeError);
    chip.setFault("nack", true);
    expect(chip.faults.nack).toBe(Infinity);
    chip.clearFaults();
    expect(chip.faults).toEqual({ absent: false, nack: 0, stuck: false, corruptCrc: 0, wrongChipId: false });
  });
});

describe("SimBME280", () => {
  it("exposes chip id, the datasheet trimming bytes, and reset values", () => {
    const { bus, environment } = rig();
    const chip = new SimBME280({ environment, compensation: BME280_COMPENSATION });
    bus.attach(0x76, chip);
    bus.write(0x76, Uint8Array.of(0xd0), false);
    expect(bus.read(0x76, 1)[0]).toBe(0x60);
    bus.write(0x76, Uint8Array.of(0x88), false);
    const b1 = bus.read(0x76, 26);
    bus.write(0x76, Uint8Array.of(0xe1), false);
    const b2 = bus.read(0x76, 7);
    expect(parseBME280Calibration(b1, b2, createBME280Calibration())).toEqual(DATASHEET_CALIBRATION);
    bus.write(0x76, Uint8Array.of(0xf7), false);
    expect([...bus.read(0x76, 8)]).toEqual([0x80, 0, 0, 0x80, 0, 0, 0x80, 0]);
    chip.setFault("wrongChipId", true);
    bus.write(0x76, Uint8Array.of(0xd0), false);
    expect(bus.read(0x76, 1)[0]).toBe(0x58);
  });

  it("latches ctrl_hum only on the next ctrl_meas write; forced mode measures then sleeps", () => {
    const { clock, bus, environment } = rig();
    const chip = new SimBME280({ environment, compensation: BME280_COMPENSATION });
    bus.attach(0x76, chip);
    bus.write(0x76, Uint8Array.of(0xf4, 0x25)); // osrs_t 1, osrs_p 1, forced — humidity not latched yet
    bus.write(0x76, Uint8Array.of(0xf2, 0x01)); // ctrl_hum after ctrl_meas: ignored until the next ctrl_meas
    expect(chip.peek(0xf3, clock.now()) & 0x08).toBe(0x08);
    clock.advance(10);
    expect(chip.peek(0xf3, clock.now()) & 0x08).toBe(0);
    expect(chip.peek(0xf4, clock.now())).toBe(0x24);
    expect((chip.peek(0xfd, clock.now()) << 8) | chip.peek(0xfe, clock.now())).toBe(0x8000); // skipped
    bus.write(0x76, Uint8Array.of(0xf4, 0x25));
    clock.advance(10);
    expect((chip.peek(0xfd, clock.now()) << 8) | chip.peek(0xfe, clock.now())).not.toBe(0x8000);
  });

  it("soft reset sets im_update for 2 ms and clears the configuration; config is ignored in normal mode", () => {
    const { clock, bus, environment } = rig();
    const chip = new SimBME280({ environment, compensation: BME280_COMPENSATION });
    bus.attach(0x76, chip);
    bus.write(0x76, Uint8Array.of(0xf5, 0x10, 0xf4, 0x27));
    expect(chip.peek(0xf5, clock.now())).toBe(0x10);
    bus.write(0x76, Uint8Array.of(0xf5, 0xa0)); // normal mode: ignored
    expect(chip.peek(0xf5, clock.now())).toBe(0x10);
    bus.write(0x76, Uint8Array.of(0xe0, 0xb6));
    expect(chip.peek(0xf3, clock.now()) & 1).toBe(1);
    expect(chip.peek(0xf4, clock.now())).toBe(0);
    clock.advance(2);
    expect(chip.peek(0xf3, clock.now()) & 1).toBe(0);
  });
});

describe("SimBH1750", () => {
  it("NACKs unknown opcodes; MTreg is set by its two halves; reset clears data only when powered", () => {
    const { clock, bus, environment } = rig();
    environment.override({ illuminance: 1000 });
    const chip = new SimBH1750({ environment });
    bus.attach(0x23, chip);
    expect(() => bus.write(0x23, Uint8Array.of(0x05))).toThrow(I2CNackError);
    expect(() => bus.write(0x23, Uint8Array.of(0x10, 0x01))).toThrow(I2CNackError);
    bus.write(0x23, Uint8Array.of(0x40 | (138 >> 5)));
    bus.write(0x23, Uint8Array.of(0x60 | (138 & 0x1f)));
    expect(chip.mtreg).toBe(138);
    bus.write(0x23, Uint8Array.of(0x10));
    clock.advance(359);
    expect([...bus.read(0x23, 2)]).toEqual([0, 0]); // first conversion takes 180 x 138/69 = 360 ms
    clock.advance(1);
    const d = bus.read(0x23, 2);
    expect((d[0]! << 8) | d[1]!).toBe(2400); // 1000 lx x 1.2 x 2
    bus.write(0x23, Uint8Array.of(0x00));
    bus.write(0x23, Uint8Array.of(0x07)); // ignored while powered down
    expect((bus.read(0x23, 2)[0]! << 8) | bus.read(0x23, 2)[1]!).toBe(2400);
    bus.write(0x23, Uint8Array.of(0x01));
    bus.write(0x23, Uint8Array.of(0x07));
    expect([...bus.read(0x23, 2)]).toEqual([0, 0]);
  });

  it("saturates at 65535", () => {
    const { clock, bus, environment } = rig();
    environment.override({ illuminance: 100_000 });
    bus.attach(0x23, new SimBH1750({ environment }));
    bus.write(0x23, Uint8Array.of(0x20));
    clock.advance(180);
    expect([...bus.read(0x23, 2)]).toEqual([0xff, 0xff]);
  });
});
