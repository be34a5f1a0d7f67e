// No loss, counted (short run): a numbered QoS 1 stream (and a QoS 0 stream) from MqttClient through the
// fault proxy to a persistent mosquitto, observed by an independent MQTT.js persistent session. ~16 faults
// of every kind: proxy cut both/up/down, half-open stall > 1.5 × keepalive, graceful broker restart, broker
// SIGKILL + start. QoS 1 loss by the client must be 0 [MQTT-4.3.2-1] (at least once) with DUP resends
// [MQTT-3.3.1-1]; duplicates are allowed and counted; QoS 0 loss is counted, not asserted
// [MQTT-4.3.1-1]. Loss a SIGKILLed broker causes (unsaved state it had acknowledged) is reported apart.
// The full run is scripts/faults-long.ts (`npm run test:faults`).
import { describe, expect, it } from "vitest";
import { runNoLoss, summaryLine } from "./no-loss-core.js";

describe("faults: no QoS 1 loss under injected faults", () => {
  it("loses no QoS 1 message across 16 faults of every kind (counted; duplicates allowed)", async () => {
    const f = await runNoLoss({
      faults: 16,
      maxMs: 32_000,
      seed: 6,
      weights: { "cut-both": 3, "cut-down": 2, "cut-up": 1, stall: 1, restart: 2, sigkill: 2 },
    });
    console.log(summaryLine(f) +
      ` broker-lost(sigkill)=${f.brokerLost} qos0-sent=${f.qos0Sent} resent=${f.clientCounters.resent} ` +
      `by-kind=${JSON.stringify(f.faultsByKind)} seconds=${f.seconds.toFixed(1)}`);
    expect(f.faultsInjected).toBeGreaterThanOrEqual(10);
    expect(f.sent).toBeGreaterThan(500);
    expect(f.drained, `not drained: ${JSON.stringify(f)}`).toBe(true);
    expect(f.lost, `client lost QoS 1 messages: ${f.lostSample.join(",")}`).toBe(0);
    expect(f.received + f.brokerLost).toBe(f.sent);
  }, 60_000);
});
