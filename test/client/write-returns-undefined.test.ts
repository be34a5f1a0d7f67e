// Moddable's lwip socket returns `undefined` from write() once the connection has failed. The client must treat
// that as connection loss: never count bytes as sent into a dead socket, never compute NaN send space, keep the
// QoS 1 message in flight and resend it after the reconnect.
import { describe, expect, it } from "vitest";
import { CONNECTION_LOST, ConnectionLostError, QUEUED } from "../../src/client/index.js";
import { ascii, publishes, tapRig } from "./tap-util.js";

describe("socket write returning undefined (failed lwip socket)", () => {
  it("is connection loss: reported, nothing counted as sent, the QoS 1 message resent after reconnect", () => {
    const rig = tapRig();
    rig.client.connect();
    rig.step();
    const h = rig.client.topic("t/dead");
    const bytesBefore = rig.client.counters.bytesSent;
    rig.failWrites.on = true;
    rig.client.publish(h, ascii("kept"), 0, 4, 1, false);
    rig.step(); // the batch timer writes: undefined comes back
    expect(rig.disconnected).toEqual([CONNECTION_LOST]);
    expect(rig.errors.some((e) => e instanceof ConnectionLostError)).toBe(true);
    expect(rig.client.counters.bytesSent).toBe(bytesBefore);
    expect(rig.client.connected).toBe(false);
    expect(rig.client.inflight).toBe(1);
    // While down, publishes queue (not SENT into the dead socket).
    expect(rig.client.publish(h, ascii("later"), 0, 5, 0, false)).toBe(QUEUED);
    rig.failWrites.on = false;
    rig.step(200);
    rig.step();
    expect(rig.client.connected).toBe(true);
    expect(publishes(rig.wire[1]!).map((m) => m.payload)).toEqual(["kept", "later"]);
    expect(rig.client.inflight).toBe(0);
    expect(Number.isNaN(rig.client.counters.bytesSent)).toBe(false);
  });

  it("undefined from the CONNECT write is a failed attempt, retried with backoff", () => {
    const rig = tapRig();
    rig.failWrites.on = true;
    rig.client.connect();
    rig.step();
    expect(rig.client.connected).toBe(false);
    expect(rig.errors[0]).toBeInstanceOf(ConnectionLostError);
    expect(rig.client.counters.connectFailures).toBe(1);
    rig.failWrites.on = false;
    rig.step(200);
    rig.step();
    expect(rig.client.connected).toBe(true);
  });
});
