// Unit: the deferred-callback ring (src/client/events.ts) and the keepalive rules that changed in issue 10.
import { describe, expect, it } from "vitest";
import { HandlerError, MqttError } from "../../src/client/errors.js";
import { EventKind, EventQueue, type Callbacks } from "../../src/client/events.js";
import { KA_DEAD, KA_IDLE, KA_PING, KA_PING_TIMEOUT, Keepalive } from "../../src/client/keepalive.js";

describe("deferred event ring", () => {
  it("runs events in order, counts what a full ring drops, and turns a throwing callback into a queued HandlerError", () => {
    const q = new EventQueue(8);
    const seen: string[] = [];
    const cb: Callbacks = {
      onConnected: (sp) => seen.push(`connected ${sp}`),
      onDisconnected: (c) => { seen.push(`disconnected ${c}`); throw new Error("app bug"); },
      onError: (e) => seen.push(`error ${e.name}`),
      onWritable: () => seen.push("writable"),
      onQueueOverflow: (c) => seen.push(`overflow ${c}`),
    };
    q.push(EventKind.CONNECTED, 1, null);
    q.push(EventKind.DISCONNECTED, -111, null);
    q.push(EventKind.SUBACK, 1, (g) => seen.push(`suback ${g}`));
    for (let i = 0; i < 7; i++) q.push(EventKind.WRITABLE, 0, null);
    expect(q.count).toBe(8);
    expect(q.dropped).toBe(2);
    while (q.runOne(cb, (e) => new HandlerError(e)) === 1) { /* drain */ }
    expect(seen.slice(0, 3)).toEqual(["connected true", "disconnected -111", "suback 1"]);
    expect(seen.filter((s) => s === "writable").length).toBe(5);
    expect(seen[seen.length - 1]).toBe("error HandlerError");
    q.push(EventKind.ERROR, 0, new MqttError(-111));
    const throwing: Callbacks = { ...cb, onError: () => { throw new Error("onError bug"); } };
    expect(q.runOne(throwing, (e) => new HandlerError(e))).toBe(1); // swallowed: nothing throws out
    expect(q.count).toBe(0);
  });
});

describe("keepalive (issue 10 rules)", () => {
  it("a PINGREQ that cannot be staged yet arms only the dead-link deadline; a staged one its own deadline", () => {
    const ka = new Keepalive(10, 2000);
    ka.lastSent = 0;
    ka.start(0);
    expect(ka.check(10_000)).toBe(KA_PING);
    ka.pingPending = true;
    expect(ka.check(10_000)).toBe(KA_IDLE);
    expect(ka.nextDelay(10_000)).toBe(5000); // to 1.5 x keepAlive, not 1 ms
    ka.pingSent(11_000);
    expect(ka.nextDelay(11_000)).toBe(2000);
    expect(ka.check(12_999)).toBe(KA_IDLE);
    expect(ka.check(13_000)).toBe(KA_PING_TIMEOUT);
    expect(ka.check(15_000)).toBe(KA_DEAD);
  });
});
