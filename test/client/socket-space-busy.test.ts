// Send space exhausted (lwip send buffer full): publish returns BUSY and onWritable fires when it drains.
import { describe, expect, it } from "vitest";
import { BUSY, SENT } from "../../src/client/index.js";
import { memoryRig } from "./memory-util.js";

describe("socket send space", () => {
  it("BUSY when the send buffer is full, onWritable once it drained", () => {
    const rig = memoryRig({}, { sendBuffer: 256 });
    rig.client.connect();
    rig.step();
    const h = rig.client.topic("t/x");
    const p = new Uint8Array(50);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(rig.client.publish(h, p, 0, 50, 0, false));
    expect(statuses.slice(0, 4)).toEqual([SENT, SENT, SENT, SENT]);
    expect(statuses[4]).toBe(BUSY);
    expect(rig.writable.count).toBe(0);
    rig.step();
    expect(rig.writable.count).toBe(1);
    expect(rig.client.publish(h, p, 0, 50, 0, false)).toBe(SENT);
    expect(rig.broker.publishes).toBe(4);
  });
});
