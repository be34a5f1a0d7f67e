// After a reconnect the order on the wire is: unacknowledged QoS 1 resends (original order), then the
// offline queue (in order); new publishes wait behind both. Unsubscribe during the outage is honoured.
// Resends carry DUP only when the broker kept the session ([MQTT-4.4.0-1]); in a new session they are first
// deliveries of that session, DUP 0 ([MQTT-3.1.2-6]).
import { describe, expect, it } from "vitest";
import type { Packet } from "../../src/codec/packet.js";
import { QUEUED, SENT } from "../../src/client/index.js";
import { ascii, memoryRig } from "./memory-util.js";

describe("reconnect ordering", () => {
  it.each([
    { session: "new session", cleanSession: true, present: false, dup: "" },
    { session: "kept session", cleanSession: false, present: true, dup: "*" },
  ])("resends in-flight first ($session: DUP '$dup'), then flushes the queue in order", ({ cleanSession, present, dup }) => {
    const rig = memoryRig({ inflightWindow: 4, offlineQueue: 8, cleanSession });
    const wire: string[] = [];
    rig.broker.onPacket = (p: Packet) => {
      if (p.type === 3) wire.push(`${String.fromCharCode(p.payloadBuffer[p.payloadOffset]!)}${p.dup ? "*" : ""}:${p.qos}`);
      if (p.type === 8) wire.push("SUB");
      if (p.type === 10) wire.push("UNSUB");
    };
    const sub = rig.client.subscribe("cmd/#", 1, () => undefined);
    rig.client.connect();
    rig.step();
    rig.broker.autoPuback = false;
    const h = rig.client.topic("t");
    expect(rig.client.publish(h, ascii("a"), 0, 1, 1, false)).toBe(SENT);
    rig.step();
    expect(rig.client.publish(h, ascii("b"), 0, 1, 1, false)).toBe(SENT);
    rig.step();
    rig.broker.kick();
    rig.step();
    expect(rig.client.connected).toBe(false);
    expect(rig.client.publish(h, ascii("c"), 0, 1, 0, false)).toBe(QUEUED);
    expect(rig.client.publish(h, ascii("d"), 0, 1, 1, false)).toBe(QUEUED);
    expect(rig.client.unsubscribe(sub)).toBe(true);
    rig.broker.autoPuback = true;
    rig.broker.sessionPresent = present;
    wire.length = 0;
    rig.step(100);
    expect(rig.client.connected).toBe(true);
    // The unsubscribed filter is not resubscribed (new session) or is unsubscribed (kept session).
    // Resends first, in their original order [MQTT-4.6.0-1], DUP only with the session kept [MQTT-3.3.1-1].
    expect(wire.filter((w) => w !== "UNSUB")).toEqual([`a${dup}:1`, `b${dup}:1`, "c:0", "d:1"]);
    expect(rig.client.inflight).toBe(0);
    expect(rig.client.queued).toBe(0);
    expect(rig.client.counters.resent).toBe(2);
  });

  it("with the session kept, an unsubscribe made while the SUBACK was lost still goes out", () => {
    const rig = memoryRig({ cleanSession: false });
    const wire: string[] = [];
    rig.broker.onPacket = (p: Packet) => {
      if (p.type === 8) wire.push("SUB");
      if (p.type === 10) wire.push("UNSUB");
    };
    rig.client.connect();
    rig.step();
    rig.broker.subackCode = -1;
    const sub = rig.client.subscribe("cmd/#", 1, () => undefined);
    // The SUBSCRIBE leaves but the link dies before the SUBACK is read.
    rig.broker.kick();
    expect(rig.client.unsubscribe(sub)).toBe(true);
    rig.step();
    rig.broker.sessionPresent = true;
    rig.step(100);
    expect(rig.client.connected).toBe(true);
    expect(wire.at(-1)).toBe("UNSUB");
  });
});
