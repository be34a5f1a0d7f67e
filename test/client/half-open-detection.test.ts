// A black-holed link (nothing flows, no RST) is detected within 1.5 × keepAlive of the last received
// traffic, closed with KEEPALIVE_TIMEOUT (or PING_TIMEOUT, when the PINGREQ's own deadline comes first) and
// reconnected.
import { describe, expect, it } from "vitest";
import { KEEPALIVE_TIMEOUT, KeepaliveTimeoutError, PING_TIMEOUT, PingTimeoutError } from "../../src/client/index.js";
import { brokerBehindProxy, makeClient, until } from "./util.js";

const rig = brokerBehindProxy();

describe("half-open link", () => {
  it("is detected within 1.5 x keepAlive and the client reconnects", async () => {
    const keepAlive = 1;
    let lastRx = 0;
    let detectedAt = 0;
    const { client, events } = makeClient(rig.proxy.port, {
      clientId: `halfopen-${process.pid}`,
      keepAlive,
      onDisconnected: () => {
        detectedAt = performance.now();
      },
    });
    client.connect();
    await until(() => client.connected, 3000, "CONNACK");
    // Track the last received byte from the client's own counter.
    let bytes = client.counters.bytesReceived;
    lastRx = performance.now();
    rig.proxy.stall("both");
    const poll = setInterval(() => {
      if (client.counters.bytesReceived !== bytes) {
        bytes = client.counters.bytesReceived;
        lastRx = performance.now();
      }
    }, 2);
    await until(() => events.disconnected.length === 1, 4000, "keepalive timeout");
    clearInterval(poll);
    expect(events.disconnected.length).toBe(1);
    expect([KEEPALIVE_TIMEOUT, PING_TIMEOUT]).toContain(events.disconnected[0]);
    expect(events.errors.some((e) => e instanceof KeepaliveTimeoutError || e instanceof PingTimeoutError)).toBe(true);
    const silent = detectedAt - lastRx;
    expect(silent).toBeLessThanOrEqual(1.5 * keepAlive * 1000 + 150);
    expect(silent).toBeGreaterThanOrEqual(1.5 * keepAlive * 1000 - 300);
    rig.proxy.resume();
    await until(() => events.connected.length === 2, 5000, "reconnect");
    client.end();
  }, 15000);
});
