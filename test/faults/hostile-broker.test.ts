// Hostile broker: malformed, oversized, unexpected and out-of-order packets, generated and mutated
// (garbage after CONNACK, CONNACK with reserved bits / bad codes [MQTT-3.2.2-1], PUBLISH QoS 3
// [MQTT-3.3.1-4], wildcard topic names [MQTT-3.3.2-2], invalid UTF-8 [MQTT-1.5.3-1] [MQTT-1.5.3-2],
// remaining length over the maximum, 5-byte varints, SUBACK with bad codes [MQTT-3.9.3-2], PUBACK for unknown
// ids, second CONNACK, PINGREQ to a client, packets dripped one byte per write, random bytes).
// For every case the client ends the connection [MQTT-4.8.0-1] with a typed error carrying the codec code (or, for harmless
// oddities, counts and stays), nothing escapes its callbacks, and it reconnects to a well-behaved broker and
// gets a QoS 1 PUBACK (pools not leaked). 2,300 cases on the in-memory transport + a few over real TCP.
// Long run (100,000 cases, heap checked after GC): scripts/hostile-long.ts.
import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createNodeHost } from "../../hosts/node/index.js";
import {
  MALFORMED_REMAINING_LENGTH, INVALID_QOS, CONNACK_RESERVED, TOPIC_WILDCARD,
} from "../../src/codec/codes.js";
import { MqttClient, MqttError, PACKET_TOO_LARGE, ProtocolError, SENT } from "../../src/client/index.js";
import { runHostileMemory } from "./hostile-core.js";
import { GoodResponder, generateCase, type HostileCase } from "./hostile-server.js";
import { prng } from "./no-loss-core.js";

let uncaught = 0;
const onUncaught = (): void => { uncaught++; };
process.on("uncaughtException", onUncaught);
process.on("unhandledRejection", onUncaught);
afterAll(() => {
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUncaught);
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe("faults: hostile broker", () => {
  it("2,300 generated hostile connections on the in-memory transport: typed errors, no escapes, recovery", () => {
    const f = runHostileMemory(2300, 11);
    console.log(`hostile cases=${f.cases} mismatches=${f.mismatches} escaped=${f.escaped} untyped=${f.untyped} ` +
      `recovery-failures=${f.recoveryFailures} seconds=${f.seconds.toFixed(1)} errors=${JSON.stringify(f.errorsByName)}`);
    expect(f.failures).toEqual([]);
    expect(f.mismatches).toBe(0);
    expect(f.escaped).toBe(0);
    expect(f.untyped).toBe(0);
    expect(f.recoveryFailures).toBe(0);
    expect(f.clientMalformed).toBe(0);
    expect(uncaught).toBe(0);
    // Every family ran (23 families × 100).
    expect(Object.values(f.byFamily).every((n) => n === 100)).toBe(true);
  }, 30_000);

  it("over real TCP (node:net server, some cases in 1-byte writes): typed errors, then a good broker works", async () => {
    // Fixed cases with known codes, plus generated random/mutated ones; the last connection is well-behaved.
    const rng = prng(5);
    const pick = (family: string, drip: boolean): HostileCase => {
      for (let i = 0; ; i++) {
        const k = generateCase(rng, i, { maxPacket: 1024 });
        if (k.family === family) return { ...k, drip };
      }
    };
    const cases: HostileCase[] = [
      pick("varint-5-bytes", true), pick("publish-qos3", true), pick("connack-reserved-bits", false),
      pick("publish-wildcard-topic", true), pick("oversize-publish", false), pick("garbage-after-connack", false),
      pick("random-bytes", true), pick("mutated-stream", false),
    ];
    const expected = [MALFORMED_REMAINING_LENGTH, INVALID_QOS, CONNACK_RESERVED, TOPIC_WILDCARD, PACKET_TOO_LARGE];
    const errorsPerConn: unknown[][] = [];
    let connIndex = -1;
    const good = new GoodResponder();
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
      s.setNoDelay(true);
      const index = ++connIndex;
      errorsPerConn[index] = [];
      const kase = cases[index];
      if (kase === undefined) {
        good.reset();
        s.on("data", (d: Buffer) => {
          const out: number[] = [];
          good.feed(new Uint8Array(d), out);
          if (out.length > 0) s.write(Buffer.from(out));
        });
        return;
      }
      s.once("data", async () => {
        if (!kase.drip) s.write(Buffer.from(kase.bytes));
        else {
          for (const b of kase.bytes) {
            if (s.destroyed) break;
            s.write(Buffer.from([b]));
            await sleep(1);
          }
        }
        await sleep(150);
        s.destroy();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    const client = new MqttClient({
      host: createNodeHost(),
      hostname: "127.0.0.1",
      port,
      clientId: `hostile-tcp-${process.pid}`,
      keepAlive: 30,
      connectTimeout: 2000,
      rxBufferSize: 1024,
      reconnect: { initialDelay: 20, maxDelay: 40, multiplier: 2, stableAfter: 60_000 },
      onError: (e) => errorsPerConn[connIndex]?.push(e),
    });
    try {
      const h = client.topic("dev/hostile/up");
      client.connect();
      await until(() => connIndex === cases.length && client.connected, 15_000, "the good connection after the hostile ones");
      const p = new Uint8Array([1, 2, 3]);
      expect(client.publish(h, p, 0, 3, 1, false)).toBe(SENT);
      await until(() => client.inflight === 0, 3000, "PUBACK from the good broker");
      for (let i = 0; i < cases.length; i++) {
        const errs = errorsPerConn[i] ?? [];
        expect(errs.length, `case ${i} ${cases[i]!.family}`).toBeGreaterThan(0);
        for (const e of errs) expect(e, `case ${i}`).toBeInstanceOf(MqttError);
        if (i < expected.length) {
          expect((errs[0] as MqttError).code, `case ${i} ${cases[i]!.family}`).toBe(expected[i]);
          if (expected[i]! > -100) expect(errs[0]).toBeInstanceOf(ProtocolError);
        }
      }
      expect(errorsPerConn[cases.length] ?? []).toEqual([]);
      expect(good.errors).toBe(0);
      expect(uncaught).toBe(0);
    } finally {
      client.end();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 30_000);
});
