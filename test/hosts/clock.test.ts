/**
 * hosts/node/clock.ts: one timer record, re-armed any number of times.
 */
import { stat } from "node:fs";
import { fileURLToPath } from "node:url";
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

  it("delay 0 fires on the next event-loop turn (setImmediate, no 1 ms floor): not synchronously, before a 1 ms timer", async () => {
    const clock = new NodeClock();
    const order: string[] = [];
    const timer = clock.timer(() => order.push("clock0"));
    // Inside an I/O callback (poll phase) the check phase of the same loop iteration comes before any
    // timer, so the order is deterministic there; a setTimeout(0) would be a 1 ms timer.
    await new Promise<void>((resolve) => {
      stat(fileURLToPath(import.meta.url), () => {
        setTimeout(() => {
          order.push("timeout1");
          resolve();
        }, 1);
        clock.schedule(timer, 0);
        order.push("sync");
      });
    });
    expect(order).toEqual(["sync", "clock0", "timeout1"]);
    clock.close(timer);
  }, 5000);

  it("delay 0 can be cancelled and re-scheduled to a real delay (and back)", async () => {
    const clock = new NodeClock();
    let count = 0;
    const timer = clock.timer(() => count++);
    clock.schedule(timer, 0);
    clock.cancel(timer);
    await sleep(20);
    expect(count).toBe(0);
    clock.schedule(timer, 0);
    clock.schedule(timer, 30); // replaces the immediate
    await sleep(10);
    expect(count).toBe(0);
    clock.schedule(timer, 0); // replaces the timeout
    await sleep(10);
    expect(count).toBe(1);
    await sleep(40);
    expect(count).toBe(1);
    clock.schedule(timer, -5); // negative or non-finite delays are 0
    clock.close(timer);
    await sleep(10);
    expect(count).toBe(1);
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
