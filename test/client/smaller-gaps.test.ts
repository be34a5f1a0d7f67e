// The smaller gaps of issue 10, one scenario each. Every one of these passed silently on the old client.
import { describe, expect, it } from "vitest";
import {
  CLIENT_CLOSED, ClientClosedError, ClientState, InvalidOptionError, MqttClient, PROTOCOL_ERROR, ProtocolError,
} from "../../src/client/index.js";
import { PacketType } from "../../src/codec/codes.js";
import { ManualClock } from "../support/manual-clock.js";
import { MemoryNetwork } from "../support/memory-transport.js";
import { ascii, tapRig } from "./tap-util.js";

function options(extra: Record<string, unknown> = {}) {
  const network = new MemoryNetwork();
  return { host: { tcp: network.socketClass, clock: new ManualClock(), random: () => 0.5 }, hostname: "b", clientId: "c", ...extra };
}

function thrown(f: () => unknown): InvalidOptionError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidOptionError);
    return e as InvalidOptionError;
  }
  throw new Error("did not throw");
}

describe("smaller gaps", () => {
  it("a lone surrogate in topic() throws instead of becoming U+FFFD", () => {
    const client = new MqttClient(options());
    expect(thrown(() => client.topic("a/\ud800/b")).option).toBe("topic");
    expect(thrown(() => client.topic("a/\udc00")).option).toBe("topic");
    expect(client.topic("a/\ud83d\ude00")).toBe(0); // a well-formed pair is fine
  });

  it("a lone surrogate in clientId throws instead of becoming U+FFFD", () => {
    expect(thrown(() => new MqttClient(options({ clientId: "dev-\udfff" }))).option).toBe("clientId");
  });

  it("a lone surrogate in a subscription filter throws", () => {
    const client = new MqttClient(options());
    expect(thrown(() => client.subscribe("x/\ud800", 0, () => undefined)).option).toBe("filter");
  });

  it("a NUL in username is reported as a username error, not a clientId error", () => {
    expect(thrown(() => new MqttClient(options({ username: "al\u0000ice" }))).option).toBe("username");
  });

  it("will.retain: \"yes\" throws instead of silently becoming false", () => {
    const e = thrown(() => new MqttClient(options({ will: { topic: "w/x", payload: "bye", retain: "yes" } })));
    expect(e.option).toBe("will.retain");
  });

  it("a non-function onError (or other callback) is refused at construction", () => {
    expect(thrown(() => new MqttClient(options({ onError: "log" }))).option).toBe("onError");
    expect(thrown(() => new MqttClient(options({ onDisconnected: 5 }))).option).toBe("onDisconnected");
    expect(thrown(() => new MqttClient(options({ onQueueOverflow: {} }))).option).toBe("onQueueOverflow");
  });

  it("a SUBACK whose return-code count differs from the filters sent is a protocol error", () => {
    const rig = tapRig();
    rig.broker.onPacket = (p) => {
      if (p.type !== PacketType.SUBSCRIBE) return;
      const raw = Uint8Array.from([0x90, 0x04, p.packetId >> 8, p.packetId & 0xff, 0x00, 0x00]);
      rig.broker.sendRaw(raw, 0, raw.length);
      rig.broker.onPacket = null;
    };
    rig.client.subscribe("a/#", 0, () => undefined);
    rig.client.connect();
    rig.step();
    expect(rig.disconnected).toEqual([PROTOCOL_ERROR]);
    expect(rig.errors.some((e) => e instanceof ProtocolError && /2 return codes/.test(e.message))).toBe(true);
  });

  it("a granted QoS above the requested one is reported", () => {
    const rig = tapRig();
    rig.broker.subackCode = 1;
    const id = rig.client.subscribe("a/#", 0, () => undefined);
    rig.client.connect();
    rig.step();
    expect(rig.client.granted(id)).toBe(1);
    expect(rig.errors.some((e) => e instanceof ProtocolError && /above the requested/.test(e.message))).toBe(true);
  });

  it("subscription ids never repeat, even after 65,536 reuses of a table slot", () => {
    const client = new MqttClient(options({ maxSubscriptions: 1 }));
    const seen = new Set<number>();
    for (let i = 0; i < 65_540; i++) {
      const id = client.subscribe("a", 0, () => undefined);
      expect(seen.has(id)).toBe(false);
      seen.add(id);
      client.unsubscribe(id);
    }
    // A stale id never reaches the live subscription.
    const live = client.subscribe("a", 0, () => undefined);
    expect(client.unsubscribe(1)).toBe(false);
    expect(client.unsubscribe(live)).toBe(true);
  });

  it("when a PINGREQ cannot be staged the keepalive timer does not spin every millisecond", () => {
    const rig = tapRig({ keepAlive: 2 }, { sendBuffer: 64 });
    rig.client.connect();
    rig.step();
    rig.network.last!.stalled = true; // nothing drains: send buffer and staging region fill up
    // 64-byte packets (2 header + 5 topic + 57 payload): the first fills the send buffer exactly, the rest fill
    // the staging region until BUSY. No room is left for a 2-byte PINGREQ anywhere.
    const h = rig.client.topic("t/x");
    const p = new Uint8Array(57);
    for (let i = 0; i < 100 && rig.client.publish(h, p, 0, 57, 0, false) === 0; i++) rig.clock.advance(0);
    rig.clock.advance(0);
    let fired = 0;
    for (let t = 0; t < 3100; t++) fired += rig.clock.advance(1);
    expect(rig.disconnected.length).toBe(1); // dead link detected at 1.5 x keepAlive...
    expect(fired).toBeLessThan(20); // ...without thousands of 1 ms timer rounds
  });

  it("close() closes the three timers; later calls are reported", () => {
    const rig = tapRig();
    const closed: unknown[] = [];
    const close = rig.clock.close.bind(rig.clock);
    rig.clock.close = (t: unknown) => { closed.push(t); close(t); };
    const h = rig.client.topic("t/x");
    const sub = rig.client.subscribe("a/#", 0, () => undefined);
    rig.client.connect();
    rig.step();
    rig.client.close();
    expect(new Set(closed).size).toBe(3);
    expect(rig.clock.nextDue()).toBe(-1);
    expect(rig.client.state).toBe(ClientState.DISPOSED);
    expect(rig.wire[0]!.slice(-2)).toEqual([0xe0, 0x00]); // DISCONNECT went out first
    expect(rig.client.publish(h, ascii("x"), 0, 1, 0, false)).toBe(CLIENT_CLOSED);
    expect(() => rig.client.subscribe("b/#", 0, () => undefined)).toThrow(ClientClosedError);
    expect(() => rig.client.unsubscribe(sub)).toThrow(ClientClosedError);
    expect(() => rig.client.connect()).toThrow(ClientClosedError);
    expect(() => rig.client.topic("t/y")).toThrow(ClientClosedError);
    rig.client.close(); // idempotent
    rig.client.end(); // no-op
    rig.step(100_000);
    expect(rig.network.connections.length).toBe(1);
  });
});
