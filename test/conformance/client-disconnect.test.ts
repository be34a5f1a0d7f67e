// Conformance, client: end() sends DISCONNECT, closes the network connection, and sends nothing more on it.
import { describe, expect, it } from "vitest";
import { CLOSED_BY_CLIENT, NOT_CONNECTED, SENT } from "../../src/client/index.js";
import { PacketType } from "../../src/codec/index.js";
import { types, utf8, wireRig } from "./wire-rig.js";

describe("DISCONNECT", () => {
  it("[MQTT-3.14.4-1] end() sends DISCONNECT (E0 00), then closes the network connection at once", () => {
    const rig = wireRig();
    rig.client.connect();
    rig.step();
    const connection = rig.connection(0);
    const socket = connection.socket!;
    rig.client.end();
    // Before the transport moves anything: DISCONNECT is the last thing written and the socket is closed.
    expect(rig.sent(0).at(-1)!.bytes).toEqual([0xe0, 0x00]);
    expect(socket.closed).toBe(true);
    expect(connection.socket).toBeNull();
    expect(rig.disconnected).toEqual([CLOSED_BY_CLIENT]);
    // (The memory transport drops bytes the server has not read when the client closes, so the scripted broker's
    // own DISCONNECT counter stays 0 here; the tap above shows what the client wrote before closing.)
  });

  it("[MQTT-3.14.4-2] after DISCONNECT nothing more is sent: publish, subscribe, acks, keepalive, reconnects", () => {
    const rig = wireRig({ keepAlive: 5 });
    rig.client.subscribe("cmd/#", 1, () => undefined);
    rig.client.connect();
    rig.step();
    const h = rig.client.topic("t");
    // Staged in the same turn as end(): written before the DISCONNECT, never after it.
    expect(rig.client.publish(h, utf8("before"), 0, 6, 0, false)).toBe(SENT);
    rig.client.end();
    const sent = rig.sent(0);
    expect(types(sent.slice(-2))).toEqual(["PUBLISH", "DISCONNECT"]);
    const length = rig.bytes(0).length;
    expect(rig.client.publish(h, utf8("after"), 0, 5, 1, false)).toBe(NOT_CONNECTED);
    rig.client.subscribe("more/#", 1, () => undefined);
    rig.broker.publish(utf8("cmd/x"), utf8("late"), 0, 4, 1, 7); // the broker has nowhere to send it any more
    rig.run(60_000, 500);
    expect(rig.bytes(0).length).toBe(length);
    expect(rig.network.connections.length).toBe(1); // no reconnect after end()
  });

  it("[MQTT-3.14.4-2] end() from inside a message handler: DISCONNECT is the last packet, the message is not acked after it", () => {
    const rig = wireRig();
    rig.client.subscribe("cmd/#", 1, () => rig.client.end());
    rig.client.connect();
    rig.step();
    rig.broker.publish(utf8("cmd/stop"), utf8("1"), 0, 1, 1, 99);
    rig.step();
    rig.run(30_000, 1_000);
    const sent = rig.sent(0);
    expect(sent.at(-1)!.type).toBe(PacketType.DISCONNECT);
    expect(sent.filter((p) => p.type === PacketType.DISCONNECT).length).toBe(1);
    expect(rig.network.connections.length).toBe(1);
  });
});
