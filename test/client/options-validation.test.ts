// Bad options throw a typed RangeError naming the option; secrets never appear in the message.
import { describe, expect, it } from "vitest";
import { INVALID_OPTION, InvalidOptionError, MqttClient, type MqttClientOptions } from "../../src/client/index.js";
import { ManualClock } from "../support/manual-clock.js";
import { MemoryNetwork } from "../support/memory-transport.js";

const network = new MemoryNetwork();
const host = { tcp: network.socketClass, clock: new ManualClock(), random: () => 0.5 };
const base: MqttClientOptions = { host, hostname: "h", clientId: "c" };

function expectBad(patch: Partial<MqttClientOptions> | Record<string, unknown>, option: string): void {
  let caught: unknown;
  try {
    new MqttClient({ ...base, ...patch } as MqttClientOptions);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(InvalidOptionError);
  expect(caught).toBeInstanceOf(RangeError);
  const e = caught as InvalidOptionError;
  expect(e.code).toBe(INVALID_OPTION);
  expect(e.option).toBe(option);
  expect(e.name).toBe("InvalidOptionError");
  expect(e.message).not.toContain("hunter2");
}

describe("option validation", () => {
  it("accepts the defaults", () => {
    const c = new MqttClient(base);
    expect(c.state).toBe(0);
  });
  it("rejects each bad option with its name", () => {
    expectBad({ hostname: "" }, "hostname");
    expectBad({ port: 70000 }, "port");
    expectBad({ keepAlive: -1 }, "keepAlive");
    expectBad({ keepAlive: 65536 }, "keepAlive");
    expectBad({ inflightWindow: 0 }, "inflightWindow");
    expectBad({ offlineQueue: -1 }, "offlineQueue");
    expectBad({ overflow: "newest" as never }, "overflow");
    expectBad({ oversize: "truncate" as never }, "oversize");
    expectBad({ txSlotSize: 4 }, "txSlotSize");
    expectBad({ rxBufferSize: 1.5 }, "rxBufferSize");
    expectBad({ connectTimeout: 0 }, "connectTimeout");
    expectBad({ reconnect: { initialDelay: 0 } }, "reconnect.initialDelay");
    expectBad({ reconnect: { initialDelay: 500, maxDelay: 100 } }, "reconnect.maxDelay");
    expectBad({ reconnect: { multiplier: 0.5 } }, "reconnect.multiplier");
    expectBad({ password: "hunter2" }, "password"); // password without username [MQTT-3.1.2-22]
    expectBad({ will: { topic: "a/+", payload: "x" } }, "will.topic");
    expectBad({ will: { topic: "a", payload: "x", qos: 2 } }, "will.qos");
    expectBad({ clientId: "", cleanSession: false }, "clientId"); // [MQTT-3.1.3-7]
    expectBad({ tls: {}, host: { ...host, tls: undefined } }, "tls");
    expectBad({ username: "u", password: "hunter2", txSlotSize: 16, clientId: "a-rather-long-client-id" }, "txSlotSize");
  });
  it("rejects bad topics, filters and QoS at setup calls", () => {
    const c = new MqttClient(base);
    expect(() => c.topic("a/#")).toThrow(InvalidOptionError); // [MQTT-3.3.2-2] [MQTT-4.7.1-1]
    expect(() => c.topic("")).toThrow(InvalidOptionError); // [MQTT-4.7.3-1]
    expect(() => c.subscribe("a/#/b", 0, () => undefined)).toThrow(InvalidOptionError); // [MQTT-4.7.1-2]
    expect(() => c.subscribe("a/b", 2, () => undefined)).toThrow(InvalidOptionError);
    const h = c.topic("a/b");
    const p = new Uint8Array(4);
    expect(c.publish(h + 1, p, 0, 4, 0, false)).toBe(-104); // INVALID_HANDLE
    expect(c.publish(h, p, 0, 4, 2, false)).toBe(-105); // INVALID_QOS
    expect(c.publish(h, p, 2, 4, 0, false)).toBe(-106); // INVALID_RANGE
    expect(c.publish(h, new Uint8Array(600), 0, 600, 0, false)).toBe(-101); // TOO_LARGE
  });
});
