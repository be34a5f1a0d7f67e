// SUBACK 0x80 is reported to the subscription (onSuback(0x80)) and as a SubscribeError.
import { describe, expect, it } from "vitest";
import { SubscribeError } from "../../src/client/index.js";
import { memoryRig } from "./memory-util.js";

describe("SUBACK failure", () => {
  it("reports 0x80 to the subscription and onError", () => {
    const rig = memoryRig();
    rig.broker.subackCode = 0x80;
    const codes: number[] = [];
    const id = rig.client.subscribe("secret/#", 1, () => undefined, (g) => codes.push(g));
    rig.client.connect();
    rig.step();
    expect(codes).toEqual([0x80]);
    expect(rig.client.granted(id)).toBe(0x80);
    expect(rig.errors[0]).toBeInstanceOf(SubscribeError);
    expect((rig.errors[0] as SubscribeError).filter).toBe("secret/#");
    expect(rig.client.connected).toBe(true);
    rig.broker.subackCode = -1;
    const ok = rig.client.subscribe("open/#", 0, () => undefined, (g) => codes.push(g));
    rig.step();
    expect(codes).toEqual([0x80, 0]);
    expect(rig.client.granted(ok)).toBe(0);
  });
});
