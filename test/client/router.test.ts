// Unit: subscription table and matching (every matching entry, $-topics, unsubscribe, stale ids).
import { describe, expect, it } from "vitest";
import { Router, SubState } from "../../src/client/router.js";

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));
const noop = (): void => undefined;

function matches(r: Router, topic: string): number[] {
  const t = enc(topic);
  const out: number[] = [];
  for (let i = r.nextMatch(0, t, 0, t.length); i >= 0; i = r.nextMatch(i + 1, t, 0, t.length)) out.push(r.idOf(i));
  return out;
}

describe("router", () => {
  it("finds every matching filter", () => {
    const r = new Router(8);
    const a = r.add(enc("a/#"), "a/#", 1, noop, null);
    const b = r.add(enc("a/+/c"), "a/+/c", 0, noop, null);
    const c = r.add(enc("a/b/c"), "a/b/c", 1, noop, null);
    const d = r.add(enc("#"), "#", 0, noop, null);
    const e = r.add(enc("+/+"), "+/+", 0, noop, null);
    expect(matches(r, "a/b/c")).toEqual([a, b, c, d]);
    expect(matches(r, "a/x")).toEqual([a, d, e]);
    expect(matches(r, "a")).toEqual([a, d]); // a/# matches the parent level
    expect(matches(r, "$SYS/x")).toEqual([]); // [MQTT-4.7.2-1]
    expect(matches(r, "b/b/c")).toEqual([d]);
  });

  it("skips entries without handler and stale ids", () => {
    const r = new Router(2);
    const a = r.add(enc("x"), "x", 0, noop, null);
    const i = r.indexOfId(a);
    r.handlers[i] = null;
    expect(matches(r, "x")).toEqual([]);
    r.free(i);
    expect(r.indexOfId(a)).toBe(-1);
    const b = r.add(enc("y"), "y", 0, noop, null);
    expect(b).not.toBe(a); // same entry, new generation
    expect(r.indexOfId(b)).toBe(i);
    r.add(enc("z"), "z", 0, noop, null);
    expect(r.add(enc("w"), "w", 0, noop, null)).toBe(-1); // full
  });

  it("session lost: everything live needs SUBSCRIBE again; pending unsubscribes are dropped", () => {
    const r = new Router(4);
    r.add(enc("a"), "a", 0, noop, null);
    r.add(enc("b"), "b", 0, noop, null);
    r.add(enc("c"), "c", 0, noop, null);
    r.states[0] = SubState.ACTIVE;
    r.states[1] = SubState.SUBSCRIBING;
    r.packetIds[1] = 7;
    r.states[2] = SubState.UNSUBSCRIBING;
    expect(r.usesPacketId(7)).toBe(true);
    r.sessionLost();
    expect([r.states[0], r.states[1], r.states[2]]).toEqual([SubState.NEW, SubState.NEW, SubState.FREE]);
    expect(r.usesPacketId(7)).toBe(false);
  });
});
