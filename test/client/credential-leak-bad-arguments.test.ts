// Security: publish with bad arguments (string offsets that concatenate, fractions, booleans, null, strings,
// Arrays or Uint16Arrays as payload) must never return SENT, never put a byte on the wire that was not encoded
// for a requested packet, and the CONNECT (client id, user name, password) must not linger in any buffer the
// client later writes from. On the old client `publish(h, bytes, "0", "4", 0, false)` returned SENT and sent
// 252 bytes of the staging buffer that still held the CONNECT.
import { describe, expect, it } from "vitest";
import { INVALID_ARGUMENT, INVALID_HANDLE, INVALID_QOS, INVALID_RANGE, SENT } from "../../src/client/index.js";
import { ascii, contains, publishes, tapRig } from "./tap-util.js";

const SECRET = ascii("hunter2-SECRET");
const USER = ascii("alice");

function victim() {
  const rig = tapRig({ clientId: "victim-client", username: "alice", password: "hunter2-SECRET" });
  rig.client.connect();
  rig.step();
  expect(rig.client.connected).toBe(true);
  return rig;
}

describe("credential leak through bad publish arguments", () => {
  it("string offset and length ('0', '4') return INVALID_RANGE and put nothing on the wire", () => {
    const rig = victim();
    const h = rig.client.topic("l/x");
    const before = rig.wire[0]!.length;
    const bad = rig.client.publish(h, ascii("abcd"), "0" as unknown as number, "4" as unknown as number, 0, false);
    expect(bad).toBe(INVALID_RANGE);
    rig.step();
    expect(rig.wire[0]!.length).toBe(before);
    expect(rig.broker.publishes).toBe(0);
  });

  it("every malformed argument returns a named status, never SENT, and never throws", () => {
    const rig = victim();
    const h = rig.client.topic("l/x");
    const p = ascii("abcd");
    const any = (v: unknown) => v as never;
    const cases: [number, number][] = [
      [rig.client.publish(h, p, 0.5, 2, 0, false), INVALID_RANGE],
      [rig.client.publish(h, p, 0, 2.5, 0, false), INVALID_RANGE],
      [rig.client.publish(h, p, any(true), 2, 0, false), INVALID_RANGE],
      [rig.client.publish(h, p, any(null), 2, 0, false), INVALID_RANGE],
      [rig.client.publish(h, p, -1, 2, 0, false), INVALID_RANGE],
      [rig.client.publish(h, p, 0, Number.NaN, 0, false), INVALID_RANGE],
      [rig.client.publish(h, p, 3, 2, 0, false), INVALID_RANGE],
      [rig.client.publish(h, any("abcd"), 0, 4, 0, false), INVALID_ARGUMENT],
      [rig.client.publish(h, any([97, 98, 99, 100]), 0, 4, 0, false), INVALID_ARGUMENT],
      [rig.client.publish(h, any(new Uint16Array(4)), 0, 4, 0, false), INVALID_ARGUMENT],
      [rig.client.publish(h, any(null), 0, 0, 0, false), INVALID_ARGUMENT],
      [rig.client.publish(h, any(undefined), 0, 0, 0, false), INVALID_ARGUMENT],
      [rig.client.publish(h, p, 0, 4, 0, any("yes")), INVALID_ARGUMENT],
      [rig.client.publish(h, p, 0, 4, 0, any(1)), INVALID_ARGUMENT],
      [rig.client.publish(h, p, 0, 4, any("1"), false), INVALID_QOS],
      [rig.client.publish(h, p, 0, 4, 2, false), INVALID_QOS],
      [rig.client.publish(any(String(h)), p, 0, 4, 0, false), INVALID_HANDLE],
      [rig.client.publish(h + 0.5, p, 0, 4, 0, false), INVALID_HANDLE],
      [rig.client.publish(-1, p, 0, 4, 0, false), INVALID_HANDLE],
    ];
    for (const [got, want] of cases) expect(got).toBe(want);
    rig.step();
    expect(rig.broker.publishes).toBe(0);
    // A good publish still works.
    expect(rig.client.publish(h, p, 1, 2, 0, false)).toBe(SENT);
    rig.step();
    const sent = publishes(rig.wire[0]!);
    expect(sent.map((m) => m.payload)).toEqual(["bc"]);
  });

  it("after CONNECT is written no credential byte is left in the client's tx buffers or sent again", () => {
    const rig = victim();
    // The CONNECT went out on connection 0 with the credentials...
    expect(contains(rig.wire[0]!, SECRET)).toBe(true);
    // ...and nothing the client writes from is left holding them.
    for (const buffer of rig.buffers) {
      const all = new Uint8Array(buffer);
      expect(contains(all, SECRET)).toBe(false);
      expect(contains(all, USER)).toBe(false);
    }
    const h = rig.client.topic("l/x");
    const p = new Uint8Array(300);
    for (let i = 0; i < 20; i++) rig.client.publish(h, p, 0, 1 + i * 13, i % 2, false);
    rig.step();
    const after = rig.wire[0]!.slice(40);
    expect(contains(after, SECRET)).toBe(false);
    expect(contains(after, USER)).toBe(false);
    expect(rig.broker.publishes).toBe(20);
  });
});
