// Send space exhausted (lwip send buffer full): packets wait in the staging region and are written in pieces
// as space frees; publish returns BUSY once the staging region is full too, and onWritable fires when it drains.
import { describe, expect, it } from "vitest";
import { BUSY, SENT } from "../../src/client/index.js";
import { memoryRig } from "./memory-util.js";

describe("socket send space", () => {
  it("BUSY when the send buffer and the staging region are full, onWritable once it drained", () => {
    const rig = memoryRig({}, { sendBuffer: 256 });
    rig.client.connect();
    rig.step();
    rig.network.last!.stalled = true; // the broker stops reading: the send buffer stays full
    const h = rig.client.topic("t/x");
    const p = new Uint8Array(50);
    let sent = 0;
    let status = SENT;
    for (let i = 0; i < 100 && status === SENT; i++) {
      status = rig.client.publish(h, p, 0, 50, 0, false);
      if (status === SENT) sent++;
    }
    expect(status).toBe(BUSY);
    // 256 bytes of send buffer plus a 1 KiB staging region of 55-byte packets.
    expect(sent).toBeGreaterThanOrEqual(20);
    expect(rig.writable.count).toBe(0);
    rig.network.last!.stalled = false;
    for (let i = 0; i < 10; i++) rig.step();
    expect(rig.writable.count).toBe(1);
    expect(rig.client.publish(h, p, 0, 50, 0, false)).toBe(SENT);
    rig.step();
    expect(rig.broker.publishes).toBe(sent + 1);
  });
});
