/**
 * hosts/node/clock.ts: one timer record, re-armed any number of times.
 */
import { describe, expect, it } from "vitest";
import { NodeClock } from "../../hosts/node/clock.js";
import { createNodeHost } from "../../hosts/node/index.js";
import { TCPSocket } from "../../hosts/node/tcp.js";
import { TLSSocket } from "../../hosts/node/tls.js";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("NodeClock", () => {
  it("now() is monotonic milliseconds", async () => {
    const clock = new NodeClock();
    const a = clock.now();
    await sleep(20);
    const b = clock.now();
    expect(b - a).toBeGreaterThanOrEqual(15);
    expect(b - a).toBeLessThan(1000);
  });

  it("schedule fires once after the delay; re-scheduling replaces the pending one", async () => {
    const clock = new NodeClock();
    const fired: number[] = [];
    const start = clock.now();
    const timer = clock.timer(() => fired.push(clock.now() - start));
    clock.schedule(timer, 200);
    clock.schedule(timer, 20); // replaces the 200 ms schedule
    await sleep(80);
    expect(fired.length).toBe(1);
    expect(fired[0]).toBeGreaterThanOrEqual(15);
    await sleep(200);
    expect(fired.length).toBe(1); // the replaced schedule never fires
    clock.schedule(timer, 0); // the same record is reusable after firing
    await sleep(30);
    expect(fired.length).toBe(2);
    clock.close(timer);
  }, 5000);

  it("cancel disarms; close retires (idempotent) and scheduling a closed timer throws", async () => {
    const clock = new NodeClock();
    let count = 0;
    const timer = clock.timer(() => count++);
    clock.schedule(timer, 10);
    clock.cancel(timer);
    clock.cancel(timer);
    await sleep(40);
    expect(count).toBe(0);
    clock.schedule(timer, 10);
    clock.close(timer);
    clock.close(timer);
    await sleep(40);
    expect(count).toBe(0);
    expect(() => clock.schedule(timer, 10)).toThrow(/closed/);
    expect(() => clock.schedule({}, 10)).toThrow(TypeError);
  }, 5000);

  it("a callback may re-arm its own timer (periodic use without allocation)", async () => {
    const clock = new NodeClock();
    let count = 0;
    const timer: unknown = clock.timer(() => {
      count++;
      if (count < 3) clock.schedule(timer, 5);
    });
    clock.schedule(timer, 5);
    await sleep(120);
    expect(count).toBe(3);
    clock.close(timer);
  }, 5000);
});

describe("createNodeHost", () => {
  it("wires TCPSocket, TLSSocket, a clock and random", () => {
    const host = createNodeHost({ random: () => 0.5 });
    expect(host.tcp).toBe(TCPSocket);
    expect(host.tls).toBe(TLSSocket);
    expect(host.random()).toBe(0.5);
    expect(typeof host.clock.now()).toBe("number");
    expect(createNodeHost().random).toBe(Math.random);
  });
});
