// Keepalive counts complete packets only: a broker trickling one byte per second inside a PUBLISH no longer
// keeps the client "connected" forever. And an unanswered PINGREQ has its own deadline (pingTimeout), even
// while other packets keep arriving.
import { describe, expect, it } from "vitest";
import { KEEPALIVE_TIMEOUT, PING_TIMEOUT, PingTimeoutError } from "../../src/client/index.js";
import { ascii, tapRig } from "./tap-util.js";

describe("keepalive against a trickling broker", () => {
  it("one byte per second inside a PUBLISH: the link is declared dead within 1.5 x keepAlive", () => {
    const rig = tapRig({ keepAlive: 10, rxBufferSize: 1024 });
    rig.client.connect();
    rig.step();
    rig.broker.answerPings = false; // its PINGRESP would queue behind the trickled PUBLISH
    // A QoS 0 PUBLISH on "t/x" with 500 payload bytes: remaining length 505 = F9 03.
    const packet = Uint8Array.from([0x30, 0xf9, 0x03, 0x00, 0x03, ...ascii("t/x"), ...new Uint8Array(500)]);
    let sentBytes = 0;
    for (let t = 0; t < 30 && rig.disconnected.length === 0; t++) {
      rig.broker.sendRaw(packet, sentBytes++, 1);
      rig.step(1000);
    }
    expect(rig.disconnected.length).toBe(1);
    expect([KEEPALIVE_TIMEOUT, PING_TIMEOUT]).toContain(rig.disconnected[0]);
    expect(rig.clock.now()).toBeLessThanOrEqual(15_000);
  });
});

describe("PINGREQ deadline", () => {
  it("a PINGREQ unanswered for pingTimeout ends the link even while PUBLISHes keep arriving", () => {
    const rig = tapRig({ keepAlive: 10, pingTimeout: 2000 });
    rig.client.subscribe("t/#", 0, () => undefined);
    rig.client.connect();
    rig.step();
    rig.broker.answerPings = false;
    const topic = ascii("t/x");
    for (let t = 0; t < 30 && rig.disconnected.length === 0; t++) {
      rig.broker.publish(topic, ascii("tick"), 0, 4, 0, 0);
      rig.step(500);
    }
    expect(rig.disconnected).toEqual([PING_TIMEOUT]);
    expect(rig.errors.some((e) => e instanceof PingTimeoutError)).toBe(true);
    expect(rig.clock.now()).toBeLessThanOrEqual(12_500);
    expect(rig.broker.pings).toBe(1);
  });
});
