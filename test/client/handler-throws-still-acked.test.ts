// A throwing handler is reported (HandlerError via onError), the other handlers still run, and the QoS 1
// message is still acknowledged (redelivering a message that makes a handler throw would loop forever).
import { describe, expect, it } from "vitest";
import { HandlerError } from "../../src/client/index.js";
import { ascii, memoryRig } from "./memory-util.js";

describe("handler throws", () => {
  it("reports, continues with other handlers and acks", () => {
    const rig = memoryRig();
    let second = 0;
    rig.client.subscribe("cmd/#", 1, () => {
      throw new Error("boom");
    });
    rig.client.subscribe("cmd/+", 1, () => {
      second++;
    });
    rig.client.connect();
    rig.step();
    rig.broker.publish(ascii("cmd/x"), ascii("1"), 0, 1, 1, 77);
    rig.step();
    expect(second).toBe(1);
    expect(rig.errors[0]).toBeInstanceOf(HandlerError);
    expect((rig.errors[0]!.cause as Error).message).toBe("boom");
    expect(rig.broker.pubacks).toBe(1); // acked although not processed [MQTT-4.5.0-2]; QoS 1 -> PUBACK [MQTT-3.3.4-1]
    expect(rig.client.connected).toBe(true);
    expect(rig.client.counters.handlerErrors).toBe(1);
  });
});
